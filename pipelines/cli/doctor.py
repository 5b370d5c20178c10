"""`revcycle doctor`: check the configuration and say what is wrong, one line per check."""

from __future__ import annotations

import importlib.metadata as md
import os
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from pipelines.settings import Settings

OK, WARN, FAIL = "ok", "warn", "FAIL"


def check_python(settings: Settings) -> tuple[str, str]:
    v = sys.version_info
    return (OK, f"Python {v.major}.{v.minor}") if (v.major, v.minor) == (3, 11) else (
        FAIL, f"Python {v.major}.{v.minor}; the pinned stack needs 3.11")  # fmt: skip


CORE_PACKAGES = (
    "apache-airflow",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "polars",
    "great-expectations",
    "streamlit",
)


def _requirements(settings: Settings) -> tuple[dict[str, SpecifierSet], str]:
    """What each package must be: in a checkout, the exact pins of constraints.txt; installed from a wheel
    (no constraints file), the ranges the package declares (extras left out)."""
    constraints = settings.project_root / "constraints.txt"
    if constraints.exists():
        lines, source = constraints.read_text().splitlines(), "constraints.txt"
    else:
        lines, source = md.requires("revcycle") or [], "the package's requirements"
    reqs = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(r.name): r.specifier for r in reqs if r.marker is None}, source


def check_packages(settings: Settings) -> tuple[str, str]:
    wanted, source = _requirements(settings)
    wrong = []
    for name in CORE_PACKAGES:
        try:
            have = md.version(name)
        except md.PackageNotFoundError:
            wrong.append(f"{name} missing")
            continue
        spec = wanted.get(name)
        if spec and not spec.contains(have, prereleases=True):
            wrong.append(f"{name} {have} (wants {spec})")
    pinned = source == "constraints.txt"
    return (OK, f"core packages match {source}") if not wrong else (
        FAIL, "; ".join(wrong) + (" - run make setup" if pinned else " - reinstall revcycle"))  # fmt: skip


def check_dirs(settings: Settings) -> tuple[str, str]:
    try:
        settings.ensure_dirs()
        probe = settings.home / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        return FAIL, f"data root {settings.home} is not writable: {e}"
    same_fs = os.stat(settings.staging_dir).st_dev == os.stat(settings.batches_dir).st_dev
    if not same_fs:
        return (
            FAIL,
            "raw/_staging and raw/batches are on different filesystems: publishing would not be atomic",
        )
    return OK, f"data root {settings.home} (REVCYCLE_HOME) is writable"


def check_dbt(settings: Settings) -> tuple[str, str]:
    from pipelines.ingest import ensure_layout
    from pipelines.warehouse.build import run_dbt

    ensure_layout(settings)
    proc = run_dbt(["parse", "--quiet"], settings)
    if proc.returncode:
        return FAIL, "dbt parse failed: " + (proc.stdout + proc.stderr).strip().splitlines()[-1][:300]
    return OK, f"dbt project {settings.dbt_dir} parses"


def check_warehouse(settings: Settings) -> tuple[str, str]:
    from pipelines.warehouse.read import WarehouseNotBuilt, headline_kpis

    try:
        k = headline_kpis(settings)
    except WarehouseNotBuilt:
        return WARN, "no warehouse yet: run `revcycle run` or `make demo`"
    except (duckdb.Error, OSError) as e:  # a corrupt or foreign file: report it, do not crash the doctor
        return FAIL, f"warehouse {settings.warehouse_path} cannot be read: {e}"
    stale = Path(str(settings.build_warehouse_path))
    note = "; a leftover build file from an interrupted build will be replaced" if stale.exists() else ""
    return OK, f"warehouse readable ({k['claims_submitted']:,} claims){note}"


def check_reference(settings: Settings) -> tuple[str, str]:
    """Integrity rules need reference data; say which kinds have nothing loaded."""
    from pipelines.reference import RULE_INPUTS
    from pipelines.reference.load import LEGACY_SCHEMA_FILE, SCHEMA_FILE

    empty = [
        k
        for k in RULE_INPUTS
        if not [
            p
            for p in (settings.reference_dir / k).glob("*.parquet")
            if p.name not in (SCHEMA_FILE, LEGACY_SCHEMA_FILE)
        ]
    ]
    if empty:
        return WARN, (f"no reference data loaded for {', '.join(empty)}: the integrity rules that need it find "
                      "nothing (`revcycle reference FILE` or drop files in landing/reference/)")  # fmt: skip
    return OK, "reference data loaded for every kind the integrity rules read"


def check_engine(settings: Settings) -> tuple[str, str]:
    """REVCYCLE_ENGINE=spark needs the [spark] extra and a Java runtime; duckdb needs nothing more."""
    if settings.engine == "duckdb":
        return OK, "engine duckdb (REVCYCLE_ENGINE=spark builds the same project on Apache Spark)"
    import importlib.util
    import shutil

    missing = [m for m in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(m) is None]
    if missing:
        return (
            FAIL,
            "engine spark but the [spark] extra is not installed: pip install -e '.[spark]' -c constraints.txt",
        )
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return FAIL, "engine spark needs Java 17+ (java on PATH or JAVA_HOME)"
    return OK, f"engine spark: Spark warehouse {settings.spark_warehouse_dir}"


def check_airflow(settings: Settings) -> tuple[str, str]:
    if (settings.airflow_home / ".migrated").exists():
        return OK, f"embedded Airflow home {settings.airflow_home} is migrated"
    return WARN, "embedded Airflow metadata DB not created yet (the first `revcycle dag-test` migrates it)"


CHECKS: list[Callable[[Settings], tuple[str, str]]] = [
    check_python, check_packages, check_dirs, check_engine, check_dbt, check_warehouse, check_reference,
    check_airflow,
]  # fmt: skip


def run_checks(settings: Settings) -> list[tuple[str, str, str]]:
    return [(c.__name__.removeprefix("check_"), *c(settings)) for c in CHECKS]
