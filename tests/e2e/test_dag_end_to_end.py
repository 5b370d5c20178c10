"""End to end through `airflow dags test`: reference -> ingest -> transform, as the scheduler chains them."""

from __future__ import annotations

import shutil

import pytest

from pipelines.airflow_embedded import dags_test
from pipelines.build import ensure_manifest
from pipelines.cli import PIPELINE_DAGS
from pipelines.generate import Config, generate, land_world
from pipelines.warehouse import file_counts, headline_kpis, query
from tests.conftest import DEMO, DEMO_TRUTH
from tests.e2e.truth_checks import assert_marts_match_truth


def _run_pipeline(settings) -> None:
    ensure_manifest(settings)
    for dag_id in PIPELINE_DAGS:
        proc = dags_test(dag_id, settings)
        assert proc.returncode == 0, (dag_id, (proc.stdout + proc.stderr)[-4000:])


@pytest.mark.e2e
def test_dag_run_is_correct_and_idempotent(settings):
    """Hand-computed extracts + a truncated 835: numbers exact, the bad file quarantined, a rerun changes nothing."""
    for f in DEMO.iterdir():
        shutil.copy2(f, settings.landing_dir / f.name)
    bad = settings.landing_dir / "broken_835.x12"
    bad.write_bytes((DEMO / "remit_835_bcbs_20240202.x12").read_bytes()[:700])  # truncated

    _run_pipeline(settings)
    k = headline_kpis(settings)
    assert k["claims_submitted"] == DEMO_TRUTH["claims_submitted"]
    assert k["claims_adjudicated"] == DEMO_TRUTH["claims_adjudicated"]
    assert k["claims_initially_denied"] == DEMO_TRUTH["claims_initially_denied"]
    assert k["paid_amount"] == pytest.approx(DEMO_TRUTH["paid_amount"])
    files = file_counts(settings)
    assert files == {"accepted": DEMO_TRUTH["files"], "partial": 0, "quarantined": 1}
    assert len(list(settings.quarantine_dir.glob("*/broken_835.x12"))) == 1
    assert (settings.runs_dir / "gx_marts.json").exists()  # the transform DAG checked the marts

    # the same landing folder again: nothing is duplicated
    _run_pipeline(settings)
    assert headline_kpis(settings) == k
    n_remits = query("select count(*) as n from stg_x12__remit_claims", settings=settings)["n"][0]
    assert n_remits == 10  # 3 + 2 + 2 + 3 CLPs in the four 835s


@pytest.mark.e2e
def test_dags_on_a_generated_world_recover_its_truth(settings, tmp_path):
    world = tmp_path / "world"
    generate(Config(out=world, claims=1500, seed=5, months=3, weekly_batches=True), progress=False)
    land_world(world, settings.landing_dir, settings.reference_landing_dir)
    _run_pipeline(settings)
    assert_marts_match_truth(world, settings)
    leie = query("select count(*) as n from stg_reference__leie", settings=settings)["n"][0]
    assert leie > 0  # the reference DAG loaded the world's LEIE file
    truth_excluded = sum(
        1 for line in (world / "truth" / "anomalies.csv").open() if line.startswith("excluded_provider")
    )
    found = query(
        "select count(*) as n from fct_integrity_findings where rule_id = 'excluded_provider'",
        settings=settings,
    )
    assert found["n"][0] == truth_excluded
