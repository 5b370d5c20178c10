"""
### revcycle_reference

Load the reference files the billing-integrity rules check against -- CMS NCCI PTP, CMS MUE, OIG LEIE
(monthly), physician time, patient death dates, the PFS RVU file, CARC/RARC lists -- from
`landing/reference/`.  Runs daily; handled files leave the folder (loaded ones to the archive), so only new
quarters/months do any work, and a file already loaded (same bytes) is skipped.  A file that does not parse is
quarantined whole with its reason (the Data quality page lists it).  Loading something new emits the
`revcycle_reference_data` Asset, which schedules `revcycle_transform`.  Same function as `revcycle reference`
/ `revcycle run` (pipelines.reference).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task
from common import DEFAULT_ARGS, REFERENCE_DATA, run_deadline, task_settings


@dag(
    dag_id="revcycle_reference",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    deadline=run_deadline(),
    tags=["revcycle", "reference"],
    doc_md=__doc__,
)
def revcycle_reference():
    @task(outlets=[REFERENCE_DATA])
    def load_reference_data() -> list[str]:
        from pipelines.reference import load_landed_reference

        results = load_landed_reference(task_settings())
        for r in results:
            print(r.summary_line())  # a rejected file is in quarantine/ with its reason (Data quality page)
        return [r.summary_line() for r in results]

    load_reference_data()


revcycle_reference()
