"""One end-to-end run: demo extracts + a malformed file -> `airflow dags test` -> marts, twice."""

from __future__ import annotations

import shutil

import pytest

from pipelines.airflow_embedded import dags_test
from pipelines.warehouse import file_counts, headline_kpis, query
from tests.conftest import DEMO, DEMO_TRUTH


@pytest.mark.e2e
def test_dag_run_is_correct_and_idempotent(settings):
    for f in DEMO.iterdir():
        shutil.copy2(f, settings.landing_dir / f.name)
    bad = settings.landing_dir / "broken_835.x12"
    bad.write_bytes((DEMO / "remit_835_bcbs_20240202.x12").read_bytes()[:700])  # truncated

    proc = dags_test("revcycle_pipeline", settings)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]

    k = headline_kpis(settings)
    assert k["claims_submitted"] == DEMO_TRUTH["claims_submitted"]
    assert k["claims_adjudicated"] == DEMO_TRUTH["claims_adjudicated"]
    assert k["claims_initially_denied"] == DEMO_TRUTH["claims_initially_denied"]
    assert k["paid_amount"] == pytest.approx(DEMO_TRUTH["paid_amount"])
    files = file_counts(settings)
    assert files == {"accepted": DEMO_TRUTH["files"], "partial": 0, "quarantined": 1}
    assert len(list(settings.quarantine_dir.glob("*/broken_835.x12"))) == 1

    # the same landing folder again: nothing is duplicated
    proc = dags_test("revcycle_pipeline", settings)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert headline_kpis(settings) == k
    n_remits = query("select count(*) as n from stg_x12__remit_claims", settings=settings)["n"][0]
    assert n_remits == 10  # 3 + 2 + 2 + 3 CLPs in the four 835s
