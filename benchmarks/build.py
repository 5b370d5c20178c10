"""Ingest + dbt build on a generated world: wall time and peak RSS.

    .venv/bin/python benchmarks/build.py --claims 100000
    .venv/bin/python benchmarks/build.py --claims 1000000

Side by side in the same run:
  * ingest with one Great Expectations run per group of files (what revcycle does) versus one GX run per
    file (the alternative), and versus publishing a Parquet row group per file instead of row groups of
    ~100k rows (the other alternative), all on the same first --subset files;
  * the world without its last day of 837/835 files ingested (grouped), then `dbt build` from nothing
    (models + all data and unit tests; the full build);
  * then that last day ingested and `revcycle build` again (the incremental build, compared with the full
    one), and the two runs end to end (ingest + build, landing to published warehouse) compared likewise;
  * then the same day again, --repeat times from the same starting state, as a user runs a day: its files
    dropped into landing/ and `revcycle run` (ingest, then build, in one command: dbt's import overlaps the
    ingest).  The build right after a full one is the noisiest step, so the median of the repeats is the
    figure to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import python_script, run_measured

from pipelines.generate import file_day
from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.warehouse.spare import spare_path

INGEST_ONE_BY_ONE = """
import sys
from pathlib import Path
from pipelines.ingest import ensure_layout, publish_staged, stage_file, validate_staged
from pipelines.settings import get_settings
s = get_settings()
ensure_layout(s)
for p in sorted(Path(sys.argv[1]).rglob('*'))[: int(sys.argv[2])]:
    if p.is_file():
        publish_staged(validate_staged(stage_file(p, s), s), s)
"""
INGEST_GROUPED = """
import sys
from pathlib import Path
from pipelines.ingest import ingest_paths
from pipelines.settings import get_settings
files = [p for p in sorted(Path(sys.argv[1]).rglob('*')) if p.is_file()][: int(sys.argv[2])]
ingest_paths(files, get_settings())
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--subset", type=int, default=400, help="files for the grouped vs one-by-one comparison")
    ap.add_argument(
        "--repeat", type=int, default=3, help="times the last day is run again with `revcycle run`"
    )
    args = ap.parse_args()
    bin_dir = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="revcycle-build-bench-"))
    world = work / "world"
    secs, peak, proc = run_measured([str(bin_dir / "revcycle"), "generate", "--claims", str(args.claims), "--out",
                                     str(world), "--seed", "3", "--quiet"])  # fmt: skip
    if proc.returncode:
        raise SystemExit(proc.stderr)
    landing = world / "landing"
    n_files = sum(1 for p in landing.rglob("*") if p.is_file())
    rows = [("generate", secs, peak, f"{args.claims:,} claims, {n_files:,} files")]

    comparisons = (
        ("ingest, GX per group", INGEST_GROUPED, {}),
        ("ingest, GX per file (alternative)", INGEST_ONE_BY_ONE, {}),
        # the published Parquet with a row group per file instead of ~100k-row groups
        ("ingest, GX per group, a row group per file (alternative)", INGEST_GROUPED,
         {"REVCYCLE_PUBLISH_ROW_GROUP_ROWS": "1"}),
    )  # fmt: skip
    for i, (name, script, extra) in enumerate(comparisons):
        env = {**os.environ, **extra, "REVCYCLE_HOME": str(work / f"subset_{i}")}
        secs, peak, proc = run_measured(python_script(script, str(landing), str(args.subset)), env)
        if proc.returncode:
            raise SystemExit(proc.stderr)
        rows.append((f"{name}, first {args.subset} files", secs, peak, f"{args.subset / secs:,.1f} files/s"))

    # hold back the last day of 837/835 files (names carry the date) for the incremental build
    files = sorted(p for p in landing.rglob("*") if p.is_file())
    last_day = max(file_day(p) for p in files)
    head = [p for p in files if file_day(p) != last_day]
    tail = [p for p in files if file_day(p) == last_day]
    for name, group in (("head", head), ("tail", tail)):  # to re-run a step by hand
        (work / f"{name}.txt").write_text("\n".join(map(str, group)))
    settings = Settings(project_root=PROJECT_ROOT, home=work / "full")
    env = {**os.environ, "REVCYCLE_HOME": str(settings.home)}

    def step(label: str, cmd: list[str], note: str = "") -> float:
        secs, peak, proc = run_measured(cmd, env)
        if proc.returncode:
            raise SystemExit(proc.stdout + proc.stderr)
        rows.append((label, secs, peak, note or (proc.stdout.splitlines() or [""])[0]))
        return secs

    # the two ingests as a user runs them: `revcycle ingest FILE...` (the CLI ingests in groups of 250)
    revcycle = str(bin_dir / "revcycle")
    ingest_full = step("ingest all but the last day (GX per group)", [revcycle, "ingest", *map(str, head)])
    rows[-1] = (*rows[-1][:3], f"{len(head):,} files, {len(head) / ingest_full:,.1f} files/s")
    full = step("dbt build from nothing (models + tests) and swap", [revcycle, "build"])
    before_day = work / "warehouse.before-last-day.duckdb"
    shutil.copyfile(settings.warehouse_path, before_day)
    batches_before = {p.name for p in settings.batches_dir.iterdir()}
    ingest_inc = step(
        f"ingest the last day ({last_day})", [revcycle, "ingest", *map(str, tail)], f"{len(tail)} files"
    )
    inc = step("incremental dbt build and swap", [revcycle, "build"])
    rows[-1] = (*rows[-1][:3], rows[-1][3] + f" ({inc / full:.1%} of the full build)")
    # the run as a user has it: landing -> published warehouse, for the world and then for its next day
    peak_full, peak_inc = max(r[2] for r in rows[-4:-2]), max(r[2] for r in rows[-2:])
    full_run = ingest_full + full
    rows.append(("full run: ingest + build", full_run, peak_full, "landing -> published warehouse"))
    rows.append(("incremental run: ingest the day + build", ingest_inc + inc, peak_inc,
                 f"{(ingest_inc + inc) / full_run:.1%} of the full run"))  # fmt: skip

    # the day again from the same start (the warehouse before it, its raw batch removed), as `revcycle run`
    runs, builds, peaks = [], [], []
    for _ in range(args.repeat):
        # the warehouse the last run published, a day's build apart from the one restored, is the spare the
        # run starts from, as every day after the first has it (pipelines/warehouse/spare.py)
        os.replace(settings.warehouse_path, spare_path(settings.warehouse_path))
        shutil.copyfile(before_day, settings.warehouse_path)
        for p in settings.batches_dir.iterdir():
            if p.name not in batches_before:
                shutil.rmtree(p)
        shutil.rmtree(settings.landing_dir, ignore_errors=True)
        settings.landing_dir.mkdir(parents=True)
        for p in tail:
            dest = settings.landing_dir / p.relative_to(landing)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dest)
        secs, peak, proc = run_measured([revcycle, "run"], env)
        if proc.returncode:
            raise SystemExit(proc.stdout + proc.stderr)
        runs.append(secs)
        builds.append(json.loads((settings.runs_dir / "build_phases.json").read_text())["total"])
        peaks.append(peak)
    if runs:
        med = statistics.median(runs)
        note = (f"{med / full_run:.1%} of the full run; runs {', '.join(f'{r:.1f}' for r in runs)} s, "
                f"of which build {', '.join(f'{b:.1f}' for b in builds)} s")  # fmt: skip
        rows.append((f"incremental run as `revcycle run`, median of {len(runs)}", med, max(peaks), note))

    print(f"{'step':52} {'seconds':>9} {'peak RSS MB':>12}  note")
    for name, secs, peak, note in rows:
        print(f"{name:52} {secs:9.1f} {peak:12,.0f}  {note}")
    print(f"(work folder: {work})")


if __name__ == "__main__":
    main()
