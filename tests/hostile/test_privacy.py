"""PHI stays private: never in a message, log, XCom payload or page; owner-only files; outputs safe to open."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from pipelines.cli.main import main
from pipelines.ingest import load_landing
from pipelines.privacy import csv_safe, csv_safe_frame, safe_name
from tests.hostile.conftest import ENCOUNTERS, REMIT, land

PAGES = Path(__file__).resolve().parents[2] / "dashboards" / "app_pages"
PLANTED = ["DOE, JANE (DOB 1970-01-31)", "JANEDOE1970", "M999888777X", "PLANTED-CLAIM-7"]


def _plant(settings) -> None:
    """Files whose bad values are patient data: an encounter row with a name in its date, another with a
    member id for units; an 835 whose amount, claim id and member id carry identifiers."""
    lines = ENCOUNTERS.read_text().splitlines()
    lines[2] = lines[2].replace("2024-01-02", '"DOE, JANE (DOB 1970-01-31)"')
    lines[3] = lines[3].replace(",1,", ",M999888777X,", 1)
    (settings.landing_dir / "enc_phi.csv").write_text("\n".join(lines) + "\n")
    x12 = REMIT.read_bytes().replace(b"CLP*C1001*1*120.00", b"CLP*PLANTED-CLAIM-7*1*JANEDOE1970")
    (settings.landing_dir / "835_phi.x12").write_bytes(x12)


def _everything_written(settings) -> str:
    """Every text a user, an operator or a log reader could see (not the files themselves — archived originals,
    quarantined originals and rejected-row copies are the private detail, kept owner-only)."""
    texts = []
    for p in settings.home.rglob("*"):
        rel = p.relative_to(settings.home).parts
        if (
            not p.is_file()
            or p.name in ("original", "_rejected_rows.csv", "errors.log")
            or rel[0] == "archive"
        ):
            continue
        if p.suffix in (".json", ".jsonl", ".log", ".txt", ".csv"):
            texts.append(p.read_text(errors="replace"))
    return "\n".join(texts)


def test_planted_phi_never_reaches_output_logs_runs_xcom_or_the_page(settings, capsys, monkeypatch):
    _plant(settings)
    land(settings, ENCOUNTERS.with_name(ENCOUNTERS.name))  # a good file too
    assert main(["run"]) == 1
    cap = capsys.readouterr()
    seen = cap.out + cap.err + _everything_written(settings)
    # what went wrong is said: the file, the place and the kind of problem
    assert "enc_phi.csv: line 3" in seen and "835_phi.x12" in seen and "ELEM_BAD_AMOUNT" in seen
    for value in PLANTED:
        assert value not in seen, value
    # the published findings (a table every dashboard user can reach) carry no value either
    findings = pl.read_parquet(settings.batches_dir / "*" / "findings.parquet")
    for value in PLANTED:
        assert not findings["message"].str.contains(value, literal=True).any()
    # what the DAG's tasks hand each other through XCom: the outcomes as JSON
    _plant(settings)
    xcom = json.dumps([o.to_dict() for o in load_landing(settings).outcomes])
    for value in PLANTED:
        assert value not in xcom
    # the Data quality page
    monkeypatch.setenv("REVCYCLE_HOME", str(settings.home))
    at = AppTest.from_file(str(PAGES / "data_quality.py"), default_timeout=60).run()
    assert not at.exception
    page = " ".join(str(d.value) for d in at.dataframe) + " ".join(e.value for e in at.markdown)
    for value in PLANTED:
        assert value not in page
    # the private detail exists, owner-only, in quarantine/ and the error log only
    rejected_rows = next(settings.quarantine_dir.rglob("_rejected_rows.csv"))
    assert rejected_rows.stat().st_mode & 0o777 == 0o600


def test_data_root_files_are_owner_only(settings, capsys):
    land(settings, REMIT, ENCOUNTERS)
    (settings.landing_dir / "bad.x12").write_bytes(b"ISA*junk")
    main(["run"])
    checked = 0
    for p in [settings.home, *settings.home.rglob("*")]:
        if p.is_symlink() or "landing" in p.relative_to(settings.home).parts[:1]:
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        want = 0o700 if p.is_dir() else 0o600
        assert mode & 0o077 == 0, (p, oct(mode))
        assert mode == want or p.is_dir() or mode & 0o600 == 0o600, (p, oct(mode))
        checked += 1
    assert (settings.home / "warehouse.duckdb").stat().st_mode & 0o077 == 0
    assert checked > 50


def test_an_older_home_is_made_owner_only(tmp_path):
    from tests.conftest import make_settings

    home = tmp_path / "old"
    (home / "raw").mkdir(parents=True)
    home.chmod(0o755)
    (home / "raw").chmod(0o755)
    make_settings(home).ensure_dirs()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "raw").stat().st_mode) == 0o700


# -------------------------------------------------------------------------------------------- CSV injection
FORMULAS = ['=HYPERLINK("//evil.example/x","open")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)", "\t=1"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_every_formula_cell_is_neutralised(cell):
    assert csv_safe(cell).startswith("'")
    frame = csv_safe_frame(pl.DataFrame({"text": [cell], "amount": [-2.5]}))
    assert frame["text"][0] == "'" + cell and frame["amount"][0] == -2.5  # numbers stay numbers


def test_rejected_rows_file_is_formula_safe(settings):
    lines = ENCOUNTERS.read_text().splitlines()
    cells = lines[1].split(",")
    cells[0] = "=cmd|' /C calc'!A0"
    cells[3] = "not-a-date"
    lines[1] = ",".join(cells)
    f = settings.landing_dir / "inj.csv"
    f.write_text("\n".join(lines) + "\n")
    out = load_landing(settings).outcomes[0]
    text = (settings.quarantine_dir / out.file_id / "_rejected_rows.csv").read_text()
    assert "'=cmd" in text and "\n=cmd" not in text and ",=cmd" not in text


def test_the_compliance_case_file_is_formula_safe(built_world, monkeypatch):
    """The case file the Compliance page offers for download: a claim id that looks like a formula."""
    import dashboards.app_pages  # noqa: F401  (the page module reads its own imports)
    from pipelines.privacy import csv_safe_frame as safe

    case = pl.DataFrame({"claim_id": ['=HYPERLINK("//evil.example/x","open")'], "evidence": ["@x"]})
    import csv
    import io

    [row] = list(csv.DictReader(io.StringIO(safe(case).write_csv())))
    assert row["claim_id"].startswith("'=HYPERLINK") and row["evidence"] == "'@x"
    source = (PAGES / "compliance.py").read_text()
    assert "csv_safe_frame(" in source  # the page writes its CSV through the same function


def test_a_link_in_the_url_is_shown_as_text(built_demo, monkeypatch):
    monkeypatch.setenv("REVCYCLE_HOME", str(built_demo.home))
    at = AppTest.from_file(str(PAGES / "claim_chain.py"), default_timeout=60)
    at.query_params["claim"] = "[Session expired - sign in again](https://evil.example/login)"
    at.run()
    assert not at.exception
    [info] = [i for i in at.info if "No claim chain" in i.value]
    # masked (a claim id is an account number) and escaped: no link, no address survives
    assert "](https" not in info.value and "https://" not in info.value


def test_safe_names():
    assert safe_name("a\nb\rc\td") == "a?b?c?d"
    assert safe_name("caf\udce9.x12") == "caf\\xe9.x12"
    assert safe_name("x\u202egnp.exe") == "x?gnp.exe"  # a right-to-left override cannot disguise a name
    assert len(safe_name("a" * 1000)) <= 160


def test_excel_export_keeps_formulas_as_text(tmp_path):
    """A claim id or name that starts like a formula stays text in the work queues' Excel download."""
    import zipfile

    import polars as pl

    from pipelines.privacy import excel_bytes

    frame = pl.DataFrame({"claim_id": ['=HYPERLINK("http://x")', "C1"], "amount": [1.5, 2.0]})
    data = excel_bytes(frame, "q")
    path = tmp_path / "q.xlsx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet  # no formula cell anywhere
    assert "HYPERLINK" in strings  # the text itself kept, as a string


def test_run_logs_rotate_and_stay_owner_only(tmp_path):
    """A run log past its size limit moves to .1 (older ones shift, the oldest dropped); every line written is in
    one of the kept files, and each is 0600 even when the process's umask would make it readable to others."""
    import os

    from pipelines.privacy import append_private

    path = tmp_path / "runs" / "alerts.jsonl"
    old = os.umask(0o022)  # a process that never set the private umask (a triggerer, a dashboard)
    try:
        for i in range(40):
            append_private(path, f'{{"n": {i:03d}}}\n', max_bytes=100, backups=3)
    finally:
        os.umask(old)
    kept = [path, *(path.with_name(f"alerts.jsonl.{i}") for i in (1, 2, 3))]
    assert all(p.exists() for p in kept) and not path.with_name("alerts.jsonl.4").exists()
    assert all(p.stat().st_size <= 100 for p in kept)
    assert all(p.stat().st_mode & 0o077 == 0 for p in kept)
    lines = [ln for p in reversed(kept) for ln in p.read_text().splitlines()]
    assert lines == [f'{{"n": {i:03d}}}' for i in range(40 - len(lines), 40)]  # the newest, in order
