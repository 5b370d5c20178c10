"""DAG integrity: imports cleanly and fast, follows house rules, and is wired as designed."""

from __future__ import annotations

import ast
import time

import pytest
from airflow.dag_processing.dagbag import DagBag

from pipelines.settings import PROJECT_ROOT

DAGS = PROJECT_ROOT / "dags"
APPROVED_TAGS = {"revcycle", "ingest", "dbt"}


@pytest.fixture(scope="module")
def dagbag():
    t0 = time.perf_counter()
    bag = DagBag(dag_folder=str(DAGS))
    bag.parse_seconds = time.perf_counter() - t0
    return bag


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "revcycle_pipeline" in dagbag.dag_ids


def test_house_rules(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags and set(dag.tags) <= APPROVED_TAGS, dag_id
        assert dag.catchup is False
        assert dag.max_active_runs == 1  # single writer
        for t in dag.tasks:
            assert t.retries >= 2, t.task_id


def test_wiring(dagbag):
    dag = dagbag.dags["revcycle_pipeline"]
    ids = {t.task_id for t in dag.tasks}
    assert ids == {
        "find_landed_files",
        "parse_files",
        "validate_batches",
        "publish_batches",
        "load_reference_data",
        "build_warehouse",
    }
    assert dag.get_task("validate_batches").upstream_task_ids == {"parse_files"}
    assert dag.get_task("publish_batches").upstream_task_ids == {"validate_batches"}
    assert dag.get_task("build_warehouse").upstream_task_ids == {"publish_batches", "load_reference_data"}
    assert dag.get_task("build_warehouse").trigger_rule == "none_failed"


def test_tasks_call_the_cli_functions():
    """The DAG must reuse pipelines.ingest/build, not reimplement them."""
    src = (DAGS / "revcycle_pipeline.py").read_text()
    imported = {
        (n.module, a.name) for n in ast.walk(ast.parse(src)) if isinstance(n, ast.ImportFrom) for a in n.names
    }
    for need in [("pipelines.ingest", "stage_file"), ("pipelines.ingest", "validate_staged_many"),
                 ("pipelines.ingest", "publish_staged"), ("pipelines.build", "build_warehouse")]:  # fmt: skip
        assert need in imported


def test_no_heavy_top_level_imports():
    tree = ast.parse((DAGS / "revcycle_pipeline.py").read_text())
    top = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    top |= {n.module.split(".")[0] for n in tree.body if isinstance(n, ast.ImportFrom) and n.module}
    assert not top & {"polars", "duckdb", "great_expectations", "pandas", "pipelines", "dbt"}
