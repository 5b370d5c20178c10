"""Compare two warehouses built by different engines (DuckDB and the Spark build exported to DuckDB).

Used by ``make test-spark`` (tests/spark) and ``benchmarks/scaleout.py``: every mart must have the same row
count and the same sum per numeric column, and the KPI tables (denial rates, collections, A/R snapshots)
must agree row by row.  Engines differ in types, not in numbers: Spark's sum of decimal(18,2) is
decimal(28,2) where DuckDB's is decimal(38,2), a count is int or bigint — so numbers are compared as
doubles rounded to ``DIGITS`` places, lists as sorted text.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

MART_PREFIXES = ("fct_", "kpi_", "dim_")
ROW_BY_ROW = (
    "kpi_denial_rate_monthly",
    "kpi_collections_monthly",
    "kpi_integrity_rule_monthly",
    "fct_ar_snapshots",
)
DIGITS = 6
# which build wrote a row (macros/incremental_chains.sql): lineage, not content; a Spark build rebuilds the
# chain models whole where DuckDB recomputes touched chains, so the stamps differ by design
LINEAGE = ("_build_seq",)
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE", "FLOAT", "DECIMAL", "UBIGINT")


def _columns(con: duckdb.DuckDBPyConnection, db: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_name = ? order by ordinal_position",
        [db, table],
    ).fetchall()
    return {name.lower(): dtype.upper() for name, dtype in rows}


def _is_numeric(dtype: str) -> bool:
    return dtype.startswith(NUMERIC)


def _normalised(col: str, dtype: str) -> str:
    """One comparable value per cell whatever the engine's type."""
    if _is_numeric(dtype):
        return f"round(cast({col} as double), {DIGITS}) as {col}"
    if dtype.endswith("[]"):
        return f"array_to_string(list_sort({col}), ',') as {col}"
    if dtype == "BOOLEAN" or dtype.startswith(("DATE", "TIMESTAMP")):
        return col
    return f"cast({col} as varchar) as {col}"


def marts(con: duckdb.DuckDBPyConnection, db: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = ? order by 1", [db]
    ).fetchall()
    return [r[0] for r in rows if r[0].startswith(MART_PREFIXES)]


def compare_warehouses(
    reference: Path, candidate: Path, row_by_row: tuple[str, ...] = ROW_BY_ROW
) -> list[str]:
    """Differences between two warehouses' marts (empty when they agree)."""
    from pipelines.settings import duckdb_connect

    con = duckdb_connect()
    con.execute(f"attach '{reference}' as ref (read_only)")
    con.execute(f"attach '{candidate}' as cand (read_only)")
    problems: list[str] = []
    ref_marts, cand_marts = marts(con, "ref"), marts(con, "cand")
    problems += [f"{t}: missing from {candidate.name}" for t in ref_marts if t not in cand_marts]
    problems += [f"{t}: only in {candidate.name}" for t in cand_marts if t not in ref_marts]
    for table in (t for t in ref_marts if t in cand_marts):
        ref_cols, cand_cols = _columns(con, "ref", table), _columns(con, "cand", table)
        ref_cols = {c: t for c, t in ref_cols.items() if c not in LINEAGE}
        cand_cols = {c: t for c, t in cand_cols.items() if c not in LINEAGE}
        if list(ref_cols) != list(cand_cols):
            problems.append(f"{table}: columns differ: {list(ref_cols)} vs {list(cand_cols)}")
            continue
        numeric = [c for c, t in ref_cols.items() if _is_numeric(t)]
        aggregates = ", ".join(["count(*)"] + [f"sum(cast({c} as double))" for c in numeric])
        a = con.execute(f"select {aggregates} from ref.{table}").fetchone()
        b = con.execute(f"select {aggregates} from cand.{table}").fetchone()
        rows = a[0] or 0
        for name, x, y in zip(["rows", *(f"sum({c})" for c in numeric)], a, b, strict=True):
            # Spark rounds each decimal quotient to six places: a sum over n rows may differ by n half-units of
            # the sixth place, so sums are compared unrounded within that bound (rounding them first to a
            # fixed place turned a 1e-6 difference across a rounding boundary into a failure)
            bound = 1e-6 * max(1.0, abs(x or 0)) + rows * 5e-7
            if x != y and not (x is not None and y is not None and name != "rows" and abs(x - y) <= bound):
                problems.append(f"{table}: {name} {round(x, DIGITS) if isinstance(x, float) else x} vs "
                                f"{round(y, DIGITS) if isinstance(y, float) else y}")  # fmt: skip
        if table in row_by_row:
            cols = ", ".join(_normalised(c, t) for c, t in ref_cols.items())
            for left, right in (("ref", "cand"), ("cand", "ref")):
                extra = con.execute(
                    f"select count(*), any_value(x::varchar) from (select {cols} from {left}.{table} "
                    f"except all select {cols} from {right}.{table}) as x"
                ).fetchone()
                if extra[0]:
                    problems.append(f"{table}: {extra[0]} rows only in {left}, e.g. {extra[1]}")
    con.close()
    return problems
