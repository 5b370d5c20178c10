"""The drop folder: only settled files are taken, handled files leave it, odd names and links cannot hurt."""

from __future__ import annotations

import os
import time

from pipelines.cli.main import main
from pipelines.ingest import load_landing, scan_landing
from tests.conftest import make_settings
from tests.hostile.conftest import (
    CLAIMS,
    ENCOUNTERS,
    REMIT,
    assert_good_files_loaded,
    land,
    published,
    reasons,
)


def _run(capsys) -> tuple[int, str, str]:
    from pipelines.ingest import ingest_paths, landed_files
    from pipelines.settings import get_settings

    s = get_settings()
    outs = ingest_paths(landed_files(s), s)
    rc = 1 if any(o.failed for o in outs) else 0
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_a_file_still_being_written_is_left_for_the_next_run(settings, tmp_path):
    s = make_settings(settings.home, settle_seconds=2.0)
    (s.landing_dir / "growing.x12").write_bytes(REMIT.read_bytes()[:300])
    old = land(s, CLAIMS)[0]
    past = time.time() - 60
    os.utime(old, (past, past))

    def keep_writing():  # a copy in progress: the file grows while the scan waits for it to settle
        time.sleep(0.5)
        with open(s.landing_dir / "growing.x12", "ab") as fh:
            fh.write(REMIT.read_bytes()[300:600])

    import threading

    writer = threading.Thread(target=keep_writing)
    writer.start()
    scan = scan_landing(s)
    writer.join()
    assert [p.name for p in scan.ready] == [CLAIMS.name]
    assert [p.name for p in scan.settling] == ["growing.x12"]
    # finished and settled: taken on the next run
    (s.landing_dir / "growing.x12").write_bytes(REMIT.read_bytes())
    past = time.time() - 60
    os.utime(s.landing_dir / "growing.x12", (past, past))
    assert {p.name for p in scan_landing(s).ready} == {CLAIMS.name, "growing.x12"}


def test_a_young_file_that_stops_changing_is_taken_after_the_settle_time(settings):
    s = make_settings(settings.home, settle_seconds=1.0)
    land(s, REMIT)
    t0 = time.monotonic()
    scan = scan_landing(s)
    assert [p.name for p in scan.ready] == [REMIT.name]
    assert 0.5 <= time.monotonic() - t0 < 5  # waited for it once, not forever
    assert scan_landing(s, wait=False).settling == []  # now old enough without waiting


def test_names_of_copies_in_progress_and_hidden_files_are_never_taken(settings):
    for name in ("835.x12.part", "835.x12.tmp", ".835.x12.swp", "x.crdownload", "x.filepart", "x.partial"):
        (settings.landing_dir / name).write_bytes(REMIT.read_bytes())
    hidden = settings.landing_dir / ".rsync-tmp"
    hidden.mkdir()
    (hidden / "a.x12").write_bytes(REMIT.read_bytes())
    assert scan_landing(settings).ready == []


def test_ready_markers_when_configured(settings):
    s = make_settings(settings.home, ready_markers=True)
    land(s, REMIT, CLAIMS)
    (s.landing_dir / (CLAIMS.name + ".ready")).write_text("")
    assert [p.name for p in scan_landing(s).ready] == [CLAIMS.name]
    from pipelines.ingest import ingest_paths

    ingest_paths(scan_landing(s).ready, s)
    assert not (s.landing_dir / (CLAIMS.name + ".ready")).exists()  # the marker leaves with its file
    assert (s.landing_dir / REMIT.name).exists()  # no marker yet: still waiting


def test_handled_files_leave_landing_and_a_second_run_reports_nothing(settings, capsys, good_files):
    bad = settings.landing_dir / "bad.x12"
    bad.write_bytes(REMIT.read_bytes().replace(b"CLP*C1001*1*120.00", b"CLP*C1001*1*12O.00"))
    assert main(["run"]) == 1  # something new failed
    first = capsys.readouterr()
    assert "bad.x12" in first.err
    assert_good_files_loaded(settings)
    assert not any(p.is_file() for p in settings.landing_dir.rglob("*") if "reference" not in p.parts)
    [q] = reasons(settings)
    assert q["file"] == "bad.x12" and q["status"] == "rejected"
    assert (settings.quarantine_dir / q["file_id"] / q["stored_as"]).exists()  # moved, not copied
    # the next run: nothing new, nothing re-quarantined, exit 0, and no build: the warehouse is current
    published = settings.warehouse_path.stat().st_mtime_ns
    assert main(["run"]) == 0
    second = capsys.readouterr()
    assert "bad.x12" not in second.out + second.err
    assert "no new files" in second.out
    assert len((second.out + second.err).strip().splitlines()) <= 3
    assert settings.warehouse_path.stat().st_mtime_ns == published
    # --force builds anyway (and publishes a new warehouse file)
    assert main(["run", "--force"]) == 0
    assert settings.warehouse_path.stat().st_mtime_ns != published


def test_a_file_named_reason_json_keeps_its_quarantined_original(settings, capsys):
    land(settings, REMIT, names=["reason.json"])
    (settings.landing_dir / "reason.json").write_bytes(b"not x12 at all, just a note")
    _run(capsys)
    [q] = reasons(settings)
    assert q["file"] == "reason.json" and q["stored_as"] == "original"
    folder = settings.quarantine_dir / q["file_id"]
    assert (folder / "original").read_bytes() == b"not x12 at all, just a note"
    assert "unrecognised" in " ".join(q["reasons"])


def test_file_names_that_are_not_utf8_or_forge_log_lines(settings, capsys, good_files):
    odd = os.fsdecode(b"caf\xe9.x12")
    forged = "x.x12\nERROR 2024 all files rejected\r"
    (settings.landing_dir / odd).write_bytes(REMIT.read_bytes().replace(b"000000201", b"000000999"))
    (settings.landing_dir / forged).write_bytes(b"junk")
    assert main(["run", "-v"]) == 1  # the junk file is rejected; nothing crashes; -v: every file's line
    cap = capsys.readouterr()
    text = cap.out + cap.err
    assert "caf\\xe9.x12" in text  # the undecodable byte shown escaped
    assert "x.x12?ERROR 2024 all files rejected?" in text  # control characters shown as '?'
    assert "\nERROR 2024" not in text
    assert_good_files_loaded(settings)
    names = set(published(settings, "files")["file_name"])
    assert "caf\\xe9.x12" in names


def test_a_link_out_of_landing_is_rejected_and_never_followed(settings, tmp_path, capsys, good_files):
    secret = tmp_path / "outside" / "secret.x12"
    secret.parent.mkdir()
    secret.write_bytes(REMIT.read_bytes().replace(b"000000201", b"000000777"))
    (settings.landing_dir / "link.x12").symlink_to(secret)
    (settings.landing_dir / "dirlink").symlink_to(secret.parent, target_is_directory=True)
    landed = load_landing(settings)
    rejected = [o for o in landed.outcomes if o.status == "rejected"]
    assert sorted(o.file_name for o in rejected) == ["dirlink", "link.x12"]
    assert all("outside the landing folder" in o.reasons[0] for o in rejected)
    for q in reasons(settings):
        folder = settings.quarantine_dir / q["file_id"]
        assert q["stored_as"] is None
        assert sorted(p.name for p in folder.iterdir()) == ["reason.json"]  # nothing of the target copied
    assert secret.exists() and not (settings.landing_dir / "link.x12").exists()
    assert "000000777" not in set(published(settings, "x12_transactions")["isa13"])
    assert_good_files_loaded(settings)


def test_an_explicit_path_outside_landing_is_loaded_but_never_moved(settings, tmp_path, capsys):
    f = tmp_path / "835.x12"
    f.write_bytes(REMIT.read_bytes())
    assert main(["ingest", str(f)]) == 0
    assert f.exists()
    assert published(settings, "remit_claims").height == 3


def test_a_missing_path_is_one_clear_line(settings, capsys):
    assert main(["ingest", "does_not_exist.x12"]) == 1
    cap = capsys.readouterr()
    assert cap.err.strip() == "does_not_exist.x12: no such file"
    assert "None" not in cap.out + cap.err


def test_an_encounter_file_and_a_payments_file_report_rows(settings, capsys):
    land(settings, ENCOUNTERS)
    (settings.landing_dir / "payments.csv").write_text(
        "payment_id,patient_id,payment_date,amount,claim_id,encounter_id,method\n"
    )
    assert main(["ingest", str(settings.landing_dir)]) == 0
    out = capsys.readouterr().out
    assert f"{ENCOUNTERS.name}: encounters accepted, 12 rows" in out
    assert "payments.csv: patient_payments accepted, 0 rows" in out  # a header-only extract is empty, not bad


def test_run_json_reports_files_build_and_summary(settings, capsys, good_files):
    import json

    assert main(["run", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)  # stdout is the JSON object alone; human lines go to stderr
    assert {f["file_name"]: f["status"] for f in first["files"]} == {
        REMIT.name: "accepted",
        CLAIMS.name: "accepted",
        ENCOUNTERS.name: "accepted",
    }
    assert first["build"] == "built" and first["exit_code"] == 0
    assert first["summary"]["claims_submitted"] > 0
    assert main(["run", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["files"] == [] and second["build"].startswith("skipped")
