"""999 and 277CA: what a biller reads from them, and what makes a set unreadable — in both engines.

Fixtures in tests/fixtures/acks/ answer the handmade 837s (tests/fixtures/handmade/): the 999 of 2024-01-05
accepts group 0101, the 999 of 2024-02-02 accepts group 0102 with errors on claims C1009 and C1003, the
277CA of 2024-01-06 (from the clearinghouse) accepts C1001, C1002 and C1004 and rejects C1008 (A3:21, its
line 1 rejected A7:454 with a second status A3:21) — the one claim no payer answered.  All three pass pyx12's X231A1 / X214 maps
(tests/unit/test_pyx12_crosscheck.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipelines.x12 import native
from pipelines.x12.parser import parse_bytes, parse_bytes_reference
from tests.conftest import ACKS, SAMPLES

ENGINES = [pytest.param(parse_bytes_reference, id="python")]
if native.load() is not None:
    ENGINES.append(pytest.param(parse_bytes, id="native"))

ISA = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*RIVERSIDEFM    *240105*1000*^*00501*000000900*0*P*:~"


def interchange(st01: str, version: str, body: list[str], functional_id: str = "FA") -> bytes:
    segs = [f"GS*{functional_id}*CLEARINGHOUSE*RIVERSIDEFM*20240105*1000*900*X*{version}",
            f"ST*{st01}*0001*{version}", *body, f"SE*{len(body) + 2}*0001", "GE*1*900", "IEA*1*000000900"]  # fmt: skip
    return (ISA + "~".join(segs) + "~").encode()


def codes(result) -> set[str]:
    return {f.code for f in result.findings}


@pytest.fixture(params=ENGINES)
def parse(request):
    return request.param


def test_999_ties_each_answer_to_the_group_and_set_we_sent(parse):
    accepted = parse((ACKS / "ack_999_20240105.x12").read_bytes(), "a.x12")
    assert (accepted.file_type, accepted.status) == ("999", "accepted")
    row = accepted.tables["ack_set_responses"].row(0, named=True)
    assert (row["group_control"], row["set_control"], row["set_status"], row["group_status"]) == (
        "0101", "0101", "A", "A")  # fmt: skip
    assert (row["group_sets_included"], row["group_sets_accepted"], row["segment_errors"]) == (1, 1, 0)

    errors = parse((ACKS / "ack_999_20240202.x12").read_bytes(), "b.x12")
    row = errors.tables["ack_set_responses"].row(0, named=True)
    assert (row["set_status"], row["set_error_codes"], row["segment_errors"]) == ("E", "I5", 2)
    detail = errors.tables["ack_segment_errors"].select(
        "claim_id", "segment_id", "segment_position", "loop_id", "element_position", "component_position",
        "element_reference", "element_error_code").rows()  # fmt: skip
    assert detail == [
        ("C1009", "NM1", 18, "2010", 9, None, "67", "7"),
        ("C1009", "NM1", 18, "2010", 3, 1, "1035", "1"),
        ("C1003", "DTP", 40, "2400", None, None, None, None),  # an IK3 without IK4: one row
    ]


def test_999_group_answered_without_set_detail_is_one_row(parse):
    res = parse(interchange("999", "005010X231A1", ["AK1*HC*0101*005010X222A1", "AK9*R*1*1*0*5"]), "r.x12")
    assert res.status == "accepted"
    rows = res.tables["ack_set_responses"].select("group_control", "set_control", "group_status",
                                                  "group_sets_accepted", "group_error_codes").rows()  # fmt: skip
    assert rows == [("0101", None, "R", 0, "5")]


@pytest.mark.parametrize(
    ("body", "code", "segment"),
    [
        (["AK1*HC*0101", "AK2*837*0101", "AK9*A*1*1*1"], "REQ_MISSING_SEGMENT", "AK2"),  # AK2 without IK5
        (["AK1*HC*0101", "AK2*837*0101", "IK5*A"], "REQ_MISSING_SEGMENT", "AK1"),  # AK1 without AK9
        (["AK2*837*0101", "IK5*A"], "REQ_MISSING_SEGMENT", "AK2"),  # no AK1 at all
        (["AK1*HC*0101", "AK2*837*0101", "IK5*Q", "AK9*A*1*1*1"], "ELEM_BAD_CODE", "IK5"),
        (
            ["AK1*HC*0101", "AK2*837*0101", "IK5*A", "AK9*A*1*1*99999999999999999999999"],
            "ELEM_BAD_NUMBER",
            "AK9",
        ),
        (["AK1*HC*0101", "AK2*837*0101", "IK4*2*66*1", "IK5*R", "AK9*R*1*1*0"], "REQ_MISSING_SEGMENT", "IK4"),
        (["AK1*HC*0101", "AK2*837*0101", "CLP*X", "IK5*A", "AK9*A*1*1*1"], "SEG_UNKNOWN", "CLP"),
    ],
    ids=["no-ik5", "no-ak9", "no-ak1", "bad-ik501", "count-overflow", "ik4-without-ik3", "foreign-segment"],
)
def test_malformed_999_is_rejected_as_a_unit(parse, body, code, segment):
    res = parse(interchange("999", "005010X231A1", body), "bad.x12")
    assert res.status == "rejected"
    assert res.tables["ack_set_responses"].is_empty() and res.tables["ack_segment_errors"].is_empty()
    assert any(f.code == code and f.segment_id == segment for f in res.findings), res.findings


def test_277ca_reads_each_claim_and_line_status(parse):
    res = parse((ACKS / "ack_277ca_20240106.x12").read_bytes(), "c.x12")
    assert (res.file_type, res.status, res.claims) == ("277CA", "accepted", 4)
    acks = res.tables["claim_acknowledgments"]
    rejected = acks.filter(ack_level="claim", claim_id="C1008").row(0, named=True)
    assert (rejected["status_category"], rejected["status_code"], rejected["entity_code"],
            rejected["action_code"]) == ("A3", "21", "PR", "U")  # fmt: skip
    assert (rejected["charge_amount"], rejected["payer_claim_control_number"], rejected["clearinghouse_trace"]) == (
        Decimal("120.00"), None, "CHC1008")  # fmt: skip
    assert (rejected["source_id"], rejected["receiver_id"], rejected["provider_id"], rejected["patient_member_id"]) == (
        "CH0001", "RFM001", "1234567893", "XBC445566773")  # fmt: skip
    assert (rejected["bht_date"], rejected["status_date"], rejected["service_from_date"]) == (
        date(2024, 1, 6), date(2024, 1, 6), date(2024, 1, 3))  # fmt: skip
    accepted = acks.filter(status_category="A2")
    assert sorted(accepted["payer_claim_control_number"]) == ["ICNC10010001", "ICNC10020001", "ICNC10040001"]
    lines = acks.filter(ack_level="line").sort("status_sequence")
    assert lines.select("line_control_number", "line_procedure_code", "line_charge", "status_sequence",
                        "status_category", "status_code").rows() == [
        ("1", "99213", Decimal("120.00"), 1, "A7", "454"),
        ("1", "99213", Decimal("120.00"), 2, "A3", "21"),
    ]  # fmt: skip
    # the batch-level STC (information receiver, 2200B) is not a claim
    assert set(acks["claim_id"]) == {"C1001", "C1002", "C1004", "C1008"}


HEADER_277 = ["BHT*0085*08*R1*20240106*1000*TH", "HL*1**20*1", "NM1*PR*2*PAYER*****PI*P1", "HL*2*1*21*1",
              "NM1*41*2*US*****46*S1", "HL*3*2*19*1", "NM1*85*2*US*****XX*1234567893", "HL*4*3*PT",
              "NM1*QC*1*DOE*JO****MI*M1"]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "code", "segment"),
    [
        ([*HEADER_277, "TRN*2*C1", "REF*1K*X"], "REQ_MISSING_SEGMENT", "TRN"),  # a claim with no status
        ([*HEADER_277, "TRN*2*C1", "STC*:20*20240106"], "REQ_MISSING_ELEMENT", "STC"),
        ([*HEADER_277, "TRN*2*C1", "STC*A2:20*20240106*WQ*12.345"], "ELEM_BAD_AMOUNT", "STC"),
        ([*HEADER_277[1:], "TRN*2*C1", "STC*A2:20"], "REQ_MISSING_SEGMENT", "BHT"),
        ([*HEADER_277[:3], "SVC*HC:99213*10"], "REQ_MISSING_SEGMENT", "SVC"),
    ],
    ids=["no-stc", "no-category", "bad-amount", "no-bht", "svc-outside-claim"],
)
def test_malformed_277ca_is_rejected_as_a_unit(parse, body, code, segment):
    res = parse(interchange("277", "005010X214", body, "HN"), "bad.x12")
    assert res.status == "rejected"
    assert res.tables["claim_acknowledgments"].is_empty()
    assert any(f.code == code and f.segment_id == segment for f in res.findings), res.findings


def test_277ca_bad_date_loses_the_date_not_the_claim(parse):
    res = parse(
        interchange("277", "005010X214", [*HEADER_277, "TRN*2*C1", "STC*A2:20*20241399*WQ*10"], "HN"), "d"
    )
    assert res.status == "accepted" and "ELEM_BAD_DATE" in codes(res)
    assert res.tables["claim_acknowledgments"].select("claim_id", "status_date").rows() == [("C1", None)]


@pytest.mark.parametrize(
    ("st01", "version", "needle"),
    [("277", "005010X212", "277CA (005010X214)"), ("997", "004010", "004010"),
     ("999", "005010X279A1", "expected 005010X231A1"), ("276", "005010X212", "expected 835, 837, 999 or 277CA")],
    ids=["277-status-response", "997", "999-other-guide", "276"],
)  # fmt: skip
def test_other_acknowledgments_are_refused_with_a_reason(parse, st01, version, needle):
    res = parse(interchange(st01, version, ["BHT*0085*08*R1*20240106"]), "other.x12")
    assert res.status == "rejected"
    assert any(f.code == "TX_UNSUPPORTED" and needle in f.message for f in res.findings), res.findings


def test_a_public_999_pinned(parse):
    """xlate/staedi's simple999.edi (Apache-2.0): three 837 sets answered in a partially accepted group."""
    res = parse((SAMPLES / "xlate__staedi/src__test__resources__x12__simple999.edi").read_bytes(), "s.edi")
    assert (res.file_type, res.status) == ("999", "accepted")
    sets = res.tables["ack_set_responses"]
    assert sets.select("set_control", "set_status", "set_error_codes", "segment_errors").rows() == [
        ("0001", "A", None, 0), ("0002", "R", "5", 1), ("0003", "R", "5", 1)]  # fmt: skip
    assert set(sets.select("group_control", "group_status", "group_sets_included", "group_sets_accepted").rows()) == {
        ("17456", "P", 3, 1)}  # fmt: skip
    errors = res.tables["ack_segment_errors"]
    assert errors.select("set_control", "segment_id", "segment_position", "segment_error_code", "element_position",
                         "element_reference", "element_error_code", "claim_id").rows() == [
        ("0002", "CLM", 22, "8", 2, "782", "1", "123456789"),
        ("0003", "REF", 57, "3", None, None, None, "987654321"),  # after a situational-trigger CTX
    ]  # fmt: skip
