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
