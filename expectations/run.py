"""Run the batch suites on dataframes (pandas batches), never through GX's SQL datasource.

GX's DuckDB route via duckdb-engine is broken upstream (GX #10738/#11579), so every batch is handed
over as a pandas frame converted from polars.  One ephemeral context per process.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cache

import polars as pl

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
log = logging.getLogger(__name__)


@cache
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations.marts import MART_SUITES
    from expectations.suites import SUITES

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)  # keep CLI/Airflow logs readable
    batch_def = (
        ctx.data_sources.add_pandas("revcycle_batches")
        .add_dataframe_asset("batch")
        .add_batch_definition_whole_dataframe("whole")
    )
    suites = {name: ctx.suites.add(build()) for name, build in SUITES.items()}
    suites |= {f"mart_{name}": ctx.suites.add(build()) for name, build in MART_SUITES.items()}
    return ctx, batch_def, suites


def warm_up() -> None:
    """Import Great Expectations and build the context ahead of the first validation (cached)."""
    _context()


def warm_up_in_background() -> threading.Thread:
    """Start warm_up in a daemon thread and return it; join() it before validating.  Importing GX takes ~8 s
    on this 2-core machine, so the ingest does it while files parse and the build while dbt runs.  A failure
    here is left to the validation itself, which makes the same call and reports it."""

    def run() -> None:
        try:
            warm_up()
        except Exception:
            log.debug("warming up Great Expectations failed; the validation will report it", exc_info=True)

    thread = threading.Thread(target=run, name="warm-gx", daemon=True)
    thread.start()
    return thread


def _suite_columns(suite) -> list[str]:
    """The columns a suite's expectations read (every one of ours is column-level)."""
    cols: list[str] = []
    for exp in suite.expectations:
        cfg = exp.configuration.kwargs
        for c in [cfg.get("column"), *(cfg.get("column_list") or [])]:
            if c and c not in cols:
                cols.append(c)
    return cols


def _to_pandas(df: pl.DataFrame, columns: list[str]):
    # Only the columns the suite reads: GX fingerprints every batch by hashing the whole pandas frame, which
    # cost more than the checks themselves on wide X12 tables.  Decimal columns become float for range
    # checks; exact money stays in the published Parquet.
    return df.select(columns).with_columns(pl.col(pl.Decimal).cast(pl.Float64)).to_pandas()


# counts, never values: a result reaches reasons, logs, the Data quality page and the Data Docs site
# (expectations.docs), and the values that failed are patient data (the failing rows stay in quarantine)
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0}


def validate_tables(tables: dict[str, pl.DataFrame], kept: list | None = None) -> dict:
    """Validate every table that has a suite and rows; returns a JSON-able result with per-table detail.
    ``kept``: a list the GX result objects are appended to, as (table, result), for expectations.docs."""
    _, batch_def, suites = _context()
    out: dict = {"success": True, "tables": {}}
    for name, df in tables.items():
        if name not in suites or df.height == 0:
            continue
        batch = batch_def.get_batch(
            batch_parameters={"dataframe": _to_pandas(df, _suite_columns(suites[name]))}
        )
        res = batch.validate(suites[name], result_format=RESULT_FORMAT)
        if kept is not None:
            kept.append((name, res))
        unmet = [
            {
                "expectation": r.expectation_config.type,
                "column": r.expectation_config.kwargs.get("column")
                or r.expectation_config.kwargs.get("column_list"),
                "unexpected_count": (r.result or {}).get("unexpected_count"),
                "severity": str(getattr(r.expectation_config.severity, "value", "critical")),
            }
            for r in res.results
            if not r.success
        ]
        # a warning-severity expectation (a plausibility band) is reported, never blocks
        failed = [u for u in unmet if u["severity"] != "warning"]
        out["tables"][name] = {
            "success": not failed,
            "rows": df.height,
            "evaluated": res.statistics["evaluated_expectations"],
            "failed": failed,
            "warned": [u for u in unmet if u["severity"] == "warning"],
        }
        out["success"] = out["success"] and not failed
    return out
