"""A build's starting file two ways: the whole published warehouse copied, or a spare a day behind brought up to
date block by block (pipelines/warehouse/spare.py).

    .venv/bin/python benchmarks/spare.py PUBLISHED DAY_BEFORE [--runs 2]

PUBLISHED is a warehouse to start a build from, DAY_BEFORE the one its publish replaced: one day's
incremental build apart.  benchmarks/scale.py leaves such a pair in its work folder: home/warehouse.duckdb
(after the next day) and before-next-day/warehouse.duckdb.  Neither file is changed.  Each way runs with the
page cache dropped first when this process may (root), as a build finds its files a day later:
  whole copy  shutil.copyfile, what a build does without a spare;
  spare       a copy of DAY_BEFORE (made untimed) brought up to date with sync_blocks, then compared byte for
              byte with PUBLISHED.
The temporary files sit beside PUBLISHED (the same disk) and are deleted.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import time
from pathlib import Path

from pipelines.warehouse.spare import sync_blocks


def drop_page_cache() -> bool:
    subprocess.run(["sync"], check=True)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("published", type=Path)
    ap.add_argument("day_before", type=Path)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    scratch = args.published.with_name(f".bench-spare-{os.getpid()}.duckdb")
    size_mb = args.published.stat().st_size / 2**20
    rows = []
    try:
        for run in range(1, args.runs + 1):
            cold = drop_page_cache()
            t = time.perf_counter()
            shutil.copyfile(args.published, scratch)
            rows.append(("whole copy", run, time.perf_counter() - t, f"{size_mb:,.0f} MB", cold))
            scratch.unlink()

            shutil.copyfile(args.day_before, scratch)
            cold = drop_page_cache()
            t = time.perf_counter()
            report = sync_blocks(args.published, scratch)
            secs = time.perf_counter() - t
            same = filecmp.cmp(args.published, scratch, shallow=False)
            copied = f"{report.blocks_copied:,} of {report.blocks:,} blocks; byte-identical: {'yes' if same else 'NO'}"
            rows.append(("spare brought up to date", run, secs, copied, cold))
            scratch.unlink()
    finally:
        scratch.unlink(missing_ok=True)
    print(f"\n{args.published} ({size_mb:,.0f} MB) from {args.day_before}\n")
    print("| way | run | seconds | what | page cache |\n|---|---:|---:|---|---|")
    for way, run, secs, what, cold in rows:
        print(f"| {way} | {run} | {secs:.2f} | {what} | {'dropped' if cold else 'as found'} |")


if __name__ == "__main__":
    main()
