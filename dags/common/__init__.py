"""What the revcycle DAGs share (imported at DAG parse time: keep it light — of pipelines.* only the settings
module, which imports nothing heavy).

Airflow puts the DAG folder on sys.path, so the DAG files import this as ``common``; ``.airflowignore``
keeps the DAG processor from parsing it as a DAG file.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, AsyncCallback, BaseNotifier, DeadlineAlert, DeadlineReference

RAW_TABLES = Asset("revcycle_raw_tables")
REFERENCE_DATA = Asset("revcycle_reference_data")
WAREHOUSE = Asset("revcycle_warehouse")


# An Airflow connection of type smtp (host, port, login, password); its extra names the recipients:
# {"to": "billing-ops@example.org", "from_email": "revcycle@example.org"}.  Set it in the UI, with
# `airflow connections add`, or as AIRFLOW_CONN_REVCYCLE_SMTP.
SMTP_CONN_ID = "revcycle_smtp"


class FailureAlert(BaseNotifier):
    """A task that failed for good: its record for the Data quality page (pipelines.alerts), and an email when
    the `revcycle_smtp` connection exists.  The message names the DAG, task, run and the error's first 500
    characters, which say where and what kind of problem, never a data value (pipelines.privacy)."""

    template_fields = ()

    def __init__(self, smtp_conn_id: str = SMTP_CONN_ID):
        super().__init__()
        self.smtp_conn_id = smtp_conn_id

    def notify(self, context) -> None:
        from pipelines.alerts import record_failure

        row = record_failure(context)
        email_alert(row, self.smtp_conn_id)


class DeadlineMissed(BaseNotifier):
    """A DAG run still unfinished at its deadline (Airflow 3's deadline alerts replace SLA misses): its record
    for the Data quality page and an email when the `revcycle_smtp` connection exists.  The triggerer awaits it
    with the run's context."""

    def __init__(self, context=None, smtp_conn_id: str = SMTP_CONN_ID):
        super().__init__(context)
        self.smtp_conn_id = smtp_conn_id

    async def async_notify(self, context) -> None:
        import asyncio

        await asyncio.to_thread(self.notify, context)  # a file append and an SMTP call: off the event loop

    def notify(self, context) -> None:
        from pipelines.alerts import record_deadline_miss

        email_alert(record_deadline_miss(context), self.smtp_conn_id)


def run_deadline() -> DeadlineAlert | None:
    """Every revcycle DAG's deadline: REVCYCLE_DAG_DEADLINE_MINUTES after its run was queued (pipelines.settings),
    none when that is 0."""
    from pipelines.settings import get_settings  # the settings module only: no heavy import at parse time

    minutes = get_settings().dag_deadline_minutes
    if not minutes:
        return None
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=minutes),
        callback=AsyncCallback(DeadlineMissed, kwargs={"smtp_conn_id": SMTP_CONN_ID}),
    )


def email_alert(row: dict, smtp_conn_id: str = SMTP_CONN_ID) -> bool:
    """Send the alert through the SMTP connection; False when none is configured (the record is kept)."""
    from html import escape

    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(smtp_conn_id)
    except AirflowNotFoundException:
        return False
    extra = conn.extra_dejson
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    if row.get("kind") == "deadline_missed":
        subject, intro = (
            f"revcycle: {row.get('dag_id')} missed its deadline",
            "A revcycle run is running late.",
        )
    else:
        subject = f"revcycle: {row.get('dag_id')}.{row.get('task_id')} failed"
        intro = "A revcycle task failed after its retries."
    body = "".join(
        f"<tr><th align=left>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in row.items()
    )
    with SmtpHook(smtp_conn_id=smtp_conn_id) as hook:
        hook.send_email_smtp(
            to=extra["to"],
            from_email=extra.get("from_email") or conn.login or "revcycle@localhost",
            subject=subject,
            html_content=f"<p>{intro}</p><table>{body}</table>",
        )
    return True


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
