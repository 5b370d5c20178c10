"""What the revcycle DAGs share (imported at DAG parse time: keep it light — pipelines.* only inside functions,
and at parse time only the settings and alerts modules, which import nothing heavy).

Airflow puts the DAG folder on sys.path, so the DAG files import this as ``common``; ``.airflowignore``
keeps the DAG processor from parsing it as a DAG file.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, AsyncCallback, BaseNotifier, DeadlineAlert, DeadlineReference

RAW_TABLES = Asset("revcycle_raw_tables")
REFERENCE_DATA = Asset("revcycle_reference_data")
WAREHOUSE = Asset("revcycle_warehouse")


class FailureAlert(BaseNotifier):
    """A task that failed for good: its record for the Data quality page (pipelines.alerts), and an email when
    the `revcycle_smtp` connection exists.  The message names the DAG, task, run and the error's first 500
    characters, which say where and what kind of problem, never a data value (pipelines.privacy)."""

    template_fields = ()

    def __init__(self, smtp_conn_id: str | None = None):
        super().__init__()
        self.smtp_conn_id = smtp_conn_id  # None: pipelines.alerts.SMTP_CONN_ID

    def notify(self, context) -> None:
        from pipelines.alerts import SMTP_CONN_ID, email_alert, record_failure

        email_alert(record_failure(context), self.smtp_conn_id or SMTP_CONN_ID)


def run_deadline() -> DeadlineAlert | None:
    """Every revcycle DAG's deadline: REVCYCLE_DAG_DEADLINE_MINUTES after its run was queued (pipelines.settings),
    none when that is 0."""
    from pipelines.alerts import SMTP_CONN_ID
    from pipelines.settings import get_settings  # both light: the stdlib only, no work at parse time

    minutes = get_settings().dag_deadline_minutes
    if not minutes:
        return None
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=minutes),
        # an importable module path: the triggerer that awaits it does not have the DAG folder on sys.path
        callback=AsyncCallback("pipelines.alerts.deadline_missed", kwargs={"smtp_conn_id": SMTP_CONN_ID}),
    )


def task_settings():
    """A task's first call: owner-only files from here on (the data root holds PHI), then the settings."""
    from pipelines.privacy import private_umask
    from pipelines.settings import get_settings

    private_umask()
    return get_settings()


DEFAULT_ARGS = {
    "owner": "revcycle",
    "retries": 2,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(minutes=60),
    "on_failure_callback": [FailureAlert()],
}
