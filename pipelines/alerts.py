"""Alert records for failed Airflow tasks, shown on the Data quality page.

Airflow's on_failure_callback calls ``record_failure`` with the task context; one JSON line per failure
goes to runs/alerts.jsonl under the data root.  The exception text is cut short and carries no rows
(parser messages name files and segment positions, never patient data).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pipelines.settings import Settings, get_settings

ALERTS_FILE = "alerts.jsonl"


def record_failure(context: dict, settings: Settings | None = None) -> dict:
    settings = settings or get_settings()
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    exc = context.get("exception")
    row = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dag_id": getattr(ti, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", None),
        "try_number": getattr(ti, "try_number", None),
        "run_id": getattr(dag_run, "run_id", None) or getattr(ti, "run_id", None),
        "error": (f"{type(exc).__name__}: {exc}" if exc is not None else "unknown error")[:500],
    }
    settings.runs_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.runs_dir / ALERTS_FILE, "a") as fh:
        fh.write(json.dumps(row) + "\n")
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
