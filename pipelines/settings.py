"""The one configuration source for revcycle.

Every path the CLI, the Airflow DAGs, dbt (through ``dbt_env``), Great Expectations and
Streamlit use comes from here.  The data root defaults to ``./data`` under the project and
``REVCYCLE_HOME`` overrides it; nothing else needs to be set.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
# A checkout holds the dbt project and the DAGs beside this package; a wheel ships them inside it
# (pyproject.toml, package-dir), so `pip install .` works from any directory.
INSTALLED_PROJECT = Path(__file__).resolve().parent / "project"
PROJECT_ROOT = _CHECKOUT if (_CHECKOUT / "dbt_project").is_dir() else INSTALLED_PROJECT


@dataclass(frozen=True)
class Settings:
    project_root: Path
    home: Path
    max_mapped_tasks: int = 32
    # duckdb (one machine) or spark (dbt-spark; pyspark local mode here, a cluster in production)
    engine: str = "duckdb"
    # ---------- landing folder (README "Input contract: what goes in landing/")
    # a landed file is taken once its size and modification time have not changed for this long: a file
    # still being copied in is left for the next run instead of being loaded half (REVCYCLE_SETTLE_SECONDS)
    settle_seconds: float = 5.0
    # larger files are quarantined unread (moved, never copied) (REVCYCLE_MAX_FILE_BYTES)
    max_file_bytes: int = 2 * 1024**3
    # take a file only when a "<name>.ready" marker sits beside it (REVCYCLE_READY_MARKERS=1), for senders
    # that write the marker after the file
    ready_markers: bool = False
    # text encoding of CSV extracts: auto (UTF-8, with or without BOM, else Windows-1252) or a codec name
    extract_encoding: str = "auto"
    # error findings listed in a reason before the rest are only counted by code
    max_reasons: int = 50
    # files staged, gated and published together as one raw batch (REVCYCLE_INGEST_GROUP_FILES): Great
    # Expectations runs once per group, and a group's staged tables are what an ingest holds at a time
    ingest_group_files: int = 250
    # ... and at most this many MB of files (REVCYCLE_INGEST_GROUP_MB; a larger file is a group of its own), so
    # large extracts are shared out between the workers and a group's memory does not grow with its files
    ingest_group_mb: int = 64
    # processes `revcycle ingest` / `revcycle run` spread the groups over (REVCYCLE_INGEST_WORKERS; default
    # this machine's cores, at most 4: past that the publish lock and the disk are the limit).  The Airflow
    # DAG runs one group per mapped task instead: its parallelism is the executor's.
    ingest_workers: int = 0
    # rows gathered into one Parquet row group of a published raw batch (REVCYCLE_PUBLISH_ROW_GROUP_ROWS); 1
    # writes a row group per staged file, the alternative benchmarks/build.py measures
    publish_row_group_rows: int = 100_000
    # MB of small X12 files (each at most 4 MB) parsed in one call of the X12 core while staging
    # (REVCYCLE_PARSE_TOGETHER_MB); 0 parses each file alone, the alternative benchmarks/ingest.py measures.
    # At most 1024: the core addresses one call's string bytes with 32 bits.
    parse_together_mb: int = 32
    # ---------- DuckDB: the memory one connection may use before it spills to duckdb_temp_dir; empty = a quarter
    # of this machine's RAM (several processes share the machine: dbt, a dashboard, an ingest)
    # (REVCYCLE_DUCKDB_MEMORY_LIMIT, any DuckDB size: "6GB", "800MB")
    duckdb_memory_limit: str = ""
    # ---------- dbt: models built at once on DuckDB (REVCYCLE_DBT_THREADS; Spark builds one at a time).  One:
    # DuckDB already spreads each model over every core, and two models side by side share one instance's
    # memory limit, so two large ones spill and slow each other down.  A second thread only overlaps the small
    # models' fixed costs, which pays on a small book alone (docs/performance.md, "the sixth run").
    dbt_threads: int = 1
    # ---------- keep the warehouse file a publish replaced as the next build's starting point, brought up to
    # date by copying only the blocks that changed (pipelines/warehouse/spare.py) instead of copying the whole
    # warehouse every build; costs a second warehouse's size on disk (REVCYCLE_SPARE_WAREHOUSE=0 to turn off)
    spare_warehouse: bool = True
    # ---------- Airflow: a DAG run not finished this many minutes after it was queued raises a deadline alert
    # (recorded for the Data quality page, emailed through the revcycle_smtp connection); 0 = no deadline
    # (REVCYCLE_DAG_DEADLINE_MINUTES).  The ingest DAG runs hourly, so a run still going at 45 minutes is late.
    dag_deadline_minutes: float = 45.0
    # ---------- dashboard: a signed-in session ends this many minutes after sign-in, however active
    # (REVCYCLE_DASHBOARD_SESSION_MINUTES; a working day, so PHI on a shared screen is not left open overnight)
    dashboard_session_minutes: float = 480.0
    # ---------- run logs under runs/ (ingest.jsonl, alerts.jsonl, errors.log): rotated past this size, three
    # older files kept (REVCYCLE_RUN_LOG_MAX_BYTES)
    run_log_max_bytes: int = 64 * 2**20

    @property
    def ingest_processes(self) -> int:
        """How many processes an ingest spreads its groups over (ingest_workers; 0 = the cores, at most 4)."""
        return self.ingest_workers or min(4, os.cpu_count() or 1)

    # ---------- data layout
    @property
    def landing_dir(self) -> Path:
        """Where extracts are dropped; file type is detected from content, not name."""
        return self.home / "landing"

    @property
    def raw_dir(self) -> Path:
        """Published, typed Parquet: raw/batches/<file_id>/<table>.parquet."""
        return self.home / "raw"

    @property
    def batches_dir(self) -> Path:
        return self.raw_dir / "batches"

    @property
    def pinned_raw_dir(self) -> Path:
        """What a build reads: the raw batches published when it started, as hard links (pipelines.warehouse.build
        pin_raw_batches), so a batch published during the build waits for the next one and never mixes in."""
        return self.raw_dir / "_build"

    @property
    def staging_dir(self) -> Path:
        """Parsed but not yet validated/published batches (same filesystem as raw/ so publish is a rename)."""
        return self.raw_dir / "_staging"

    @property
    def exports_dir(self) -> Path:
        """Work queues exported after each build, one dated folder per day (pipelines.warehouse.exports), for the
        practice-management system to pick up."""
        return self.home / "exports"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def archive_dir(self) -> Path:
        """Landed files that were loaded (or were already loaded) move here, by day: landing/ is drained."""
        return self.home / "archive"

    @property
    def reference_landing_dir(self) -> Path:
        """Reference files (NCCI, MUE, LEIE, physician time, patient deaths) are dropped here."""
        return self.landing_dir / "reference"

    @property
    def reference_dir(self) -> Path:
        """Typed reference Parquet: reference/<kind>/<file_id>.parquet (pipelines.reference)."""
        return self.home / "reference"

    @property
    def warehouse_path(self) -> Path:
        """The published warehouse readers open (read-only)."""
        return self.home / "warehouse.duckdb"

    @property
    def build_warehouse_path(self) -> Path:
        """dbt builds here; the file is swapped over warehouse_path only after a green build."""
        return self.home / "warehouse.build.duckdb"

    @property
    def spark_dir(self) -> Path:
        """The Spark build's own state: warehouse (Parquet tables) and Derby metastore."""
        return self.home / "spark"

    @property
    def spark_warehouse_dir(self) -> Path:
        return self.spark_dir / "warehouse"

    @property
    def gx_dir(self) -> Path:
        """Great Expectations' file-backed context: stored validation results and the Data Docs site
        (expectations.docs)."""
        return self.home / "gx"

    @property
    def data_docs_dir(self) -> Path:
        return self.gx_dir / "uncommitted" / "data_docs" / "local_site"

    @property
    def duckdb_temp_dir(self) -> Path:
        """Where DuckDB spills what does not fit its memory limit: under the data root (spilled pages hold
        patient data), on the same disk as the warehouse."""
        return self.home / "duckdb_tmp"

    def duckdb_config(self) -> dict[str, str]:
        """The limits every DuckDB connection of the project opens with (duckdb_connect; dbt through dbt_env)."""
        return {
            "memory_limit": self.duckdb_memory_limit or default_memory_limit(),
            "temp_directory": str(self.duckdb_temp_dir),
        }

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def runs_dir(self) -> Path:
        """Run logs for the Data quality page: dbt run_results, GX results, summaries."""
        return self.home / "runs"

    # ---------- project layout
    @property
    def dbt_dir(self) -> Path:
        return self.project_root / "dbt_project"

    @property
    def installed(self) -> bool:
        """Running from an installed package (its project files read-only), not from a checkout."""
        return self.project_root == INSTALLED_PROJECT

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's artifacts (manifest, run results, docs).  In a checkout, dbt's own place in the project, which
        every data root shares (its partial parse stays warm across test and benchmark homes); installed, under
        the data root, since a package's files are not ours to write."""
        return self.home / "dbt" / "target" if self.installed else self.dbt_dir / "target"

    @property
    def dags_dir(self) -> Path:
        return self.project_root / "dags"

    @property
    def demo_world_dir(self) -> Path:
        """Where `revcycle demo-data` generates the demo world (its truth/ and reference/ stay here)."""
        return self.home / "demo_world"

    def ensure_dirs(self) -> None:
        """The data folders, owner-only (0700): they hold PHI (pipelines.privacy)."""
        from pipelines.privacy import PRIVATE_DIR_MODE, make_private

        self.home.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        make_private(self.home)
        for d in (
            self.landing_dir,
            self.batches_dir,
            self.staging_dir,
            self.quarantine_dir,
            self.archive_dir,
            self.runs_dir,
            self.reference_dir,
        ):
            d.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        for d in (self.raw_dir, self.landing_dir, self.quarantine_dir, self.archive_dir, self.runs_dir,
                  self.reference_dir):  # fmt: skip
            make_private(d)

    def dbt_env(self, from_home: bool = False) -> dict[str, str]:
        """Environment dbt reads through env_var(); profiles.yml and sources have no defaults.

        ``from_home``: the DuckDB paths relative to the home, for a dbt process started in it (DbtProcess).
        dbt re-parses the whole project (~8 s) when the profile's database path changes and the files that
        read a changed env_var (~5 s), so absolute paths made every build in another home (each test's,
        each benchmark world's) pay a full parse; relative ones are the same for every home.  The models
        that read these paths are tables, so no stored view depends on the process's directory."""
        paths = {"REVCYCLE_RAW_DIR": self.pinned_raw_dir, "REVCYCLE_REFERENCE_DIR": self.reference_dir,
                 "REVCYCLE_DBT_DUCKDB_PATH": self.build_warehouse_path,
                 "REVCYCLE_DBT_DUCKDB_TEMP_DIR": self.duckdb_temp_dir}  # fmt: skip
        if from_home and self.engine == "duckdb":
            paths = {k: os.path.relpath(v, self.home) for k, v in paths.items()}
        return {
            **{k: str(v) for k, v in paths.items()},
            "REVCYCLE_DBT_TARGET": self.engine,
            "REVCYCLE_DBT_ACCESS_MODE": "automatic",
            "REVCYCLE_DBT_DUCKDB_MEMORY_LIMIT": self.duckdb_config()["memory_limit"],
            "REVCYCLE_DBT_THREADS": str(self.dbt_threads),
            "REVCYCLE_SPARK_WAREHOUSE": str(self.spark_warehouse_dir),
            "REVCYCLE_SPARK_METASTORE": str(self.spark_dir),
            "REVCYCLE_SPARK_MASTER": os.environ.get("REVCYCLE_SPARK_MASTER", "local[2]"),
            "REVCYCLE_SPARK_DRIVER_MEMORY": os.environ.get("REVCYCLE_SPARK_DRIVER_MEMORY", "4g"),
            # Spark's default of 200 shuffle partitions is for clusters; on two local cores it is mostly
            # task overhead for tables this size
            "REVCYCLE_SPARK_SHUFFLE_PARTITIONS": os.environ.get("REVCYCLE_SPARK_SHUFFLE_PARTITIONS", "4"),
            # the Python workers Spark starts must be this interpreter (the venv's), not a system python
            "PYSPARK_PYTHON": sys.executable,
            # through the environment, not flags: dbt takes them with or without a subcommand (`dbt --version`)
            "DBT_PROJECT_DIR": str(self.dbt_dir),
            "DBT_PROFILES_DIR": str(self.dbt_dir),
            "DBT_TARGET_PATH": str(self.dbt_target_dir),
            "DBT_LOG_PATH": str(self.dbt_target_dir.parent / "logs"),  # beside target/, wherever that is
            # dbt's anonymous usage events go to the internet, which is not reachable here: each run spent
            # ~1.5 s failing to flush them at exit
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }

    def airflow_env(self) -> dict[str, str]:
        return {
            "REVCYCLE_HOME": str(self.home),
            "AIRFLOW_HOME": str(self.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_dir),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "GX_ANALYTICS_ENABLED": "False",
            # nothing may call home: no network here, and no usage pings from a billing office
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "DO_NOT_TRACK": "1",
        }


class SettingsError(ValueError):
    """A REVCYCLE_* environment variable that cannot be used; the message names it."""


def _setting(name: str, default, kind=int):
    """One numeric setting from the environment: unset or blank means the default (a blank line in an .env
    file or a compose `VAR=` is the usual way to say "leave it"), anything else must parse as ``kind``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return kind(default)
    try:
        return kind(raw)
    except ValueError:
        expected = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name}={raw!r}: expected {expected}; unset it for the default") from None


def get_settings() -> Settings:
    home = Path(os.environ.get("REVCYCLE_HOME", "").strip() or PROJECT_ROOT / "data").expanduser().resolve()
    env = os.environ.get
    return Settings(
        project_root=PROJECT_ROOT,
        home=home,
        max_mapped_tasks=_setting("REVCYCLE_MAX_MAPPED_TASKS", Settings.max_mapped_tasks),
        engine=engine(),
        settle_seconds=_setting("REVCYCLE_SETTLE_SECONDS", Settings.settle_seconds, float),
        max_file_bytes=_setting("REVCYCLE_MAX_FILE_BYTES", Settings.max_file_bytes),
        ready_markers=env("REVCYCLE_READY_MARKERS", "0").strip().lower() in ("1", "true", "yes", "on"),
        extract_encoding=env("REVCYCLE_EXTRACT_ENCODING", Settings.extract_encoding).strip() or "auto",
        duckdb_memory_limit=env("REVCYCLE_DUCKDB_MEMORY_LIMIT", "").strip(),
        dbt_threads=max(1, _setting("REVCYCLE_DBT_THREADS", Settings.dbt_threads)),
        spare_warehouse=env("REVCYCLE_SPARE_WAREHOUSE", "1").strip().lower() in ("1", "true", "yes", "on"),
        dag_deadline_minutes=max(
            0.0, _setting("REVCYCLE_DAG_DEADLINE_MINUTES", Settings.dag_deadline_minutes, float)
        ),
        dashboard_session_minutes=max(
            1.0, _setting("REVCYCLE_DASHBOARD_SESSION_MINUTES", Settings.dashboard_session_minutes, float)
        ),
        ingest_group_files=max(1, _setting("REVCYCLE_INGEST_GROUP_FILES", Settings.ingest_group_files)),
        ingest_group_mb=max(1, _setting("REVCYCLE_INGEST_GROUP_MB", Settings.ingest_group_mb)),
        ingest_workers=max(0, _setting("REVCYCLE_INGEST_WORKERS", Settings.ingest_workers)),
        publish_row_group_rows=max(
            1, _setting("REVCYCLE_PUBLISH_ROW_GROUP_ROWS", Settings.publish_row_group_rows)
        ),
        parse_together_mb=min(
            1024, max(0, _setting("REVCYCLE_PARSE_TOGETHER_MB", Settings.parse_together_mb))
        ),
    )


def default_memory_limit() -> str:
    """A quarter of this machine's physical memory, in DuckDB's notation: DuckDB's limit covers its buffer
    pool, not the process, so a quarter keeps the whole build (dbt's Python, GX on the marts) under a third."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(256, total // 4 // 2**20)}MB"


def duckdb_connect(
    path: Path | str | None = None, *, read_only: bool = False, settings: Settings | None = None
):
    """A DuckDB connection with the project's limits (Settings.duckdb_config): the one way the project opens
    one, so the memory limit and the spill folder hold everywhere.  ``path`` None: in memory."""
    import duckdb

    config = (settings or get_settings()).duckdb_config()
    target = ":memory:" if path is None else str(path)
    try:
        return duckdb.connect(target, read_only=read_only, config=config)
    except duckdb.ConnectionException as e:
        # this process already holds the file through a connection opened without these settings (a
        # notebook's, a test's): DuckDB allows one configuration per open file, so share that one
        if "different configuration" not in str(e):
            raise
        return duckdb.connect(target, read_only=read_only)


ENGINES = ("duckdb", "spark")


def engine() -> str:
    """REVCYCLE_ENGINE: which engine dbt builds on (CLI, DAGs and tests all read it here)."""
    value = os.environ.get("REVCYCLE_ENGINE", "duckdb").strip().lower() or "duckdb"
    if value not in ENGINES:
        raise SettingsError(f"REVCYCLE_ENGINE={value!r}: expected one of {', '.join(ENGINES)}")
    return value


def dbt_project_seed(name: str) -> list[dict]:
    """A dbt seed's rows as dbt_project/seeds/<name>.csv holds them (strings)."""
    import csv

    with open(PROJECT_ROOT / "dbt_project" / "seeds" / f"{name}.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def dbt_project_var(name: str):
    """A var's default as dbt_project/dbt_project.yml sets it (a build's --vars override it)."""
    import yaml

    return yaml.safe_load((PROJECT_ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"][name]
