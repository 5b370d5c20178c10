"""Malformed input: each case gives its finding, never a crash, and never loses a well-formed claim."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.x12.envelope import tokenize
from pipelines.x12.parser import parse_bytes
from tests.conftest import DEMO, SAMPLES

REMIT = (DEMO / "remit_835_medicare_20240126.x12").read_bytes()
CLAIMS = (DEMO / "claims_837p_20240105.x12").read_bytes()


def codes(res, severity="error"):
    return {f.code for f in res.findings if f.severity == severity}


def test_empty_file():
    res = parse_bytes(b"", "empty.x12")
    assert res.status == "rejected" and codes(res) == {"ENV_EMPTY"}


def test_binary_junk():
    res = parse_bytes(bytes(range(256)) * 8, "junk.bin")
    assert res.status == "rejected" and "ENV_NO_ISA" in codes(res)


def test_truncated_file_rejects_the_open_transaction():
    res = parse_bytes(REMIT[: len(REMIT) // 2], "truncated.x12")
    assert res.status == "rejected"
    assert {"ENV_MISSING_SE", "ENV_MISSING_IEA"} <= codes(res)
    assert res.tables["remit_claims"].height == 0  # nothing half-loaded


def test_wrong_se_count_is_reported():
    bad = REMIT.replace(b"\nSE*", b"\nSE*9", 1)
    res = parse_bytes(bad, "se.x12")
    assert "ENV_SE_COUNT" in codes(res, "warning")
    assert res.tables["remit_claims"].height == 3


def test_bad_amount_rejects_the_transaction_with_its_position():
    bad = REMIT.replace(b"CLP*C1001*1*120.00*85.60", b"CLP*C1001*1*12O.00*85.60")
    res = parse_bytes(bad, "amount.x12")
    f = next(f for f in res.findings if f.code == "ELEM_BAD_AMOUNT")
    assert (f.segment_id, f.element) == ("CLP", "03")
    assert f.seg_index is not None and f.message == "not a valid monetary amount"
    assert "12O.00" not in f.describe("amount.x12")  # the position and the kind of problem, never the value
    assert res.status == "rejected"


def test_unknown_segment():
    bad = REMIT.replace(b"DTM*405", b"ZZZ*1~\nDTM*405", 1)
    res = parse_bytes(bad, "unknown.x12")
    assert "SEG_UNKNOWN" in codes(res)


def test_unbalanced_claim():
    bad = REMIT.replace(b"CAS*CO*45*34.40", b"CAS*CO*45*34.00")
    res = parse_bytes(bad, "unbalanced.x12")
    assert {"BAL_LINE", "BAL_CLAIM"} <= codes(res)


def test_unbalanced_transaction():
    bad = REMIT.replace(b"BPR*I*265.60", b"BPR*I*265.00")
    res = parse_bytes(bad, "bpr.x12")
    assert "BAL_TRANSACTION" in codes(res)


def test_wrong_gs08_version():
    bad = REMIT.replace(b"005010X221A1", b"004010X091A1")
    res = parse_bytes(bad, "4010.x12")
    assert res.status == "rejected" and "TX_UNSUPPORTED" in codes(res)


def test_unsupported_transaction_type_named():
    bad = CLAIMS.replace(b"005010X222A1", b"005010X224A2")
    res = parse_bytes(bad, "dental.x12")
    msg = next(f.message for f in res.findings if f.code == "TX_UNSUPPORTED")
    assert "dental" in msg and "X224" in msg


def test_odd_delimiters_bom_prose_and_crlf():
    text = REMIT.decode()
    odd = text.replace("*", "|").replace(":", "^").replace("~\n", "!\r\n")
    data = b"\xef\xbb\xbfREMITTANCE FROM PAYER\r\n" + odd.encode()
    res = parse_bytes(data, "odd.x12")
    assert res.status == "accepted", [f.code for f in res.findings]
    assert "ENV_TEXT_BEFORE_ISA" in codes(res, "warning")
    assert res.tables["remit_claims"].height == 3


def test_80_column_wrapped_file_unwraps():
    flat = REMIT.replace(b"\n", b"")
    wrapped = b"\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    res = parse_bytes(wrapped, "wrapped.x12")
    assert res.status == "accepted", [f.describe("w") for f in res.findings]
    base = parse_bytes(REMIT, "base.x12")
    cols = ["claim_id", "charge_amount", "paid_amount"]
    assert res.tables["remit_claims"].select(cols).rows() == base.tables["remit_claims"].select(cols).rows()


def test_one_bad_transaction_set_does_not_block_the_rest():
    good = (SAMPLES / "imsweb__x12-parser/src__test__resources__837_5010__x12_multiple_st.txt").read_bytes()
    bad = good.replace(b"CLM*A37YH556*500", b"CLM*A37YH556*5X0", 1)
    res = parse_bytes(bad, "mixed.x12")
    assert res.status == "partial"
    assert res.rejected_transactions == 1 and res.accepted_transactions == 1
    assert res.tables["claims"].height == 2  # the other transaction set's claims load


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pos=st.integers(min_value=0, max_value=len(REMIT) - 1), junk=st.binary(min_size=0, max_size=6),
       drop=st.integers(min_value=0, max_value=8))  # fmt: skip
def test_mutations_never_crash_nor_drop_a_well_formed_claim(pos, junk, drop):
    mutated = REMIT[:pos] + junk + REMIT[pos + drop :]
    res = parse_bytes(mutated, "mutated.x12")  # must not raise
    loaded = res.tables["remit_claims"].height
    if res.status == "accepted":
        # every CLP segment of an accepted transaction set becomes exactly one row
        clp_segments = sum(1 for seg in tokenize(mutated).segments if seg[0].strip() == "CLP")
        assert loaded == clp_segments
    else:
        # a rejected set is withheld whole, never half-loaded
        assert loaded == 0 or res.status == "partial"


@pytest.mark.parametrize("terminator", [b"~", b"~\n", b"~\r\n", b"\n"])
def test_segment_terminator_variants(terminator):
    text = REMIT.replace(b"~\n", terminator)
    res = parse_bytes(text, "t.x12")
    assert res.status == "accepted" and res.tables["remit_claims"].height == 3
