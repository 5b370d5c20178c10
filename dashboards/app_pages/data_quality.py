"""Data quality: files published and quarantined (with reasons), dbt test results, freshness."""

import json

import polars as pl
import streamlit as st

from dashboards import filters, queries, ui
from expectations.docs import data_docs_index
from pipelines.alerts import recent_alerts
from pipelines.settings import get_settings
from pipelines.warehouse.read import quarantine_reasons

st.title("Data quality")
version = queries.require_warehouse()
ui.freshness_banner(version)
if filters.from_state().active:  # files, tests and alerts belong to no payer, provider or month
    st.caption("The sidebar filters do not apply on this page: it is about every file and build.")

files = queries.files(version)
rejected = [r for r in quarantine_reasons() if r["status"] == "rejected"]
c1, c2, c3 = st.columns(3)
c1.metric("Files published", f"{files['accepted']:,}")
c2.metric("Partially published", f"{files['partial']:,}")
c3.metric("Files quarantined", f"{files['quarantined']:,}")

st.subheader("Quarantine")
if rejected or files["partial"]:
    q = pl.DataFrame(
        [
            {
                "file": r["file"],
                "status": r["status"],
                "first reason": (r["reasons"] or [""])[0],
                "reasons": len(r["reasons"]),
                "quarantined at": r["quarantined_at"],
            }
            for r in quarantine_reasons()
        ]
    )
    ui.table(q)
else:
    st.success("Nothing quarantined.")

run_results = get_settings().runs_dir / "run_results.json"
if run_results.exists():
    from pipelines.warehouse.build import describe_nodes

    results = json.loads(run_results.read_text())["results"]
    failed = [r for r in results if r["status"] not in ("pass", "success")]
    st.subheader("Last dbt build")
    # the same words as the `revcycle build` line, from the same run_results.json
    st.caption(f"{describe_nodes(run_results)}; {len(failed)} not passing")
    if failed:
        ui.table(pl.DataFrame([{"test": r["unique_id"], "status": r["status"]} for r in failed]))

if (docs_index := data_docs_index(get_settings())).exists():
    st.markdown(
        "Every data check's result, file batch by file batch and build by build, is kept in Great Expectations' "
        "**Data Docs** (counts, never values): run `revcycle docs` and open "
        "[localhost:8580/gx/](http://localhost:8580/gx/index.html) — or the file "
        f"`{str(docs_index).replace('`', '')}`."
    )

st.subheader("Pipeline alerts")
alerts = recent_alerts()
if alerts:
    st.caption(
        "Failed Airflow task attempts (retries are attempts too) and runs still going at their deadline "
        "(REVCYCLE_DAG_DEADLINE_MINUTES after they were queued), newest first."
    )
    frame = pl.from_dicts(alerts, infer_schema_length=None)
    if "kind" not in frame.columns:  # records written before deadline alerts existed: all failures
        frame = frame.with_columns(kind=pl.lit(None, pl.String))
    kinds = {"task_failed": "task failed", "deadline_missed": "deadline missed"}
    ui.table(
        frame.with_columns(pl.col("kind").fill_null("task_failed").replace_strict(kinds)).select(
            "at", "kind", "dag_id", "task_id", "map_index", "try_number", "error"
        )
    )
else:
    st.success("No failed pipeline tasks or missed deadlines recorded.")

gx_marts = get_settings().runs_dir / "gx_marts.json"
if gx_marts.exists():
    marts = json.loads(gx_marts.read_text())
    st.subheader("Mart checks (Great Expectations, last build)")
    st.caption(
        "Across marts and rows, what dbt's tests cannot say: reconciliations (one quantity from two marts, to "
        "the cent; a failure keeps the build from being published) and plausibility bands (a warning: an "
        "unusual month to look at, never a block)."
    )
    ui.table(
        pl.DataFrame(
            [
                {
                    "mart": t.removeprefix("mart_"),
                    "rows": d["rows"],
                    "checks": d["evaluated"],
                    "failed": len(d["failed"]),
                    "warnings": len(d.get("warned", [])),
                }
                for t, d in marts["tables"].items()
            ]
        ),
    )
    for warning in marts.get("warnings", []):
        st.warning(warning)
    if marts.get("reconciliation"):
        ui.table(
            pl.DataFrame(marts["reconciliation"]), column_config={"left": "one mart", "right": "the other"}
        )

st.subheader("Latest files")
ui.table(queries.file_log(version))
