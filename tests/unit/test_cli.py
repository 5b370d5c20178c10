"""The command line: its own options, and dbt's passed through whole."""

from __future__ import annotations

import pytest

from pipelines.cli.main import main


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("revcycle ")


@pytest.mark.parametrize(
    ("argv", "says"),
    [(["no-such-command"], "No such command 'no-such-command'"),
     (["ingest"], "Missing argument"),
     (["ingest", "-v", "-q", "f.x12"], "exclude each other"),
     (["generate", "--claims", "0", "--out", "x"], "'--claims'"),
     (["generate", "--claims", "10", "--out", "x", "--profile", "hospital"], "'--profile'"),
     (["reference", "--kind", "not_a_kind", "f.csv"], "'--kind'"),
     (["dashboard", "--port", "eighty"], "'--port'")],
    ids=["command", "missing", "verbose-quiet", "claims", "profile", "kind", "port"],
)  # fmt: skip
def test_a_bad_argument_exits_2_with_one_line(argv, says, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert says in captured.err and len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err and captured.out == ""


def test_dbt_gets_every_argument_options_first_included(tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("REVCYCLE_HOME", str(tmp_path / "fresh-home"))  # nothing laid out or loaded yet
    assert main(["dbt", "--version"]) == 0
    out = capfd.readouterr().out  # dbt writes straight to our output (streamed, not held until it exits)
    assert "dbt" in out.lower() and "1.11" in out  # dbt's own version report, not ours
    assert "\x1b[" not in out  # no colour codes when the output is not a terminal


def test_dbt_returns_dbt_exit_code(tmp_path, monkeypatch):
    monkeypatch.setenv("REVCYCLE_HOME", str(tmp_path / "fresh-home"))
    assert main(["dbt", "no-such-dbt-command"]) != 0


def test_ingest_json_lists_every_file(settings, capsys, tmp_path):
    import json

    from tests.conftest import DEMO

    junk = tmp_path / "junk.x12"
    junk.write_text("not an interchange")
    rc = main(["ingest", "--json", str(DEMO / "remit_835_bcbs_20240202.x12"), str(junk)])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["failed"] == 1
    assert {(f["file_name"], f["status"]) for f in out["files"]} == {
        ("remit_835_bcbs_20240202.x12", "accepted"),
        ("junk.x12", "rejected"),
    }


def test_doctor_json(settings, capsys):
    import json

    main(["doctor", "--json"])
    checks = json.loads(capsys.readouterr().out)
    assert checks and {"check", "status", "message"} == set(checks[0])


@pytest.mark.parametrize(
    "argv",
    [["generate", "--claims", "10", "--out", "x", "--start", "2024-13-01"],
     ["reference", "--kind", "mue", "--effective-from", "notadate", "f.csv"],
     ["reference", "--kind", "leie", "--as-of", "2024-02-30", "f.csv"]],
    ids=["start", "effective-from", "as-of"],
)  # fmt: skip
def test_a_bad_date_exits_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Invalid value for '--" in err and "valid date" in err and len(err.strip().splitlines()) == 1


def test_help_shows_defaults_and_the_data_root(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("REVCYCLE_HOME", str(tmp_path / "somewhere"))
    monkeypatch.setenv("COLUMNS", "400")  # help wraps (and may split a long path) at the terminal's width
    assert main(["docs", "--help"]) == 0
    assert "[default: 8580]" in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert str(tmp_path / "somewhere") in capsys.readouterr().out
    assert main([]) == 0  # no command: the help, not an error
    assert "Commands" in capsys.readouterr().out


def test_shell_completion_offers_commands_and_choices(monkeypatch, capsys):
    """What `revcycle --install-completion` wires into the shell: the completion the program itself answers."""
    monkeypatch.setenv("_REVCYCLE_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "revcycle ing")
    monkeypatch.setenv("COMP_CWORD", "1")
    with pytest.raises(SystemExit):
        main([])
    assert capsys.readouterr().out.split() == ["ingest"]
    monkeypatch.setenv("COMP_WORDS", "revcycle generate --profile ")
    monkeypatch.setenv("COMP_CWORD", "3")
    with pytest.raises(SystemExit):
        main([])
    assert capsys.readouterr().out.split() == ["clinic", "multispecialty", "health-system"]


def test_dbt_nodes_are_described_by_kind(tmp_path):
    import json

    from pipelines.warehouse.build import describe_nodes

    ids = [
        "model.revcycle.a",
        "model.revcycle.b",
        "seed.revcycle.s",
        "test.revcycle.t",
        "unit_test.revcycle.m.u",
    ]
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps({"results": [{"unique_id": i, "status": "pass"} for i in ids]}))
    assert describe_nodes(path) == "2 models, 1 seed, 1 data test, 1 unit test"


def test_docs_site_serves_dbt_docs_and_data_docs_from_one_address(tmp_path):
    import threading
    import urllib.request

    from pipelines.cli.docs_site import make_server
    from pipelines.settings import Settings

    s = Settings(project_root=tmp_path / "project", home=tmp_path / "home")
    (s.dbt_dir / "target").mkdir(parents=True)
    (s.dbt_dir / "target" / "index.html").write_text("dbt docs")
    s.data_docs_dir.mkdir(parents=True)
    (s.data_docs_dir / "index.html").write_text("data docs")
    (s.home / "secret.txt").write_text("not served")
    server = make_server(s, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert urllib.request.urlopen(f"{base}/index.html").read() == b"dbt docs"
        assert urllib.request.urlopen(f"{base}/gx/index.html").read() == b"data docs"
        with pytest.raises(urllib.error.HTTPError):  # nothing outside the two sites
            urllib.request.urlopen(f"{base}/gx/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt")
    finally:
        server.shutdown()


def test_reference_kinds_offered_are_the_loader_kinds():
    """`revcycle reference --kind` lists its choices without importing the loaders (polars): the same kinds."""
    from pipelines.cli.main import REFERENCE_KINDS
    from pipelines.reference import KINDS

    assert sorted(REFERENCE_KINDS) == sorted(KINDS)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [("REVCYCLE_INGEST_WORKERS", "two", "REVCYCLE_INGEST_WORKERS='two': expected a whole number"),
     ("REVCYCLE_SETTLE_SECONDS", "soon", "REVCYCLE_SETTLE_SECONDS='soon': expected a number"),
     ("REVCYCLE_ENGINE", "oracle", "REVCYCLE_ENGINE='oracle'")],
    ids=["int", "float", "engine"],
)  # fmt: skip
def test_an_unusable_setting_exits_2_naming_it(name, value, says, monkeypatch, capsys):
    monkeypatch.setenv(name, value)
    assert main(["summary"]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
