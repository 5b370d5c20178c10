"""The command line: its own options, and dbt's passed through whole."""

from __future__ import annotations

import pytest

from pipelines.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.startswith("revcycle ")


def test_a_bad_command_exits_2_with_one_line(capsys):
    with pytest.raises(SystemExit) as e:
        main(["no-such-command"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'no-such-command'" in err and "Traceback" not in err


def test_dbt_gets_every_argument_options_first_included(settings, capsys, monkeypatch):
    monkeypatch.setenv("REVCYCLE_HOME", str(settings.home))
    assert main(["dbt", "--version"]) == 0
    assert "dbt" in capsys.readouterr().out.lower()
