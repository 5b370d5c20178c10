"""``revcycle`` command line.  The Airflow DAG calls the same functions (pipelines.ingest / pipelines.warehouse.build)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.privacy import private_umask
from pipelines.runtime import return_freed_memory, skip_exit_gc
from pipelines.settings import Settings, get_settings

# The whole pipeline as the scheduler would chain it: reference data and extracts, then the rebuild.
PIPELINE_DAGS = ("revcycle_reference", "revcycle_ingest", "revcycle_transform")


def iso_date(text: str):
    """An argparse type: a YYYY-MM-DD date, or argparse's one-line error (exit code 2), never a traceback."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text[:20]!r}") from None


def _expand(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(x for x in p.rglob("*") if x.is_file() and not x.name.startswith("."))
        else:
            out.append(p)  # a missing path is reported by the command that uses it
    return out


def cmd_ingest(args, settings: Settings) -> int:
    from pipelines.ingest import ingest_paths
    from pipelines.privacy import safe_name

    paths = _expand(args.paths)
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"{safe_name(p)}: no such file", file=sys.stderr)
    outcomes = ingest_paths([p for p in paths if p.exists()], settings)
    from pipelines.cli.output import log_outcomes

    log_outcomes(outcomes, settings)
    if args.json:
        # one object a script can read: every file's outcome (names, counts, reasons: no data values)
        print(json.dumps({"files": [o.to_dict() for o in outcomes],
                          "missing": [safe_name(p) for p in missing],
                          "failed": sum(o.failed for o in outcomes)}))  # fmt: skip
        return 1 if missing or any(o.failed for o in outcomes) else 0
    rc = _report_ingest(outcomes, args, every_file=True)
    return 1 if missing else rc


def _report_ingest(outcomes, args, every_file: bool) -> int:
    """Files that need attention on stderr always; every file with -v (or when the user named them); one line
    for the lot unless -q."""
    from pipelines.cli.output import print_each, print_failed, summary_line

    rc = print_failed(outcomes)
    if not args.quiet and (every_file or args.verbose):
        print_each(outcomes)
    if outcomes and not args.quiet:
        print(summary_line(outcomes))
    return rc


def _print_reference(results, every_file: bool = True, quiet: bool = False) -> int:
    """Rejected reference files on stderr always; the others one per line when asked, else one line."""
    from collections import Counter

    from pipelines.x12.findings import plural

    bad = 0
    for r in results:
        if r.status == "rejected" or (every_file and not quiet):
            print(r.summary_line(), file=sys.stderr if r.status == "rejected" else sys.stdout)
        bad += r.status == "rejected"
    loaded = Counter(r.kind for r in results if r.status == "loaded")
    if loaded and not every_file and not quiet:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(loaded.items()))
        print(f"reference: {plural(sum(loaded.values()), 'files')} loaded ({kinds})")
    return 1 if bad else 0


def cmd_reference(args, settings: Settings) -> int:
    """Load reference files (NCCI PTP, MUE, LEIE, physician time, patient deaths) for the integrity rules."""
    from pipelines.reference import load_reference_file

    options = {}
    if args.effective_from:
        options["effective_from"] = args.effective_from
    if args.as_of:
        options["snapshot_date"] = args.as_of
    if args.setting:
        options["setting"] = args.setting
    if args.pfs_year:
        options["pfs_year"] = args.pfs_year
    paths = _expand(args.paths)
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"{p}: no such file", file=sys.stderr)
    rc = _print_reference(
        [load_reference_file(p, settings, args.kind, **options) for p in paths if p.exists()]
    )
    return 1 if missing else rc


def cmd_build(args, settings: Settings, dbt=None) -> int:
    from pipelines.warehouse.build import BuildError, build_warehouse

    try:
        res = build_warehouse(settings, select=args.select, full_refresh=args.full_refresh, dbt=dbt)
    except BuildError as e:
        print(str(e), file=sys.stderr)
        return 1
    print(f"dbt build: {res.passed} passed, {res.warned} warned, {res.skipped} skipped in {res.seconds:.1f}s"
          + (f" ({res.nodes})" if res.nodes else ""))  # fmt: skip
    print("  " + ", ".join(f"{k} {v:.1f}s" for k, v in (res.phases or {}).items() if k != "total"))
    print(f"warehouse: {settings.warehouse_path}")
    return 0


def cmd_run(args, settings: Settings) -> int:
    if not getattr(args, "json", False):
        return _run(args, settings)[0]
    # --json: one object on stdout for a script; the human lines go to stderr
    with contextlib.redirect_stdout(sys.stderr):
        rc, report = _run(args, settings)
    print(json.dumps(report, default=str))
    return rc


def _run(args, settings: Settings) -> tuple[int, dict]:
    from dataclasses import asdict

    # dbt's import (~2 s) runs in its process while this one ingests (mostly importing Great Expectations)
    from pipelines.cli.output import ingest_progress, log_outcomes
    from pipelines.ingest import load_landing
    from pipelines.warehouse.build import DbtProcess, warehouse_is_current

    with DbtProcess(settings) as dbt:
        with ingest_progress(enabled=not args.quiet and not args.json) as (on_scan, on_staged):
            landed = load_landing(settings, on_scan=on_scan, on_staged=on_staged)
        log_outcomes(landed.outcomes, settings)
        report = {"files": [o.to_dict() for o in landed.outcomes],
                  "references": [asdict(r) for r in landed.references], "settling": len(landed.settling)}  # fmt: skip
        nothing_new = not landed.outcomes and not landed.references
        if landed.settling:
            print(f"{len(landed.settling)} file(s) still changing, left for the next run: "
                  + ", ".join(landed.settling[:5]) + (" …" if len(landed.settling) > 5 else ""))  # fmt: skip
        rc_ingest = _report_ingest(landed.outcomes, args, every_file=False) | _print_reference(
            landed.references, every_file=args.verbose, quiet=args.quiet
        )
        if not args.force and warehouse_is_current(settings):
            # nothing published since the last build (a killed run's batches would make it not current)
            print(("no new files in " if nothing_new else "nothing new to build from ") + f"{settings.landing_dir}: "
                  "the published warehouse is current (revcycle run --force rebuilds it)")  # fmt: skip
            return rc_ingest, {
                **report,
                "build": "skipped: the published warehouse is current",
                "exit_code": rc_ingest,
            }
        if nothing_new and not landed.settling:
            print(f"no new files in {settings.landing_dir}")
        rc_build = cmd_build(argparse.Namespace(select=None, full_refresh=False), settings, dbt=dbt)
    report["build"] = "built" if rc_build == 0 else "failed"
    if rc_build == 0:
        report["summary"] = _summary(settings)
        _print_summary(report["summary"])
    # Quarantined input is reported (exit 1) but does not stop the good files from being built.
    report["exit_code"] = rc_build or rc_ingest
    return rc_build or rc_ingest, report


def cmd_summary(args, settings: Settings) -> int:
    from pipelines.warehouse.read import WarehouseNotBuilt

    try:
        summary = _summary(settings)
    except WarehouseNotBuilt as e:
        print(str(e), file=sys.stderr)
        return 1
    if getattr(args, "json", False):
        print(json.dumps(summary, default=str))
    else:
        _print_summary(summary)
    return 0


def _summary(settings: Settings) -> dict:
    """Headline numbers of the published warehouse: files and claims (`summary`, `run`)."""
    from pipelines.warehouse.read import file_counts, headline_kpis

    return {**file_counts(settings), **headline_kpis(settings)}


def _print_summary(s: dict) -> None:
    rate = s["initial_denial_rate"]
    print("revcycle summary")
    print(f"  files accepted      {s['accepted']} (+{s['partial']} partially)")
    print(f"  files quarantined   {s['quarantined']}")
    print(f"  claims submitted    {s['claims_submitted']}")
    print(f"  claims adjudicated  {s['claims_adjudicated']}")
    print(f"  initially denied    {s['claims_initially_denied']}")
    print(f"  initial denial rate {'n/a' if rate is None else f'{rate:.1%}'}")
    print(f"  paid amount         ${s['paid_amount']:,.2f}")


def cmd_parse(args, settings: Settings) -> int:
    from pipelines.x12.parser import parse_file

    out_dir = Path(args.out)
    rc = 0
    for p in _expand(args.files):
        if not p.exists():
            print(f"{p}: no such file", file=sys.stderr)
            rc = 1
            continue
        res = parse_file(p)
        target = out_dir / res.file_id
        target.mkdir(parents=True, exist_ok=True)
        for name, df in res.tables.items():
            if df.height:
                df.write_parquet(target / f"{name}.parquet")
        res.findings_frame().write_parquet(target / "findings.parquet")
        if args.json:
            print(
                json.dumps(
                    {
                        "file": str(p),
                        "type": res.file_type,
                        "status": res.status,
                        "claims": res.claims,
                        "lines": res.lines,
                        "errors": res.errors,
                        "warnings": res.warnings,
                        "out": str(target),
                    }
                )
            )
        else:
            print(res.summary_line())
            for f in res.findings:
                if f.severity == "error":
                    print(f"  {f.describe(str(p))}", file=sys.stderr)
        if res.status == "rejected":
            rc = 1
    return rc


DASHBOARD_SERVER_OPTIONS = {
    # the same as .streamlit/config.toml, on the command line so they hold wherever the server starts
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "client.showErrorDetails": "none",
    "client.toolbarMode": "viewer",
}


def cmd_dashboard(args, settings: Settings) -> int:
    import dashboards

    app = Path(dashboards.__file__).parent / "streamlit_app.py"
    options = {**DASHBOARD_SERVER_OPTIONS, "server.port": str(args.port), "server.address": args.host}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app)]
    for k, v in options.items():
        cmd += [f"--{k}", v]
    shown = "localhost" if args.host == "127.0.0.1" else args.host
    print(f"dashboard: http://{shown}:{args.port}")
    # started in the project, so .streamlit/secrets.toml (OIDC) is found from any working directory; this
    # process becomes the server, so a stop signal (a service manager's SIGTERM, Ctrl-C) reaches Streamlit
    # instead of leaving it running behind a dead parent
    sys.stdout.flush()
    os.chdir(settings.project_root)
    os.execve(sys.executable, cmd, {**os.environ, "REVCYCLE_HOME": str(settings.home)})


def cmd_dashboard_password(args, settings: Settings) -> int:
    """Prompt for the dashboard password (twice) and print the salted hash to set."""
    import getpass

    from dashboards.phi import hash_password

    first = getpass.getpass("New dashboard password: ")
    if len(first) < 12:
        print("use at least 12 characters", file=sys.stderr)
        return 2
    if getpass.getpass("Again: ") != first:
        print("the two passwords differ", file=sys.stderr)
        return 2
    print(f"REVCYCLE_DASHBOARD_PASSWORD_HASH='{hash_password(first)}'")
    return 0


def cmd_demo_data(args, settings: Settings) -> int:
    """Fill an empty landing folder with a generated world (truth kept beside it for checking)."""
    from datetime import date

    from pipelines.generate import Config, generate, land_world

    settings.ensure_dirs()
    existing = [p for p in settings.landing_dir.rglob("*") if p.is_file()]
    if existing and not args.force:
        print(f"landing folder already has {len(existing)} file(s); demo data not generated")
        return 0
    cfg = Config(
        out=settings.demo_world_dir,
        claims=args.claims,
        seed=args.seed,
        months=12,
        start=date(2024, 1, 1),
        profile="multispecialty",
        weekly_batches=True,
    )
    shutil.rmtree(cfg.out, ignore_errors=True)
    s = generate(cfg, progress=True)
    # extracts to landing/, the synthetic NCCI/MUE/LEIE/physician-time/death files to landing/reference/
    land_world(cfg.out, settings.landing_dir, settings.reference_landing_dir)
    print(
        f"generated a demo world of {s.claims:,} claims into {settings.landing_dir} (truth: {cfg.out / 'truth'})"
    )
    return 0


def cmd_generate(args, settings: Settings) -> int:
    import time

    from pipelines.generate import Config, generate

    cfg = Config(
        out=Path(args.out),
        claims=args.claims,
        seed=args.seed,
        months=args.months,
        start=args.start,
        profile=args.profile,
        anomaly_scale=0.0 if args.anomalies == "none" else args.anomaly_scale,
        weekly_batches=args.weekly_batches,
        encounter_format=args.encounter_format,
        workers=args.workers,
        acknowledgments=not args.no_acknowledgments,
    )
    t0 = time.perf_counter()
    s = generate(cfg, progress=not args.quiet)
    secs = time.perf_counter() - t0
    print(
        f"generated {s.claims:,} claims ({s.encounters:,} encounters, {s.remits:,} remits, {s.anomalies:,} anomalies) "
        f"in {s.files_837:,} 837 + {s.files_835:,} 835 + {s.files_ack:,} 999/277CA files in {secs:.1f}s "
        f"({s.claims / secs:,.0f} claims/s)"
    )
    print(
        f"  landing files: {cfg.out / 'landing'}   truth: {cfg.out / 'truth'}   reference: {cfg.out / 'reference'}"
    )
    return 0


def cmd_doctor(args, settings: Settings) -> int:
    from pipelines.cli.doctor import FAIL, run_checks

    results = run_checks(settings)
    if args.json:
        print(json.dumps([{"check": n, "status": st, "message": m} for n, st, m in results]))
        return 1 if any(status == FAIL for _, status, _ in results) else 0
    for name, status, message in results:
        print(f"{status:>4}  {name:10} {message}")
    return 1 if any(status == FAIL for _, status, _ in results) else 0


def cmd_dbt(args, settings: Settings) -> int:
    """dbt itself, every argument passed on: its output appears as it runs (a long build is not silent, `docs
    serve` prints its address) and its exit code is ours; colour only on a terminal."""
    from pipelines.warehouse.build import DbtProcess, pin_raw_batches

    if (
        not settings.pinned_raw_dir.exists()
    ):  # dbt's sources read the pinned batches (pipelines.warehouse.build)
        from pipelines.ingest import ensure_layout

        ensure_layout(settings)  # a home that has loaded nothing yet: the schema batch keeps the globs valid
        pin_raw_batches(settings)

    if not sys.stdout.isatty():
        os.environ.setdefault("DBT_USE_COLORS", "False")  # no ANSI codes in a pipe or a file
    dbt_args = args.dbt_args or ["build"]
    sys.stdout.flush()
    with DbtProcess(settings, capture=False, env=_published_for_reading(dbt_args, settings)) as dbt:
        return dbt.run(dbt_args).returncode


# dbt commands that only read the warehouse: they look at the published one (read-only, beside the dashboard),
# not at the build file a `revcycle build` writes and swaps in — `docs generate` then catalogues the real tables
READING_COMMANDS = frozenset({"docs", "ls", "list", "show", "compile", "parse", "debug", "source"})


def _published_for_reading(dbt_args: list[str], settings: Settings) -> dict[str, str]:
    command = next((a for a in dbt_args if not a.startswith("-")), None)
    if command not in READING_COMMANDS or settings.engine != "duckdb" or not settings.warehouse_path.exists():
        return {}
    return {
        "REVCYCLE_DBT_DUCKDB_PATH": os.path.relpath(settings.warehouse_path, settings.home),
        "REVCYCLE_DBT_ACCESS_MODE": "read_only",
    }


def cmd_docs(args, settings: Settings) -> int:
    """The dbt docs of the published warehouse (models, tests, lineage, exposures for each dashboard page, and
    the catalog's column types) and Great Expectations' Data Docs: generated, then served on this machine
    until Ctrl-C."""
    if settings.engine == "duckdb" and not settings.warehouse_path.exists():
        print("nothing built yet: run `revcycle run` (or `make demo`) first", file=sys.stderr)
        return 1
    rc = cmd_dbt(argparse.Namespace(dbt_args=["docs", "generate"]), settings)
    if rc != 0 or args.no_serve:
        return rc
    from pipelines.cli.docs_site import serve

    serve(settings, args.host, args.port)
    return 0


def cmd_airflow(args, settings: Settings) -> int:
    """`airflow standalone` with the project's DAGs and settings: scheduler, DAG processor, triggerer and the
    API server + UI.  Local development only (SQLite metadata, simple auth manager)."""
    from pipelines.cli.airflow_embedded import airflow_env, airflow_executable, ensure_metadata_db

    settings.ensure_dirs()
    ensure_metadata_db(settings)
    env = airflow_env(settings, port=args.port, host=args.host)
    env.setdefault("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin")
    passwords = settings.airflow_home / "simple_auth_manager_passwords.json.generated"
    print(f"Airflow UI: {env['AIRFLOW__API__BASE_URL']}  user: admin  password: printed below by Airflow and kept in "
          f"{passwords}")  # fmt: skip
    print(f"DAGs: {settings.dags_dir}  data: {settings.home}  (Ctrl-C stops every component)")
    return subprocess.call([airflow_executable(), "standalone"], env=env)


def cmd_dag_test(args, settings: Settings) -> int:
    """Run DAGs one after the other with `airflow dags test`; stops at the first failure."""
    from pipelines.cli.airflow_embedded import dags_test

    settings.ensure_dirs()
    for dag_id in args.dag_ids:
        proc = dags_test(dag_id, settings)
        log = settings.runs_dir / f"airflow_{dag_id}.log"
        log.write_text(proc.stdout + proc.stderr)
        state = "success" if proc.returncode == 0 else "failed"
        print(f"airflow dags test {dag_id}: {state} (log: {log})")
        if proc.returncode != 0:
            print((proc.stdout + proc.stderr)[-4000:], file=sys.stderr)
            return proc.returncode
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("revcycle")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without installing
        return "unknown"


def _verbosity(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", action="store_true",
                       help="print every file's outcome (they are always in runs/ingest.jsonl)")  # fmt: skip
    group.add_argument("-q", "--quiet", action="store_true",
                       help="print only what needs attention: no progress bar, no summary")  # fmt: skip


def _listen(parser: argparse.ArgumentParser, port: int, what: str) -> None:
    """--port and --host of a server command: this machine only unless told otherwise (it serves PHI)."""
    parser.add_argument("--port", type=int, default=port, help="port to listen on")
    parser.add_argument("--host", default="127.0.0.1", help=f"{what} (0.0.0.0: every one)")


def build_parser() -> argparse.ArgumentParser:
    from functools import partial

    class HelpWithDefaults(argparse.HelpFormatter):
        """Each option's default in its help line, where it has one worth saying."""

        def _get_help_string(self, action):
            text = action.help or ""
            if (
                not action.option_strings
                or action.default in (None, False, argparse.SUPPRESS)
                or "default" in text
            ):
                return text
            return f"{text} (default: %(default)s)"

    p = argparse.ArgumentParser(
        prog="revcycle",
        description="Revenue-cycle analytics from X12 837/835 and encounter extracts. "
        f"Data root: $REVCYCLE_HOME (now {get_settings().home}).",
    )
    p.add_argument("--version", action="version", version=f"revcycle {_version()}")
    # every option's default in its help line
    sub = p.add_subparsers(
        dest="command",
        required=True,
        parser_class=partial(argparse.ArgumentParser, formatter_class=HelpWithDefaults),
    )

    s = sub.add_parser("ingest", help="parse, validate and publish (or quarantine) files")
    s.add_argument("paths", nargs="+", help="files or folders to ingest")
    s.add_argument("--json", action="store_true", help="one JSON object: every file's outcome")
    _verbosity(s)
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser(
        "reference",
        help="load reference files (NCCI PTP, MUE, LEIE, physician time, PFS, deaths, CARC/RARC, payer policy)",
    )
    s.add_argument("paths", nargs="+", help="files or folders; the layout is recognised from the content")
    s.add_argument(
        "--kind",
        choices=[
            "ncci_ptp",
            "mue",
            "leie",
            "physician_time",
            "pfs_rvu",
            "patient_deaths",
            "carc",
            "rarc",
            "payer_policy",
        ],
    )
    s.add_argument(
        "--effective-from", type=iso_date, help="MUE: first date of service the values apply to (YYYY-MM-DD)"
    )
    s.add_argument("--as-of", type=iso_date, help="LEIE: the date the UPDATED.csv snapshot was downloaded (YYYY-MM-DD); someone "
                                   "missing from a later snapshot counts as reinstated from its date")  # fmt: skip
    s.add_argument("--setting", choices=["practitioner", "outpatient_hospital"], help="NCCI PTP table")
    s.add_argument("--pfs-year", type=int, help="physician time: the PFS year the minutes belong to")
    s.set_defaults(func=cmd_reference)

    s = sub.add_parser("build", help="dbt build into a new warehouse file, then swap it in")
    s.add_argument("--select", nargs="*", help="dbt selection (default: everything)")
    s.add_argument("--full-refresh", action="store_true", help="rebuild from scratch")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("docs", help="generate and serve the dbt docs and the Great Expectations Data Docs")
    s.add_argument("--port", type=int, default=8580, help="port to serve on")
    s.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    s.add_argument("--no-serve", action="store_true", help="only generate target/ (index.html, catalog.json)")
    s.set_defaults(func=cmd_docs)

    s = sub.add_parser("run", help="ingest every file in the landing folder, then build")
    s.add_argument("--force", action="store_true", help="build even when nothing new was loaded")
    s.add_argument("--json", action="store_true", help="one JSON object on stdout (files, build, summary)")
    _verbosity(s)
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("summary", help="print headline numbers from the published warehouse")
    s.add_argument("--json", action="store_true", help="one JSON object")
    s.set_defaults(func=cmd_summary)

    s = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    _listen(s, 8501, "interface to listen on")
    s.set_defaults(func=cmd_dashboard)

    s = sub.add_parser("dashboard-password", help="make the salted hash for the dashboard's password gate")
    s.set_defaults(func=cmd_dashboard_password)

    s = sub.add_parser("parse", help="parse X12 files only: Parquet tables + findings, no publishing")
    s.add_argument("files", nargs="+")
    s.add_argument("--out", required=True, help="output folder (one subfolder per file id)")
    s.add_argument("--json", action="store_true", help="one JSON object per file")
    s.set_defaults(func=cmd_parse)

    s = sub.add_parser("generate", help="write a synthetic revenue-cycle world with known truth")
    s.add_argument("--claims", type=int, required=True, help="number of claims to bill")
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--out", required=True, help="output folder (landing/, truth/, reference/)")
    s.add_argument("--months", type=int, default=12)
    s.add_argument("--start", type=iso_date, default="2024-01-01", help="first day of service (YYYY-MM-DD)")
    s.add_argument(
        "--profile", choices=["clinic", "multispecialty", "health-system"], default="multispecialty"
    )
    s.add_argument("--anomaly-scale", type=float, default=1.0, help="multiply every injected anomaly rate")
    s.add_argument("--anomalies", choices=["injected", "none"], default="injected",
                   help="none: a clean world (no injected billing-integrity anomalies, the same realistic noise "
                        "otherwise), so every compliance lead it raises is a false positive")  # fmt: skip
    s.add_argument("--weekly-batches", action="store_true", help="send 837 batches weekly instead of daily")
    s.add_argument("--no-acknowledgments", action="store_true",
                   help="no 999 / 277CA files and no front-end rejections (the world as before acknowledgments)")  # fmt: skip
    s.add_argument("--encounter-format", choices=["csv", "parquet"], default="csv")
    s.add_argument("--workers", type=int, default=2, help="processes (months are simulated in parallel)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_generate)

    s = sub.add_parser("dbt", help="run dbt with the settings' environment (writes the build file, no swap)")
    s.add_argument(
        "dbt_args", nargs=argparse.REMAINDER, help="dbt arguments, e.g. test --select fct_claim_chains"
    )
    s.set_defaults(func=cmd_dbt)

    s = sub.add_parser("doctor", help="check the configuration and say what is wrong")
    s.add_argument("--json", action="store_true", help="a JSON list: check, status, message")
    s.set_defaults(func=cmd_doctor)

    s = sub.add_parser("airflow", help="run Airflow 3 standalone (scheduler + UI) with the project's DAGs")
    _listen(s, 8080, "interface the UI and API listen on")
    s.set_defaults(func=cmd_airflow)

    s = sub.add_parser("dag-test", help="run DAGs embedded with `airflow dags test` (SQLite metadata)")
    s.add_argument(
        "dag_ids",
        nargs="*",
        default=list(PIPELINE_DAGS),
        help=f"DAG ids, run in order (default: {' '.join(PIPELINE_DAGS)})",
    )
    s.set_defaults(func=cmd_dag_test)

    s = sub.add_parser("demo-data", help="generate a demo world into an empty landing folder")
    s.add_argument("--claims", type=int, default=20_000)
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--force", action="store_true", help="generate even if landing/ is not empty")
    s.set_defaults(func=cmd_demo_data)
    return p


def main(argv: list[str] | None = None) -> int:
    skip_exit_gc()  # a command loading GX/duckdb/polars would spend ~1.4 s more just exiting
    return_freed_memory()  # before polars loads (pipelines.runtime)
    private_umask()  # everything written under the data root is owner-only (pipelines.privacy)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["dbt"]:
        # everything after `dbt` is dbt's, options first included (argparse's REMAINDER drops a leading
        # `--version` or `--help` into our own parser)
        return cmd_dbt(argparse.Namespace(dbt_args=argv[1:]), get_settings())
    args = build_parser().parse_args(argv)
    return args.func(args, get_settings())


if __name__ == "__main__":
    sys.exit(main())
