"""
### revcycle_transform

Rebuild the warehouse whenever new raw tables or reference data are published (Asset-scheduled):

1. `prepare_build` starts `warehouse.build.duckdb`: a copy of the published warehouse when the same project
   built it (the incremental models then add what is new), otherwise from nothing;
2. the dbt project runs through astronomer-cosmos, one task per seed and model, then one task with every
   data and unit test, rendered from the dbt manifest so parsing this DAG never runs dbt;
3. `check_marts` runs the Great Expectations mart suites on the build file;
4. `publish_warehouse` swaps the build file over `warehouse.duckdb` (one atomic rename): readers see the
   old warehouse or the new one, never a half-built one.

Same steps as `revcycle build` (pipelines.build).  DuckDB has one writer, so the DAG runs one task at a
time and one run at a time, and claims the build file for the run (a `revcycle build` meanwhile refuses;
the claim is released on publish or when a task finally fails).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior

from pipelines.airflow_common import DEFAULT_ARGS, RAW_TABLES, REFERENCE_DATA, WAREHOUSE, on_failure
from pipelines.build import dbt_executable
from pipelines.gc_tuning import freeze_before_task, unfreeze_after_task
from pipelines.settings import get_settings

SETTINGS = get_settings()
MANIFEST = SETTINGS.dbt_dir / "target" / "manifest.json"
if not MANIFEST.exists():
    raise FileNotFoundError(
        f"{MANIFEST} is missing: run `revcycle dbt parse` (make setup does) so cosmos can render the dbt DAG"
    )


def on_transform_failure(context) -> None:
    """Alert record, and hand the build file back so `revcycle build` is not blocked by a dead run."""
    from pipelines.build import release_build

    on_failure(context)
    release_build(get_settings())


TRANSFORM_ARGS = {**DEFAULT_ARGS, "on_failure_callback": on_transform_failure}


@dag(
    dag_id="revcycle_transform",
    schedule=(RAW_TABLES | REFERENCE_DATA),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    max_active_tasks=1,
    default_args=TRANSFORM_ARGS,
    tags=["revcycle", "dbt", "transform"],
    doc_md=__doc__,
)
def revcycle_transform():
    @task
    def prepare_build() -> str:
        from airflow.sdk import get_current_context

        from pipelines.build import claim_build
        from pipelines.build import prepare_build as prepare

        s = get_settings()
        claim_build(s, owner=f"revcycle_transform/{get_current_context()['run_id']}")
        return str(prepare(s))

    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(
            dbt_project_path=SETTINGS.dbt_dir,
            manifest_path=MANIFEST,
            env_vars=SETTINGS.dbt_env(),
        ),
        profile_config=ProfileConfig(
            profile_name="revcycle",
            target_name=SETTINGS.engine,  # REVCYCLE_ENGINE: duckdb or spark
            profiles_yml_filepath=SETTINGS.dbt_dir / "profiles.yml",
        ),
        execution_config=ExecutionConfig(
            dbt_executable_path=dbt_executable(),
            invocation_mode=InvocationMode.DBT_RUNNER,
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            # all data and unit tests in one task after the last model: a test with several parents
            # (relationships, reconciliations) can only run once all of them exist in the build file
            test_behavior=TestBehavior.AFTER_ALL,
            emit_datasets=False,
        ),
        operator_args={
            # each task's manifest.json and run_results.json are written into cosmos's temporary copy of the
            # project and deleted with it; writing them (twice per dbt invocation) was ~1 s of every task
            "dbt_cmd_global_flags": ["--no-write-json"],
            "pre_execute": freeze_before_task,  # pipelines/gc_tuning.py: cosmos's gc.collect() per task
            "post_execute": unfreeze_after_task,
        },
        default_args=TRANSFORM_ARGS,
    )

    @task
    def check_marts() -> dict:
        from pipelines.build import check_marts as check
        from pipelines.build import finish_engine_build

        s = get_settings()
        finish_engine_build(s)  # a Spark build's tables exported into the DuckDB build file first
        result = check(s)
        return {t: d["rows"] for t, d in result["tables"].items()}

    @task(outlets=[WAREHOUSE])
    def publish_warehouse() -> str:
        from pipelines.build import publish_build, release_build

        s = get_settings()
        path = publish_build(s)
        release_build(s)
        return str(path)

    prepare_build() >> dbt >> check_marts() >> publish_warehouse()


revcycle_transform()
