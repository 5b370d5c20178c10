from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pipelines.settings import PROJECT_ROOT, Settings

# Airflow reads its home at import time: keep tests away from ~/airflow and the examples.
os.environ.setdefault("AIRFLOW_HOME", str(Path(tempfile.gettempdir()) / "revcycle-pytest-airflow"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
# files are written into landing/ by the tests themselves, complete: no settle wait (tests/hostile sets its own)
os.environ.setdefault("REVCYCLE_SETTLE_SECONDS", "0")
# an ingest inside this process stays in it: Streamlit's AppTest replaces __main__ with a page script, which a
# spawned ingest worker would run.  The worker processes are tested through the CLI (tests/hostile).
os.environ.setdefault("REVCYCLE_INGEST_WORKERS", "1")


def pytest_sessionstart(session):
    """Test the compiled X12 core built from the current source (a no-op when it is up to date)."""
    from pipelines.x12 import native

    if native.rustc() is not None:
        native.build()


FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "x12-samples"
DEMO = FIXTURES / "handmade"
ACKS = FIXTURES / "acks"  # 999s and a 277CA answering the handmade 837s

# Hand-computed from tests/fixtures/handmade/ (see tests/fixtures/README.md for the claim-by-claim working).
DEMO_TRUTH = {
    "files": 7,
    "claims_submitted": 9,
    "claims_adjudicated": 8,
    "claims_initially_denied": 3,
    "paid_amount": 526.20,
    "charge_amount": 1415.00,
}


def manifest_rows() -> list[dict]:
    with open(SAMPLES / "MANIFEST.tsv") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def make_settings(home: Path, **overrides) -> Settings:
    # ingest as REVCYCLE_INGEST_WORKERS above says (settings built here do not read the environment)
    workers = int(os.environ["REVCYCLE_INGEST_WORKERS"])
    return Settings(
        project_root=PROJECT_ROOT,
        home=home,
        **{"settle_seconds": 0.0, "ingest_workers": workers, **overrides},
    )


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    home = tmp_path / "home"
    monkeypatch.setenv("REVCYCLE_HOME", str(home))
    s = make_settings(home)
    s.ensure_dirs()
    return s


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory) -> Settings:
    """Demo data ingested and built once per session (CLI functions, no Airflow)."""
    from pipelines.ingest import ingest_paths
    from pipelines.warehouse.build import build_warehouse

    s = make_settings(tmp_path_factory.mktemp("built") / "home")
    s.ensure_dirs()
    for f in DEMO.iterdir():
        shutil.copy2(f, s.landing_dir / f.name)
    outcomes = ingest_paths(sorted(s.landing_dir.iterdir()), s)
    assert all(o.status == "accepted" for o in outcomes), [o.reasons for o in outcomes]
    build_warehouse(s)
    # later tests rebuild this home incrementally (which skips unit tests and checks only the marts it
    # changed): keep the first build's results
    shutil.copy2(s.runs_dir / "run_results.json", s.runs_dir / "run_results.first_build.json")
    shutil.copy2(s.runs_dir / "gx_marts.json", s.runs_dir / "gx_marts.first_build.json")
    return s


def generated_world_dir(settings: Settings) -> Path:
    """Where `built_world` generated its world (files and truth), next to its home."""
    return settings.home.parent / "world"


@pytest.fixture(scope="session")
def built_world(tmp_path_factory) -> Settings:
    """A small generated world with reference data, ingested and built once (the `revcycle run` steps).

    Anomalies are scaled up so every deterministic integrity rule has something to find; files come in
    weekly batches, as a billing office drops them.  Its truth files: `generated_world_dir(settings)`.
    """
    from datetime import date

    from pipelines.evaluation.integrity import run_generated_world
    from pipelines.generate import Config

    root = tmp_path_factory.mktemp("world")
    s = make_settings(root / "home")
    s.ensure_dirs()
    cfg = Config(out=generated_world_dir(s), claims=3000, seed=3, months=4, start=date(2024, 1, 1), anomaly_scale=3.0,
                 weekly_batches=True)  # fmt: skip
    run_generated_world(cfg, s)
    return s
