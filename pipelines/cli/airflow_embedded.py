"""Run the project's DAGs embedded: `airflow dags test` with a SQLite metadata DB under the data root.

`dag.test()` from a bare script fails in Airflow 3 ("dag is not serialized"), so we go through the
`airflow` CLI in a subprocess with the environment from settings.  The metadata DB is migrated once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from pipelines.runtime import return_freed_memory
from pipelines.settings import Settings


def airflow_executable() -> str:
    candidate = Path(sys.executable).parent / "airflow"
    return str(candidate) if candidate.exists() else "airflow"


def airflow_env(settings: Settings, port: int | None = None, host: str = "127.0.0.1") -> dict[str, str]:
    """The environment every Airflow process of this project runs with.  ``port``/``host``: where the API
    server (UI, REST and the Execution API the task supervisor calls) listens; every setting that names it
    is derived from them, so another port works end to end."""
    env = {**os.environ, **settings.airflow_env()}
    # `airflow standalone` starts its components as `airflow ...` subprocesses: the venv's bin must be on PATH
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return_freed_memory(env)  # every task process: polars returns freed pages promptly (pipelines.runtime)
    env.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "120")
    env.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    # LocalExecutor worker processes and API server workers sized to the machine (the defaults are 32 and 4)
    env.setdefault("AIRFLOW__CORE__PARALLELISM", str(max(2, os.cpu_count() or 2)))
    env.setdefault("AIRFLOW__API__WORKERS", "1")
    if port is not None:
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
        env["AIRFLOW__API__HOST"] = host
        env["AIRFLOW__API__PORT"] = str(port)
        env["AIRFLOW__API__BASE_URL"] = f"http://{shown}:{port}"
        env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://{shown}:{port}/execution/"
    return env


def ensure_metadata_db(settings: Settings) -> None:
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    stamp = settings.airflow_home / ".migrated"
    if stamp.exists():
        return
    proc = subprocess.run([airflow_executable(), "db", "migrate"], env=airflow_env(settings),
                          capture_output=True, text=True, check=False)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    stamp.write_text("ok\n")


def dags_test(
    dag_id: str, settings: Settings, logical_date: str | None = None, extra_env: dict | None = None
) -> subprocess.CompletedProcess:
    ensure_metadata_db(settings)
    cmd = [airflow_executable(), "dags", "test", dag_id]
    if logical_date:
        cmd.append(logical_date)
    env = {**airflow_env(settings), **(extra_env or {})}
    # no deadline alerts here: `dags test` runs without a scheduler or triggerer, so none could fire, and Airflow
    # 3.3's `dags test` exits non-zero after a successful run of a DAG that has one (apache/airflow#73428)
    env["REVCYCLE_DAG_DEADLINE_MINUTES"] = "0"
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)


# ------------------------------------------------------------- watching `revcycle airflow` (tests, benchmarks)
# The whole pipeline as the scheduler would chain it: reference data and extracts, then the rebuild.
PIPELINE_DAGS = ("revcycle_reference", "revcycle_ingest", "revcycle_transform")
PIPELINE_DAG_IDS = frozenset(PIPELINE_DAGS)


def dag_runs(db: Path) -> list[tuple]:
    """(dag_id, state, start_date, end_date) of every DAG run in a standalone Airflow's SQLite metadata DB, read
    read-only; [] while the DB is not there or busy."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            return con.execute("select dag_id, state, start_date, end_date from dag_run").fetchall()
    except sqlite3.Error:
        return []


def pipeline_settled(db: Path) -> bool:
    """The landed files are through: both source DAGs succeeded, nothing is queued or running, and a transform
    run that started after the last publish succeeded."""
    import sqlite3

    runs = dag_runs(db)
    if not runs or any(state in ("queued", "running") for _, state, _, _ in runs):
        return False
    if not PIPELINE_DAG_IDS <= {dag for dag, state, _, _ in runs if state == "success"}:
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            last_publish = con.execute(
                "select max(end_date) from task_instance where dag_id in ('revcycle_ingest', 'revcycle_reference') "
                "and task_id in ('ingest_files', 'load_reference_data')"
            ).fetchone()[0]
    except sqlite3.Error:
        return False
    return any(
        d == "revcycle_transform" and s == "success" and start >= last_publish for d, s, start, _ in runs
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def standalone(settings: Settings, log_path: Path, extra_env: dict | None = None):
    """`revcycle airflow` on a free port as a process group, its output in ``log_path``; yields (process, the
    metadata DB's path) and stops every component on the way out (SIGTERM, then SIGKILL after a minute)."""
    import signal

    env = {**os.environ, "REVCYCLE_HOME": str(settings.home), **(extra_env or {})}
    env.pop("AIRFLOW_HOME", None)  # the home's own (settings.airflow_home), as `revcycle airflow` sets it
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli.main", "airflow", "--port", str(free_port())],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            yield proc, settings.airflow_home / "airflow.db"
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
