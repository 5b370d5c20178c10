"""Great Expectations checks on the marts of a finished dbt build, before the build is published.

dbt's own tests guard each model's grain and keys; these guard what a reader of the dashboard relies
on across marts: rates in range, ids from the known lists, no missing keys.  Run on pandas batches
(GX's DuckDB route is broken upstream), reading the build file through a read-only connection.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import great_expectations as gx
import polars as pl

from pipelines.integrity_rules import RULES


def _claim_chains() -> gx.ExpectationSuite:
    s = gx.ExpectationSuite(name="mart_fct_claim_chains")
    e = gx.expectations
    s.add_expectation(e.ExpectColumnValuesToNotBeNull(column="chain_id"))
    s.add_expectation(e.ExpectColumnValuesToBeUnique(column="chain_id"))
    s.add_expectation(
        e.ExpectColumnValuesToBeInSet(
            column="match_reason", value_set=["ref_f8", "claim_id", "no_remit", "unmatched_remit"]
        )
    )
    s.add_expectation(e.ExpectColumnValuesToNotBeNull(column="is_adjudicated"))
    return s


def _denial_rates() -> gx.ExpectationSuite:
    s = gx.ExpectationSuite(name="mart_kpi_denial_rate_monthly")
    e = gx.expectations
    for col in ("initial_denial_rate_simple", "initial_denial_rate_simple_dollars"):
        s.add_expectation(e.ExpectColumnValuesToBeBetween(column=col, min_value=0, max_value=1))
    s.add_expectation(e.ExpectColumnValuesToNotBeNull(column="month"))
    return s


def _collections() -> gx.ExpectationSuite:
    s = gx.ExpectationSuite(name="mart_kpi_collections_monthly")
    e = gx.expectations
    # Per payer-month NCR/GCR are not bounded (cash arrives for earlier months' charges), so the checks
    # are on what must hold whatever the timing.
    s.add_expectation(e.ExpectColumnValuesToNotBeNull(column="month"))
    s.add_expectation(e.ExpectColumnValuesToNotBeNull(column="payer_id"))
    for col in (
        "ar_insurance",
        "ar_secondary",
        "ar_patient",
        "ar_credit",
        "gross_charges",
        "expected_allowed",
    ):
        s.add_expectation(e.ExpectColumnValuesToBeBetween(column=col, min_value=0))
    s.add_expectation(e.ExpectColumnValuesToBeInSet(column="scope", value_set=["all", "payer"]))
    s.add_expectation(e.ExpectCompoundColumnsToBeUnique(column_list=["month", "payer_id"]))
    return s


def _integrity_findings() -> gx.ExpectationSuite:
    s = gx.ExpectationSuite(name="mart_fct_integrity_findings")
    e = gx.expectations
    s.add_expectation(e.ExpectColumnValuesToBeInSet(column="rule_id", value_set=list(RULES)))
    s.add_expectation(e.ExpectColumnValuesToBeUnique(column="finding_id"))
    s.add_expectation(e.ExpectColumnValuesToNotBeNull(column="evidence"))
    s.add_expectation(e.ExpectColumnValuesToBeBetween(column="dollars_at_stake", min_value=0))
    return s


MART_SUITES = {
    "fct_claim_chains": _claim_chains,
    "kpi_denial_rate_monthly": _denial_rates,
    "kpi_collections_monthly": _collections,
    "fct_integrity_findings": _integrity_findings,
}


# An incremental build rewrites only the chains it touched (int_touched_chains); the rest of a chain mart is
# what the last published build validated.  So such a build validates the rows it wrote — the batch that
# came in — while the small marts (KPIs, findings) are validated whole every time.
CHANGED_ROWS = {
    "fct_claim_chains": "chain_id in (select chain_id from int_touched_chains)",
}


def validate_marts(
    warehouse: Path, changed_only: bool = False, settings=None, kept: list | None = None
) -> dict:
    """Validate every mart with a suite (only the rows an incremental build rewrote, with changed_only);
    returns the JSON-able result with a flat list of failures."""
    from expectations.run import validate_tables
    from pipelines.settings import duckdb_connect

    try:
        con = duckdb_connect(warehouse, read_only=True, settings=settings)
    except duckdb.ConnectionException:
        # dbt ran in this very process and still holds the file read-write: share that instance; nothing
        # here writes
        con = duckdb_connect(warehouse, settings=settings)
    try:
        where = {
            name: f" where {CHANGED_ROWS[name]}" if changed_only and name in CHANGED_ROWS else ""
            for name in MART_SUITES
        }
        tables = {
            name: pl.from_arrow(con.sql(f"select * from {name}{where[name]}").to_arrow_table())
            for name in MART_SUITES
        }
    finally:
        con.close()
    result = validate_tables({f"mart_{k}": v for k, v in tables.items()}, kept)
    result["scope"] = "rows rewritten by this build" if changed_only else "all rows"
    result["failures"] = [
        f"{table}: {f['expectation']} on {f['column']} ({f['unexpected_count']} rows)"
        for table, detail in result["tables"].items()
        for f in detail["failed"]
    ]
    return result
