"""Run the project's DAGs embedded: `airflow dags test` with a SQLite metadata DB under the data root.

`dag.test()` from a bare script fails in Airflow 3 ("dag is not serialized"), so we go through the
`airflow` CLI in a subprocess with the environment from settings.  The metadata DB is migrated once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import Settings


def airflow_executable() -> str:
    candidate = Path(sys.executable).parent / "airflow"
    return str(candidate) if candidate.exists() else "airflow"


def airflow_env(settings: Settings) -> dict[str, str]:
    env = {**os.environ, **settings.airflow_env()}
    # `airflow standalone` starts its components as `airflow ...` subprocesses: the venv's bin must be on PATH
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "120")
    env.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
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
    dag_id: str, settings: Settings, logical_date: str | None = None
) -> subprocess.CompletedProcess:
    ensure_metadata_db(settings)
    cmd = [airflow_executable(), "dags", "test", dag_id]
    if logical_date:
        cmd.append(logical_date)
    return subprocess.run(cmd, env=airflow_env(settings), capture_output=True, text=True, check=False)
