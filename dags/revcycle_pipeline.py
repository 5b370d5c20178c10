"""
### revcycle_pipeline

Ingest every file in the landing folder, gate each batch with Great Expectations, publish it (or
quarantine it with its reason), then rebuild the warehouse with dbt and swap it in.

Dynamic task mapping over the landed files: parse -> validate -> publish, one mapped instance per
group of files (a single file per instance for small drops; at most `REVCYCLE_MAX_MAPPED_TASKS` groups
for large ones, so a 2,000-file day does not become 6,000 task instances).  Each file inside a group is
still published or quarantined on its own.  The tasks call
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
    def find_landed_files() -> list[list[str]]:
        """Landed files in groups: one mapped task instance per group (one file each for small drops)."""
        from pipelines.ingest import group_paths, landed_files
        from pipelines.settings import get_settings

        s = get_settings()
        return group_paths([str(p) for p in landed_files(s)], max_groups=s.max_mapped_tasks)

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
        from pipelines.ingest import Outcome, publish_staged
        from pipelines.settings import get_settings

        s = get_settings()
        published = [publish_staged(Outcome.from_dict(o), s) for o in outcomes]
        for out in published:
            print(out.summary_line())
            for reason in out.reasons[:20]:
                print(f"  {reason}")
        return [o.to_dict() for o in published]

    @task
    def load_reference_data() -> list[str]:
        """NCCI PTP, MUE, LEIE, physician time and death files from landing/reference (same as the CLI)."""
        from pipelines.reference import load_landed_reference
        from pipelines.settings import get_settings

        results = load_landed_reference(get_settings())
        for r in results:
            print(r.summary_line())
        return [r.summary_line() for r in results if r.status == "rejected"]

    @task(outlets=[WAREHOUSE], trigger_rule="none_failed")
    def build_warehouse(
        groups: list[list[dict]] | None = None, rejected_reference: list[str] | None = None
    ) -> dict:
        from pipelines.build import build_warehouse as build
        from pipelines.settings import get_settings

        res = build(get_settings())
        statuses = [o["status"] for group in (groups or []) for o in group]
        return {
            "files": len(statuses),
            "quarantined": statuses.count("rejected"),
            "partial": statuses.count("partial"),
            "duplicates": statuses.count("duplicate"),
            "reference_rejected": len(rejected_reference or []),
            "dbt_passed": res.passed,
            "seconds": round(res.seconds, 1),
        }

    staged = parse_files.expand(paths=find_landed_files())
    published = publish_batches.expand(outcomes=validate_batches.expand(outcomes=staged))
    build_warehouse(published, load_reference_data())


revcycle_pipeline()
