"""Publish or quarantine: idempotent, atomic, and loud about bad input."""

from __future__ import annotations

import json
import shutil

import polars as pl

from pipelines.cli.main import main
from pipelines.ingest import group_paths, ingest_file, ingest_paths, landed_files
from tests.conftest import DEMO

REMIT = DEMO / "remit_835_medicare_20240126.x12"


def published(settings, table: str) -> pl.DataFrame:
    return pl.read_parquet(settings.batches_dir / "*" / f"{table}.parquet")


def test_groups_close_on_files_or_bytes_in_order(tmp_path):
    """A large extract is a group of its own (shared out between workers), small files fill a group up to
    its count, and the files keep their order."""
    sizes = [10, 10, 100, 10, 10, 10, 30, 30]
    paths = []
    for i, n in enumerate(sizes):
        paths.append(tmp_path / f"f{i}")
        paths[-1].write_bytes(b"x" * n)
    groups = group_paths(paths, max_groups=1, max_group_size=3, max_group_bytes=50)
    assert [[sizes[paths.index(p)] for p in g] for g in groups] == [[10, 10], [100], [10, 10, 10], [30], [30]]
    assert [p for g in groups for p in g] == paths
    assert group_paths(paths, max_groups=1, max_group_size=3) == [paths[0:3], paths[3:6], paths[6:8]]


def test_same_file_twice_loads_once(settings, tmp_path):
    first = ingest_file(REMIT, settings)
    copy = tmp_path / "renamed.edi"
    shutil.copy2(REMIT, copy)
    second = ingest_file(copy, settings)
    assert (first.status, second.status) == ("accepted", "duplicate")
    batches = [p for p in settings.batches_dir.iterdir() if p.name != "_schema"]
    assert len(batches) == 1
    assert published(settings, "remit_claims").height == 3
    assert not any(settings.staging_dir.iterdir())


def test_every_batch_has_every_table(settings):
    ingest_file(REMIT, settings)
    batch = next(p for p in settings.batches_dir.iterdir() if p.name != "_schema")
    names = {p.stem for p in batch.glob("*.parquet")}
    schema_names = {p.stem for p in (settings.batches_dir / "_schema").glob("*.parquet")}
    assert names == schema_names
    assert {"claims", "remit_claims", "encounters", "files", "findings"} <= names


def test_malformed_file_is_quarantined_with_reason_and_good_files_still_load(settings, tmp_path, capsys):
    bad = tmp_path / "bad_835.x12"
    bad.write_bytes(REMIT.read_bytes().replace(b"CLP*C1002*1*200.00", b"CLP*C1002*1*2OO.00"))
    rc = main(["ingest", str(bad), str(REMIT)])
    captured = capsys.readouterr()
    assert rc == 1
    # the message names the file, the segment position and the reason
    assert "bad_835.x12" in captured.err and "segment" in captured.err and "ELEM_BAD_AMOUNT" in captured.err
    qdirs = list(settings.quarantine_dir.iterdir())
    assert len(qdirs) == 1
    reason = json.loads((qdirs[0] / "reason.json").read_text())
    assert reason["status"] == "rejected" and reason["file"] == "bad_835.x12"
    assert (
        reason["stored_as"] == "original"
    )  # a landed file may be named reason.json: stored under a fixed name
    assert (qdirs[0] / reason["stored_as"]).read_bytes() == bad.read_bytes()
    assert bad.exists()  # a file named on the command line outside landing/ is copied, never moved
    assert "remit_835_medicare_20240126.x12" not in captured.err  # the good file is not reported as bad
    assert "remit_835_medicare_20240126.x12: 835 accepted" in captured.out


def test_unrecognised_file_is_quarantined(settings, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("call the payer on monday\n")
    out = ingest_file(junk, settings)
    assert out.status == "rejected" and "unrecognised" in out.reasons[0]
    assert (settings.quarantine_dir / out.file_id / "reason.json").exists()


def test_encounter_rows_partially_rejected(settings, tmp_path):
    lines = (DEMO / "encounters_202401.csv").read_text().splitlines()
    lines[2] = lines[2].replace("99214", "")  # file line 3: missing procedure code
    f = tmp_path / "enc.csv"
    f.write_text("\n".join(lines) + "\n")
    out = ingest_file(f, settings)
    assert out.status == "partial" and out.rows_rejected == 1 and out.lines == 11
    q = settings.quarantine_dir / out.file_id
    rejected = pl.read_csv(q / "_rejected_rows.csv")
    assert rejected["row_number"].to_list() == [3]
    assert "procedure_code" in rejected["reason"][0]
    assert published(settings, "encounters").height == 11


def test_gx_gate_rejects_a_batch(settings, tmp_path):
    # A 5010 file whose CAS group is 4010-only "CR": the parser flags it, GX would too; either way rejected.
    bad = tmp_path / "cr.x12"
    bad.write_bytes(REMIT.read_bytes().replace(b"CAS*CO*97", b"CAS*CR*97"))
    out = ingest_file(bad, settings)
    assert out.status == "rejected"


def test_landing_scan_and_bulk_ingest_drain_the_landing_folder(settings):
    for f in DEMO.iterdir():
        shutil.copy2(f, settings.landing_dir / f.name)
    outcomes = ingest_paths(landed_files(settings), settings)
    assert [o.status for o in outcomes] == ["accepted"] * 7
    assert landed_files(settings) == []  # handled files leave landing/: the next run sees only new ones
    archived = sorted(p.name for p in settings.archive_dir.rglob("*") if p.is_file())
    assert archived == sorted(p.name for p in DEMO.iterdir())
    for f in DEMO.iterdir():  # the same files dropped again load nothing, and leave too
        shutil.copy2(f, settings.landing_dir / f.name)
    again = ingest_paths(landed_files(settings), settings)
    assert [o.status for o in again] == ["duplicate"] * 7
    assert landed_files(settings) == []


def test_a_group_is_one_batch_and_a_file_twice_in_one_drop_loads_once(settings, tmp_path):
    """Files ingested together are published as one batch listing their ids; the same bytes under two
    names in one drop load once; a later drop of the same files publishes nothing."""
    twin = tmp_path / "same_remit_again.x12"
    shutil.copy2(REMIT, twin)
    files = sorted(p for p in DEMO.iterdir() if p.suffix in (".x12", ".csv"))
    outcomes = ingest_paths([*files, twin], settings)
    assert [o.status for o in outcomes].count("duplicate") == 1
    batches = [p for p in settings.batches_dir.iterdir() if p.name != "_schema"]
    assert len(batches) == 1
    meta = json.loads((batches[0] / "_batch.json").read_text())
    assert sorted(meta["file_ids"]) == sorted({o.file_id for o in outcomes})
    assert published(settings, "files").height == len(files)
    again = ingest_paths(files, settings)
    assert {o.status for o in again} == {"duplicate"}
    assert [p for p in settings.batches_dir.iterdir() if p.name != "_schema"] == batches


def test_concurrent_publishers_load_a_file_once(settings):
    """Two mapped publish tasks holding the same staged file (the same bytes landed twice in one drop, in two
    groups) publish it once: the duplicate check and the rename happen under one lock."""
    import threading

    from pipelines.ingest import Outcome, publish_staged_many, stage_file, validate_staged_many

    staged = validate_staged_many([stage_file(REMIT, settings)], settings)[0]
    results = []
    barrier = threading.Barrier(2)

    def publish():
        copy = Outcome.from_dict(staged.to_dict())
        barrier.wait()
        results.append(publish_staged_many([copy], settings)[0].status)

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["accepted", "duplicate"]
    assert [p for p in settings.batches_dir.iterdir() if p.name != "_schema"].__len__() == 1
    assert published(settings, "remit_claims").height == 3


def test_patient_payments_load_bad_rows_quarantined_and_gx_gates_amounts(settings, tmp_path):
    f = tmp_path / "payments.csv"
    f.write_text(
        "payment_id,patient_id,payment_date,amount,claim_id\n"
        "PP1,P1,2024-02-01,25.00,C1001\n"
        "PP2,P2,2024-02-30,10.00,C1002\n"  # file line 3: no such date
        "PP3,P3,2024-02-03,-5.00,C1003\n"  # a refund
    )
    out = ingest_file(f, settings)
    assert (out.file_type, out.status, out.lines, out.rows_rejected) == ("patient_payments", "partial", 2, 1)
    assert "payments.csv: line 3: payment_date: not a date (expected YYYY-MM-DD)" in out.reasons
    assert published(settings, "patient_payments")["payment_id"].sort().to_list() == ["PP1", "PP3"]
    rejected = pl.read_csv(settings.quarantine_dir / out.file_id / "_rejected_rows.csv")
    assert rejected["row_number"].to_list() == [3]

    # cents keyed as dollars: the file parses, the GX gate rejects it whole
    big = tmp_path / "payments_big.csv"
    big.write_text("payment_id,patient_id,payment_date,amount\nPP9,P9,2024-03-01,2500000.00\n")
    out = ingest_file(big, settings)
    assert out.status == "rejected" and any("GX patient_payments.amount" in r for r in out.reasons)


def test_a_home_laid_out_before_a_table_existed_gets_its_empty_file(settings):
    from pipelines.ingest import ensure_layout

    ensure_layout(settings)
    added = settings.batches_dir / "_schema" / "patient_payments.parquet"
    added.unlink()  # as a home laid out before the patient-payments extract existed
    ensure_layout(settings)
    assert pl.read_parquet(added).columns[:3] == ["file_id", "row_number", "payment_id"]


def test_a_batch_gathers_small_files_into_row_groups(settings, tmp_path):
    """The files of a group share row groups in the published Parquet (one per file is the slow alternative),
    and how rows are grouped changes nothing of what is published."""
    import dataclasses

    import pyarrow.parquet as pq

    remits = sorted(DEMO.glob("remit_835_*.x12"))
    ingest_paths(remits, settings)
    one_per_file = dataclasses.replace(settings, home=tmp_path / "other", publish_row_group_rows=1)
    one_per_file.ensure_dirs()
    ingest_paths(remits, one_per_file)

    def batch(s):
        (b,) = [p for p in s.batches_dir.iterdir() if p.name != "_schema"]
        return b / "remit_claims.parquet"

    assert pq.ParquetFile(batch(settings)).num_row_groups == 1
    assert pq.ParquetFile(batch(one_per_file)).num_row_groups == len(remits)
    assert pl.read_parquet(batch(settings)).equals(pl.read_parquet(batch(one_per_file)))


def test_published_file_ids_follow_batches_added_and_removed(settings, tmp_path):
    from pipelines.ingest import published_file_ids

    first = ingest_file(REMIT, settings)
    assert first.file_id in published_file_ids(settings)
    second = ingest_file(DEMO / "remit_835_bcbs_20240202.x12", settings)
    assert {first.file_id, second.file_id} <= published_file_ids(settings, fresh=True)
    [batch] = [p for p in settings.batches_dir.iterdir() if second.file_id in (p / "_batch.json").read_text()]
    shutil.rmtree(batch)  # a rebuilt data root
    ids = published_file_ids(settings, fresh=True)
    assert first.file_id in ids and second.file_id not in ids
    assert ingest_file(DEMO / "remit_835_bcbs_20240202.x12", settings).status == "accepted"
