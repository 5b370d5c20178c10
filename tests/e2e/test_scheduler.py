"""The production path: the Airflow scheduler with the LocalExecutor (`revcycle airflow`, i.e. `airflow
standalone`), not `airflow dags test`.

`airflow dags test` runs tasks one at a time in one process, so it hides what only a real scheduler shows:
tasks that reach the Execution API on another port, mapped ingest tasks publishing in parallel, and the
transform DAG started by the reference DAG's asset while the ingest DAG is still publishing.  Here the three
DAGs run on their own schedules and assets on a small world, on a port other than 8080, and the warehouse
they publish must equal `revcycle run`'s on the same files.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from pipelines.alerts import recent_alerts
from pipelines.cli.airflow_embedded import PIPELINE_DAG_IDS, dag_runs, pipeline_settled, standalone
from pipelines.cli.main import main
from pipelines.generate import Config, generate, land_world
from pipelines.warehouse.engines import compare_warehouses
from tests.conftest import make_settings

DEADLINE_SECONDS = 600


@pytest.mark.e2e
def test_the_scheduler_publishes_what_revcycle_run_publishes(tmp_path, capsys):
    world = tmp_path / "world"
    generate(Config(out=world, claims=800, seed=11, months=2, weekly_batches=True), progress=False)

    cli = make_settings(tmp_path / "cli")
    cli.ensure_dirs()
    land_world(world, cli.landing_dir, cli.reference_landing_dir, move=False)
    landed = [
        p for p in cli.landing_dir.rglob("*") if p.is_file() and cli.reference_landing_dir not in p.parents
    ]
    os.environ["REVCYCLE_HOME"] = str(cli.home)
    try:
        capsys.readouterr()
        assert main(["run"]) == 0
    finally:
        del os.environ["REVCYCLE_HOME"]
    # a quiet run: one ingest line, the build and the summary, not a line per file (those go to the log)
    printed = capsys.readouterr()
    assert len(landed) > 30 and len((printed.out + printed.err).splitlines()) <= 30
    assert f"ingest: {len(landed)} files" in printed.out
    logged = (cli.runs_dir / "ingest.jsonl").read_text().splitlines()
    assert sorted(json.loads(x)["file_name"] for x in logged) == sorted(p.name for p in landed)

    sched = make_settings(tmp_path / "scheduler")
    sched.ensure_dirs()
    land_world(world, sched.landing_dir, sched.reference_landing_dir, move=False)
    # a deadline of 3 s, which every run misses: the triggerer must find and await the DAGs' deadline callback
    env = {"REVCYCLE_SETTLE_SECONDS": "0", "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
           "REVCYCLE_DAG_DEADLINE_MINUTES": "0.05"}  # fmt: skip
    with standalone(sched, tmp_path / "airflow.log", env) as (proc, db):
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline and proc.poll() is None and not pipeline_settled(db):
            time.sleep(3)
        assert proc.poll() is None, (tmp_path / "airflow.log").read_text()[-4000:]
        runs = dag_runs(db)
        assert pipeline_settled(db), runs
        assert not [r for r in runs if r[1] == "failed"], runs
        # every DAG's run missed its 3-second deadline: each has its alert (written by the triggerer)
        missed = set()
        while time.monotonic() < deadline and missed != PIPELINE_DAG_IDS:
            missed = {a["dag_id"] for a in recent_alerts(sched, limit=1000) if a["kind"] == "deadline_missed"}
            time.sleep(2)
        assert missed == PIPELINE_DAG_IDS, (tmp_path / "airflow.log").read_text()[-4000:]
    # tasks reached the Execution API on the port given (nothing was refused on 8080)
    assert "Connection refused" not in (tmp_path / "airflow.log").read_text()
    assert compare_warehouses(cli.warehouse_path, sched.warehouse_path) == []
    # both drained landing/ the same way
    assert sorted(p.name for p in sched.archive_dir.rglob("*") if p.is_file()) == sorted(
        p.name for p in cli.archive_dir.rglob("*") if p.is_file()
    )
