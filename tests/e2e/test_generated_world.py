"""A generated world through ingest + dbt (the CLI functions, the `built_world` fixture): the marts recover
the generator's truth."""

from __future__ import annotations

import pytest

from tests.conftest import generated_world_dir
from tests.e2e.truth_checks import assert_marts_match_truth


@pytest.mark.e2e
def test_marts_recover_the_generator_truth(built_world):
    # run_generated_world raised unless every landed file was accepted (none partial, none quarantined)
    assert_marts_match_truth(generated_world_dir(built_world), built_world)


@pytest.mark.e2e
def test_dbt_reading_commands_read_the_published_warehouse(built_world, capfd, monkeypatch):
    """`revcycle dbt docs generate` catalogues the published tables with their column types and leaves no build
    file behind; `revcycle dbt ls` passes dbt's own selection through."""
    import json

    from pipelines.cli.main import main

    monkeypatch.setenv("REVCYCLE_HOME", str(built_world.home))
    published = built_world.warehouse_path.stat().st_mtime_ns
    assert main(["dbt", "docs", "generate"]) == 0
    catalog = json.loads((built_world.dbt_dir / "target" / "catalog.json").read_text())
    columns = catalog["nodes"]["model.revcycle.wq_prebill_edits"]["columns"]
    assert columns["service_date"]["type"] == "DATE" and columns["charge_amount"]["type"] == "DOUBLE"
    assert "model.revcycle.fct_claim_chains" in catalog["nodes"]
    assert not built_world.build_warehouse_path.exists()
    assert built_world.warehouse_path.stat().st_mtime_ns == published
    capfd.readouterr()
    assert main(["dbt", "ls", "--select", "fct_denials", "--output", "name"]) == 0
    assert "fct_denials" in capfd.readouterr().out.split()


@pytest.mark.e2e
def test_dbt_and_the_dashboard_connect_with_the_memory_limit(built_world, capfd, monkeypatch):
    """dbt's own connection (profiles.yml) and the dashboard's (pipelines.warehouse.read.query) both carry the
    settings' DuckDB memory limit and spill folder."""
    from pipelines.cli.main import main
    from pipelines.warehouse.read import query

    monkeypatch.setenv("REVCYCLE_HOME", str(built_world.home))
    monkeypatch.setenv("REVCYCLE_DUCKDB_MEMORY_LIMIT", "700MiB")
    seen = query("select current_setting('memory_limit') as m, current_setting('temp_directory') as t")
    assert seen["m"][0] == "700.0 MiB" and seen["t"][0].endswith("duckdb_tmp")
    capfd.readouterr()
    sql = "select current_setting('memory_limit') as m, current_setting('temp_directory') as t"
    assert main(["dbt", "show", "--inline", sql]) == 0
    out = capfd.readouterr().out
    assert "700.0 MiB" in out and "duckdb_tmp" in out
