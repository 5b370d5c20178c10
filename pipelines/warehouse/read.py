"""Read-only access to the published warehouse, shared by the CLI summary and the dashboards.

DuckDB lets many readers or one writer in, and the build swaps a new file in place.  ``query`` opens a
read-only connection per query and closes it straight after (the CLI's few questions); a ``Reader`` keeps one
read-only connection on one published file for many queries (the dashboard's, per warehouse version).
"""

from __future__ import annotations

import json
import os
import threading
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
    con = _open(settings.warehouse_path, lambda: duckdb_connect(settings.warehouse_path, read_only=True,
                                                                settings=settings), retries)  # fmt: skip
    try:
        return _frame(con, sql, params)
    finally:
        con.close()


def _open(path: Path, connect, retries: int = 5):
    if not path.exists():
        raise WarehouseNotBuilt(f"no warehouse at {path}: run `revcycle run` (or `make demo`) first")
    for attempt in range(retries):
        try:
            return connect()
        except duckdb.IOException:
            # Only while another process holds a write lock on this very file (never the build file).
            if attempt == retries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _frame(con, sql: str, params: list | None) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql, params=params or None).to_arrow_table())


class Reader:
    """One read-only connection on the published warehouse file as it was when opened, for many queries
    from many threads (each through a cursor of its own).  Opening costs a DuckDB instance and the file's
    catalog for every query otherwise; one connection also shares its block cache between a page's queries.

    The file is attached to an in-memory database rather than opened by path: DuckDB hands a second
    connection to a path that is still open the instance already open on it, which after a swap is the old
    file; an attachment always opens the file the path names now.  ``version``: that file's mtime, which the
    dashboards key their caches by."""

    def __init__(self, settings: Settings | None = None, retries: int = 5):
        settings = settings or get_settings()
        self.path: Path = settings.warehouse_path
        self._lock = threading.Lock()
        self._con = duckdb_connect(None, settings=settings)
        while True:
            before = os.stat(self.path).st_mtime if self.path.exists() else None
            _open(self.path, lambda: self._con.execute(
                f"attach '{_sql_string(self.path)}' as warehouse (read_only)"), retries)  # fmt: skip
            if before == os.stat(self.path).st_mtime:  # not swapped while attaching
                break
            self._con.execute("detach warehouse")
        self.version: float = before

    def query(self, sql: str, params: list | None = None) -> pl.DataFrame:
        with self._lock:  # a DuckDB connection is not for several threads at once: each query a cursor
            cur = self._con.cursor()
        try:
            cur.execute("use warehouse")
            return _frame(cur, sql, params)
        finally:
            cur.close()


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


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
