"""End to end through `airflow dags test`: reference -> ingest -> transform, as the scheduler chains them.

A generated world plus one truncated 835 goes through the three DAGs; the marts must equal the world's truth
(denials per payer-month, A/R per payer x bucket, excluded-provider leads), the bad file must sit in
quarantine, and running the ingest DAG again over the same landing folder must publish nothing new.
"""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest

from pipelines.cli.airflow_embedded import dags_test
from pipelines.cli.main import PIPELINE_DAGS
from pipelines.generate import Config, generate, land_world
from pipelines.warehouse.exports import QUEUES
from pipelines.warehouse.read import file_counts, query
from tests.conftest import DEMO
from tests.e2e.truth_checks import assert_marts_match_truth


def _dags(settings, *dag_ids: str) -> None:
    for dag_id in dag_ids:
        proc = dags_test(dag_id, settings)
        assert proc.returncode == 0, (dag_id, (proc.stdout + proc.stderr)[-4000:])


@pytest.mark.e2e
def test_dags_on_a_generated_world_recover_its_truth(settings, tmp_path, monkeypatch):
    # ~100 files in 8 groups (several files per mapped task instance) rather than 32: the grouped path, and a
    # quarter of the per-task-instance overhead `airflow dags test` pays
    monkeypatch.setenv("REVCYCLE_MAX_MAPPED_TASKS", "8")
    world = tmp_path / "world"
    generate(Config(out=world, claims=1500, seed=5, months=3, weekly_batches=True), progress=False)
    n_files = land_world(world, settings.landing_dir, settings.reference_landing_dir)
    bad = settings.landing_dir / "broken_835.x12"
    bad.write_bytes((DEMO / "remit_835_bcbs_20240202.x12").read_bytes()[:700])  # truncated: no SE/GE/IEA

    _dags(settings, *PIPELINE_DAGS)
    assert_marts_match_truth(world, settings)
    assert file_counts(settings) == {"accepted": n_files, "partial": 0, "quarantined": 1}
    [reason] = [json.loads(p.read_text()) for p in settings.quarantine_dir.glob("*/reason.json")]
    assert reason["file"] == "broken_835.x12" and reason["stored_as"] == "original"
    assert (settings.runs_dir / "gx_marts.json").exists()  # the transform DAG checked the marts
    # ... and exported the work queues for the practice-management system, equal to the marts
    (exported,) = settings.exports_dir.iterdir()
    for queue in QUEUES:
        frame = pl.read_parquet(exported / f"{queue}.parquet")
        assert frame.height == query(f"select count(*) as n from {queue}", settings=settings)["n"][0]
        assert (exported / f"{queue}.csv").stat().st_mode & 0o077 == 0  # private, like the data root
    leie = query("select count(*) as n from stg_reference__leie", settings=settings)["n"][0]
    assert leie > 0  # the reference DAG loaded the world's LEIE file
    truth_excluded = sum(
        1 for ln in (world / "truth" / "anomalies.csv").open() if ln.startswith("excluded_provider")
    )
    found = query(
        "select count(*) as n from fct_integrity_findings where rule_id = 'excluded_provider'",
        settings=settings,
    )
    assert found["n"][0] == truth_excluded

    # landing/ was drained into the archive; the same files dropped again are recognised by their hash and
    # leave again, and nothing new is published
    landed = [p for p in settings.landing_dir.rglob("*") if p.is_file() and "reference" not in p.parts]
    assert landed == []
    archived = [p for p in settings.archive_dir.rglob("*") if p.is_file() and "reference" not in p.parts]
    assert len(archived) == n_files
    assert not any(p.is_file() for p in settings.reference_landing_dir.rglob("*"))  # drained too
    batches = sorted(p.name for p in settings.batches_dir.iterdir())
    for p in archived:
        shutil.copyfile(p, settings.landing_dir / p.name)
    _dags(settings, "revcycle_ingest")
    assert sorted(p.name for p in settings.batches_dir.iterdir()) == batches
    assert not any(p.is_file() for p in settings.landing_dir.iterdir())
