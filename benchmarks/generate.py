"""Generator throughput: claims/s and peak RSS, parallel (2 workers) side by side with serial (1 worker).

    .venv/bin/python benchmarks/generate.py --claims 1000000
Target (issue 4): 1,000,000 claims with lines, 835s and encounters in <= 10 minutes, peak RSS <= 4 GB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import run_measured


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=200_000)
    ap.add_argument("--profile", default="health-system")
    ap.add_argument(
        "--skip-serial", action="store_true", help="only the parallel run (the serial one is 2x slower)"
    )
    args = ap.parse_args()
    exe = str(Path(sys.executable).parent / "revcycle")
    rows = []
    for workers in [2] if args.skip_serial else [2, 1]:
        out = Path(tempfile.mkdtemp(prefix="revcycle-gen-"))
        cmd = [exe, "generate", "--claims", str(args.claims), "--seed", "1", "--out", str(out), "--profile",
               args.profile, "--workers", str(workers), "--quiet"]  # fmt: skip
        secs, peak, proc = run_measured(cmd)
        if proc.returncode:
            raise SystemExit(proc.stderr)
        size = sum(p.stat().st_size for p in (out / "landing").rglob("*") if p.is_file()) / 2**20
        files = sum(1 for p in (out / "landing").rglob("*") if p.is_file())
        rows.append((f"revcycle generate --workers {workers}", secs, args.claims / secs, peak, size, files))
        shutil.rmtree(out)
    print(f"{'run':38} {'seconds':>9} {'claims/s':>10} {'peak RSS MB':>12} {'output MB':>10} {'files':>7}")
    for name, secs, cps, peak, size, files in rows:
        print(f"{name:38} {secs:9.1f} {cps:10,.0f} {peak:12,.0f} {size:10,.0f} {files:7,}")


if __name__ == "__main__":
    main()
