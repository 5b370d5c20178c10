"""A dbt process started before its command is known (pipelines.warehouse.build.DbtProcess): `revcycle run` starts one
before ingesting so dbt's import overlaps the ingest."""

from __future__ import annotations

import pytest

from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.warehouse.build import DbtProcess


def test_a_started_process_runs_the_command_given_later(tmp_path):
    settings = Settings(project_root=PROJECT_ROOT, home=tmp_path / "home")
    with DbtProcess(settings) as dbt:
        proc = dbt.run(
            ["ls", "--select", "fct_claim_chains", "--resource-type", "model", "--output", "name"],
            log_path=tmp_path / "dbt.log",
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.split()[-1] == "fct_claim_chains"  # the project and its environment were found
        assert (tmp_path / "dbt.log").read_text() == proc.stdout + proc.stderr
        with pytest.raises(RuntimeError, match="already run"):
            dbt.run(["ls"])


def test_dbt_exit_codes_come_back(tmp_path):
    settings = Settings(project_root=PROJECT_ROOT, home=tmp_path / "home")
    with DbtProcess(settings) as dbt:
        proc = dbt.run(["no-such-command"])
    assert proc.returncode != 0
    assert "no-such-command" in proc.stdout + proc.stderr


def test_an_unused_process_exits_having_run_nothing(tmp_path):
    settings = Settings(project_root=PROJECT_ROOT, home=tmp_path / "home")
    dbt = DbtProcess(settings)
    out, err = dbt._proc.communicate("")  # what close() sends: end of input, no command
    assert (dbt._proc.returncode, out, err) == (0, "", "")  # dbt with no command would print its usage
    dbt.close()  # a no-op once it has exited
