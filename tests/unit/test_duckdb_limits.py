"""Every DuckDB connection the project opens carries the settings' memory limit and spill folder."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import PROJECT_ROOT, Settings, SettingsError, duckdb_connect, get_settings
from pipelines.warehouse.build import resource_hint

# the one place allowed to call duckdb.connect directly
ALLOWED = {("pipelines/settings.py", "duckdb_connect")}


def _direct_connects() -> set[tuple[str, str]]:
    found = set()
    for folder in ("pipelines", "dashboards", "expectations", "dags"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for func in ast.walk(tree):
                if not isinstance(func, ast.FunctionDef):
                    continue
                for node in ast.walk(func):
                    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                            and node.func.attr == "connect" and getattr(node.func.value, "id", "") == "duckdb"):  # fmt: skip
                        found.add((str(path.relative_to(PROJECT_ROOT)), func.name))
    return found


def test_the_project_opens_duckdb_only_through_the_settings():
    assert _direct_connects() <= ALLOWED


def test_connections_and_dbt_get_the_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DUCKDB_MEMORY_LIMIT", "512MiB")
    monkeypatch.setenv("REVCYCLE_DBT_THREADS", "2")
    monkeypatch.setenv("REVCYCLE_HOME", str(tmp_path / "home"))
    s = get_settings()
    with duckdb_connect(tmp_path / "w.duckdb", settings=s) as con:
        [(limit, temp)] = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchall()
    assert limit == "512.0 MiB" and Path(temp) == s.duckdb_temp_dir
    env = s.dbt_env(from_home=True)  # what profiles.yml reads for every dbt connection
    assert env["REVCYCLE_DBT_DUCKDB_MEMORY_LIMIT"] == "512MiB" and env["REVCYCLE_DBT_THREADS"] == "2"
    assert (s.home / env["REVCYCLE_DBT_DUCKDB_TEMP_DIR"]).resolve() == s.duckdb_temp_dir
    profile = (PROJECT_ROOT / "dbt_project" / "profiles.yml").read_text()
    assert (
        "env_var('REVCYCLE_DBT_DUCKDB_MEMORY_LIMIT')" in profile
        and "env_var('REVCYCLE_DBT_DUCKDB_TEMP_DIR')" in profile
        and "env_var('REVCYCLE_DBT_THREADS')" in profile
    )


def test_the_default_is_sized_from_the_machine():
    import os

    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    limit = Settings(project_root=PROJECT_ROOT, home=Path("/nowhere")).duckdb_config()["memory_limit"]
    assert limit.endswith("MB") and abs(int(limit[:-2]) - total_mb // 4) <= 1


def test_a_build_out_of_memory_names_the_setting_to_raise(tmp_path, monkeypatch):
    # DuckDB's own message, from a query over a tiny limit, as a failing dbt node reports it
    monkeypatch.setenv("REVCYCLE_HOME", str(tmp_path / "home"))
    s = get_settings()
    con = duckdb.connect(config={"memory_limit": "2MB", "temp_directory": ""})
    with pytest.raises(duckdb.OutOfMemoryException) as failed:
        con.execute("select list(range) from range(5000000)").fetchall()
    hint = resource_hint([f"model.revcycle.fct_underpayments: error {failed.value}"], s)
    assert "REVCYCLE_DUCKDB_MEMORY_LIMIT" in hint and s.duckdb_config()["memory_limit"] in hint
    assert resource_hint(["model.revcycle.fct_claim_chains: error Binder Error: column not found"], s) == ""


def test_a_blank_setting_means_the_default(tmp_path, monkeypatch):
    # `VAR=` in an .env file or a compose service is how people say "leave it"
    for name in ("REVCYCLE_INGEST_WORKERS", "REVCYCLE_DBT_THREADS", "REVCYCLE_SETTLE_SECONDS",
                 "REVCYCLE_PARSE_TOGETHER_MB", "REVCYCLE_DUCKDB_MEMORY_LIMIT", "REVCYCLE_ENGINE",
                 "REVCYCLE_DASHBOARD_SESSION_MINUTES"):  # fmt: skip
        monkeypatch.setenv(name, " ")
    monkeypatch.setenv("REVCYCLE_HOME", str(tmp_path / "home"))
    s = get_settings()
    default = Settings(project_root=PROJECT_ROOT, home=s.home)
    assert (s.ingest_workers, s.dbt_threads, s.settle_seconds, s.parse_together_mb, s.engine,
            s.dashboard_session_minutes) == (
        default.ingest_workers,
        default.dbt_threads,
        default.settle_seconds,
        default.parse_together_mb,
        "duckdb",
        default.dashboard_session_minutes,
    )  # fmt: skip
    assert s.duckdb_config()["memory_limit"] == default.duckdb_config()["memory_limit"]


def test_a_setting_that_does_not_parse_is_named(tmp_path, monkeypatch):
    # the dashboard's session length is read like every other setting: a typo stops it loudly, it is not
    # silently replaced by the default
    monkeypatch.setenv("REVCYCLE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REVCYCLE_DASHBOARD_SESSION_MINUTES", "90")
    assert get_settings().dashboard_session_minutes == 90.0
    monkeypatch.setenv("REVCYCLE_DASHBOARD_SESSION_MINUTES", "8h")
    with pytest.raises(SettingsError, match="REVCYCLE_DASHBOARD_SESSION_MINUTES"):
        get_settings()
