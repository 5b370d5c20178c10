"""Query + render time of every dashboard page on a generated warehouse.

    .venv/bin/python benchmarks/dashboard.py --claims 1000000     # the issue's target size
    .venv/bin/python benchmarks/dashboard.py --home DIR            # an already built REVCYCLE_HOME

Each page is run headless with Streamlit's AppTest (the page script end to end: every DuckDB query, the
frames and charts it builds), --runs times.  Side by side in the same run:
  * cold: st.cache_data and the shared warehouse reader (st.cache_resource) cleared before every run: a
    fresh build just swapped in, or the first visitor, on a new DuckDB instance with nothing cached;
    every page is run once, discarded, before measuring (module imports happen once per server process);
  * warm: cache kept (the next visitor; the cache key is the warehouse file's mtime).
Target: p95 <= 1 s per page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = [
    "overview.py",
    "denials.py",
    "claim_chain.py",
    "work_queues.py",
    "front_end.py",
    "collections.py",
    "compliance.py",
    "data_quality.py",
]


def build_world(claims: int, home: Path) -> None:
    from pipelines.evaluation.integrity import run_generated_world
    from pipelines.generate import Config
    from pipelines.settings import PROJECT_ROOT, Settings

    s = Settings(project_root=PROJECT_ROOT, home=home)
    s.ensure_dirs()
    cfg = Config(out=home.parent / "world", claims=claims, seed=11, months=12, start=date(2024, 1, 1),
                 profile="health-system")  # fmt: skip
    run_generated_world(cfg, s)


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--home", type=Path, help="use this built REVCYCLE_HOME instead of generating one")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    home = args.home
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="revcycle-dash-bench-")) / "home"
        t0 = time.perf_counter()
        build_world(args.claims, home)
        print(f"built a {args.claims:,}-claim warehouse in {time.perf_counter() - t0:.0f} s")
    os.environ["REVCYCLE_HOME"] = str(home)

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from pipelines.warehouse.read import query

    chains = query("select count(*) as n from fct_claim_chains")["n"][0]
    size_mb = (home / "warehouse.duckdb").stat().st_size / 2**20
    print(f"warehouse: {chains:,} claim chains, {size_mb:,.0f} MB\n")
    pages_dir = Path(__file__).resolve().parent.parent / "dashboards" / "app_pages"
    # One discarded run of every page first: a Streamlit server imports the page modules (altair, polars'
    # pandas bridge, ...) once at its start; "cold" below means a cleared cache, not a fresh process.
    for page in PAGES:
        AppTest.from_file(str(pages_dir / page), default_timeout=120).run()
    print("| page | cold p50 s | cold p95 s | warm p50 s | warm p95 s |")
    print("|---|---:|---:|---:|---:|")
    for page in PAGES:
        times: dict[str, list[float]] = {"cold": [], "warm": []}
        for mode in ("cold", "warm"):
            for _ in range(args.runs):
                if mode == "cold":
                    st.cache_data.clear()
                    st.cache_resource.clear()
                at = AppTest.from_file(str(pages_dir / page), default_timeout=120)
                t0 = time.perf_counter()
                at.run()
                times[mode].append(time.perf_counter() - t0)
                if at.exception:
                    raise SystemExit(f"{page}: {at.exception[0].value}")
        c, w = times["cold"], times["warm"]
        print(f"| {page.removesuffix('.py')} | {statistics.median(c):.2f} | {p95(c):.2f} | "
              f"{statistics.median(w):.2f} | {p95(w):.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
