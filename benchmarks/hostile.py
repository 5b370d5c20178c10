"""Peak memory of `revcycle ingest` on hostile and very large files, each next to its size.

    .venv/bin/python benchmarks/hostile.py [--junk-mb 300] [--rows 3000000] [--x12-mb 1024]

1. an ISA header followed by ``--junk-mb`` MB with no segment terminator (target: peak RSS <= 600 MB);
2. an encounter extract as Parquet with ``--rows`` rows (target: <= 600 MB);
3. a valid 835 of ``--x12-mb`` MB built like benchmarks/x12_parse.py's (target: no more RSS per MB of input
   than the bare parser's on its 52.7 MB file, README "Benchmarks");
plus, as the alternative in the same run, the bare parser (`parse_file`, no ingest) on file 3.

Each command runs in its own process in a fresh data root; peak RSS is the process tree's.  Prints a Markdown
table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import python_script, run_measured
from x12_parse import REVCYCLE as BARE_PARSER
from x12_parse import build_835

ROOT = Path(__file__).resolve().parent.parent
ISA = (
    b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:~"
    b"GS*HP*SENDER*RECEIVER*20240101*1200*1*X*005010X221A1~ST*835*0001~BPR*I*"
)


def junk_file(path: Path, mb: int) -> Path:
    block = b"A" * 2**20
    with path.open("wb") as fh:
        fh.write(ISA)
        for _ in range(mb):
            fh.write(block)
    return path


def parquet_extract(path: Path, rows: int) -> Path:
    import polars as pl

    n = pl.int_range(0, rows, eager=True)
    pl.DataFrame(
        {
            "encounter_id": ("E" + n.cast(pl.String)),
            "line_number": pl.repeat(1, rows, eager=True),
            "patient_id": ("P" + (n % 50_000).cast(pl.String)),
            "service_date": pl.repeat("2024-03-01", rows, eager=True),
            "rendering_npi": pl.repeat("1234567893", rows, eager=True),
            "procedure_code": pl.repeat("99213", rows, eager=True),
            "units": pl.repeat("1", rows, eager=True),
            "charge_amount": pl.repeat("120.00", rows, eager=True),
        }
    ).write_parquet(path, row_group_size=250_000)
    return path


def ingest(path: Path, home: Path) -> tuple[float, float, str]:
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "REVCYCLE_HOME": str(home), "REVCYCLE_SETTLE_SECONDS": "0"}
    secs, peak, proc = run_measured(
        [sys.executable, "-m", "pipelines.cli.main", "ingest", str(path)], env=env
    )
    return secs, peak, (proc.stdout.strip().splitlines() or ["?"])[0][:90]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--junk-mb", type=int, default=300)
    ap.add_argument("--rows", type=int, default=3_000_000)
    ap.add_argument("--x12-mb", type=int, default=1024)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="revcycle-hostile-"))
    rows = []
    try:
        files = [
            ("no segment terminator", junk_file(work / "noterm.x12", args.junk_mb), 600),
            (f"Parquet extract, {args.rows:,} rows", parquet_extract(work / "enc.parquet", args.rows), 600),
        ]
        if args.x12_mb:
            path, claims = build_835(args.x12_mb, work)
            files.append((f"valid 835, {claims:,} claims", path, None))
        for label, path, target in files:
            secs, peak, line = ingest(path, work / "home")
            rows.append(
                (f"`revcycle ingest`: {label}", path.stat().st_size / 2**20, secs, peak, target, line)
            )
        if args.x12_mb:
            secs, peak, proc = run_measured(python_script(BARE_PARSER, str(path)))
            rows.append(("bare parser, same 835 (alternative)", path.stat().st_size / 2**20, secs, peak, None,
                         proc.stdout.strip()))  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| run | file MB | seconds | peak RSS MB | RSS per file MB | target | outcome |")
    print("|---|---:|---:|---:|---:|---|---|")
    for label, mb, secs, peak, target, line in rows:
        verdict = "" if target is None else ("≤ 600 MB: met" if peak <= target else f"≤ {target} MB: MISSED")
        print(f"| {label} | {mb:,.1f} | {secs:.1f} | {peak:,.0f} | {peak / mb:.2f} | {verdict} | {line} |")


if __name__ == "__main__":
    main()
