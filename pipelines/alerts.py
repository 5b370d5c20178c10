"""Alert records for the Airflow DAGs, shown on the Data quality page: failed task attempts and runs that missed
their deadline.

Airflow's on_failure_callback calls ``record_failure`` with the task context, a missed deadline alert (Airflow 3's
successor of SLAs) ``record_deadline_miss`` with the run's context; one JSON line per alert goes to
runs/alerts.jsonl under the data root, every line with the same keys.  The exception text is cut short and
carries no rows (parser messages name files and segment positions, never patient data).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pipelines.settings import Settings, get_settings

ALERTS_FILE = "alerts.jsonl"
# An Airflow connection of type smtp (host, port, login, password); its extra names the recipients:
# {"to": "billing-ops@example.org", "from_email": "revcycle@example.org"}.  Set it in the UI, with
# `airflow connections add`, or as AIRFLOW_CONN_REVCYCLE_SMTP.
SMTP_CONN_ID = "revcycle_smtp"


def record_failure(context: dict, settings: Settings | None = None) -> dict:
    settings = settings or get_settings()
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    exc = context.get("exception")
    row = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": "task_failed",
        "dag_id": getattr(ti, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", None),
        "try_number": getattr(ti, "try_number", None),
        "run_id": getattr(dag_run, "run_id", None) or getattr(ti, "run_id", None),
        "error": (f"{type(exc).__name__}: {exc}" if exc is not None else "unknown error")[:500],
    }
    return _append(row, settings)


def record_deadline_miss(context: dict, settings: Settings | None = None) -> dict:
    """A DAG run still unfinished at its deadline.  ``context`` is what Airflow gives a deadline callback: the
    run as a plain dict (``dag_run``) and the deadline (``deadline``)."""
    run = context.get("dag_run") or {}
    deadline = (context.get("deadline") or {}).get("deadline_time")
    row = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": "deadline_missed",
        "dag_id": run.get("dag_id"),
        "task_id": None,
        "map_index": None,
        "try_number": None,
        "run_id": run.get("dag_run_id") or run.get("run_id"),
        "error": f"run not finished by its deadline {deadline} (queued {run.get('queued_at')}, state "
        f"{run.get('state')})",
    }
    return _append(row, settings or get_settings())


async def deadline_missed(context: dict, smtp_conn_id: str = SMTP_CONN_ID) -> None:
    """The DAGs' deadline callback (dags/common run_deadline), awaited by Airflow's triggerer with the run's
    context: the record, then the email.  It lives here, not beside the DAGs, because the triggerer imports it
    by module path and does not have the DAG folder on sys.path."""
    import asyncio

    # a file append and an SMTP exchange: off the triggerer's event loop
    await asyncio.to_thread(lambda: email_alert(record_deadline_miss(context), smtp_conn_id))


def email_alert(row: dict, smtp_conn_id: str = SMTP_CONN_ID) -> bool:
    """Send an alert record through the SMTP connection (Airflow's SMTP provider); False when none is
    configured (the record is kept either way).  Airflow is imported here only: the dashboard reads the records
    without it."""
    from html import escape

    from airflow.providers.smtp.hooks.smtp import SmtpHook
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(smtp_conn_id)
    except AirflowNotFoundException:
        return False
    extra = conn.extra_dejson
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


def _append(row: dict, settings: Settings) -> dict:
    from pipelines.privacy import append_private

    append_private(
        settings.runs_dir / ALERTS_FILE, json.dumps(row, default=str) + "\n", settings.run_log_max_bytes
    )
    return row


def recent_alerts(settings: Settings | None = None, limit: int = 50) -> list[dict]:
    path = (settings or get_settings()).runs_dir / ALERTS_FILE
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by a crash mid-write: skip it, keep the rest
            continue
    return rows[-limit:][::-1]
