"""X12 as it really arrives: copied in twice, with envelopes that contradict their content, without terminators."""

from __future__ import annotations

import json
from decimal import Decimal

from pipelines.ingest import ingest_file, ingest_paths
from pipelines.x12.parser import parse_bytes, parse_bytes_reference
from tests.conftest import SAMPLES, make_settings
from tests.hostile.conftest import CLAIMS, REMIT, REMIT_BCBS, assert_good_files_loaded, published

INSTITUTIONAL = (SAMPLES / "imsweb__x12-parser/src__test__resources__837_5010__x223-test.txt").read_bytes()


def _paid(settings) -> Decimal:
    return sum(published(settings, "remit_claims")["paid_amount"].to_list(), Decimal(0))


def test_a_partial_copy_then_the_whole_835_counts_each_transaction_set_once(tmp_path):
    whole = REMIT.read_bytes() + REMIT_BCBS.read_bytes()  # two interchanges, one transaction set each
    cut = len(REMIT.read_bytes()) + len(REMIT_BCBS.read_bytes()) // 2

    alone = make_settings(tmp_path / "alone")
    alone.ensure_dirs()
    (tmp_path / "whole.x12").write_bytes(whole)
    assert ingest_file(tmp_path / "whole.x12", alone).status == "accepted"

    copied = make_settings(tmp_path / "copied")
    copied.ensure_dirs()
    partial = copied.landing_dir / "remits.x12"
    partial.write_bytes(whole[:cut])  # the copy caught halfway: the first set is complete, the second is not
    first = ingest_paths([partial], copied)[0]
    assert (first.status, first.claims) == ("partial", 3)
    partial.write_bytes(whole)  # the copy finished: the same name, now whole
    second = ingest_paths([partial], copied)[0]
    assert second.status == "accepted" and second.transactions_skipped == 1
    assert "1 transaction set already loaded, skipped" in second.summary_line()
    assert published(copied, "remit_claims").height == published(alone, "remit_claims").height
    assert _paid(copied) == _paid(alone)
    # the same whole file a third time (another name): nothing new at all
    again = copied.landing_dir / "remits_again.x12"
    again.write_bytes(whole)
    assert ingest_paths([again], copied)[0].status == "duplicate"


def test_a_resent_set_with_other_content_under_the_same_control_numbers_still_loads(settings, tmp_path):
    """Same ISA/GS/ST numbers, different content (a sender that reuses control numbers): not the same set."""
    ingest_file(REMIT, settings)
    other = tmp_path / "other.x12"
    other.write_bytes(REMIT.read_bytes().replace(b"CLP*C1001*1*120.00*85.60", b"CLP*C1001*1*120.00*85.60", 1)
                      .replace(b"DTM*405*20240126", b"DTM*405*20240127"))  # fmt: skip
    out = ingest_file(other, settings)
    assert out.status == "accepted" and out.transactions_skipped == 0


def test_a_professional_guide_on_institutional_claims_is_read_by_its_content(settings, tmp_path, good_files):
    mislabelled = INSTITUTIONAL.replace(b"005010X223A2", b"005010X222A1")
    for data, want, named in [(mislabelled, "837I", "005010X222A1"),
                              (CLAIMS.read_bytes().replace(b"005010X222A1", b"005010X223A2"), "837P", "005010X223A2")]:  # fmt: skip
        for engine in (parse_bytes, parse_bytes_reference):
            res = engine(data, "m.x12")
            assert res.file_type == want and res.status == "accepted"
            [w] = [f for f in res.findings if f.code == "TX_GUIDE_MISMATCH"]
            assert named in w.message and want in w.message
    f = tmp_path / "mislabelled.x12"
    f.write_bytes(mislabelled)
    out = ingest_file(f, settings)
    assert out.file_type == "837I" and out.status == "accepted" and out.warnings >= 1
    assert "837I" in set(published(settings, "claims")["transaction_type"])


def test_versions_that_name_no_supported_guide_are_rejected_with_the_version(settings, tmp_path, good_files):
    cases = {
        "deidentified.x12": (REMIT.read_bytes().replace(b"005010X221A1", b"999999X999X9"), "999999X999X9"),
        "isa4010.x12": (REMIT.read_bytes().replace(b"*00501*", b"*00401*"), "00401"),
        "claims_unknown.x12": (CLAIMS.read_bytes().replace(b"005010X222A1", b"999999X999X9"), "999999X999X9"),
    }
    for name, (data, version) in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        out = ingest_file(f, settings)
        assert out.status == "rejected", name
        assert any(version in r and "not supported" in r for r in out.reasons), out.reasons
    assert_good_files_loaded_after(settings)


def assert_good_files_loaded_after(settings) -> None:
    ingest_paths(sorted(p for p in settings.landing_dir.iterdir() if p.is_file()), settings)
    assert_good_files_loaded(settings)


def test_a_missing_terminator_is_one_capped_finding_not_a_giant_segment(settings, tmp_path):
    head = REMIT.read_bytes().split(b"BPR*")[0]
    junk = head + b"NTE*" + b"A" * (1_200_000)  # no terminator for 1.2 MB
    for engine in (parse_bytes, parse_bytes_reference):
        res = engine(junk, "j.x12")
        assert res.status == "rejected"
        [f] = [f for f in res.findings if f.code == "SEG_TOO_LONG"]
        assert "longer than 1048576 bytes" in f.message
    f = tmp_path / "noterm.x12"
    f.write_bytes(junk)
    assert ingest_file(f, settings).status == "rejected"


def test_reasons_are_capped_and_counted_by_code(settings, tmp_path):
    bad_cas = b"CAS*CO*45*ABC~\n" * 3000
    data = REMIT.read_bytes().replace(b"CAS*CO*45*34.40~\n", bad_cas, 1)
    f = tmp_path / "many.x12"
    f.write_bytes(data)
    out = ingest_file(f, settings)
    assert out.status == "rejected"
    assert len(out.reasons) == settings.max_reasons + 1
    assert "more: ELEM_BAD_AMOUNT" in out.reasons[-1]
    assert out.reason_counts["ELEM_BAD_AMOUNT"] == 3000
    reason = json.loads((settings.quarantine_dir / out.file_id / "reason.json").read_text())
    assert len(json.dumps(reason)) < 20_000


def test_large_files_staged_on_disk_publish_the_same_rows(tmp_path, monkeypatch):
    """A file whose tables are large is staged table by table on disk and published slice by slice (bounded
    memory); what it publishes equals the in-memory path's, transaction-set skipping included."""
    from pipelines.ingest import stage as stage_module

    whole = REMIT.read_bytes() + REMIT_BCBS.read_bytes()
    f = tmp_path / "two.x12"
    f.write_bytes(whole)
    small = make_settings(tmp_path / "small")
    small.ensure_dirs()
    ingest_file(REMIT, small)
    assert ingest_file(f, small).transactions_skipped == 1

    monkeypatch.setattr(stage_module, "LARGE_ROWS", 3)  # every file on disk
    monkeypatch.setattr(stage_module, "SLICE_ROWS", 2)  # and read back two rows at a time
    large = make_settings(tmp_path / "large")
    large.ensure_dirs()
    ingest_file(REMIT, large)
    out = ingest_file(f, large)
    assert out.status == "accepted" and out.transactions_skipped == 1
    for table in ("remit_claims", "remit_lines", "remit_adjustments", "remit_payments", "x12_transactions"):
        cols = [c for c in published(small, table).columns if c not in ("file_id",)]
        a = published(small, table).select(cols).sort(cols, nulls_last=True)
        b = published(large, table).select(cols).sort(cols, nulls_last=True)
        assert a.equals(b), table
