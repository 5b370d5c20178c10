"""
### revcycle_ingest

Every file in the landing folder: parse, gate with Great Expectations, publish atomically (or quarantine
with its reason).  Publishing emits the `revcycle_raw_tables` Asset, which schedules `revcycle_transform`.

Dynamic task mapping over the landed files: parse -> validate -> publish, one mapped instance per group of
files (a single file per instance for small drops; at most `REVCYCLE_MAX_MAPPED_TASKS` groups for large
ones, so a 2,000-file day does not become 6,000 task instances).  Each file inside a group is still
published or quarantined on its own.  The tasks call the same functions as `revcycle ingest`
(pipelines.ingest).  Re-running is idempotent: files are keyed by content hash.

Backfill by date range (`airflow backfill create --dag-id revcycle_ingest --from-date ... --to-date ...`)
with the `only_interval` param on: each run takes the files whose modification time falls in its data
interval.  Manual runs take every landed file that is not published yet.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task

from pipelines.airflow_common import DEFAULT_ARGS, RAW_TABLES


@dag(
    dag_id="revcycle_ingest",
    schedule="@hourly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "only_interval": Param(False, type="boolean", description="only files modified in the data interval")
    },
    tags=["revcycle", "ingest"],
    doc_md=__doc__,
)
def revcycle_ingest():
    @task
    def find_landed_files() -> list[list[str]]:
        """Landed files in groups: one mapped task instance per group (one file each for small drops)."""
        from pipelines.ingest import group_paths, landed_files
        from pipelines.settings import get_settings

        s = get_settings()
        ctx = get_current_context()
        since = until = None
        if ctx["params"].get("only_interval"):
            since, until = ctx.get("data_interval_start"), ctx.get("data_interval_end")
        return group_paths([str(p) for p in landed_files(s, since, until)], max_groups=s.max_mapped_tasks)

    @task(map_index_template="{{ task.op_kwargs['paths'][0].split('/')[-1] }}")
    def parse_files(paths: list[str]) -> list[dict]:
        from pipelines.ingest import stage_file
        from pipelines.settings import get_settings

        s = get_settings()
        return [stage_file(p, s).to_dict() for p in paths]

    @task
    def validate_batches(outcomes: list[dict]) -> list[dict]:
        from pipelines.ingest import Outcome, validate_staged_many
        from pipelines.settings import get_settings

        checked = validate_staged_many([Outcome.from_dict(o) for o in outcomes], get_settings())
        return [o.to_dict() for o in checked]

    @task(outlets=[RAW_TABLES])
    def publish_batches(outcomes: list[dict]) -> list[dict]:
        from pipelines.ingest import Outcome, publish_staged_many
        from pipelines.settings import get_settings

        published = publish_staged_many([Outcome.from_dict(o) for o in outcomes], get_settings())
        for out in published:
            print(out.summary_line())
            for reason in out.reasons[:20]:
                print(f"  {reason}")
        return [o.to_dict() for o in published]

    staged = parse_files.expand(paths=find_landed_files())
    publish_batches.expand(outcomes=validate_batches.expand(outcomes=staged))


revcycle_ingest()
