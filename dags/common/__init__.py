"""What the revcycle DAGs share (imported at DAG parse time: keep it light — no pipelines.* import here).

Airflow puts the DAG folder on sys.path, so the DAG files import this as ``common``; ``.airflowignore``
keeps the DAG processor from parsing it as a DAG file.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, BaseNotifier

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

    where = f"{row.get('dag_id')}.{row.get('task_id')}"
    body = "".join(
        f"<tr><th align=left>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in row.items()
    )
    with SmtpHook(smtp_conn_id=smtp_conn_id) as hook:
        hook.send_email_smtp(
            to=extra["to"],
            from_email=extra.get("from_email") or conn.login or "revcycle@localhost",
            subject=f"revcycle: {where} failed",
            html_content=f"<p>A revcycle task failed after its retries.</p><table>{body}</table>",
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
