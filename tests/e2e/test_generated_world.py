"""A generated world through ingest + dbt: the marts recover the generator's truth."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.build import build_warehouse
from pipelines.generate import Config, generate
from pipelines.ingest import ingest_paths, landed_files
from pipelines.warehouse import query


@pytest.mark.e2e
def test_denial_rate_truth_recovered_exactly(settings, tmp_path):
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
        from fct_claims where is_adjudicated group by all
        """,
        settings=settings,
    )
    joined = truth.join(mart, on=["payer_id", "month"], how="full", coalesce=True)
    assert joined.height == truth.height == mart.height
    assert joined.filter(pl.col("adjudicated_claims") != pl.col("adj")).height == 0
    assert joined.filter(pl.col("initially_denied_claims") != pl.col("den")).height == 0
