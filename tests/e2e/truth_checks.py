"""Assertions shared by the end-to-end tests: the marts against a generated world's truth files."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.settings import Settings
from pipelines.warehouse.read import query


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
    """Every revenue-cycle KPI against the truth (pipelines/evaluation/kpi.py), exact to the claim and cent;
    underpayments line by line."""
    from pipelines.evaluation.kpi import evaluate, format_table

    checks = evaluate(world, settings)
    assert all(c.ok for c in checks), (
        format_table(checks) + "\n" + str([c.example for c in checks if not c.ok])
    )
    # the front end was exercised: first claims rejected by 277CAs (999 file rejections, ~1 % of files, may
    # not occur in a small world: tests/generate checks their rate)
    front_end = pl.read_csv(world / "truth" / "front_end_monthly.csv").sum()
    assert front_end["claims_rejected_277ca"][0] > 0
    assert pl.read_csv(world / "truth" / "open_denials.csv").height > 0  # the denials queue had work to check
    assert pl.read_csv(world / "truth" / "coding_errors.csv").height > 0  # and the scrubber errors to find

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

    # Patient payments apply to their chains by claim id, or by encounter for front-desk payments (the cash
    # checks above hold only if every one is applied)
    reasons = query(
        "select match_reason, count(*) as n from fct_patient_payments group by 1", settings=settings
    )
    assert set(reasons["match_reason"]) == {"claim_id", "encounter_id"}
