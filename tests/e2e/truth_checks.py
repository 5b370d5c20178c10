"""Assertions shared by the end-to-end tests: the marts against a generated world's truth files."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.settings import Settings
from pipelines.warehouse import query


def _assert_same_rows(
    truth: pl.DataFrame, mart: pl.DataFrame, on: list[str], pairs: dict[str, str], tol: float = 0.005
) -> pl.DataFrame:
    """Truth and mart hold the same keys (a full join adds no row to either) and, per key, each truth column
    equals its mart column within tol.  Returns the join for further checks."""
    joined = truth.join(mart, on=on, how="full", coalesce=True)
    assert joined.height == truth.height == mart.height
    for want, got in pairs.items():
        assert joined.filter((pl.col(want) - pl.col(got)).abs() > tol).height == 0, (want, got)
    return joined


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
    _assert_same_rows(truth, mart, ["payer_id", "month"],
                      {"adjudicated_claims": "adj", "initially_denied_claims": "den"}, tol=0)  # fmt: skip

    ar_truth = pl.read_csv(world / "truth" / "ar_aging.csv")
    as_of = ar_truth["as_of_date"][0]
    ar = query(
        "select payer_id, aging_bucket, sum(open_balance)::double as bal from fct_ar_snapshots "
        "where as_of_date = ? and open_balance > 0 group by all",
        [as_of],
        settings=settings,
    )
    _assert_same_rows(ar_truth, ar, ["payer_id", "aging_bucket"], {"open_balance": "bal"})

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
    up_joined = _assert_same_rows(up_truth, up, ["claim_id", "line_number"],
                                  {"expected_allowed": "e", "actual_allowed": "a"})  # fmt: skip
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
    _assert_same_rows(pp_truth, pp, ["payer_id", "month"], {"patient_cash_collected": "got"})
    reasons = query(
        "select match_reason, count(*) as n from fct_patient_payments group by 1", settings=settings
    )
    assert set(reasons["match_reason"]) == {"claim_id", "encounter_id"}
