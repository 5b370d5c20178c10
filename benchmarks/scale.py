"""How revcycle grows with the book: every step of a year of a health system's claims, at one or more sizes.

    .venv/bin/python benchmarks/scale.py --claims 1000000
    .venv/bin/python benchmarks/scale.py --claims 1000000 10000000        # side by side, with ratios
    .venv/bin/python benchmarks/scale.py --compare a.json b.json           # two earlier runs side by side
    .venv/bin/python benchmarks/scale.py --claims 10000000 --reuse /tmp/revcycle-scale-10000000-x
                                          # every step again on a kept world, but its generation
    .venv/bin/python benchmarks/scale.py --claims 10000000 --resume /tmp/revcycle-scale-10000000-x
                                          # the steps a stopped run did not finish (progress.json)
    .venv/bin/python benchmarks/scale.py --claims 10000000 --next-day /tmp/revcycle-scale-10000000-x
                                          # the next day alone, again, from the data root as it was before it

For each size, each step in its own process (wall time, peak RSS of the process tree):
  1. generate the world (health-system profile, 12 months, acknowledgments on);
  2. load its reference files (NCCI, MUE, LEIE, ...);
  3. ingest every file but the last day's, GX gate on (landing -> published raw batches), printed as MB/s next
     to the bare X12 core parsing the same 837/835/999/277CA files in one process (step 3b);
  4. the full dbt build (models, seeds, every data and unit test, GX on the marts, publish);
  5. the floor: the same machine reading the raw Parquet once and computing chain-level aggregates in one
     DuckDB query (what no build can beat), to print the full build as a multiple of it;
  6. the next day as a user runs it: its files dropped into landing/ and `revcycle run` (the data root as it
     was before is kept in before-next-day/, so that --next-day can measure a change to it in minutes);
     then the same day again from the same start, with the warehouse the first run published as the spare
     (pipelines/warehouse/spare.py): the first day after a full load has no spare, every later day has one;
     and, after the pages, once more with every tenth file of the day (at 10M about a 1M world's day);
  7. every dashboard page, cold and warm p95 (benchmarks/dashboard.py on the built data root).
and the disk: X12 landed, raw Parquet, warehouse.  Each size's figures are also written as JSON beside the
world (scale_<claims>.json) for --compare.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import bare_parse_command, parse_seconds, python_script, run_measured

from pipelines.generate import file_day
from pipelines.warehouse.spare import SPARE_NAME, spare_path

# Claims and remittances read once; one row per claim id with its first submission, charge, first payment,
# paid total and whether its first answer denied it; then those rows by payer and month.
FLOOR = """
import sys, time
from pipelines.settings import duckdb_connect
raw, out = sys.argv[1], sys.argv[2]
con = duckdb_connect(out)  # the project's memory limit and spill folder, as the build has them
t0 = time.perf_counter()
con.sql(f'''
create table chain_floor as
with claims as (
    select claim_id, any_value(payer_id) as payer_id, min(submission_date) as first_submission,
           max(total_charge) as charge, count(*) as submissions
    from read_parquet('{raw}/*/claims.parquet', union_by_name = true) group by claim_id),
remits as (
    select claim_id, min(coalesce(payment_date, received_date)) as first_answer, sum(paid_amount) as paid,
           arg_min(status_code, coalesce(payment_date, received_date)) = '4' as first_denied
    from read_parquet('{raw}/*/remit_claims.parquet', union_by_name = true) group by claim_id)
select c.*, r.first_answer, r.paid, r.first_denied
from claims as c left join remits as r using (claim_id)''')
con.sql('''create table month_floor as
    select payer_id, date_trunc('month', first_answer) as month, count(*) as chains,
           count(*) filter (where first_denied) as denied, sum(paid) as paid, sum(charge) as charge
    from chain_floor group by all''')
print(time.perf_counter() - t0)
"""


# What a data root holds that a run never writes in place: raw batches (immutable once published), archived
# landing files (moved there), the published warehouse (replaced by a rename, never opened for writing) and
# the loaded reference files (the build's fingerprint names them by inode, so a copy would read as a new
# file and rebuild everything).  A snapshot hard-links those and copies the rest (logs, Data Docs and exports
# are rewritten in place).
IMMUTABLE = ("raw", "archive", "reference", "warehouse.duckdb")


def link_tree(src: Path, dst: Path) -> None:
    """A copy of the data root ``src`` at ``dst`` that costs seconds, not the warehouse's size in disk."""
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    for entry in src.iterdir():
        if entry.name == SPARE_NAME:  # a build's starting point, not part of the data root's state
            continue
        if entry.name in IMMUTABLE:
            if entry.is_dir():
                shutil.copytree(entry, dst / entry.name, copy_function=os.link)
            else:
                os.link(entry, dst / entry.name)
        elif entry.is_dir():
            shutil.copytree(entry, dst / entry.name)
        else:
            shutil.copy2(entry, dst / entry.name)


def split_last_day(world: Path) -> tuple[list[Path], list[Path], str]:
    """The world's landing files: all but the last day's, the last day's, and that day."""
    files = sorted(p for p in (world / "landing").rglob("*") if p.is_file())
    last_day = max(file_day(p) for p in files)
    return (
        [p for p in files if file_day(p) != last_day],
        [p for p in files if file_day(p) == last_day],
        last_day,
    )


def tail_in(folder: Path, files: list[Path]) -> list[Path]:
    return [p for p in files if p.parent == folder]


def land(files: list[Path], world: Path, home: Path) -> None:
    """Drop files into the data root's landing/ as a user would (hard links: the world keeps its copy)."""
    for p in files:
        dest = home / "landing" / p.relative_to(world / "landing")
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.link(p, dest)


def _env(home: Path) -> dict:
    return {**os.environ, "REVCYCLE_HOME": str(home), "REVCYCLE_SETTLE_SECONDS": "0"}


REVCYCLE = str(Path(sys.executable).parent / "revcycle")  # this interpreter's CLI
# the two steps a full run is made of (landing -> published), named as progress.json records them
INGEST_STEP = "ingest all but the last day (GX gate on)"
BUILD_STEP = "full dbt build (models, tests, GX on marts) and publish"


def _size(path: Path, pattern: str = "*") -> float:
    """MB on disk under ``path``, each file once: the build's copy of the raw batches is hard links."""
    seen = {
        (st.st_dev, st.st_ino): st.st_size for p in path.rglob(pattern) if p.is_file() for st in [p.stat()]
    }
    return sum(seen.values()) / 2**20


def run_size(claims: int, work: Path, dashboard_runs: int, keep: str = "") -> dict:
    """keep: "" runs every step; "world" reuses a kept world (its generation as measured then) on a fresh data
    root; "steps" resumes a stopped run: the steps recorded in progress.json are not run again."""
    world, home = work / "world", work / "home"
    env = _env(home)
    steps: list[dict] = []
    progress = work / "progress.json"
    recorded = {r["step"]: r for r in json.loads(progress.read_text())} if keep and progress.exists() else {}
    if keep == "world":
        recorded = {k: v for k, v in recorded.items() if k == "generate"}
        for sub in ("home", "before-next-day"):
            shutil.rmtree(work / sub, ignore_errors=True)

    def step(name: str, cmd: list[str], note: str = "") -> dict:
        if name in recorded:
            row = {**recorded[name], "note": note}
            print(
                f"  {name}: recorded earlier ({row['seconds']:,.1f} s, {row['peak_rss_mb']:,} MB)", flush=True
            )
        else:
            secs, peak, proc = run_measured(cmd, env)
            if proc.returncode:
                raise SystemExit(f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
            row = {"step": name, "seconds": round(secs, 1), "peak_rss_mb": round(peak), "note": note,
                   "stdout": proc.stdout}  # fmt: skip
            print(f"  {name}: {secs:,.1f} s, {peak:,.0f} MB", flush=True)
        steps.append(row)
        progress.write_text(json.dumps(steps))  # --resume continues from here
        return row

    step("generate", [REVCYCLE, "generate", "--claims", str(claims), "--out", str(world), "--seed", "5",
                      "--months", "12", "--profile", "health-system", "--quiet"])  # fmt: skip
    head, tail, last_day = split_last_day(world)
    files = head + tail
    x12_mb = sum(p.stat().st_size for p in head) / 2**20

    # the user's path: files dropped into landing/ (hard links: the world keeps its copy for the next day)
    if INGEST_STEP not in recorded:
        land(head, world, home)
    references = sorted(p for p in (world / "reference").rglob("*") if p.is_file())
    step("load reference files", [REVCYCLE, "reference", *map(str, references)], f"{len(references)} files")
    ingest = step(INGEST_STEP, [REVCYCLE, "ingest", "-q", str(home / "landing")])
    ingest["note"] = f"{len(head):,} files, {x12_mb:,.0f} MB, {x12_mb / ingest['seconds']:,.1f} MB/s"

    x12 = [p for p in head if p.suffix.lower() == ".x12"]
    parse = step(
        "bare X12 core, the same X12 files in one process", bare_parse_command(x12, work / "x12_files.txt")
    )
    parsed_mb = sum(p.stat().st_size for p in x12) / 2**20
    parse_secs = parse_seconds(parse["stdout"])
    parse["note"] = f"{len(x12):,} files, {parsed_mb:,.0f} MB, {parsed_mb / parse_secs:,.1f} MB/s parsing"

    build = step(BUILD_STEP, [REVCYCLE, "build"])
    floor_db = work / "floor.duckdb"
    floor = step("floor: raw Parquet -> chain aggregates, one DuckDB query",
                 python_script(FLOOR, str(home / "raw" / "batches"), str(floor_db)))  # fmt: skip
    floor_secs = float(floor["stdout"].split()[-1])
    build["note"] = f"{build['seconds'] / floor_secs:,.1f}x the floor's query"
    floor_db.unlink(missing_ok=True)

    next_name = f"next day ({last_day}): `revcycle run`"
    if next_name not in recorded:
        link_tree(home, work / "before-next-day")
        land(tail, world, home)
    nxt = step(next_name, [REVCYCLE, "run", "-q"], f"{len(tail)} files, the first day after the full load")
    full_run = ingest["seconds"] + build["seconds"]
    nxt["note"] += f", {nxt['seconds'] / full_run:.1%} of the full run"
    # Every later day starts from a spare: the warehouse the day before's publish replaced, a day's build apart
    # from the published one (pipelines/warehouse/spare.py).  The day after the full load has none (that
    # publish replaced nothing), so the same day runs again from the same start, with the warehouse the first
    # run published as the spare: one day's build apart, as every later day has it.
    again_name = "next day again, as every later day (a spare a day apart): `revcycle run`"
    if again_name not in recorded:
        restore_before_next_day(work, keep_spare=True)
        land(tail, world, home)
    again = step(again_name, [REVCYCLE, "run", "-q"], f"{len(tail)} files")
    again["note"] += f", {again['seconds'] / full_run:.1%} of the full run"

    dash = step(f"dashboard pages ({dashboard_runs} runs each)",
                [sys.executable, str(Path(__file__).parent / "dashboard.py"), "--home", str(home),
                 "--runs", str(dashboard_runs)])  # fmt: skip
    pages = {}
    for line in dash["stdout"].splitlines():
        m = re.match(r"\| (\w+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|", line)
        if m:
            pages[m[1]] = {"cold_p95": float(m[3]), "warm_p95": float(m[5])}
    dash["note"] = "worst page cold p95 {:.2f} s, warm p95 {:.2f} s".format(
        max(v["cold_p95"] for v in pages.values()), max(v["warm_p95"] for v in pages.values())
    )

    summary = json.loads(run_measured([REVCYCLE, "summary", "--json"], env)[2].stdout)
    disk = {
        "x12_landed": round(_size(world / "landing")),
        "raw_parquet": round(_size(home / "raw")),
        "warehouse": round((home / "warehouse.duckdb").stat().st_size / 2**20),
    }

    # The 2x target from 1M to 10M takes a day to be the same work at either size, but a 10M world's day has
    # ~10x a 1M world's files.  So, last (the pages and the summary read the whole day's warehouse), the same
    # start again with every tenth file of the day from each folder (the same mix of 837s, 835s and
    # acknowledgments; an acknowledgment may answer an 837 left out): at 10M about the input of a 1M day,
    # on ten times the history.
    tenth = [p for folder in sorted({p.parent for p in tail}) for p in sorted(tail_in(folder, tail))[::10]]
    tenth_mb = sum(p.stat().st_size for p in tenth) / 2**20
    tenth_name = "next day, a tenth of its files (a spare a day apart): `revcycle run`"
    if tenth_name not in recorded:
        restore_before_next_day(work, keep_spare=True)
        land(tenth, world, home)
    tenth_day = step(tenth_name, [REVCYCLE, "run", "-q"], f"{len(tenth)} files, {tenth_mb:.1f} MB")
    day_mb = sum(p.stat().st_size for p in tail) / 2**20
    result = {
        "claims": claims,
        "files": len(files),
        "steps": [{k: v for k, v in s.items() if k != "stdout"} for s in steps],
        "full_run_seconds": round(full_run, 1),
        "full_run_peak_rss_mb": max(ingest["peak_rss_mb"], build["peak_rss_mb"]),
        "ingest_mb_per_s": round(x12_mb / ingest["seconds"], 1),
        "parser_mb_per_s": round(parsed_mb / parse_secs, 1),
        "floor_seconds": round(floor_secs, 1),
        "next_day": {"seconds": again["seconds"], "mb": round(day_mb, 1)},
        "next_day_tenth": {"seconds": tenth_day["seconds"], "mb": round(tenth_mb, 1)},
        "pages": pages,
        "disk_mb": disk,
        "summary": summary,
    }
    (work / f"scale_{claims}.json").write_text(json.dumps(result, indent=2))
    return result


def restore_before_next_day(work: Path, keep_spare: bool) -> None:
    """The data root as the full run left it (before-next-day/).  keep_spare: the warehouse the last next day
    published (one day's build apart from the snapshot's) stays as the spare the next run starts from."""
    home = work / "home"
    kept = work / SPARE_NAME
    kept.unlink(missing_ok=True)
    published = home / "warehouse.duckdb"
    if keep_spare and published.exists() and published.stat().st_nlink == 1:
        os.replace(published, kept)
    link_tree(work / "before-next-day", home)
    if kept.exists():
        os.replace(kept, spare_path(home / "warehouse.duckdb"))


# The warehouse stamped as if the dbt project imported now had built it.  A build continues a warehouse only
# when the project that built it is the same (models, macros, seeds, vars, reference files); a changed model,
# which is what --next-day measures, would otherwise make it rebuild everything.
RESTAMP = """
from pipelines.settings import duckdb_connect, get_settings
from pipelines.warehouse.build import FINGERPRINT_TABLE, project_fingerprint
settings = get_settings()
con = duckdb_connect(settings.warehouse_path, settings=settings)
con.execute(f"update {FINGERPRINT_TABLE} set fingerprint = ?", [project_fingerprint(settings)])
con.execute("checkpoint")
con.close()
"""


def next_day_again(work: Path) -> None:
    """The next day alone, from the data root as the full run left it (before-next-day/), with the dbt project
    imported now: for measuring a change to the incremental build without the ingest and the full build
    before it.  The warehouse was built by the run's project and is continued by this one as if this one had
    built it, so a change to what a model writes (its columns, or rows a full build would write differently)
    is measured, not checked: that needs the whole run."""
    snapshot, world, home = work / "before-next-day", work / "world", work / "home"
    if not snapshot.is_dir():
        raise SystemExit(f"{work}: no before-next-day/ (a run made before it was kept, or one not finished)")
    recorded = {r["step"]: r for r in json.loads((work / "progress.json").read_text())}
    full_run = sum(recorded[name]["seconds"] for name in (INGEST_STEP, BUILD_STEP) if name in recorded)
    restore_before_next_day(work, keep_spare=True)
    # a copy, not a link: the stamp is written into it, and the snapshot must stay as the run left it
    (home / "warehouse.duckdb").unlink()
    shutil.copyfile(snapshot / "warehouse.duckdb", home / "warehouse.duckdb")
    restamp = run_measured(python_script(RESTAMP), _env(home))[2]
    if restamp.returncode:
        raise SystemExit(f"stamping the warehouse failed:\n{restamp.stderr[-3000:]}")
    _, tail, last_day = split_last_day(world)
    land(tail, world, home)
    secs, peak, proc = run_measured([REVCYCLE, "run", "-q"], _env(home))
    if proc.returncode:
        raise SystemExit(f"next day failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    share = f", {secs / full_run:.1%} of the recorded full run ({full_run:,.1f} s)" if full_run else ""
    print(f"next day ({last_day}) again: {secs:,.1f} s, {peak:,.0f} MB, {len(tail)} files{share}")
    print(proc.stdout)


def show(results: list[dict]) -> None:
    names = [f"{r['claims']:,} claims" for r in results]
    print(f"\n{'step':58}" + "".join(f"{n:>26}" for n in names) + ("   ratio" if len(results) > 1 else ""))

    # steps by label, not position: runs made before a step was added lack it
    def label(step: dict) -> str:
        return step["step"].split(" (")[0].split(":")[0]

    by_label = [{label(s): s for s in r["steps"]} for r in results]
    rows = list(dict.fromkeys(name for steps in by_label for name in steps))
    for name in rows:
        got = [steps.get(name) for steps in by_label]
        cells = [f"{s['seconds']:>10,.1f} s {s['peak_rss_mb']:>9,} MB" if s else f"{'—':>23}" for s in got]
        first, last = got[0], got[-1]
        ratio = (f"   {last['seconds'] / max(first['seconds'], 0.1):.1f}x time, "
                 f"{last['peak_rss_mb'] / max(first['peak_rss_mb'], 1):.2f}x RSS"
                 if len(results) > 1 and first and last else "")  # fmt: skip
        print(f"{name:58}" + "".join(f"{c:>26}" for c in cells) + ratio)
    for key, fmt in (("full_run_seconds", "{:,.1f} s"), ("full_run_peak_rss_mb", "{:,} MB"),
                     ("ingest_mb_per_s", "{:,.1f} MB/s"), ("parser_mb_per_s", "{:,.1f} MB/s"),
                     ("floor_seconds", "{:,.1f} s")):  # fmt: skip
        print(f"{key:58}" + "".join(f"{fmt.format(r[key]):>26}" for r in results))
    if len(results) > 1 and all("next_day_tenth" in r for r in results):
        # the same work at two sizes: the larger book's day cut to the input of the smaller's whole day
        small, large = results[0]["next_day"], results[-1]["next_day_tenth"]
        same_work = "next day: a tenth of the larger book's day / the smaller's whole day"
        print(f"{same_work:58}"
              f"{large['seconds']:>14,.1f} s ({large['mb']:.1f} MB) / {small['seconds']:,.1f} s ({small['mb']:.1f} MB)"
              f"   {large['seconds'] / small['seconds']:.2f}x")  # fmt: skip
    for key in results[0]["disk_mb"]:
        print(f"{'disk: ' + key:58}" + "".join(f"{r['disk_mb'][key]:>23,} MB" for r in results))
    for page in results[0]["pages"]:
        print(f"{'page ' + page + ' cold / warm p95':58}" + "".join(
            f"{r['pages'][page]['cold_p95']:>17.2f} / {r['pages'][page]['warm_p95']:.2f} s" for r in results))  # fmt: skip
    print()
    for r in results:
        print(f"{r['claims']:,} claims, {r['files']:,} files; notes:")
        for s in r["steps"]:
            if s["note"]:
                print(f"  {s['step']}: {s['note']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, nargs="*", default=[1_000_000])
    ap.add_argument("--dashboard-runs", type=int, default=5)
    ap.add_argument("--compare", type=Path, nargs="*", help="print earlier scale_<claims>.json results")
    ap.add_argument("--keep", action="store_true", help="keep each size's world and data root")
    ap.add_argument(
        "--reuse",
        type=Path,
        metavar="WORK_DIR",
        help="a kept size's folder: skip generating its world, run every later step again (one size)",
    )
    ap.add_argument(
        "--resume",
        type=Path,
        metavar="WORK_DIR",
        help="a stopped size's folder: run only the steps it has not recorded (one size)",
    )
    ap.add_argument(
        "--next-day",
        type=Path,
        metavar="WORK_DIR",
        help="a finished size's folder: run its next day again from the data root as it was before it",
    )
    args = ap.parse_args()
    if args.next_day:
        next_day_again(args.next_day)
        return
    if args.compare:
        show([json.loads(p.read_text()) for p in args.compare])
        return
    kept = args.resume or args.reuse
    if kept and (len(args.claims) != 1 or not (kept / "progress.json").is_file()):
        ap.error("--reuse/--resume take one --claims size and the folder of a run (with its progress.json)")
    mode = "steps" if args.resume else "world" if args.reuse else ""
    results = []
    for claims in args.claims:
        work = kept or Path(tempfile.mkdtemp(prefix=f"revcycle-scale-{claims}-"))
        print(f"{claims:,} claims in {work}", flush=True)
        results.append(run_size(claims, work, args.dashboard_runs, mode))
        if not (args.keep or kept):
            for sub in ("world", "home", "before-next-day"):
                shutil.rmtree(work / sub, ignore_errors=True)
    show(results)


if __name__ == "__main__":
    main()
