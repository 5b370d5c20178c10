"""Build the warehouse with dbt, then publish it by swapping files.

DuckDB allows one writer or many readers, and a dashboard reading ``warehouse.duckdb`` must never
block or see a half-built warehouse.  So dbt writes ``warehouse.build.duckdb`` (started from a copy of
scratch) and only a green build is moved over
the published file with ``os.replace``; a reader that already opened the old file keeps reading it.
A lock file serialises builds (single writer).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import duckdb

from pipelines.locks import file_lock, process_alive
from pipelines.settings import Settings, duckdb_connect
from pipelines.warehouse.spare import copy_published, keep_as_spare

log = logging.getLogger(__name__)


class BuildError(RuntimeError):
    pass


@dataclass
class BuildResult:
    seconds: float
    passed: int
    failed: int
    warned: int
    skipped: int
    failures: list[str]
    log_path: str
    phases: dict[str, float] | None = None  # seconds per step (runs/build_phases.json)
    nodes: str = ""  # what ran, by kind (describe_nodes)
    started_from: str = ""  # how the build file was started (prepare_build)


@contextmanager
def build_lock(settings: Settings):
    with file_lock(settings.home / ".build.lock"):
        yield


class DbtProcess:
    """A dbt process started before its command is known (``python -m pipelines.warehouse.dbt``):
    importing dbt, ~2 s here, overlaps what the caller does meanwhile — the day's ingest in `revcycle run`,
    the fingerprint and the copy of the warehouse in `revcycle build`.  ``run`` hands it one command;
    ``close`` ends it unused (it exits having run nothing).  dbt runs with the settings' environment
    (profiles.yml and sources have no defaults), in the home (dbt_env's relative paths), by way of
    pipelines.warehouse.dbt: dbt's own entry point minus ~1.5 s of exit-time garbage collection.  ``capture=False``:
    dbt writes to this process's own output as it goes (`revcycle dbt`) instead of returning it."""

    def __init__(self, settings: Settings, capture: bool = True, env: dict[str, str] | None = None):
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        output = subprocess.PIPE if capture else None
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.warehouse.dbt"],
            env={**os.environ, **settings.dbt_env(from_home=True), **(env or {})},
            cwd=settings.home,
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=output,
            text=True,
        )

    def run(self, args: list[str], log_path: Path | None = None) -> subprocess.CompletedProcess:
        if self._proc.stdin.closed:  # communicate() closes it: after run() or close()
            raise RuntimeError("this dbt process has already run its command")
        command = list(args)  # project and profiles dirs come from the environment (Settings.dbt_env)
        out, err = self._proc.communicate(json.dumps(command) + "\n")
        out, err = out or "", err or ""  # nothing captured when dbt wrote straight to our output
        if log_path is not None:
            log_path.write_text(out + err)
        return subprocess.CompletedProcess(["dbt", *command], self._proc.returncode, out, err)

    def close(self) -> None:
        if self._proc.returncode is None:
            self._proc.communicate("")  # end of input: exits without running anything

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_dbt(args: list[str], settings: Settings, log_path: Path | None = None) -> subprocess.CompletedProcess:
    """Run one dbt command (``dbt ARGS``) with the settings' environment, in the home."""
    with DbtProcess(settings) as dbt:
        return dbt.run(args, log_path)


# dbt's unique_id prefixes, as a sentence names them (the CLI line and the Data quality page say the same)
NODE_KINDS = {"model": "models", "seed": "seeds", "test": "data tests", "unit_test": "unit tests",
              "snapshot": "snapshots", "operation": "operations"}  # fmt: skip


def describe_nodes(run_results: Path) -> str:
    """What a dbt run ran, by kind, from its run_results.json: '81 models, 14 seeds, 163 data tests, 41 unit
    tests'."""
    from collections import Counter

    from pipelines.x12.findings import plural

    kinds = Counter(
        r["unique_id"].split(".", 1)[0] for r in json.loads(run_results.read_text()).get("results", [])
    )
    return ", ".join(plural(kinds[k], label) for k, label in NODE_KINDS.items() if kinds[k])


def _summarise_run_results(path: Path) -> tuple[int, int, int, int, list[str]]:
    data = json.loads(path.read_text())
    counts = {"pass": 0, "success": 0, "fail": 0, "error": 0, "warn": 0, "skipped": 0}
    failures = []
    for r in data.get("results", []):
        status = r.get("status")
        counts[status] = counts.get(status, 0) + 1
        if status in ("fail", "error"):
            failures.append(f"{r.get('unique_id')}: {status} {(r.get('message') or '')[:300]}")
    return (
        counts["pass"] + counts["success"],
        counts["fail"] + counts["error"],
        counts["warn"],
        counts["skipped"],
        failures,
    )


def resource_hint(failures: list[str], settings: Settings) -> str:
    """What to change when a build failed for want of memory or disk rather than for its data: DuckDB's own
    message names its settings, not the project's."""
    text = "\n".join(failures)
    config = settings.duckdb_config()
    if "Out of Memory" in text:
        return (f"DuckDB reached its memory limit ({config['memory_limit']}): set REVCYCLE_DUCKDB_MEMORY_LIMIT "
                "higher (it defaults to a quarter of this machine's memory), or give the build a machine with more.")  # fmt: skip
    if "No space left on device" in text:
        return (f"The disk is full: DuckDB spills what exceeds its memory limit to {config['temp_directory']} "
                "(under the data root, beside the warehouse); free space there or set REVCYCLE_DUCKDB_MEMORY_LIMIT "
                "higher so less is spilled.")  # fmt: skip
    return ""


def ensure_manifest(settings: Settings) -> Path:
    """target/manifest.json, regenerated with `dbt parse` when any project file is newer, so a reader of the
    project's nodes never sees a stale one."""
    manifest = settings.dbt_target_dir / "manifest.json"
    sources = [settings.dbt_dir / "dbt_project.yml"] + [
        p
        for d in ("models", "seeds", "macros", "tests")
        for p in (settings.dbt_dir / d).rglob("*")
        if p.is_file()
    ]
    newest = max(p.stat().st_mtime for p in sources)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return manifest
    proc = run_dbt(["parse"], settings)
    if proc.returncode != 0 or not manifest.exists():
        raise BuildError(f"dbt parse failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return manifest


FINGERPRINT_TABLE = "_revcycle_build"


# staging over the landing/reference/ files, which the fingerprint covers
REFERENCE_MODELS = "models/staging/reference"
# dbt_project/selectors.yml: an incremental build of the whole project
INCREMENTAL_SELECTOR = "incremental_build"


def project_fingerprint(settings: Settings, dbt_vars: dict | None = None) -> str:
    """A hash of everything that shapes the warehouse besides the raw batches: models, macros, seeds, tests,
    project config, the --vars a build was given (thresholds baked into models and views), and the loaded
    reference files.  An incremental build recomputes only the chains a new
    batch touches, so a new fee schedule, LEIE or NCCI file (which changes old chains' prices and findings)
    must rebuild everything."""
    h = hashlib.sha256()
    root = settings.dbt_dir
    for sub in ("models", "macros", "seeds", "tests"):
        for p in sorted((root / sub).rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(root)).encode())
                h.update(p.read_bytes())
    if settings.reference_dir.exists():
        # a loaded file is stored once as <kind>/<file_id>.parquet, file_id the hash of its source's bytes; the
        # stored file is rewritten only when what dbt reads from it changes (a schema file gaining a column, a
        # payer policy loaded again and so back in force): its name and its write identify it
        for p in sorted(settings.reference_dir.rglob("*.parquet")):
            st = p.stat()
            h.update(f"{p.relative_to(settings.reference_dir)}:{st.st_ino}:{st.st_mtime_ns}".encode())
    h.update((root / "dbt_project.yml").read_bytes())
    h.update(settings.engine.encode())  # a warehouse exported from Spark is not a DuckDB incremental base
    if dbt_vars:
        h.update(json.dumps(dbt_vars, sort_keys=True, default=str).encode())
    return h.hexdigest()[:20]


def _published_fingerprint(settings: Settings) -> str | None:
    if not settings.warehouse_path.exists():
        return None
    try:
        con = duckdb_connect(settings.warehouse_path, read_only=True, settings=settings)
        try:
            return con.execute(f"select fingerprint from {FINGERPRINT_TABLE}").fetchone()[0]
        finally:
            con.close()
    except duckdb.Error:
        return None


def warehouse_is_current(settings: Settings) -> bool:
    """True when a build would change nothing: the published warehouse was built by this project (models,
    seeds, vars and reference files: the fingerprint) and has loaded every raw batch on disk.  A run killed
    between its ingest and its build leaves batches the warehouse has not read: not current."""
    if settings.engine != "duckdb" or _published_fingerprint(settings) != project_fingerprint(settings):
        return False
    # _schema holds the empty per-table schema files that keep dbt's globs valid: no batch
    batches = settings.batches_dir.iterdir() if settings.batches_dir.exists() else ()
    on_disk = {b.name for b in batches if b.is_dir() and not b.name.startswith("_")}
    return _loaded_batches(settings.warehouse_path, settings) >= on_disk


def pin_raw_batches(settings: Settings) -> set[str]:
    """Freeze the set of raw batches a build reads: raw/_build/batches/<batch>/<table>.parquet, hard links
    to the published files (no copy), which dbt's sources read (Settings.dbt_env).  A batch published while
    the build runs is not in it, so every model of one build sees the same batches — a remit's claims and
    its adjustments alike — and the next build takes the new batch.  Returns the pinned batch names."""
    tmp = settings.raw_dir / f"_build.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "batches").mkdir(parents=True)  # an empty pin on a home that has loaded nothing yet
    names = set()
    for batch in sorted(settings.batches_dir.iterdir()):
        if not batch.is_dir():
            continue
        dest = tmp / "batches" / batch.name
        dest.mkdir()
        for f in batch.iterdir():
            try:
                os.link(f, dest / f.name)
            except OSError:  # a filesystem without hard links: copy (the files are immutable)
                shutil.copyfile(f, dest / f.name)
        names.add(batch.name)
    old = settings.raw_dir / f"_build.old-{os.getpid()}"
    if settings.pinned_raw_dir.exists():
        settings.pinned_raw_dir.rename(old)
    tmp.rename(settings.pinned_raw_dir)
    shutil.rmtree(old, ignore_errors=True)
    return names


AHEAD_PREFIX = ".warehouse.ahead-"  # + pid: a copy of the published warehouse made while the run ingests
REPLACED_PREFIX = ".warehouse.replaced-"  # + pid.n: the warehouse a build replaced, being deleted
_publishes = itertools.count()


def keeps_spare(settings: Settings) -> bool:
    """Whether builds keep a spare warehouse: a DuckDB build starts from a copy of the published file, a Spark
    build from its own tables."""
    return settings.spare_warehouse and settings.engine == "duckdb"


def replaced_path(published: Path) -> Path:
    """Where a publish keeps the warehouse it replaced while deleting it (publish_build): named for this
    process and this publish, so that a second publish in one process never takes the name of a file the
    first is still deleting (it would delete ten GB in its own swap)."""
    return published.with_name(f"{REPLACED_PREFIX}{os.getpid()}.{next(_publishes)}.duckdb")


def remove_left_behind(folder: Path, prefix: str) -> None:
    """Delete the <prefix><pid>[.n].duckdb files of processes no longer running (killed mid-copy or mid-delete)."""
    for left in folder.glob(f"{prefix}*.duckdb"):
        pid = left.name[len(prefix) :].split(".")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            left.unlink(missing_ok=True)


class CopyAhead:
    """The published warehouse copied while the caller does something else (`revcycle run`: its ingest, which
    is CPU-bound while the copy is disk-bound), for the build that follows to continue.  No lock is needed:
    the published file is never written in place, only replaced by a rename (publish_build), so a copy of it
    is always of one whole warehouse.  prepare_build takes it only if the warehouse published then is still
    the one copied, else copies again; an unused copy is deleted (discard)."""

    def __init__(self, settings: Settings):
        folder = settings.build_warehouse_path.parent
        remove_left_behind(folder, AHEAD_PREFIX)  # from a run killed while copying
        self.path = folder / f"{AHEAD_PREFIX}{os.getpid()}.duckdb"
        self.source = settings.warehouse_path
        self.error: OSError | None = None
        self.identity, self.thread = None, None
        self.use_spare, self.report = keeps_spare(settings), None
        if settings.engine != "duckdb":  # a Spark build starts from its own tables, not this file
            return
        try:
            self.identity = self._identity()
        except OSError:  # nothing published yet: nothing to copy
            return
        self.thread = threading.Thread(target=self._copy, name="copy-warehouse-ahead", daemon=True)
        self.thread.start()

    def _identity(self) -> tuple[int, int, int]:
        st = self.source.stat()
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _copy(self) -> None:
        try:
            self.report = copy_published(self.source, self.path, use_spare=self.use_spare)
        except OSError as e:
            self.error = e

    def take(self) -> Path | None:
        """The finished copy, if it is of the warehouse published now (else None, the copy deleted)."""
        if self.thread is None:
            return None
        self.thread.join()
        try:
            current = self._identity()
        except OSError:
            current = None
        if self.error is not None or current != self.identity:
            self.discard()
            return None
        return self.path

    def discard(self) -> None:
        if self.thread is not None:
            self.thread.join()
        self.path.unlink(missing_ok=True)


def prepare_build(
    settings: Settings,
    full_refresh: bool = False,
    dbt_vars: dict | None = None,
    ahead: CopyAhead | None = None,
) -> tuple[Path, str]:
    """Start the build file.  Incremental (the default): a copy of the published warehouse, so the
    incremental staging models only append the raw batches published since — when it was built by the
    same dbt project.  Otherwise (project changed, nothing published, or full_refresh) from nothing: every
    model is rebuilt from the raw Parquet and a renamed or removed model never lingers.  Returns the build
    file and how it was started (a spare brought up to date, a whole copy, or nothing)."""
    build = settings.build_warehouse_path
    Path(str(build) + ".wal").unlink(missing_ok=True)
    if keeps_spare(settings) and build.exists():  # a failed build's file: mostly the published blocks
        keep_as_spare(build, settings.warehouse_path, aside=None)
    build.unlink(missing_ok=True)
    if settings.engine == "spark":
        _ensure_layout(settings)
        pinned = pin_raw_batches(settings)
        _prepare_spark(settings, full_refresh, pinned)
        return build, "the Spark build's own tables"
    if not full_refresh and _published_fingerprint(settings) == project_fingerprint(settings, dbt_vars):
        tmp = ahead.take() if ahead is not None else None
        if tmp is None:
            tmp = build.with_suffix(".copying")  # a rename or a copy over it replaces a killed run's leftover
            report = copy_published(settings.warehouse_path, tmp, use_spare=keeps_spare(settings))
        else:
            report = ahead.report
        pinned = pin_raw_batches(settings)
        if _loaded_batches(tmp, settings) <= pinned:
            # the build that published it laid the data folders out for this project (its fingerprint):
            # checking again would import the parser and polars (~0.7 s of a daily build) to find them there
            tmp.replace(build)
            _flush_in_background(build)
            return build, str(report)
        tmp.unlink()  # raw data was removed since: appending cannot take rows out, rebuild everything
    _ensure_layout(settings)
    pin_raw_batches(settings)
    return build, "nothing (a build from scratch)"


def _flush_in_background(path: Path) -> None:
    """Write the fresh copy's pages to disk while dbt starts (its imports leave the disk idle).  DuckDB
    fsyncs the file at every checkpoint, and an fsync flushes every dirty page of the file, so otherwise
    the first checkpoint of the build (an automatic one mid-build, or the last) pays for writing the whole
    copied warehouse out."""

    def flush() -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    threading.Thread(target=flush, name="flush-build-copy", daemon=True).start()


def _ensure_layout(settings: Settings) -> None:
    from pipelines.ingest import ensure_layout as lay_out  # the parser and polars: only when needed

    lay_out(settings)


def _spark_tables(settings: Settings) -> Path:
    return settings.spark_warehouse_dir / "revcycle.db"


def _prepare_spark(settings: Settings, full_refresh: bool, pinned: set[str]) -> None:
    """The Spark build keeps its own warehouse (Parquet tables + Derby metastore under settings.spark_dir)
    between builds, so its incremental models append like DuckDB's; it starts over when the project changed,
    a raw batch was removed, or a full refresh is asked for."""
    stamp = settings.spark_dir / "fingerprint"
    keep = (
        not full_refresh
        and stamp.exists()
        and stamp.read_text() == project_fingerprint(settings)
        and _loaded_batches_parquet(settings) <= pinned
    )
    if not keep:
        shutil.rmtree(settings.spark_dir, ignore_errors=True)
    settings.spark_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(project_fingerprint(settings))


def _loaded_batches_parquet(settings: Settings) -> set[str]:
    ledger = _spark_tables(settings) / LEDGER
    if not any(ledger.glob("*.parquet")):
        return {"<unknown>"}
    with duckdb_connect(settings=settings) as con:
        return {
            r[0]
            for r in con.execute(f"select _source_batch from read_parquet('{ledger}/*.parquet')").fetchall()
        }


def export_spark_build(settings: Settings) -> Path:
    """Every table of the Spark build (Parquet under the Spark warehouse) into the DuckDB build file, which
    the mart checks, the publish swap and the dashboard then read exactly as after a DuckDB build."""
    tables = _spark_tables(settings)
    build = settings.build_warehouse_path
    build.unlink(missing_ok=True)
    con = duckdb_connect(build, settings=settings)
    try:
        for d in sorted(p for p in tables.iterdir() if p.is_dir()):
            if any(d.glob("*.parquet")):
                con.execute(f"create table {d.name} as select * from read_parquet('{d}/*.parquet')")
        con.execute("checkpoint")
    finally:
        con.close()
    return build


def finish_engine_build(settings: Settings) -> Path:
    """After dbt: the DuckDB build file the rest of the pipeline reads (a no-op when dbt built it in DuckDB)."""
    if settings.engine == "spark":
        return export_spark_build(settings)
    return settings.build_warehouse_path


# The build ledger (model int_build_batches): every raw batch a build has read, by the build that first read
# it.  It answers "which batches has this warehouse loaded" from one row per batch, where the _source_batch
# of the staging tables would be a scan of every staged row (docs/incremental.md).
LEDGER = "int_build_batches"


def _loaded_batches(path: Path, settings: Settings) -> set[str]:
    con = duckdb_connect(path, read_only=True, settings=settings)
    try:
        return {r[0] for r in con.execute(f"select _source_batch from {LEDGER}").fetchall()}
    except duckdb.Error:
        return {"<unknown>"}  # an older warehouse without the ledger: rebuild
    finally:
        con.close()


def check_marts(
    settings: Settings, path: Path | None = None, changed_only: bool = False, kept: list | None = None
) -> dict:
    """Great Expectations on the marts of a finished build (before it is published): raises BuildError.
    changed_only: an incremental build, whose chain marts are validated on the chains it rewrote."""
    from expectations.marts import validate_marts

    result = validate_marts(
        path or settings.build_warehouse_path, changed_only=changed_only, settings=settings, kept=kept
    )
    (settings.runs_dir / "gx_marts.json").write_text(json.dumps(result, indent=2, default=str))
    if not result["success"]:
        raise BuildError(
            "mart checks failed; published warehouse left unchanged: "
            + "; ".join(result["failures"][:10])
            + f" (details: {settings.runs_dir / 'gx_marts.json'})"
        )
    return result


def publish_build(settings: Settings, dbt_vars: dict | None = None, complete: bool = True) -> Path:
    """Fold the WAL into the build file and swap it over the published warehouse (atomic rename).
    complete=False: a --select build from nothing, which holds only what it selected; it gets no fingerprint,
    so the next build starts from nothing too instead of continuing a warehouse missing models and views."""
    build = settings.build_warehouse_path
    if not build.exists():
        raise BuildError(f"no build file at {build}: nothing to publish")
    con = duckdb_connect(build, settings=settings)
    con.execute(f"create or replace table {FINGERPRINT_TABLE} as select ? as fingerprint, now() as built_at",
                [project_fingerprint(settings, dbt_vars) if complete else "partial"])  # fmt: skip
    con.execute("checkpoint")
    con.close()
    published = settings.warehouse_path
    # The rename frees the replaced warehouse's blocks when it drops its last link: seconds for a warehouse of
    # ten GB.  A second link taken first keeps that out of the swap.  The replaced file becomes the spare the
    # next build starts from (pipelines/warehouse/spare.py); else it is deleted beside what the run does next
    # (a thread the process waits for at exit).  Readers still holding it open keep reading it.
    remove_left_behind(published.parent, REPLACED_PREFIX)
    replaced: Path | None = replaced_path(published)
    try:
        os.link(published, replaced)
    except OSError:  # nothing published yet, or no hard links here: the rename frees it itself
        replaced = None
    os.replace(build, published)
    if replaced is not None and keeps_spare(settings):
        replaced = keep_as_spare(replaced, published, aside=replaced_path(published))
    if replaced is not None:
        threading.Thread(
            target=replaced.unlink, kwargs={"missing_ok": True}, name="delete-replaced-warehouse"
        ).start()
    return published


def build_warehouse(
    settings: Settings,
    select: list[str] | None = None,
    full_refresh: bool = False,
    dbt_vars: dict | None = None,
    dbt: DbtProcess | None = None,
    ahead: CopyAhead | None = None,
) -> BuildResult:
    """``dbt build`` into the build file, check the marts, and only then swap it in as the published warehouse.
    dbt: a DbtProcess the caller started ahead (`revcycle run`, before its ingest), else one started here, before
    the warehouse is copied; closed when this returns.  ahead: the published warehouse copied while the caller
    ingested (`revcycle run`), used when still current, deleted when this returns.  `revcycle build`,
    `revcycle run` and the transform DAG all build through this function."""
    t0 = time.perf_counter()
    phases: dict[str, float] = {}

    @contextmanager
    def phase(name: str):
        start = time.perf_counter()
        yield
        phases[name] = round(time.perf_counter() - start, 2)

    dbt = dbt or DbtProcess(settings)  # importing dbt overlaps the copy of the warehouse
    try:
        with build_lock(settings):
            with phase("prepare (fingerprint, copy the published warehouse)"):
                _, started_from = prepare_build(
                    settings, full_refresh=full_refresh, dbt_vars=dbt_vars, ahead=ahead
                )
            args = ["build"]
            incremental = settings.engine == "duckdb" and settings.build_warehouse_path.exists()
            if incremental and not select:
                # continuing the published warehouse means the same project (fingerprint) built it: what that
                # build did and this one cannot do differently is left out — dbt_project/selectors.yml says what
                args += ["--selector", INCREMENTAL_SELECTOR]
            elif incremental:
                # a partial build (--select): the unit tests, seeds and reference tables likewise, as flags —
                # dbt 1.11 cannot combine --selector with --select; keep in step with dbt_project/selectors.yml
                args += [
                    "--exclude-resource-type",
                    "unit_test",
                    "seed",
                    "--exclude",
                    f"path:{REFERENCE_MODELS}",
                ]
                args += ["--select", *select]
            elif select:
                args += ["--select", *select]
            if dbt_vars:
                args += ["--vars", json.dumps(dbt_vars)]
            log_path = settings.runs_dir / "dbt_build.log"
            run_results = settings.dbt_target_dir / "run_results.json"
            run_results.unlink(missing_ok=True)  # a parse error writes none: never report a stale one
            # Importing Great Expectations (pandas, scipy, altair, sqlalchemy) takes ~8 s on this 2-core machine,
            # a quarter of a daily incremental build: do it while dbt runs in its subprocess, not after
            from expectations.run import warm_up_in_background  # the module is light; GX loads in the thread

            warm_gx = None if select else warm_up_in_background()
            with phase("dbt build"):
                proc = dbt.run(args, log_path)
            if run_results.exists():
                shutil.copy2(run_results, settings.runs_dir / "run_results.json")
                phases["dbt build: nodes (dbt's elapsed_time)"] = round(
                    json.loads(run_results.read_text())["elapsed_time"], 2
                )
                passed, failed, warned, skipped, failures = _summarise_run_results(run_results)
                nodes = describe_nodes(run_results)
            else:
                passed = warned = skipped = 0
                failed, failures, nodes = 1, [(proc.stdout + proc.stderr)[-3000:]], ""
            if proc.returncode != 0 or failed:
                hint = resource_hint(failures, settings)
                raise BuildError(
                    f"dbt build failed ({failed} failing nodes); published warehouse left unchanged. "
                    f"Log: {log_path}\n" + "\n".join(failures[:20]) + (f"\n{hint}" if hint else "")
                )
            if select and passed + failed + warned + skipped == 0:
                # dbt exits 0 on "Nothing to do": a typo in --select must not pass for a build
                said = next((ln.strip() for ln in proc.stdout.splitlines() if "Nothing to do" in ln), "")
                raise BuildError(
                    f"the selection {' '.join(select)!r} matches no model or test; published warehouse left "
                    f"unchanged. dbt: {said or 'nothing selected'}"
                )
            with phase("export (Spark only)"):
                finish_engine_build(settings)
            docs = None
            if not select:  # a partial build has no complete marts to check
                kept: list = []
                with phase("Great Expectations on the marts"):
                    warm_gx.join()
                    check_marts(settings, changed_only=incremental, kept=kept)
                from expectations.docs import keep_results

                # the Data Docs are a report of checks already passed (keep_results never raises): rendered
                # while the build is published and the queues exported, not before
                docs = threading.Thread(target=keep_results, args=(kept, settings),
                                        kwargs={"run_name": "build", "build_docs": True}, name="gx-data-docs")  # fmt: skip
                docs.start()
            with phase("publish (checkpoint, swap)"):
                publish_build(settings, dbt_vars, complete=incremental or not select)
            if not select:  # the queues the practice-management system picks up (pipelines.warehouse.exports)
                from pipelines.warehouse.exports import export_work_queues

                with phase("export the work queues"):
                    export_work_queues(settings)
            if docs is not None:
                with phase("Great Expectations Data Docs (after the exports)"):
                    docs.join()
    finally:
        dbt.close()
        if ahead is not None:
            ahead.discard()  # taken (renamed into the build file) or not: nothing is left behind
    phases["total"] = round(time.perf_counter() - t0, 2)
    (settings.runs_dir / "build_phases.json").write_text(json.dumps(phases, indent=2))
    return BuildResult(
        phases["total"], passed, failed, warned, skipped, failures, str(log_path), phases, nodes, started_from
    )
