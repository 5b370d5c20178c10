"""What the revcycle DAGs share (imported at DAG parse time: keep it light — no pipelines.* import here).

Airflow puts the DAG folder on sys.path, so the DAG files import this as ``common``; ``.airflowignore``
keeps the DAG processor from parsing it as a DAG file.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset

RAW_TABLES = Asset("revcycle_raw_tables")
REFERENCE_DATA = Asset("revcycle_reference_data")
WAREHOUSE = Asset("revcycle_warehouse")


def on_failure(context) -> None:
    """Write an alert record the Data quality page shows (pipelines.alerts)."""
    from pipelines.alerts import record_failure

    record_failure(context)


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
    "on_failure_callback": on_failure,
}
