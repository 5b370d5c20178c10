"""``revcycle`` command line, on Typer (Click): typed options with their defaults in the help, one-line errors
with exit code 2, `--version`, shell completion (`revcycle --install-completion`).  Each command calls the same
functions the Airflow DAGs call (pipelines.ingest, pipelines.warehouse.build) and returns its exit code."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import TyperException

from pipelines.cli.airflow_embedded import PIPELINE_DAGS
from pipelines.privacy import private_umask
from pipelines.runtime import return_freed_memory, skip_exit_gc
from pipelines.settings import Settings, SettingsError, get_settings

# `revcycle reference --kind`: the loaders' kinds (pipelines.reference.KINDS, which imports polars — too slow
# for `--help`; a unit test keeps the two lists equal)
REFERENCE_KINDS = ("ncci_ptp", "mue", "leie", "physician_time", "pfs_rvu", "patient_deaths", "carc", "rarc",
                   "payer_policy")  # fmt: skip

app = typer.Typer(
    name="revcycle",
    add_completion=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
    pretty_exceptions_enable=False,
)


ReferenceKind = StrEnum("ReferenceKind", {kind: kind for kind in REFERENCE_KINDS})


class Profile(StrEnum):
    clinic = "clinic"
    multispecialty = "multispecialty"
    health_system = "health-system"


class Anomalies(StrEnum):
    injected = "injected"
    none = "none"


class EncounterFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


class PtpSetting(StrEnum):
    practitioner = "practitioner"
    outpatient_hospital = "outpatient_hospital"


# options several commands share
Json = Annotated[bool, typer.Option("--json", help="one JSON object on stdout", show_default=False)]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", show_default=False,
                                       help="print every file's outcome (always in runs/ingest.jsonl)")]  # fmt: skip
Quiet = Annotated[bool, typer.Option("--quiet", "-q", show_default=False,
                                     help="print only what needs attention: no progress bar, no summary")]  # fmt: skip
Host = Annotated[str, typer.Option(help="interface to listen on (0.0.0.0: every one; it serves PHI)")]
Claims = Annotated[int, typer.Option(min=1, help="number of claims to bill")]
Seed = Annotated[int, typer.Option(help="random seed (the same seed, the same world)")]


def _one_of(verbose: bool, quiet: bool) -> None:
    if verbose and quiet:
        raise typer.BadParameter("they exclude each other", param_hint="-v/--verbose and -q/--quiet")


def _expand(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(x for x in p.rglob("*") if x.is_file() and not x.name.startswith("."))
        else:
            out.append(p)  # a missing path is reported by the command that uses it
    return out


@app.command(help="Parse, validate and publish (or quarantine) files.")
def ingest(
    paths: Annotated[list[str], typer.Argument(help="files or folders to ingest", show_default=False)],
    as_json: Json = False,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> int:
    from pipelines.cli.output import log_outcomes
    from pipelines.ingest import ingest_paths
    from pipelines.privacy import safe_name

    _one_of(verbose, quiet)
    settings = get_settings()
    files = _expand(paths)
    missing = [p for p in files if not p.exists()]
    for p in missing:
        print(f"{safe_name(p)}: no such file", file=sys.stderr)
    outcomes = ingest_paths([p for p in files if p.exists()], settings)
    log_outcomes(outcomes, settings)
    if as_json:
        # one object a script can read: every file's outcome (names, counts, reasons: no data values)
        print(json.dumps({"files": [o.to_dict() for o in outcomes],
                          "missing": [safe_name(p) for p in missing],
                          "failed": sum(o.failed for o in outcomes)}))  # fmt: skip
        return 1 if missing or any(o.failed for o in outcomes) else 0
    rc = _report_ingest(outcomes, verbose=verbose, quiet=quiet, every_file=True)
    return 1 if missing else rc


def _report_ingest(outcomes, *, verbose: bool, quiet: bool, every_file: bool) -> int:
    """Files that need attention on stderr always; every file with -v (or when the user named them); one line
    for the lot unless -q."""
    from pipelines.cli.output import print_each, print_failed, summary_line

    rc = print_failed(outcomes)
    if not quiet and (every_file or verbose):
        print_each(outcomes)
    if outcomes and not quiet:
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


@app.command(help="Load reference files (NCCI PTP, MUE, LEIE, physician time, PFS, deaths, CARC/RARC, payer "
                  "policy) for the integrity rules and the denial labels.")  # fmt: skip
def reference(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="files or folders; the layout is recognised from the content", show_default=False
        ),
    ],
    kind: Annotated[
        ReferenceKind | None, typer.Option(help="the layout, when the content does not say")
    ] = None,
    effective_from: Annotated[
        date | None, typer.Option(metavar="YYYY-MM-DD", help="MUE: first date of service the values apply to")
    ] = None,
    as_of: Annotated[
        date | None,
        typer.Option(
            metavar="YYYY-MM-DD",
            help="LEIE: the date the UPDATED.csv snapshot was downloaded; someone missing from a later "
            "snapshot counts as reinstated from its date",
        ),
    ] = None,
    setting: Annotated[PtpSetting | None, typer.Option(help="NCCI PTP table")] = None,
    pfs_year: Annotated[
        int | None, typer.Option(help="physician time: the PFS year the minutes belong to")
    ] = None,
) -> int:
    from pipelines.reference import load_reference_file

    settings = get_settings()
    options = {}
    if effective_from:
        options["effective_from"] = effective_from
    if as_of:
        options["snapshot_date"] = as_of
    if setting:
        options["setting"] = setting.value
    if pfs_year:
        options["pfs_year"] = pfs_year
    files = _expand(paths)
    missing = [p for p in files if not p.exists()]
    for p in missing:
        print(f"{p}: no such file", file=sys.stderr)
    rc = _print_reference(
        [load_reference_file(p, settings, kind and kind.value, **options) for p in files if p.exists()]
    )
    return 1 if missing else rc


@app.command(help="dbt build into a new warehouse file, then swap it in.")
def build(
    select: Annotated[
        list[str] | None,
        typer.Option(help="dbt selection, repeatable (default: everything)", show_default=False),
    ] = None,
    full_refresh: Annotated[bool, typer.Option("--full-refresh", help="rebuild from scratch")] = False,
) -> int:
    # `--select "a b"` as dbt reads it: several methods in one value
    return _build(get_settings(), select=[s for v in select or [] for s in v.split()] or None,
                  full_refresh=full_refresh)  # fmt: skip


def _build(
    settings: Settings, select: list[str] | None = None, full_refresh: bool = False, dbt=None, ahead=None
) -> int:
    from pipelines.warehouse.build import BuildError, build_warehouse

    try:
        res = build_warehouse(settings, select=select, full_refresh=full_refresh, dbt=dbt, ahead=ahead)
    except BuildError as e:
        print(str(e), file=sys.stderr)
        return 1
    print(f"dbt build: {res.passed} passed, {res.warned} warned, {res.skipped} skipped in {res.seconds:.1f}s"
          + (f" ({res.nodes})" if res.nodes else ""))  # fmt: skip
    print("  " + ", ".join(f"{k} {v:.1f}s" for k, v in (res.phases or {}).items() if k != "total"))
    print(f"  started from: {res.started_from}")
    print(f"warehouse: {settings.warehouse_path}")
    return 0


@app.command(help="Ingest every file in the landing folder, then build.")
def run(
    force: Annotated[bool, typer.Option("--force", help="build even when nothing new was loaded")] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", show_default=False, help="one JSON object on stdout (files, build, summary)"),
    ] = False,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> int:
    _one_of(verbose, quiet)
    settings = get_settings()
    if not as_json:
        return _run(settings, force=force, verbose=verbose, quiet=quiet)[0]
    # --json: one object on stdout for a script; the human lines go to stderr
    with contextlib.redirect_stdout(sys.stderr):
        rc, report = _run(settings, force=force, verbose=verbose, quiet=True)
    print(json.dumps(report, default=str))
    return rc


def _run(settings: Settings, *, force: bool, verbose: bool, quiet: bool) -> tuple[int, dict]:
    from dataclasses import asdict

    # dbt's import (~2 s) runs in its process while this one ingests (mostly importing Great Expectations)
    from pipelines.cli.output import ingest_progress, log_outcomes
    from pipelines.ingest import load_landing
    from pipelines.warehouse.build import CopyAhead, DbtProcess, warehouse_is_current

    ahead: list[CopyAhead] = []
    with DbtProcess(settings) as dbt, contextlib.ExitStack() as cleanup:
        cleanup.callback(lambda: [a.discard() for a in ahead])
        with ingest_progress(enabled=not quiet) as (on_scan, on_staged):

            def scanned(paths: list[Path]) -> None:
                # files to load: the build will follow, so copy the published warehouse meanwhile (a ~GB copy
                # that would otherwise start only after the ingest); a run with nothing new copies nothing
                if paths and not ahead:
                    ahead.append(CopyAhead(settings))
                if on_scan is not None:  # None when progress is off (-q)
                    on_scan(paths)

            landed = load_landing(settings, on_scan=scanned, on_staged=on_staged)
        log_outcomes(landed.outcomes, settings)
        report = {"files": [o.to_dict() for o in landed.outcomes],
                  "references": [asdict(r) for r in landed.references], "settling": len(landed.settling)}  # fmt: skip
        nothing_new = not landed.outcomes and not landed.references
        if landed.settling:
            print(f"{len(landed.settling)} file(s) still changing, left for the next run: "
                  + ", ".join(landed.settling[:5]) + (" …" if len(landed.settling) > 5 else ""))  # fmt: skip
        rc_ingest = _report_ingest(landed.outcomes, verbose=verbose, quiet=quiet, every_file=False)
        rc_ingest |= _print_reference(landed.references, every_file=verbose, quiet=quiet)
        if not force and warehouse_is_current(settings):
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
        rc_build = _build(settings, dbt=dbt, ahead=ahead[0] if ahead else None)
    report["build"] = "built" if rc_build == 0 else "failed"
    if rc_build == 0:
        report["summary"] = _summary(settings)
        _print_summary(report["summary"])
    # Quarantined input is reported (exit 1) but does not stop the good files from being built.
    report["exit_code"] = rc_build or rc_ingest
    return rc_build or rc_ingest, report


@app.command(help="Print headline numbers from the published warehouse.")
def summary(as_json: Json = False) -> int:
    from pipelines.warehouse.read import WarehouseNotBuilt

    try:
        numbers = _summary(get_settings())
    except WarehouseNotBuilt as e:
        print(str(e), file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(numbers, default=str))
    else:
        _print_summary(numbers)
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


@app.command(help="Parse X12 files only: Parquet tables and findings, nothing published.")
def parse(
    files: Annotated[list[str], typer.Argument(help="X12 files or folders", show_default=False)],
    out: Annotated[Path, typer.Option(help="output folder (one subfolder per file id)", show_default=False)],
    as_json: Annotated[
        bool, typer.Option("--json", help="one JSON object per file", show_default=False)
    ] = False,
) -> int:
    from pipelines.x12.parser import parse_file

    rc = 0
    for p in _expand(files):
        if not p.exists():
            print(f"{p}: no such file", file=sys.stderr)
            rc = 1
            continue
        res = parse_file(p)
        target = out / res.file_id
        target.mkdir(parents=True, exist_ok=True)
        for name, df in res.tables.items():
            if df.height:
                df.write_parquet(target / f"{name}.parquet")
        res.findings_frame().write_parquet(target / "findings.parquet")
        if as_json:
            print(json.dumps({"file": str(p), "type": res.file_type, "status": res.status, "claims": res.claims,
                              "lines": res.lines, "errors": res.errors, "warnings": res.warnings,
                              "out": str(target)}))  # fmt: skip
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


@app.command(help="Serve the Streamlit dashboard.")
def dashboard(
    port: Annotated[int, typer.Option(help="port to listen on")] = 8501,
    host: Host = "127.0.0.1",
) -> int:
    import dashboards

    settings = get_settings()
    app_file = Path(dashboards.__file__).parent / "streamlit_app.py"
    options = {**DASHBOARD_SERVER_OPTIONS, "server.port": str(port), "server.address": host}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_file)]
    for k, v in options.items():
        cmd += [f"--{k}", v]
    shown = "localhost" if host == "127.0.0.1" else host
    print(f"dashboard: http://{shown}:{port}")
    # started in the project, so .streamlit/secrets.toml (OIDC) is found from any working directory; this
    # process becomes the server, so a stop signal (a service manager's SIGTERM, Ctrl-C) reaches Streamlit
    # instead of leaving it running behind a dead parent
    sys.stdout.flush()
    os.chdir(settings.project_root)
    os.execve(sys.executable, cmd, {**os.environ, "REVCYCLE_HOME": str(settings.home)})


@app.command("dashboard-password", help="Make the salted hash for the dashboard's password gate.")
def dashboard_password() -> int:
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


@app.command("demo-data", help="Generate a demo world into an empty landing folder.")
def demo_data(
    claims: Claims = 20_000,
    seed: Seed = 42,
    force: Annotated[bool, typer.Option("--force", help="generate even if landing/ is not empty")] = False,
) -> int:
    from pipelines.generate import Config, generate, land_world

    settings = get_settings()
    settings.ensure_dirs()
    existing = [p for p in settings.landing_dir.rglob("*") if p.is_file()]
    if existing and not force:
        print(f"landing folder already has {len(existing)} file(s); demo data not generated")
        return 0
    cfg = Config(out=settings.demo_world_dir, claims=claims, seed=seed, months=12, start=date(2024, 1, 1),
                 profile="multispecialty", weekly_batches=True)  # fmt: skip
    shutil.rmtree(cfg.out, ignore_errors=True)
    s = generate(cfg, progress=sys.stderr.isatty())
    # extracts to landing/, the synthetic NCCI/MUE/LEIE/physician-time/death files to landing/reference/
    land_world(cfg.out, settings.landing_dir, settings.reference_landing_dir)
    print(
        f"generated a demo world of {s.claims:,} claims into {settings.landing_dir} (truth: {cfg.out / 'truth'})"
    )
    return 0


@app.command(help="Write a synthetic revenue-cycle world with known truth.")
def generate(
    claims: Claims,
    out: Annotated[
        Path, typer.Option(help="output folder (landing/, truth/, reference/)", show_default=False)
    ],
    seed: Seed = 42,
    months: Annotated[int, typer.Option(min=1, help="months of service")] = 12,
    start: Annotated[date, typer.Option(metavar="YYYY-MM-DD", help="first day of service")] = date(
        2024, 1, 1
    ),
    profile: Annotated[Profile, typer.Option(help="size and mix of the practice")] = Profile.multispecialty,
    anomaly_scale: Annotated[float, typer.Option(min=0, help="multiply every injected anomaly rate")] = 1.0,
    anomalies: Annotated[
        Anomalies,
        typer.Option(
            help="none: a clean world (no injected billing-integrity anomalies, the same realistic noise otherwise), "
            "so every compliance lead it raises is a false positive"
        ),
    ] = Anomalies.injected,
    weekly_batches: Annotated[
        bool, typer.Option("--weekly-batches", help="send 837 batches weekly instead of daily")
    ] = False,
    acknowledgments: Annotated[
        bool,
        typer.Option(
            help="999 / 277CA files and front-end rejections (--no-acknowledgments: the world without them)"
        ),
    ] = True,
    encounter_format: Annotated[EncounterFormat, typer.Option(help="format of the encounter extracts")] = (
        EncounterFormat.csv
    ),
    workers: Annotated[int, typer.Option(min=1, help="processes (months are simulated in parallel)")] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar", show_default=False)] = False,
) -> int:
    import time

    from pipelines.generate import Config
    from pipelines.generate import generate as generate_world

    cfg = Config(
        out=out,
        claims=claims,
        seed=seed,
        months=months,
        start=start,
        profile=profile.value,
        anomaly_scale=0.0 if anomalies is Anomalies.none else anomaly_scale,
        weekly_batches=weekly_batches,
        encounter_format=encounter_format.value,
        workers=workers,
        acknowledgments=acknowledgments,
    )
    t0 = time.perf_counter()
    # the bar only on a terminal: in a log or a pipe it would be thousands of carriage-return lines
    s = generate_world(cfg, progress=not quiet and sys.stderr.isatty())
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


@app.command(help="Check the configuration and say what is wrong.")
def doctor(as_json: Annotated[bool, typer.Option("--json", show_default=False,
                                                 help="a JSON list: check, status, message")] = False) -> int:  # fmt: skip
    from pipelines.cli.doctor import FAIL, run_checks

    results = run_checks(get_settings())
    if as_json:
        print(json.dumps([{"check": n, "status": st, "message": m} for n, st, m in results]))
    else:
        for name, status, message in results:
            print(f"{status:>4}  {name:10} {message}")
    return 1 if any(status == FAIL for _, status, _ in results) else 0


@app.command(
    help="Run dbt with the settings' environment: every argument goes to dbt unchanged (revcycle dbt --help is "
    "dbt's help); read-only commands (docs, ls, show, compile…) look at the published warehouse.",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
)
def dbt(ctx: typer.Context) -> int:
    return run_dbt(list(ctx.args), get_settings())


def run_dbt(dbt_args: list[str], settings: Settings) -> int:
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
    dbt_args = dbt_args or ["build"]
    sys.stdout.flush()
    with DbtProcess(settings, capture=False, env=_published_for_reading(dbt_args, settings)) as process:
        return process.run(dbt_args).returncode


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


@app.command(help="Generate and serve the dbt docs (models, tests, lineage, the exposures of each dashboard page, "
                  "column types) and Great Expectations' Data Docs from one address, until Ctrl-C.")  # fmt: skip
def docs(
    port: Annotated[int, typer.Option(help="port to serve on")] = 8580,
    host: Host = "127.0.0.1",
    serve: Annotated[
        bool, typer.Option(help="--no-serve: only generate dbt's target/ (index.html, catalog.json)")
    ] = True,
) -> int:
    settings = get_settings()
    if settings.engine == "duckdb" and not settings.warehouse_path.exists():
        print("nothing built yet: run `revcycle run` (or `make demo`) first", file=sys.stderr)
        return 1
    rc = run_dbt(["docs", "generate"], settings)
    if rc != 0 or not serve:
        return rc
    from pipelines.cli.docs_site import serve as serve_docs

    serve_docs(settings, host, port)
    return 0


@app.command(help="Run Airflow 3 standalone (scheduler, DAG processor, triggerer, API server and UI) with the "
                  "project's DAGs. Local development only: SQLite metadata, simple auth manager.")  # fmt: skip
def airflow(
    port: Annotated[int, typer.Option(help="port of the UI and API")] = 8080,
    host: Host = "127.0.0.1",
) -> int:
    from pipelines.cli.airflow_embedded import airflow_env, airflow_executable, ensure_metadata_db

    settings = get_settings()
    settings.ensure_dirs()
    ensure_metadata_db(settings)
    env = airflow_env(settings, port=port, host=host)
    env.setdefault("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin")
    passwords = settings.airflow_home / "simple_auth_manager_passwords.json.generated"
    print(f"Airflow UI: {env['AIRFLOW__API__BASE_URL']}  user: admin  password: printed below by Airflow and kept in "
          f"{passwords}")  # fmt: skip
    print(f"DAGs: {settings.dags_dir}  data: {settings.home}  (Ctrl-C stops every component)")
    return subprocess.call([airflow_executable(), "standalone"], env=env)


@app.command("dag-test", help="Run DAGs embedded with `airflow dags test` (SQLite metadata), one after the other; "
                              "stops at the first failure.")  # fmt: skip
def dag_test(
    dag_ids: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"DAG ids, run in order (default: {' '.join(PIPELINE_DAGS)})", show_default=False
        ),
    ] = None,
) -> int:
    from pipelines.cli.airflow_embedded import dags_test

    settings = get_settings()
    settings.ensure_dirs()
    for dag_id in dag_ids or PIPELINE_DAGS:
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


def _print_version(value: bool) -> None:
    if value:
        print(f"revcycle {_version()}")
        raise typer.Exit()


@app.callback(no_args_is_help=True)
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_print_version, is_eager=True, help="print the version and exit"),
    ] = None,
) -> None:
    """Revenue-cycle analytics from X12 837/835 and encounter extracts."""


def main(argv: list[str] | None = None) -> int:
    """The `revcycle` console script: the command's exit code; 2 and one line on stderr for a bad argument."""
    skip_exit_gc()  # a command loading GX/duckdb/polars would spend ~1.4 s more just exiting
    return_freed_memory()  # before polars loads (pipelines.runtime)
    private_umask()  # everything written under the data root is owner-only (pipelines.privacy)
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        settings = get_settings()
    except SettingsError as e:  # a REVCYCLE_* variable that cannot be used: one line, as for a bad argument
        print(f"revcycle: {e}", file=sys.stderr)
        return 2
    if argv[:1] == ["dbt"]:
        # everything after `dbt` is dbt's, its own --help and --version included
        return run_dbt(argv[1:], settings)
    command = typer.main.get_command(app)
    command.help = (f"Revenue-cycle analytics from X12 837/835 and encounter extracts. "
                    f"Data root: $REVCYCLE_HOME (now {settings.home}).")  # fmt: skip
    try:
        result = command.main(args=argv or ["--help"], prog_name="revcycle", standalone_mode=False)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except TyperException as e:  # a bad argument (exit code 2): one line, no traceback
        ctx = getattr(e, "ctx", None)
        where = ctx.command_path if ctx else "revcycle"
        print(f"{where}: {e.format_message()} (see {where} --help)", file=sys.stderr)
        return getattr(e, "exit_code", 2)
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
