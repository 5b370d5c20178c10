"""
### revcycle_ingest

Every settled file in the landing folder: parse, gate with Great Expectations, publish atomically (or
quarantine with its reason), then move it out of landing/ (to the archive when it loaded, into its quarantine
folder when it did not).  Publishing emits the `revcycle_raw_tables` Asset, which schedules
`revcycle_transform`.

Dynamic task mapping over the landed files: one mapped instance per group of files (a single file per
instance for small drops; at most `REVCYCLE_MAX_MAPPED_TASKS` groups of up to 250 files for large ones, so a
2,000-file day does not become 2,000 task instances).  Each instance parses its files, gates them together
with Great Expectations and publishes (or quarantines) each file on its own: the function `revcycle ingest`
runs (pipelines.ingest.ingest_paths), in one process, so Great Expectations is imported once per group, not
once per step (docs/performance.md, "The scheduler path").  Re-running is idempotent: files are keyed by content hash, X12 transaction sets by
their control numbers and content.

Backfill by date range (`airflow backfill create --dag-id revcycle_ingest --from-date ... --to-date ...`)
with the `only_interval` param on: each run takes the files whose modification time falls in its data
interval.  Manual runs take every landed file that has settled.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task
from common import DEFAULT_ARGS, RAW_TABLES, run_deadline, task_settings


@dag(
    dag_id="revcycle_ingest",
    schedule="@hourly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    deadline=run_deadline(),
    params={
        "only_interval": Param(False, type="boolean", description="only files modified in the data interval")
    },
    tags=["revcycle", "ingest"],
    doc_md=__doc__,
)
def revcycle_ingest():
    @task
    def find_landed_files() -> list[list[str]]:
        """Settled landed files in groups: one mapped task instance per group (one file each for small drops);
        symbolic links out of landing/ are rejected here (never followed)."""
        from pipelines.ingest import group_paths, reject_outside_links, scan_landing
        from pipelines.ingest.stage import clean_stale_areas

        s = task_settings()
        ctx = get_current_context()
        since = until = None
        if ctx["params"].get("only_interval"):
            since, until = ctx.get("data_interval_start"), ctx.get("data_interval_end")
        clean_stale_areas(s)
        scan = scan_landing(s, since=since, until=until)
        for out in reject_outside_links(scan.outside_links, s):
            print(out.summary_line())
        if scan.settling:
            print(f"{len(scan.settling)} file(s) still changing, left for the next run")
        return group_paths([str(p) for p in scan.ready], max_groups=s.max_mapped_tasks,
                           max_group_size=s.ingest_group_files)  # fmt: skip

    @task(
        outlets=[RAW_TABLES],
        map_index_template="{{ task.op_kwargs['paths'][0].split('/')[-1] | truncate(60) }}",
    )
    def ingest_files(paths: list[str]) -> list[dict]:
        """Parse, gate and publish (or quarantine) one group of files, each on its own; a retry is a re-run
        (files are keyed by content hash, X12 sets by control numbers and content)."""
        from pathlib import Path

        from pipelines.ingest import ingest_paths

        # one process per mapped task: the executor runs the groups side by side
        outcomes = ingest_paths([Path(p) for p in paths], task_settings(), workers=1)
        for out in outcomes:
            print(out.summary_line())
            for reason in out.reasons[:20]:
                print(f"  {reason}")
        return [o.to_dict() for o in outcomes]

    ingest_files.expand(paths=find_landed_files())


revcycle_ingest()
