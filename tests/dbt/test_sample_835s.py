"""The public 835 samples through ingest + dbt: payments reconcile per transaction, every CLP is in a chain."""

from __future__ import annotations

import pytest

from pipelines.ingest import ingest_paths
from pipelines.warehouse.build import build_warehouse
from pipelines.warehouse.read import query
from tests.conftest import SAMPLES, manifest_rows


@pytest.fixture(scope="module")
def samples_built(tmp_path_factory):
    from tests.conftest import make_settings

    s = make_settings(tmp_path_factory.mktemp("samples") / "home")
    s.ensure_dirs()
    files = [SAMPLES / r["local_file"] for r in manifest_rows() if r["transaction_type"] == "835"]
    outcomes = ingest_paths(files, s)
    assert sum(o.status == "accepted" for o in outcomes) >= 7
    # profee.edi, profee-multiple.edi (its one set 156 times) and multi-line-not-delimited.edi repeat the
    # emedny sample's transaction set under the same control numbers: it loads once
    assert sum(o.status == "duplicate" for o in outcomes) == 3
    build_warehouse(s)
    return s


def test_paid_per_transaction_equals_bpr02_plus_plb(samples_built):
    rows = query(
        "select remit_payment_id, total_paid_amount, claims_paid_amount, provider_adjustment_amount "
        "from fct_remit_payments",
        settings=samples_built,
    ).rows()
    assert len(rows) >= 7  # one per distinct transaction set loaded
    for _, bpr02, paid, plb in rows:
        assert paid == bpr02 + plb


def test_every_clp_is_in_a_chain(samples_built):
    missing = query(
        """
        select count(*) as n from stg_x12__remit_claims r
        left join fct_claim_chains c on c.chain_id = r.claim_id
        where c.chain_id is null
        """,
        settings=samples_built,
    )["n"][0]
    assert missing == 0
    remit_only = query(
        "select count(*) as n from fct_claim_chains where match_reason = 'unmatched_remit'",
        settings=samples_built,
    )["n"][0]
    assert remit_only > 0  # the samples carry no 837 for these claims: kept and visible, not dropped
