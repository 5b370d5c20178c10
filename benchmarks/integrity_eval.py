"""Precision and recall of every billing-integrity rule against a generated world's injected truth.

    python benchmarks/integrity_eval.py [--claims 60000] [--months 6] [--seed 7]

Generates a health-system world, runs it through ingest, reference loading and dbt exactly like
`revcycle run`, scores each rule (pipelines/integrity_eval.py), then rebuilds with a stricter draft's
thresholds (peer percentile P95, at least 20 peers) as the named alternative and scores again, so
the effect of our threshold choices (P80, 10 peers; docs/integrity.md) is measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.build import build_warehouse
from pipelines.generate import Config
from pipelines.integrity_eval import evaluate, evaluate_generated_world, format_table
from pipelines.settings import PROJECT_ROOT, Settings

STRICTER_DRAFT = {"em_percentile": 0.95, "modifier_percentile": 0.95, "integrity_min_peers": 20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=60_000)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="revcycle-integrity-") as tmp:
        settings = Settings(project_root=PROJECT_ROOT, home=Path(tmp) / "home")
        settings.ensure_dirs()
        cfg = Config(out=Path(tmp) / "world", claims=args.claims, seed=args.seed, months=args.months,
                     start=date(2024, 1, 1), profile="health-system")  # fmt: skip
        t0 = time.perf_counter()
        ours = evaluate_generated_world(cfg, settings)
        t_ours = time.perf_counter() - t0
        print(f"world: {args.claims:,} claims, {args.months} months, health-system profile, seed {args.seed}")
        print(f"generate + ingest + build + score: {t_ours:.0f} s\n")
        print("revcycle thresholds (P80 percentile, >= 10 peers):\n")
        print(format_table(ours))
        t1 = time.perf_counter()
        build_warehouse(settings, dbt_vars=STRICTER_DRAFT)
        draft = evaluate(settings, cfg.out / "truth" / "anomalies.csv")
        print(
            f"\nalternative: stricter draft thresholds {STRICTER_DRAFT} (rebuild {time.perf_counter() - t1:.0f} s):\n"
        )
        print(format_table([s for s in draft if s.kind == "statistical"]))


if __name__ == "__main__":
    main()
