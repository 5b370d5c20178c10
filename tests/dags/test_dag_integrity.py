"""DAG integrity: imports cleanly and fast, follows house rules, and is wired as designed."""

from __future__ import annotations

import ast
import sys
import time

import pytest
from airflow.dag_processing.dagbag import DagBag

from pipelines.settings import PROJECT_ROOT

DAGS = PROJECT_ROOT / "dags"
sys.path.insert(0, str(DAGS))  # as Airflow does: the DAG folder is importable, dags/common included
from common import RAW_TABLES, REFERENCE_DATA, WAREHOUSE

DAG_IDS = {"revcycle_ingest", "revcycle_reference", "revcycle_transform"}
APPROVED_TAGS = {"revcycle", "ingest", "dbt", "transform", "reference"}
PARSE_BUDGET_SECONDS = 10  # all three files


@pytest.fixture(scope="module")
def dagbag():
    t0 = time.perf_counter()
    bag = DagBag(dag_folder=str(DAGS))
    bag.parse_seconds = time.perf_counter() - t0
    return bag


def test_no_import_errors_within_budget(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == DAG_IDS
    assert dagbag.parse_seconds < PARSE_BUDGET_SECONDS, dagbag.parse_seconds


def test_house_rules(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags and set(dag.tags) <= APPROVED_TAGS, dag_id
        assert dag.catchup is False
        assert dag.max_active_runs == 1  # single writer
        assert dag.doc_md
        for t in dag.tasks:
            assert t.retries >= 2, (dag_id, t.task_id)
            assert t.retry_exponential_backoff, (dag_id, t.task_id)
            assert t.execution_timeout is not None, (dag_id, t.task_id)
            # the alert notifier: a record for the Data quality page, an email when SMTP is configured
            assert any(type(cb).__name__ == "FailureAlert" for cb in t.on_failure_callback), (
                dag_id,
                t.task_id,
            )
        # a run still going 45 minutes after it was queued raises a deadline alert (Airflow 3's SLA successor)
        [deadline] = dag.deadline
        assert deadline.callback.path == "pipelines.alerts.deadline_missed", dag_id
        assert deadline.interval.total_seconds() == 45 * 60, dag_id


def test_ingest_wiring(dagbag):
    dag = dagbag.dags["revcycle_ingest"]
    assert {t.task_id for t in dag.tasks} == {"find_landed_files", "ingest_files"}
    assert dag.get_task("ingest_files").upstream_task_ids == {"find_landed_files"}
    assert [o.uri for o in dag.get_task("ingest_files").outlets] == [RAW_TABLES.uri]


def test_transform_runs_on_assets_through_the_cli_build(dagbag):
    dag = dagbag.dags["revcycle_transform"]
    assert {t.task_id for t in dag.tasks} == {"build_warehouse"}
    assert [o.uri for o in dag.get_task("build_warehouse").outlets] == [WAREHOUSE.uri]
    # scheduled when either new raw tables or new reference data are published
    condition = dag.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"
    assert {a.uri for a in condition.objects} == {RAW_TABLES.uri, REFERENCE_DATA.uri}


def test_tasks_call_the_cli_functions():
    """The DAGs reuse pipelines.ingest/reference/build, not reimplement them."""
    imported = set()
    for f in DAGS.glob("*.py"):
        imported |= {
            (n.module, a.name)
            for n in ast.walk(ast.parse(f.read_text()))
            if isinstance(n, ast.ImportFrom)
            for a in n.names
        }
    for need in [("pipelines.ingest", "ingest_paths"), ("pipelines.reference", "load_landed_reference"),
                 ("pipelines.warehouse.build", "build_warehouse")]:  # fmt: skip
        assert need in imported, need


@pytest.mark.parametrize("name", ["revcycle_ingest.py", "revcycle_reference.py", "revcycle_transform.py",
                                  "common/__init__.py"])  # fmt: skip
def test_no_work_at_parse_time(name):
    """Nothing but Airflow and the shared DAG settings is imported at the top of a DAG file; the pipelines
    (polars, duckdb, dbt, Great Expectations) load inside the tasks."""
    tree = ast.parse((DAGS / name).read_text())
    top = {a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    top |= {n.module for n in tree.body if isinstance(n, ast.ImportFrom) and n.module}
    assert {m.split(".")[0] for m in top} <= {"__future__", "datetime", "airflow", "common"}, top


def test_failure_callback_writes_an_alert(tmp_path):
    from types import SimpleNamespace

    from pipelines.alerts import recent_alerts, record_failure
    from pipelines.settings import Settings

    s = Settings(project_root=PROJECT_ROOT, home=tmp_path)
    ti = SimpleNamespace(
        dag_id="revcycle_ingest", task_id="ingest_files", map_index=3, try_number=3, run_id="r1"
    )
    record_failure({"ti": ti, "exception": ValueError("boom")}, s)
    (s.runs_dir / "alerts.jsonl").open("a").write('{"cut by a cra')  # a torn last line is skipped
    alerts = recent_alerts(s)
    assert len(alerts) == 1
    assert alerts[0]["task_id"] == "ingest_files" and alerts[0]["error"] == "ValueError: boom"


class _SmtpServer:
    """The least SMTP a client needs to hand over one message; keeps what it was sent."""

    def __init__(self):
        import socketserver
        import threading

        self.messages: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                say = lambda line: self.wfile.write(line.encode() + b"\r\n")
                say("220 test")
                while line := self.rfile.readline().decode():
                    verb = line[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        say("250 test")
                    elif verb == "DATA":
                        say("354 go on")
                        body = []
                        while (row := self.rfile.readline().decode()) not in (".\r\n", ""):
                            body.append(row)
                        outer.messages.append("".join(body))
                        say("250 queued")
                    elif verb == "QUIT":
                        say("221 bye")
                        return
                    else:
                        say("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def connection(self) -> str:
        """The `revcycle_smtp` Airflow connection pointing at this server (AIRFLOW_CONN_REVCYCLE_SMTP)."""
        import json

        return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": self.port,
                           "extra": {"to": "billing-ops@example.org", "disable_ssl": True, "disable_tls": True}})  # fmt: skip


def test_a_missed_deadline_is_recorded_and_emailed(tmp_path, monkeypatch):
    """What the triggerer does when a run misses its deadline: awaits the DAGs' deadline callback with the run's
    context (the shape Airflow sends); the record reaches the Data quality page's list and the email goes out."""
    import asyncio

    from pipelines.alerts import deadline_missed, recent_alerts
    from pipelines.settings import get_settings

    smtp = _SmtpServer()
    monkeypatch.setenv("REVCYCLE_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW_CONN_REVCYCLE_SMTP", smtp.connection())
    context = {
        "dag_run": {"dag_id": "revcycle_transform", "dag_run_id": "asset_triggered__1", "state": "running",
                    "queued_at": "2026-12-06T04:00:00Z"},
        "deadline": {"id": "d1", "deadline_time": "2026-12-06T04:45:00Z"},
    }  # fmt: skip

    try:
        asyncio.run(deadline_missed(context=context, smtp_conn_id="revcycle_smtp"))
    finally:
        smtp.server.shutdown()
    [alert] = recent_alerts(get_settings())
    assert (alert["kind"], alert["dag_id"], alert["run_id"]) == (
        "deadline_missed", "revcycle_transform", "asset_triggered__1"
    )  # fmt: skip
    assert "2026-12-06T04:45:00Z" in alert["error"]
    [message] = smtp.messages
    assert "revcycle: revcycle_transform missed its deadline" in message


FAILING_DAG = """
from datetime import datetime

from airflow.sdk import dag, task
from common import DEFAULT_ARGS


@dag(schedule=None, start_date=datetime(2024, 1, 1), catchup=False, default_args={**DEFAULT_ARGS, "retries": 0})
def revcycle_failing():
    @task
    def breaks():
        raise ValueError("file bad.x12, segment 12: ELEM_BAD_AMOUNT")

    breaks()


revcycle_failing()
"""


@pytest.mark.e2e
def test_a_failing_task_calls_the_alert_notifier(tmp_path):
    """Under `airflow dags test`, a task that fails for good goes through the DAGs' notifier: the alert record
    the Data quality page reads, and an email through the `revcycle_smtp` Airflow connection."""
    import shutil

    from pipelines.alerts import recent_alerts
    from pipelines.cli.airflow_embedded import dags_test
    from pipelines.settings import Settings

    smtp = _SmtpServer()
    folder = tmp_path / "dags"
    shutil.copytree(DAGS / "common", folder / "common")
    (folder / "revcycle_failing.py").write_text(FAILING_DAG)
    s = Settings(project_root=PROJECT_ROOT, home=tmp_path / "home")
    env = {"AIRFLOW__CORE__DAGS_FOLDER": str(folder), "AIRFLOW_CONN_REVCYCLE_SMTP": smtp.connection()}
    try:
        proc = dags_test("revcycle_failing", s, extra_env=env)
    finally:
        smtp.server.shutdown()  # no thread left behind in the test process (a later fork would inherit it)
    assert proc.returncode != 0  # the run failed
    [alert] = recent_alerts(s)
    assert (alert["dag_id"], alert["task_id"]) == ("revcycle_failing", "breaks")
    assert "ELEM_BAD_AMOUNT" in alert["error"]
    [message] = smtp.messages
    assert "revcycle: revcycle_failing.breaks failed" in message and "billing-ops@example.org" in message
