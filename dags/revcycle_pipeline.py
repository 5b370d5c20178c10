"""
### revcycle_pipeline

Ingest every file in the landing folder, gate each batch with Great Expectations, publish it (or
quarantine it with its reason), then rebuild the warehouse with dbt and swap it in.

One mapped task instance per file (dynamic task mapping): parse -> validate -> publish.  The tasks call
the same functions as the `revcycle` CLI (pipelines.ingest, pipelines.build); all paths come from
pipelines.settings.  Re-running is idempotent: files are keyed by content hash.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task

RAW_TABLES = Asset("revcycle_raw_tables")
WAREHOUSE = Asset("revcycle_warehouse")

DEFAULT_ARGS = {
    "owner": "revcycle",
    "retries": 2,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(minutes=60),
}


@dag(
    dag_id="revcycle_pipeline",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["revcycle", "ingest", "dbt"],
    doc_md=__doc__,
)
def revcycle_pipeline():
    @task
    def find_landed_files() -> list[str]:
        from pipelines.ingest import landed_files
        from pipelines.settings import get_settings

        return [str(p) for p in landed_files(get_settings())]

    @task(map_index_template="{{ task.op_kwargs['path'].split('/')[-1] }}")
    def parse_file(path: str) -> dict:
        from pipelines.ingest import stage_file
        from pipelines.settings import get_settings

        return stage_file(path, get_settings()).to_dict()

    @task
    def validate_batch(outcome: dict) -> dict:
        from pipelines.ingest import Outcome, validate_staged
        from pipelines.settings import get_settings

        return validate_staged(Outcome.from_dict(outcome), get_settings()).to_dict()

    @task(outlets=[RAW_TABLES])
    def publish_batch(outcome: dict) -> dict:
        from pipelines.ingest import Outcome, publish_staged
        from pipelines.settings import get_settings

        out = publish_staged(Outcome.from_dict(outcome), get_settings())
        print(out.summary_line())
        for reason in out.reasons[:20]:
            print(f"  {reason}")
        return out.to_dict()

    @task(outlets=[WAREHOUSE], trigger_rule="none_failed")
    def build_warehouse(outcomes: list[dict] | None = None) -> dict:
        from pipelines.build import build_warehouse as build
        from pipelines.settings import get_settings

        res = build(get_settings())
        statuses = [o["status"] for o in (outcomes or [])]
        return {
            "files": len(statuses),
            "quarantined": statuses.count("rejected"),
            "partial": statuses.count("partial"),
            "dbt_passed": res.passed,
            "seconds": round(res.seconds, 1),
        }

    staged = parse_file.expand(path=find_landed_files())
    published = publish_batch.expand(outcome=validate_batch.expand(outcome=staged))
    build_warehouse(published)


revcycle_pipeline()
