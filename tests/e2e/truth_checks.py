"""Assertions shared by the end-to-end tests: the marts against a generated world's truth files."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.settings import Settings
from pipelines.warehouse import query


def assert_marts_match_truth(world: Path, settings: Settings) -> None:
    """Initial denials per payer-month and A/R per payer x aging bucket, exact to the claim and cent."""
    truth = pl.read_csv(world / "truth" / "denial_rate_monthly.csv")
    mart = query(
        """
        select payer_id, strftime(first_adjudication_date, '%Y-%m') as month,
               count(*) as adj, count(*) filter (where is_initially_denied) as den
        from fct_claim_chains where is_adjudicated group by all
        """,
        settings=settings,
    )
    joined = truth.join(mart, on=["payer_id", "month"], how="full", coalesce=True)
    assert joined.height == truth.height == mart.height
    assert joined.filter(pl.col("adjudicated_claims") != pl.col("adj")).height == 0
    assert joined.filter(pl.col("initially_denied_claims") != pl.col("den")).height == 0

    ar_truth = pl.read_csv(world / "truth" / "ar_aging.csv")
    as_of = ar_truth["as_of_date"][0]
    ar = query(
        "select payer_id, aging_bucket, sum(open_balance)::double as bal from fct_ar_snapshots "
        "where as_of_date = ? group by all",
        [as_of],
        settings=settings,
    )
    ar_joined = ar_truth.join(ar, on=["payer_id", "aging_bucket"], how="full", coalesce=True)
    assert ar_joined.height == ar_truth.height == ar.height
    assert ar_joined.filter((pl.col("open_balance") - pl.col("bal")).abs() > 0.005).height == 0

    # Underpayments: exactly the lines the generator repriced below contract, to the cent, and flagged by
    # the documented tolerance; every other contract-priced line is paid at contract (variance 0).
    up_truth = pl.read_csv(
        world / "truth" / "underpayments.csv",
        schema_overrides={"claim_id": pl.String, "procedure_code": pl.String},
    )
    up = query(
        "select chain_id as claim_id, line_number, expected_allowed::double as e, actual_allowed::double as a, "
        "is_underpaid from fct_underpayments where variance <> 0",
        settings=settings,
    )
    assert up_truth.height > 0
    up_joined = up_truth.join(up, on=["claim_id", "line_number"], how="full", coalesce=True)
    assert up_joined.height == up_truth.height == up.height
    assert up_joined.filter((pl.col("expected_allowed") - pl.col("e")).abs() > 0.005).height == 0
    assert up_joined.filter((pl.col("actual_allowed") - pl.col("a")).abs() > 0.005).height == 0
    flag = (pl.col("e") - pl.col("a")) > pl.max_horizontal(pl.lit(5.0), 0.02 * pl.col("e"))
    assert up_joined.filter(flag != pl.col("is_underpaid")).height == 0

    # Patient payments (the optional extract): cash by payer-month to the cent, which holds only when every
    # payment is applied to its chain — by claim id, or by encounter for front-desk payments.
    pp_truth = pl.read_csv(world / "truth" / "patient_cash_monthly.csv")
    pp = query(
        "select payer_id, strftime(month, '%Y-%m') as month, patient_cash_collected::double as got "
        "from kpi_collections_monthly where patient_cash_collected <> 0",
        settings=settings,
    )
    assert pp_truth.height > 0
    pp_joined = pp_truth.join(pp, on=["payer_id", "month"], how="full", coalesce=True)
    assert pp_joined.height == pp_truth.height == pp.height
    assert pp_joined.filter((pl.col("patient_cash_collected") - pl.col("got")).abs() > 0.005).height == 0
    reasons = query(
        "select match_reason, count(*) as n from fct_patient_payments group by 1", settings=settings
    )
    assert set(reasons["match_reason"]) == {"claim_id", "encounter_id"}
