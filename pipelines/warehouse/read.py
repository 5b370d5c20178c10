"""Read-only access to the published warehouse, shared by the CLI summary and the dashboards.

Connections are short-lived and read-only: DuckDB lets many readers or one writer in, and the build
swaps a new file in place, so a connection is opened per query and closed straight after.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import polars as pl

from pipelines.settings import Settings, duckdb_connect, get_settings


class WarehouseNotBuilt(RuntimeError):
    pass


def query(
    sql: str, params: list | None = None, settings: Settings | None = None, retries: int = 5
) -> pl.DataFrame:
    settings = settings or get_settings()
    path: Path = settings.warehouse_path
    if not path.exists():
        raise WarehouseNotBuilt(f"no warehouse at {path}: run `revcycle run` (or `make demo`) first")
    for attempt in range(retries):
        try:
            con = duckdb_connect(path, read_only=True, settings=settings)
        except duckdb.IOException:
            # Only while another process holds a write lock on this very file (never the build file).
            if attempt == retries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
            continue
        try:
            return pl.from_arrow(con.sql(sql, params=params or None).to_arrow_table())
        finally:
            con.close()
    raise AssertionError("unreachable")


# The initial denial rate (docs/metrics.md) of any set of fct_claim_activity_monthly rows: the ratio of their
# summed parts.  kpi_denial_rate_monthly holds it per month for the whole book and for one payer, provider or
# location; a page filtering several segments at once sums the mart's rows with these, and nothing else
# divides them.
INITIAL_DENIAL_RATE = "sum(claims_initially_denied)::double / nullif(sum(claims_adjudicated), 0)"
INITIAL_DENIAL_RATE_DOLLARS = "sum(charges_initially_denied)::double / nullif(sum(charges_adjudicated), 0)"


def headline_sql(dims: str = "true", period: str = "true") -> str:
    """The headline numbers (`revcycle summary`, the Overview) from fct_claim_activity_monthly: claims counted
    in the month of their first 837, denials and cash in that of their first adjudication; the dashboard
    passes its filters as the two predicates (segments, and the period on `month`)."""
    return f"""
select
    coalesce(sum(claims_submitted), 0)::bigint                 as claims_submitted,
    coalesce(sum(claims_adjudicated), 0)::bigint               as claims_adjudicated,
    coalesce(sum(claims_initially_denied), 0)::bigint          as claims_initially_denied,
    {INITIAL_DENIAL_RATE}                                      as initial_denial_rate,
    coalesce(sum(paid_amount), 0)::double                      as paid_amount,
    coalesce(sum(charges_submitted), 0)::double                as charge_amount
from fct_claim_activity_monthly
where {dims} and {period}
"""


HEADLINE_SQL = headline_sql()


def headline_kpis(settings: Settings | None = None) -> dict:
    return query(HEADLINE_SQL, settings=settings).row(0, named=True)


def file_counts(settings: Settings | None = None) -> dict:
    s = settings or get_settings()
    published = query("select status, count(*) as n from stg_revcycle__files group by status", settings=s)
    counts = {r["status"]: r["n"] for r in published.iter_rows(named=True)}
    return {
        "accepted": counts.get("accepted", 0),
        "partial": counts.get("partial", 0),
        "quarantined": sum(r["status"] == "rejected" for r in quarantine_reasons(s)),
    }


def quarantine_reasons(settings: Settings | None = None) -> list[dict]:
    s = settings or get_settings()
    if not s.quarantine_dir.exists():
        return []
    return [json.loads(p.read_text()) for p in sorted(s.quarantine_dir.glob("*/reason.json"))]
