"""Ingest throughput: `revcycle ingest` over one process and over several, next to the bare X12 core, on the
same files.

    .venv/bin/python benchmarks/ingest.py --world /path/to/generated/world --files 6000
    .venv/bin/python benchmarks/ingest.py --claims 200000                  # generate a world first

Files: every k-th file of the world's landing/ (sorted by path, so every kind and size is in the sample) up to
--files.  Each run ingests the sample into a fresh data root (GX gate on, published raw batches), as the
user's command does, in its own process tree (wall time, peak RSS).  Side by side in the same run:
  * REVCYCLE_INGEST_WORKERS=1: the groups one after another in one process;
  * REVCYCLE_INGEST_WORKERS=N (default: the machine's cores): the groups spread over N processes;
  * the same N processes with REVCYCLE_PARSE_TOGETHER_MB=0: every X12 file parsed in a call of its own
    (small files are otherwise parsed several to a call, pipelines.ingest.stage);
  * the bare X12 core parsing the sample's X12 files in one process (no GX, no staging, no Parquet), each file
    in a call of its own and small files several to a call.
Every ingest must publish the same rows.  --only-workers (a whole large world): the N-process ingest and the
bare core with small files several to a call, the others left out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import bare_parse_command, parse_seconds, python_script, run_measured

COUNT_ROWS = """
import sys
import duckdb
print(duckdb.sql(f"select count(*) from read_parquet('{sys.argv[1]}/*/*.parquet', union_by_name = true)").fetchall()[0][0])
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", type=Path, help="a generated world (revcycle generate --out)")
    ap.add_argument("--claims", type=int, default=200_000, help="generate a health-system world of this size")
    ap.add_argument("--files", type=int, default=6_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only-workers", action="store_true",
                    help="only the N-process ingest, next to the bare X12 core with small files several to a call "
                         "(a whole large world: the other alternatives take as long again)")  # fmt: skip
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="revcycle-ingest-bench-"))
    bin_dir = Path(sys.executable).parent
    world = args.world
    if world is None:
        world = work / "world"
        cmd = [str(bin_dir / "revcycle"), "generate", "--claims", str(args.claims), "--out", str(world),
               "--seed", "5", "--months", "12", "--profile", "health-system", "--quiet"]  # fmt: skip
        secs, _, proc = run_measured(cmd, dict(os.environ))
        if proc.returncode:
            raise SystemExit(proc.stderr[-3000:])
        print(f"generated {args.claims:,} claims in {secs:,.0f} s")
    files = sorted(p for p in (world / "landing").rglob("*") if p.is_file())
    step = max(1, len(files) // args.files)
    sample = files[::step][: args.files]
    mb = sum(p.stat().st_size for p in sample) / 2**20
    print(f"{len(sample):,} of {len(files):,} files, {mb:,.0f} MB")

    rows = {}
    runs = [("1 process", 1, {}), (f"{args.workers} processes", args.workers, {}),
            (f"{args.workers} processes, each file parsed alone", args.workers, {"REVCYCLE_PARSE_TOGETHER_MB": "0"})]  # fmt: skip
    if args.only_workers:
        runs = runs[1:2]
    for label, workers, extra in runs:
        home = work / f"home_{len(rows)}"
        drop = home / "drop"
        for p in sample:  # hard links: the world keeps its files
            dest = drop / p.relative_to(world / "landing")
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, dest)
        env = {**os.environ, "REVCYCLE_HOME": str(home), "REVCYCLE_INGEST_WORKERS": str(workers), **extra}
        secs, peak, proc = run_measured([str(bin_dir / "revcycle"), "ingest", "-q", str(drop)], env)
        if proc.returncode not in (0, 1):  # 1: some files quarantined (reported), not a failure of the run
            raise SystemExit(proc.stderr[-3000:])
        rows[label] = int(run_measured(python_script(COUNT_ROWS, str(home / "raw" / "batches")))[2].stdout)
        print(f"revcycle ingest, {label}: {secs:,.1f} s, {mb / secs:,.1f} MB/s, peak {peak:,.0f} MB, "
              f"{rows[label]:,} rows published")  # fmt: skip
        shutil.rmtree(home)
    if len(set(rows.values())) != 1:
        raise SystemExit(f"the ingests published different row counts: {rows}")

    x12 = [p for p in sample if p.suffix.lower() == ".x12"]
    x12_mb = sum(p.stat().st_size for p in x12) / 2**20
    bare = ((False, "each file in a call of its own"), (True, "small files several to a call"))
    for together, how in bare[1:] if args.only_workers else bare:
        _, _, proc = run_measured(bare_parse_command(x12, work / "x12_files.txt", together))
        print(f"bare X12 core, one process, {how}: {x12_mb / parse_seconds(proc.stdout):,.1f} MB/s "
              f"on the {len(x12):,} X12 files ({x12_mb:,.0f} MB)")  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
