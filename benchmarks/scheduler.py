"""The production path against the CLI on the same world: `revcycle airflow` (the scheduler with the
LocalExecutor, its three DAGs on their schedules and assets) next to `revcycle run`.

    .venv/bin/python benchmarks/scheduler.py --claims 100000

Generates a world, lands it into two data roots, runs `revcycle run` in one (wall time, its build's time) and
`revcycle airflow` in the other until the files are through (both source DAGs done, a transform run after the
last publish succeeded), then reads the DAG runs' and tasks' times from Airflow's metadata DB.  The two
warehouses must be equal (pipelines.warehouse.engines), or the run fails.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _measure import run_measured

from pipelines.cli.airflow_embedded import pipeline_settled, standalone
from pipelines.generate import land_world
from pipelines.settings import Settings, get_settings
from pipelines.warehouse.engines import compare_warehouses


def _home(root: Path) -> Settings:
    os.environ["REVCYCLE_HOME"] = str(root)
    s = get_settings()
    s.ensure_dirs()
    return s


def _seconds(a: str | None, b: str | None) -> float:
    if not a or not b:
        return float("nan")
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--timeout", type=int, default=3600, help="seconds to wait for the scheduler")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="revcycle-scheduler-"))
    bin_dir = Path(sys.executable).parent
    world = work / "world"
    secs, _, proc = run_measured([str(bin_dir / "revcycle"), "generate", "--claims", str(args.claims), "--out",
                                  str(world), "--seed", "7", "--months", "12", "--weekly-batches", "--quiet"])  # fmt: skip
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    print(f"generated {args.claims:,} claims in {secs:.0f} s ({work})")

    cli, sched = _home(work / "cli"), _home(work / "scheduler")
    for s in (cli, sched):
        land_world(world, s.landing_dir, s.reference_landing_dir, move=False)
    files = sum(1 for p in cli.landing_dir.rglob("*") if p.is_file())
    env = {**os.environ, "REVCYCLE_SETTLE_SECONDS": "0"}

    run_secs, run_peak, proc = run_measured(
        [str(bin_dir / "revcycle"), "run", "-q"], {**env, "REVCYCLE_HOME": str(cli.home)}
    )
    if proc.returncode not in (0, 1):  # 1: some generated files are hostile on purpose and quarantined
        raise SystemExit(proc.stdout[-3000:] + proc.stderr[-3000:])
    build_secs = float(re.search(r"dbt build: .* in ([\d.]+)s", proc.stdout).group(1))

    t0 = time.monotonic()
    extra = {"REVCYCLE_SETTLE_SECONDS": "0", "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False"}
    with standalone(sched, work / "airflow.log", extra) as (airflow, db):
        while time.monotonic() - t0 < args.timeout and airflow.poll() is None and not pipeline_settled(db):
            time.sleep(5)
        through = time.monotonic() - t0
        if not pipeline_settled(db):
            raise SystemExit(f"the scheduler did not finish in {args.timeout} s: see {work / 'airflow.log'}")

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        runs = con.execute("select dag_id, start_date, end_date from dag_run where state = 'success' "
                           "order by start_date").fetchall()  # fmt: skip
        first_start = con.execute("select min(start_date) from dag_run").fetchone()[0]
        last_end = con.execute("select max(end_date) from dag_run").fetchone()[0]
        tasks = con.execute("select dag_id, task_id, count(*), sum(duration), max(duration) from task_instance "
                            "where state = 'success' group by 1, 2 order by 1, 2").fetchall()  # fmt: skip
    differences = compare_warehouses(cli.warehouse_path, sched.warehouse_path)

    print(f"\n{args.claims:,} claims, {files:,} landed files, 2 cores\n")
    print(f"{'path':60} {'seconds':>9}")
    print(
        f"{'revcycle run (ingest + build + summary), peak ' + f'{run_peak / 1024:.1f} GB':60} {run_secs:9.1f}"
    )
    print(f"{'  of which the dbt build (revcycle build)':60} {build_secs:9.1f}")
    print(f"{'revcycle airflow: start to files through (incl. ~30 s start-up)':60} {through:9.1f}")
    print(f"{'  first DAG run start to last DAG run end':60} {_seconds(first_start, last_end):9.1f}")
    for dag_id in ("revcycle_reference", "revcycle_ingest", "revcycle_transform"):
        spans = [_seconds(a, b) for d, a, b in runs if d == dag_id]
        print(
            f"{'  ' + dag_id + f' ({len(spans)} run(s), longest)':60} {max(spans, default=float('nan')):9.1f}"
        )
    print("\ntask                                              instances   total s   longest s")
    for dag_id, task_id, n, total, longest in tasks:
        print(f"{dag_id + '.' + task_id:50} {n:9} {total or 0:9.1f} {longest or 0:11.1f}")
    print("\nwarehouses equal" if not differences else f"\nwarehouses DIFFER: {differences[:5]}")
    if differences:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
