"""The same world built by the same dbt project on DuckDB and on Apache Spark (local mode), side by side.

    .venv/bin/python -m pip install -e '.[spark]' -c constraints.txt    # once (Java 17+ needed)
    .venv/bin/python benchmarks/scaleout.py --claims 100000
    .venv/bin/python benchmarks/scaleout.py --claims 1000000 --spark-memory 12g
    .venv/bin/python benchmarks/scaleout.py --work /tmp/revcycle-scaleout-XXXX   # rebuild an ingested world

Generates a world, ingests it once (the raw Parquet both engines read), then `revcycle build` with
REVCYCLE_ENGINE=duckdb and with REVCYCLE_ENGINE=spark (pyspark local[2] on this 2-core machine: dbt-spark's
session method, models + data tests + unit tests, then the Spark tables exported into the DuckDB file the
dashboard reads), each from nothing, wall time and peak RSS of the process tree.  The two warehouses are
then compared (pipelines.warehouse.engines): the run fails if they differ.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _measure import python_script, run_measured

from pipelines.warehouse.engines import compare_warehouses


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--spark-memory", default="8g", help="Spark driver memory (local mode: the whole engine)")
    ap.add_argument("--work", type=Path, help="a previous run's work folder: rebuild its ingested world only")
    args = ap.parse_args()
    bin_dir = Path(sys.executable).parent
    work = args.work or Path(tempfile.mkdtemp(prefix="revcycle-scaleout-"))
    home = work / "home"
    env = {**os.environ, "REVCYCLE_HOME": str(home), "REVCYCLE_SPARK_DRIVER_MEMORY": args.spark_memory}
    rows = []

    def step(label: str, cmd: list[str], engine: str = "duckdb") -> None:
        secs, peak, proc = run_measured(cmd, {**env, "REVCYCLE_ENGINE": engine})
        if proc.returncode:
            raise SystemExit(proc.stdout[-3000:] + proc.stderr[-3000:])
        rows.append((label, secs, peak, (proc.stdout.strip().splitlines() or [""])[0]))

    world = work / "world"
    if args.work is None:
        step("generate", [str(bin_dir / "revcycle"), "generate", "--claims", str(args.claims), "--out", str(world),
                          "--seed", "3", "--quiet"])  # fmt: skip
        land = (
            "from pipelines.generate import land_world; from pipelines.ingest import load_landing; "
            "from pipelines.settings import get_settings; from pathlib import Path; s = get_settings(); "
            f"land_world(Path({str(world)!r}), s.landing_dir, s.reference_landing_dir); load_landing(s)"
        )
        step("ingest (parse, GX, publish raw Parquet)", python_script(land))
    step(
        "dbt build on DuckDB (alternative: one machine)",
        [str(bin_dir / "revcycle"), "build", "--full-refresh"],
    )
    duck = work / "duckdb.duckdb"
    shutil.copyfile(home / "warehouse.duckdb", duck)
    step(
        "dbt build on Spark local[2] + export",
        [str(bin_dir / "revcycle"), "build", "--full-refresh"],
        "spark",
    )

    problems = compare_warehouses(duck, home / "warehouse.duckdb")
    print(f"{'step':48} {'seconds':>9} {'peak RSS MB':>12}  note")
    for name, secs, peak, note in rows:
        print(f"{name:48} {secs:9.1f} {peak:12,.0f}  {note[:60]}")
    duck_s, spark_s = rows[-2][1], rows[-1][1]
    print(f"Spark / DuckDB build time: {spark_s / duck_s:.1f}x; marts equal: {not problems}")
    print(f"(work folder: {work})")
    if problems:
        raise SystemExit("warehouses differ:\n" + "\n".join(problems[:20]))


if __name__ == "__main__":
    main()
