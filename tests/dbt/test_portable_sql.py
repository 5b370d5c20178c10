"""The dbt project builds on DuckDB and on Apache Spark: engine-specific SQL lives only in the dispatch macros
of dbt_project/macros/portable/ (issue: scale-out).  This test fails when a model, seed config or other
macro uses a DuckDB-only construct directly; tests/spark/ proves the Spark build itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DBT = Path(__file__).resolve().parents[2] / "dbt_project"
PORTABLE = DBT / "macros" / "portable"

# DuckDB spellings Apache Spark SQL does not read (or reads differently), with the portable macro to use
DUCKDB_ONLY = {
    r"\barg_(max|min)\s*\(": "max_by / min_by",
    r"\blist(_[a-z_]+)?\s*\(": "list_* macros (macros/portable/functions.sql)",
    r"\b(unnest|generate_series|range)\s*\(": "explode() / month_ends() / a values list",
    r"\bquantile(_cont|_disc)?\s*\(": "percentile_cont()",
    r"\bdate_?diff\s*\(": "days_between()",
    r"\*\s*exclude\s*\(": "star_except()",
    r"\bunion\s+(all\s+)?by\s+name\b": "union_by_name()",
    r"\basof\s+(left\s+)?join\b": "asof_left_join()",
    r"\b(un)?pivot\b": "a union of selects",
    r"\bvarchar\b(?!\s*\()": "string (Spark needs a length for varchar)",
    r"\[\s*[\w'\"]": "list_of() (no [..] list literals)",
    r"\blambda\s+\w+\s*:": "list macros",
    r"\b(string_agg|listagg|group_concat)\s*\(": "string_agg_ordered()",
    r"\b(strftime|strptime|epoch|epoch_ms|struct_pack|array_to_string|len)\s*\(": "a dispatch macro",
    r"\bread_parquet\s*\(": "a source (macros/portable/sources.sql)",
    r"\browid\b": "rows_where() (Spark tables have no row ids)",
    r'"\w+"': "unquoted identifiers (Spark quotes with backticks)",
}


def _sql_without_jinja(text: str) -> str:
    text = re.sub(r"\{#.*?#\}", " ", text, flags=re.DOTALL)
    text = re.sub(r"\{\{.*?\}\}", " x ", text, flags=re.DOTALL)
    text = re.sub(r"\{%.*?%\}", " ", text, flags=re.DOTALL)
    text = re.sub(r"--[^\n]*", " ", text)
    return re.sub(r"'(?:[^']|'')*'", "'s'", text)  # string literals hold prose, not SQL


def _files() -> list[Path]:
    files = [*DBT.glob("models/**/*.sql"), *DBT.glob("macros/**/*.sql"), *DBT.glob("tests/**/*.sql")]
    return sorted(p for p in files if PORTABLE not in p.parents)


def violations(text: str) -> list[str]:
    sql = _sql_without_jinja(text)
    return [
        f"{m.group(0)!r} -> use {fix}"
        for pat, fix in DUCKDB_ONLY.items()
        for m in re.finditer(pat, sql, re.IGNORECASE)
    ]


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(DBT)))
def test_no_duckdb_only_sql_outside_the_portable_macros(path):
    found = violations(path.read_text())
    assert not found, f"{path.relative_to(DBT)}: " + "; ".join(found)


@pytest.mark.parametrize(
    "sql",
    ["select arg_max(a, b) from t", "select list(a) from t", "select * exclude (a) from t",
     "select a from t union all by name select a from u", "select a::varchar from t", "select [a, b] from t",
     "select date_diff('day', a, b) from t", "select quantile_cont(a, 0.5) from t", "from range(1, 10)",
     "select string_agg(a, ',') from t", 'select "a" from t', "asof left join u"],
)  # fmt: skip
def test_the_check_catches_duckdb_sql(sql):
    assert violations(sql), sql


def test_the_check_passes_portable_sql():
    assert not violations(
        "select max_by(a, b), {{ list_of('a', 'b') }}, cast(a as string), a::decimal(18, 2) from t "
        "-- a [comment] with list(x)\n where b = 'a [literal]'"
    )
