"""X12 parse throughput: revcycle vs oxedi (835) and pyx12 (on a 5 MB cut), same files, same run.

    .venv/bin/python benchmarks/x12_parse.py [--mb 50]

Builds a >= 50 MB 835 by repeating the claim loops of a real public sample (emedny, 3 claims with
service lines, CAS and LQ) inside one transaction set (CLP01 made unique, BPR02 and SE01 recomputed so it
still balances), a >= 50 MB 837P by repeating the subscriber/claim loop of a real 837P sample, and a >= 50 MB
277CA by repeating the patient/claim loops (accepted claims, a rejected claim with a rejected service line) of
tests/fixtures/acks (no public 277CA with a clear licence was found; ours passes pyx12's X214 map).
Each parser runs in its own process; peak RSS is the process tree's.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import python_script, run_measured

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "fixtures" / "x12-samples"

REVCYCLE = """
import sys
from pipelines.x12.parser import parse_file
r = parse_file(sys.argv[1])
print(r.claims, r.errors, r.status)
"""
OXEDI = """
import sys, oxedi
r = oxedi.parse_file(sys.argv[1])
t = r.tables.to_polars()
print(r.count_claims(), len(t))
"""
PYX12 = """
import sys, os
import pyx12.params, pyx12.x12n_document
with open(os.devnull, "w") as out:
    ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), sys.argv[1], out, None, None)
print(ok)
"""


def build_835(target_mb: float, out: Path) -> tuple[Path, int]:
    text = (
        SAMPLES / "keironstoddart__edi-835-parser/tests__test_edi_835_files__emedny_sample.txt"
    ).read_text()
    segs = [s for s in text.replace("\n", "").split("~") if s]
    head_end = next(i for i, s in enumerate(segs) if s.startswith("CLP"))
    tail_start = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    header, loops, trailer = segs[:head_end], segs[head_end:tail_start], segs[tail_start:]
    paid_per_copy = sum(Decimal(s.split("*")[4]) for s in loops if s.startswith("CLP"))
    claims_per_copy = sum(1 for s in loops if s.startswith("CLP"))
    copy_bytes = sum(len(s) + 1 for s in loops)
    copies = int(target_mb * 2**20 / copy_bytes) + 1
    body = []
    for i in range(copies):
        for s in loops:
            if s.startswith("CLP"):
                f = s.split("*")
                f[1] = f"{f[1][:20]}{i:07d}"
                s = "*".join(f)
            body.append(s)
    bpr = header[next(i for i, s in enumerate(header) if s.startswith("BPR"))].split("*")
    bpr[2] = f"{paid_per_copy * copies:.2f}"
    header = [("*".join(bpr) if s.startswith("BPR") else s) for s in header]
    st_to_se = header[2:] + body
    trailer[0] = re.sub(r"^SE\*\d+", f"SE*{len(st_to_se) + 1}", trailer[0])
    path = out / "big.835"
    path.write_text("~\n".join(header + body + trailer) + "~\n")
    return path, claims_per_copy * copies


def build_837(target_mb: float, out: Path) -> tuple[Path, int]:
    text = (SAMPLES / "LinuxForHealth__x12/demo-file__demo.837").read_text()
    segs = [s for s in text.replace("\n", "").split("~") if s]
    sub_start = next(i for i, s in enumerate(segs) if s.startswith("HL*2*"))
    tail_start = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    header, loop, trailer = segs[:sub_start], segs[sub_start:tail_start], segs[tail_start:]
    loop = [s for s in loop if not s.startswith("HL*3") and not s.startswith("PAT")]  # patient is subscriber
    loop = [s.replace("SBR*P**", "SBR*P*18*") if s.startswith("SBR") else s for s in loop]
    copy_bytes = sum(len(s) + 1 for s in loop)
    copies = int(target_mb * 2**20 / copy_bytes) + 1
    body = []
    for i in range(copies):
        for s in loop:
            if s.startswith("HL*2*"):
                s = f"HL*{i + 2}*1*22*0"
            elif s.startswith("CLM*"):
                f = s.split("*")
                f[1] = f"{f[1]}{i:07d}"
                s = "*".join(f)
            elif s.startswith(("NM1*QC", "N3*236", "N4*MIAMI*FL*33413", "DMG")):
                continue
            body.append(s)
    st_to_se = header[2:] + body
    trailer[0] = re.sub(r"^SE\*\d+", f"SE*{len(st_to_se) + 1}", trailer[0])
    path = out / "big.837"
    path.write_text("~\n".join(header + body + trailer) + "~\n")
    return path, copies


def build_277ca(target_mb: float, out: Path) -> tuple[Path, int]:
    text = (ROOT / "tests" / "fixtures" / "acks" / "ack_277ca_20240106.x12").read_text()
    segs = [s for s in text.replace("\n", "").split("~") if s]
    first_pt = next(i for i, s in enumerate(segs) if s.endswith("*PT"))
    tail_start = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    header, loops, trailer = segs[:first_pt], segs[first_pt:tail_start], segs[tail_start:]
    claims_per_copy = sum(1 for s in loops if s.startswith("TRN*2*"))
    copy_bytes = sum(len(s) + 1 for s in loops)
    copies = int(target_mb * 2**20 / copy_bytes) + 1
    body, hl = [], 3
    for i in range(copies):
        for s in loops:
            if s.endswith("*PT"):
                hl += 1
                s = f"HL*{hl}*3*PT"
            elif s.startswith("TRN*2*"):
                s = f"{s}{i:07d}"
            body.append(s)
    st_to_se = header[2:] + body
    trailer[0] = re.sub(r"^SE\*\d+", f"SE*{len(st_to_se) + 1}", trailer[0])
    path = out / "big.277"
    path.write_text("~\n".join(header + body + trailer) + "~\n")
    return path, claims_per_copy * copies


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--pyx12-mb", type=float, default=5)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="revcycle-x12-bench-"))
    (work / "cut").mkdir()
    f835, n835 = build_835(args.mb, work)
    f837, n837 = build_837(args.mb, work)
    f277, n277 = build_277ca(args.mb, work)
    c835, c835n = build_835(args.pyx12_mb, work / "cut")
    c277, c277n = build_277ca(args.pyx12_mb, work / "cut")
    py = sys.executable
    runs = [
        ("revcycle", "835", f835, n835, REVCYCLE),
        ("oxedi", "835", f835, n835, OXEDI),
        ("pyx12 (validate, 5 MB cut)", "835", c835, c835n, PYX12),
        ("revcycle", "837P", f837, n837, REVCYCLE),
        ("revcycle", "277CA", f277, n277, REVCYCLE),
        ("pyx12 (validate, 5 MB cut)", "277CA", c277, c277n, PYX12),
    ]
    print(
        f"{'parser':28} {'file':5} {'MB':>7} {'claims':>9} {'seconds':>8} {'MB/s':>7} {'claims/s':>10} {'peak RSS MB':>12}"
    )
    for name, kind, path, claims, script in runs:
        mb = path.stat().st_size / 2**20
        secs, peak, proc = run_measured([py, python_script(script)[1], str(path)])
        if proc.returncode:
            print(f"{name:28} {kind:5} failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        print(
            f"{name:28} {kind:5} {mb:7.1f} {claims:9,} {secs:8.2f} {mb / secs:7.1f} {claims / secs:10,.0f} {peak:12,.0f}"
            f"   -> {proc.stdout.strip()}"
        )


if __name__ == "__main__":
    main()
