"""Great Expectations on the marts of a finished dbt build, before the build is published: what dbt's tests
cannot say.  dbt tests each model's keys, accepted values and row rules (the marts' yml); these look across
marts and across rows.

* **Reconciliation** (blocks the publish): one quantity computed by two marts must agree to the cent — the denial
  KPI's adjudicated and denied claims and the claim chains they count, the activity cube's claims and cash and
  the chains', the collections KPI's month-end A/R and the A/R snapshots, the payer rows and the whole-book row.
  A chain-scoped incremental build rewrites these marts separately, so a chain one of them missed shows here.
* **Plausibility** (a warning on the Data quality page, never a block: a real practice may be unusual): bands
  that, crossed, nearly always mean a linking or counting fault rather than a business fact — remits that match
  no claim, an initial denial rate above one half, a collection rate far above 100 %, A/R older than a year.

Run on pandas batches (GX's DuckDB route is broken upstream), reading the build file read-only.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import great_expectations as gx
import polars as pl

# two marts agree when they differ by less than half a cent
CENT_TOLERANCE = 0.005
# check name -> (left, right): two scalar queries that must agree
RECONCILIATIONS = {
    "denial KPI adjudicated claims = adjudicated chains": (
        "select sum(claims_adjudicated) from kpi_denial_rate_monthly where dimension = 'all'",
        (
            "select count(*) from fct_claim_chains "
            "where is_adjudicated and not is_voided and first_adjudication_date is not null"
        ),
    ),
    "denial KPI initially denied claims = initially denied chains": (
        "select sum(claims_initially_denied) from kpi_denial_rate_monthly where dimension = 'all'",
        (
            "select count(*) from fct_claim_chains "
            "where is_adjudicated and is_initially_denied and not is_voided and first_adjudication_date is not null"
        ),
    ),
    "activity claims submitted = submitted chains": (
        "select sum(claims_submitted) from fct_claim_activity_monthly",
        "select count(*) from fct_claim_chains where has_submission and first_submission_date is not null",
    ),
    "activity paid amount = chains' paid amount": (
        "select sum(paid_amount) from fct_claim_activity_monthly",
        (
            "select sum(coalesce(total_paid_amount, 0)) from fct_claim_chains "
            "where is_adjudicated and first_adjudication_date is not null"
        ),
    ),
    "collections KPI month-end A/R = A/R snapshots": (
        "select sum(ar_total) from kpi_collections_monthly where scope = 'all'",
        (
            "select sum(open_balance + secondary_balance + patient_balance) from fct_ar_snapshots "
            "where date_trunc('month', as_of_date) in (select month from kpi_collections_monthly where scope = 'all')"
        ),
    ),
    "collections KPI payer rows = whole-book A/R": (
        "select sum(ar_total) from kpi_collections_monthly where scope = 'payer'",
        "select sum(ar_total) from kpi_collections_monthly where scope = 'all'",
    ),
    "collections KPI payer rows = whole-book cash": (
        "select sum(total_cash_collected) from kpi_collections_monthly where scope = 'payer'",
        "select sum(total_cash_collected) from kpi_collections_monthly where scope = 'all'",
    ),
}


def _reconciliation() -> gx.ExpectationSuite:
    s = gx.ExpectationSuite(name="mart_reconciliation")
    s.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(column="difference", min_value=-CENT_TOLERANCE,
                                                                   max_value=CENT_TOLERANCE))  # fmt: skip
    return s


def _claim_chains() -> gx.ExpectationSuite:
    s = gx.ExpectationSuite(name="mart_fct_claim_chains")
    # an 835 whose claims match nothing we billed, for more than a few chains: a linking fault (CLP01 or
    # REF*F8 read wrong), not payers paying claims nobody sent
    s.add_expectation(gx.expectations.ExpectColumnValuesToBeInSet(
        column="match_reason", value_set=["ref_f8", "claim_id", "no_remit"], mostly=0.95, severity="warning"))  # fmt: skip
    return s


def _denial_rates() -> gx.ExpectationSuite:
    s = gx.ExpectationSuite(name="mart_kpi_denial_rate_monthly")
    # whole-book months with enough decisions to mean something (MIN_CLAIMS); practices run 5-15 %
    s.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(
        column="initial_denial_rate_simple", max_value=0.5, severity="warning"))  # fmt: skip
    return s


def _collections() -> gx.ExpectationSuite:
    s = gx.ExpectationSuite(name="mart_kpi_collections_monthly")
    # whole-book months: cash over 150 % of what was expected (trailing 3 or 12 months) is double-counted
    # cash or missing charges; A/R days past a year means balances that never close
    for col in ("net_collection_rate_12m", "net_collection_rate_3m"):
        s.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(column=col, min_value=0, max_value=1.5,
                                                                       severity="warning"))  # fmt: skip
    s.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(column="days_in_total_ar", min_value=0,
                                                                   max_value=365, severity="warning"))  # fmt: skip
    return s


MIN_CLAIMS = 30

MART_SUITES = {
    "reconciliation": _reconciliation,
    "fct_claim_chains": _claim_chains,
    "kpi_denial_rate_monthly": _denial_rates,
    "kpi_collections_monthly": _collections,
}

# what each suite reads: the rows the check is about, and only the columns it needs
MART_QUERIES = {
    "fct_claim_chains": "select match_reason from fct_claim_chains",
    "kpi_denial_rate_monthly": "select initial_denial_rate_simple from kpi_denial_rate_monthly "
    f"where dimension = 'all' and claims_adjudicated >= {MIN_CLAIMS}",
    "kpi_collections_monthly": "select net_collection_rate_12m, net_collection_rate_3m, days_in_total_ar "
    "from kpi_collections_monthly where scope = 'all'",
}

# An incremental build rewrites only the chains it touched (int_touched_chains); the rest of a chain mart is
# what the last published build validated.  So such a build checks the chains it wrote; the reconciliations
# and the small marts are checked whole every time.
CHANGED_ROWS = {
    "fct_claim_chains": "chain_id in (select chain_id from int_touched_chains)",
}


def _reconciliation_frame(con) -> pl.DataFrame:
    rows = []
    for name, (left, right) in RECONCILIATIONS.items():
        a, b = (float(con.execute(q).fetchall()[0][0] or 0) for q in (left, right))
        rows.append({"check": name, "left": a, "right": b, "difference": round(a - b, 6)})
    return pl.DataFrame(rows)


def validate_marts(
    warehouse: Path, changed_only: bool = False, settings=None, kept: list | None = None
) -> dict:
    """Reconcile the marts and check their plausibility (only the chains an incremental build rewrote, with
    changed_only); returns the JSON-able result with a flat list of the failures that block publishing and
    of the warnings."""
    from expectations.run import validate_tables
    from pipelines.settings import duckdb_connect

    try:
        con = duckdb_connect(warehouse, read_only=True, settings=settings)
    except duckdb.ConnectionException:
        # dbt ran in this very process and still holds the file read-write: share that instance; nothing
        # here writes
        con = duckdb_connect(warehouse, settings=settings)
    try:
        tables = {"reconciliation": _reconciliation_frame(con)}
        for name, sql in MART_QUERIES.items():
            if changed_only and name in CHANGED_ROWS:
                sql += (" and " if " where " in sql else " where ") + CHANGED_ROWS[name]
            tables[name] = pl.from_arrow(con.sql(sql).to_arrow_table())
    finally:
        con.close()
    result = validate_tables({f"mart_{k}": v for k, v in tables.items()}, kept)
    result["scope"] = "rows rewritten by this build" if changed_only else "all rows"
    result["reconciliation"] = tables["reconciliation"].to_dicts()
    result["failures"] = [
        f"{table}: {f['expectation']} on {f['column']} ({f['unexpected_count']} rows)"
        + (" — " + "; ".join(r["check"] for r in result["reconciliation"] if abs(r["difference"]) > CENT_TOLERANCE)
           if table == "mart_reconciliation" else "")
        for table, detail in result["tables"].items()
        for f in detail["failed"]
    ]  # fmt: skip
    result["warnings"] = [
        f"{table}: {f['expectation']} on {f['column']} ({f['unexpected_count']} rows)"
        for table, detail in result["tables"].items()
        for f in detail.get("warned", [])
    ]
    return result
