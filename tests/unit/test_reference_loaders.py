"""Reference loaders on fixtures in the exact CMS NCCI PTP, CMS MUE and OIG LEIE layouts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.reference import (
    ReferenceFileError,
    detect_reference_kind,
    load_landed_reference,
    load_reference_file,
    parse_reference_file,
)
from pipelines.settings import Settings

FIX = Path(__file__).parent.parent / "fixtures" / "reference"
NCCI = FIX / "ccipra-v294r0-f1_fixture.txt"
MUE = FIX / "MCR_MUE_PractitionerServices_Eff_01-01-2024_fixture.csv"
LEIE = FIX / "UPDATED_fixture.csv"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(project_root=Path(__file__).parent.parent.parent, home=tmp_path / "home")


def test_ncci_ptp_layout():
    kind, df = parse_reference_file(NCCI)
    assert kind == "ncci_ptp"
    # notice lines and the wrapped multi-line header are skipped; CRLF endings are fine
    assert df.height == 5
    rows = {(r["column_1_code"], r["column_2_code"]): r for r in df.iter_rows(named=True)}
    assert rows[("80053", "80048")]["modifier_indicator"] == "0"
    assert rows[("80053", "80048")]["deletion_date"] is None  # '*' = still active
    assert rows[("99213", "36415")]["deletion_date"] == date(2023, 1, 1)
    assert rows[("20610", "20605")]["effective_date"] == date(1996, 1, 1)
    assert rows[("0001U", "36415")]["line_number"] == 7
    assert set(df["setting"]) == {"practitioner"}  # ccipra = practitioner table


def test_ncci_setting_from_name_or_option(tmp_path):
    oph = tmp_path / "ccioph-v294r0-f1.txt"
    oph.write_bytes(NCCI.read_bytes())
    assert set(parse_reference_file(oph)[1]["setting"]) == {"outpatient_hospital"}
    assert set(parse_reference_file(NCCI, setting="outpatient_hospital")[1]["setting"]) == {
        "outpatient_hospital"
    }


def test_mue_layout_with_ama_notice_rows():
    kind, df = parse_reference_file(MUE)
    assert kind == "mue"
    assert df.height == 4
    r = {x["hcpcs"]: x for x in df.iter_rows(named=True)}
    assert r["36415"]["mue_value"] == 2 and r["36415"]["adjudication_indicator"] == "3"
    assert r["20610"]["adjudication_indicator"] == "1"
    assert r["80053"]["adjudication_indicator"] == "2"
    assert r["J1100"]["mue_value"] == 30
    assert set(df["table_type"]) == {"practitioner"}
    # the effective date comes from CMS's file name (..._Eff_01-01-2024) unless given
    assert set(df["effective_from"]) == {date(2024, 1, 1)}
    _, df2 = parse_reference_file(MUE, effective_from=date(2024, 4, 1))
    assert set(df2["effective_from"]) == {date(2024, 4, 1)}


def test_leie_layout():
    kind, df = parse_reference_file(LEIE)
    assert kind == "leie"
    assert df.height == 4
    r = df.sort("line_number").to_dicts()
    assert r[0]["npi"] is None  # 0000000000 = OIG has no NPI
    assert r[0]["birth_date"] == date(1970, 2, 12)
    assert r[0]["reinstatement_date"] is None  # 00000000 = none
    assert r[1]["npi"] == "1234567893" and r[1]["exclusion_type"] == "1128a1"
    assert r[2]["reinstatement_date"] == date(2020, 6, 1) and r[2]["birth_date"] is None
    assert r[3]["business_name"] == "FIXTURE PHARMACY LLC"
    assert r[3]["waiver_date"] == date(2024, 1, 1) and r[3]["waiver_state"] == "WI"
    # an undated file name: the snapshot is at least as current as its latest exclusion or reinstatement
    latest = max(d for row in r for d in (row["exclusion_date"], row["reinstatement_date"]) if d)
    assert set(df["snapshot_date"]) == {latest}


def test_leie_snapshot_date_from_the_name_or_the_option(tmp_path):
    named = tmp_path / "UPDATED_2024-11.csv"
    named.write_bytes(LEIE.read_bytes())
    assert set(parse_reference_file(named)[1]["snapshot_date"]) == {date(2024, 11, 1)}
    chosen = parse_reference_file(named, snapshot_date=date(2024, 11, 20))[1]
    assert set(chosen["snapshot_date"]) == {date(2024, 11, 20)}


@pytest.mark.parametrize(
    ("name", "where", "what"),
    [
        ("bad_leie_date.csv", "line 2", "EXCLDATE is not a calendar date"),
        ("bad_mue_value.csv", "line 3", "the MUE value is not a whole number"),
    ],
)
def test_bad_rows_name_the_file_and_line(name, where, what):
    with pytest.raises(ReferenceFileError) as e:
        parse_reference_file(FIX / name)
    assert str(e.value).startswith(f"{name}, {where}: ")
    assert what in str(e.value)


def test_bad_ncci_row_after_the_edits_start(tmp_path):
    bad = tmp_path / "ccipra-bad.txt"
    bad.write_text(NCCI.read_text() + "80053\t80048\t\t2010-01-01\t*\t0\tbad date\n")
    with pytest.raises(ReferenceFileError, match=r"ccipra-bad.txt, line 12: expected an edit row"):
        parse_reference_file(bad)
    bad.write_text(NCCI.read_text().replace("\t0\tMutually", "\t5\tMutually"))
    with pytest.raises(ReferenceFileError, match=r"line 9: the modifier indicator is not 0, 1 or 9"):
        parse_reference_file(bad)


def test_leie_wrong_column_count(tmp_path):
    bad = tmp_path / "UPDATED.csv"
    lines = LEIE.read_text().splitlines()
    bad.write_text("\n".join([lines[0], lines[1].rsplit(",", 1)[0]]) + "\n")
    with pytest.raises(ReferenceFileError, match=r"UPDATED.csv, line 2: 17 columns, expected 18"):
        parse_reference_file(bad)


def test_detection_is_by_content(tmp_path):
    for src, kind in ((NCCI, "ncci_ptp"), (MUE, "mue"), (LEIE, "leie")):
        renamed = tmp_path / f"download_{kind}.dat"
        renamed.write_bytes(src.read_bytes())
        assert detect_reference_kind(renamed.read_text()) == kind
    junk = tmp_path / "notes.csv"
    junk.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ReferenceFileError, match="not a recognised reference layout"):
        parse_reference_file(junk)


def test_load_is_idempotent_and_bad_files_are_quarantined(settings, tmp_path):
    first = load_reference_file(LEIE, settings)
    assert (first.status, first.kind, first.rows) == ("loaded", "leie", 4)
    stored = settings.reference_dir / "leie" / f"{first.file_id}.parquet"
    assert pl.read_parquet(stored).height == 4
    again = load_reference_file(LEIE, settings)
    assert again.status == "duplicate"
    assert len(list((settings.reference_dir / "leie").glob("*.parquet"))) == 2  # the file + _schema

    bad = load_reference_file(FIX / "bad_mue_value.csv", settings)
    assert bad.status == "rejected" and "line 3" in bad.reason
    q = settings.quarantine_dir / f"reference-{bad.file_id}"
    reason = json.loads((q / "reason.json").read_text())
    assert (q / reason["stored_as"]).read_bytes() == (FIX / "bad_mue_value.csv").read_bytes()
    assert "line 3" in reason["reasons"][0] and reason["file"] == "bad_mue_value.csv"
    assert (FIX / "bad_mue_value.csv").exists()  # named on the command line: copied, never moved
    assert not list((settings.reference_dir / "mue").glob(f"{bad.file_id}*"))  # nothing half-loaded


def test_landed_reference_folder(settings):
    settings.reference_landing_dir.mkdir(parents=True)
    for f in (NCCI, MUE, LEIE, FIX / "bad_leie_date.csv"):
        (settings.reference_landing_dir / f.name).write_bytes(f.read_bytes())
    results = {r.file_name: r.status for r in load_landed_reference(settings)}
    assert results == {
        NCCI.name: "loaded",
        MUE.name: "loaded",
        LEIE.name: "loaded",
        "bad_leie_date.csv": "rejected",
    }
    # reference files are not claim/remit extracts: the X12/encounter ingest never sees them
    from pipelines.ingest import landed_files

    assert landed_files(settings) == []
    # handled files leave landing/reference/: loaded ones to the archive, the bad one into quarantine/
    assert not any(settings.reference_landing_dir.iterdir())
    assert sorted(p.name for p in (settings.archive_dir).rglob("*") if p.is_file()) == sorted(
        [NCCI.name, MUE.name, LEIE.name]
    )
    assert load_landed_reference(settings) == []


def test_carc_and_rarc_lists_are_told_apart_by_their_codes():
    kind, carc = parse_reference_file(FIX / "carc_codes_fixture.csv")
    assert kind == "carc" and carc.height == 5
    r = {x["code"]: x for x in carc.iter_rows(named=True)}
    assert r["45"]["description"] == "Fixture text for reason 45, with a comma"
    assert r["D1"]["stop_date"] == date(2008, 1, 1) and r["45"]["stop_date"] is None
    assert r["B13"]["start_date"] == date(1997, 1, 1)
    kind, rarc = parse_reference_file(FIX / "rarc_codes_fixture.csv")
    assert kind == "rarc" and set(rarc["code"]) == {"M80", "MA04", "N130", "N290"}


def test_a_rarc_in_a_carc_list_is_an_error(tmp_path):
    bad = tmp_path / "carc.csv"
    bad.write_text((FIX / "carc_codes_fixture.csv").read_text() + "N130,misplaced remark,01/01/2003,,\n")
    with pytest.raises(ReferenceFileError, match=r"carc.csv, line 7: the code is not a CARC code"):
        parse_reference_file(bad, kind="carc")


PFS = FIX / "PPRRVU24_JAN_fixture.csv"


def test_pfs_relative_value_file():
    kind, df = parse_reference_file(PFS)
    assert kind == "pfs_rvu"  # by content: title rows, then the HCPCS / MOD / WORK RVU header
    assert df.height == 6 and set(df["pfs_year"]) == {2024}  # PPRRVU24 in the name
    rows = {(r["hcpcs"], r["modifier"]): r for r in df.iter_rows(named=True)}
    e_m = rows[("99213", None)]
    assert (e_m["work_rvu"], e_m["nonfacility_total_rvu"], e_m["facility_total_rvu"]) == (1.30, 2.60, 1.95)
    assert e_m["facility_pe_rvu"] == 0.55 and e_m["nonfacility_pe_rvu"] == 1.20  # not each other's twin
    assert e_m["conversion_factor"] == 32.7442 and e_m["status_code"] == "A"
    assert rows[("71046", "26")]["nonfacility_total_rvu"] == 0.32  # professional component, its own row


def test_bad_pfs_row_names_the_file_and_line(tmp_path):
    bad = tmp_path / "PPRRVU24_JAN.csv"
    bad.write_text(PFS.read_text().replace("99214,,,A,,1.92", "99214,,,A,,1.9x"))
    with pytest.raises(ReferenceFileError, match=r"PPRRVU24_JAN.csv, line 6: WORK RVU is not a number"):
        parse_reference_file(bad)


def test_a_new_reference_file_rebuilds_the_warehouse(settings):
    """Incremental builds recompute only the chains new batches touch, so loading a reference file (which
    moves old chains' contract prices and findings) must change the fingerprint that allows one."""
    from pipelines.warehouse.build import project_fingerprint

    before = project_fingerprint(settings)
    assert project_fingerprint(settings) == before
    load_reference_file(LEIE, settings)
    after = project_fingerprint(settings)
    assert after != before
    assert load_reference_file(LEIE, settings).status == "duplicate"
    assert project_fingerprint(settings) == after  # the same file again changes nothing


def test_build_vars_are_part_of_the_fingerprint(settings):
    """--vars thresholds are compiled into models and views: a build with other values cannot continue the
    warehouse (nor skip re-creating its views)."""
    from pipelines.warehouse.build import project_fingerprint

    plain = project_fingerprint(settings)
    assert project_fingerprint(settings, {}) == plain
    assert project_fingerprint(settings, {"underpayment_min_dollars": 10}) != plain
    assert project_fingerprint(settings, {"a": 1, "b": 2}) == project_fingerprint(settings, {"b": 2, "a": 1})


POLICY = FIX / "payer_policy_fixture.csv"


def test_payer_policy_file_by_payer_with_blank_terms_falling_through():
    kind, df = parse_reference_file(POLICY)
    assert kind == "payer_policy"  # by content: a payer_id column beside policy day columns
    rows = {r["key"]: r for r in df.iter_rows(named=True)}
    assert set(rows) == {"87726", "60054"} and set(df["scope"]) == {"payer"}
    assert (rows["87726"]["timely_filing_days"], rows["87726"]["appeal_window_days"]) == (90, 180)
    assert rows["60054"]["appeal_window_days"] is None  # blank: the financial class's window applies


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("scope,key,appeal_window_days\nfinancial_class,Comercial,60\n", "line 2", "unknown financial class"),
        ("payer_id,timely_filing_days\nP1,90\nP1,120\n", "line 3", "a second row for the same payer"),
        (
            "payer_id,timely_filing_days\nP1,2024-01-01\n",
            "line 2",
            "timely_filing_days is not a whole number",
        ),
        ("payer_id,timely_filing_days\nP1,\n", "line 2", "no days given"),
        ("scope,key,timely_filing_days\nplan,P1,90\n", "line 2", "the scope is not one of"),
    ],
)
def test_bad_payer_policy_rows_name_the_file_and_line(tmp_path, text, where, what):
    bad = tmp_path / "policy.csv"
    bad.write_text(text)
    with pytest.raises(ReferenceFileError, match=rf"policy.csv, {where}: {what}"):
        parse_reference_file(bad, kind="payer_policy")


def test_loading_an_earlier_payer_policy_again_puts_it_back_in_force(settings, tmp_path):
    """The policy in force is the file loaded last (stg_reference__payer_policy), so loading the old file
    again must make it the latest, and a build must see that (the fingerprint changes)."""
    from pipelines.warehouse.build import project_fingerprint

    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("payer_id,appeal_window_days\nP1,30\n")
    new.write_text("payer_id,appeal_window_days\nP1,90\n")
    a, b = load_reference_file(old, settings), load_reference_file(new, settings)
    assert (a.status, b.status, a.kind) == ("loaded", "loaded", "payer_policy")
    in_force = lambda: pl.read_parquet(settings.reference_dir / "payer_policy" / "*.parquet").sort(
        "loaded_at"
    )[-1]
    assert in_force()["appeal_window_days"].item() == 90
    before = project_fingerprint(settings)
    assert load_reference_file(old, settings).status == "duplicate"
    assert in_force()["appeal_window_days"].item() == 30
    assert project_fingerprint(settings) != before
