"""
### revcycle_transform

Rebuild the warehouse whenever new raw tables or reference data are published (Asset-scheduled), with the
same function as `revcycle build` (pipelines.warehouse.build.build_warehouse), so the DAG and the CLI build alike:

1. the raw batches published so far are pinned (a batch published during the build waits for the next run);
2. `warehouse.build.duckdb` starts as a copy of the published warehouse when the same project built it (the
   incremental models then add what is new), otherwise from nothing;
3. `dbt build` — models, seeds, data and unit tests — runs into it;
4. Great Expectations checks the marts;
5. the build file is swapped over `warehouse.duckdb` (one atomic rename): readers see the old warehouse or
   the new one, never a half-built one.

One task: dbt plans and orders the ~130 nodes itself, and a task per node cost ~1 s of Airflow overhead each
(docs/orchestration.md).  The lineage is in the dbt docs (`revcycle docs`).  DuckDB has one writer: one run
at a time, and the build holds the home's build lock, so a `revcycle build` meanwhile waits.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task
from common import DEFAULT_ARGS, RAW_TABLES, REFERENCE_DATA, WAREHOUSE, run_deadline, task_settings


@dag(
    dag_id="revcycle_transform",
    schedule=(RAW_TABLES | REFERENCE_DATA),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    deadline=run_deadline(),
    tags=["revcycle", "dbt", "transform"],
    doc_md=__doc__,
)
def revcycle_transform():
    @task(outlets=[WAREHOUSE])
    def build_warehouse() -> dict:
        """dbt build into a copy, mart checks, swap: pipelines.warehouse.build.build_warehouse."""
        from pipelines.warehouse.build import BuildError
        from pipelines.warehouse.build import build_warehouse as build

        try:
            res = build(task_settings())
        except BuildError as e:
            print(str(e))
            raise
        print(
            f"dbt build: {res.passed} passed, {res.warned} warned, {res.skipped} skipped in {res.seconds:.1f}s"
        )
        return {"passed": res.passed, "warned": res.warned, "seconds": res.seconds, "phases": res.phases,
                "started_from": res.started_from}  # fmt: skip

    build_warehouse()


revcycle_transform()
