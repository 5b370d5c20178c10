"""A generated world through ingest + dbt: the marts recover the generator's truth."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.build import build_warehouse
from pipelines.generate import Config, generate
from pipelines.ingest import ingest_paths, landed_files
from pipelines.warehouse import query


@pytest.mark.e2e
def test_marts_recover_the_generator_truth(settings, tmp_path):
    world = tmp_path / "world"
    generate(Config(out=world, claims=3000, seed=21, months=4, weekly_batches=True), progress=False)
    for f in (world / "landing").rglob("*"):
        if f.is_file():
            dest = settings.landing_dir / f.relative_to(world / "landing")
            dest.parent.mkdir(parents=True, exist_ok=True)
            f.rename(dest)
    outcomes = ingest_paths(landed_files(settings), settings)
    assert {o.status for o in outcomes} == {"accepted"}
    build_warehouse(settings)

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

    # A/R by payer and aging bucket at the last month-end: exact to the cent
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
