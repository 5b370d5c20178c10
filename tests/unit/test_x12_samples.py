"""Every public sample parses with at least the MANIFEST claim count, or is rejected for a documented reason."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from pipelines.x12.parser import parse_file
from tests.conftest import SAMPLES, manifest_rows

# file -> the error code that rejects it (documented in README "What the parser rejects").
REJECTED = {
    "CHS-CDS-AIML__edi-835-parser/tests__test_edi_835_files__test.835": "BAL_CLAIM",
    "LinuxForHealth__x12/src__tests__resources__835_005010X221A1__tertiary-payment.835": "BAL_LINE",
    "LinuxForHealth__x12/src__tests__resources__837_004010X096A1__institutional.837": "TX_UNSUPPORTED",
    "LinuxForHealth__x12/src__tests__resources__837_004010X098A1__patient-is-subscriber.837": "TX_UNSUPPORTED",
    "imsweb__x12-parser/src__test__resources__837_5010__x12_bad_segment_identifier.txt": "SEG_BAD_ID",
    "albmarin__badX12/tests__files__errors__error_validation.edi": "ENV_SE_CONTROL",
    "keironstoddart__edi-835-parser/tests__test_edi_835_files__blue_cross_nc_sample.txt": "ENV_NO_ISA",
    "azoner__pyx12/test__files__835_simple.txt": "TX_UNSUPPORTED",
    "azoner__pyx12/test__files__mult_isa.txt": "TX_UNSUPPORTED",
    "azoner__pyx12/test__files__bad_header_looping.txt": "TX_UNSUPPORTED",
    # a 5010 functional group inside a 4020 interchange (ISA12 00402): an envelope that contradicts itself is
    # rejected with the version named, never read as 5010 silently
    "xlate__staedi/src__test__resources__x12__sample837-original.edi": "TX_UNSUPPORTED",
    "xlate__staedi/src__test__resources__x12__sample837-small.edi": "TX_UNSUPPORTED",
    # a 277 claim status response (X212, answering a 276) is not the 277CA claim acknowledgment (X214)
    "LinuxForHealth__x12/src__tests__resources__277_005010X212__claim-level-status.277": "TX_UNSUPPORTED",
    # SV1 lines with their LX missing: rejected (never silently dropped) with REQ_MISSING_SEGMENT
    "imsweb__x12-parser/src__test__resources__837_5010__x12_missing_required_loops_mult_repeats.txt": (
        "REQ_MISSING_SEGMENT"
    ),
}

ROWS = manifest_rows()


@pytest.mark.parametrize("row", ROWS, ids=[r["local_file"].split("/")[-1][:60] for r in ROWS])
def test_sample_claim_count_or_documented_rejection(row):
    res = parse_file(SAMPLES / row["local_file"])
    codes = {f.code for f in res.findings if f.severity == "error"}
    if row["local_file"] in REJECTED:
        assert res.status == "rejected"
        assert REJECTED[row["local_file"]] in codes
        return
    assert res.status == "accepted", [f.describe(row["local_file"]) for f in res.findings]
    assert res.claims >= int(row["claims"])
    want_type = row["transaction_type"]
    if want_type in ("835", "837P", "837I", "999"):
        assert res.file_type == want_type


def test_4010_is_named_in_the_message():
    res = parse_file(SAMPLES / "azoner__pyx12/test__files__835_simple.txt")
    msg = next(f.message for f in res.findings if f.code == "TX_UNSUPPORTED")
    assert "004010" in msg


def test_835_demo_hand_checked_amounts():
    res = parse_file(SAMPLES / "LinuxForHealth__x12/demo-file__demo.835")
    claims = res.tables["remit_claims"].sort("seg_index")
    assert claims["claim_id"].to_list() == ["666123", "777777"]
    assert claims["charge_amount"].to_list() == [Decimal("211366.97"), Decimal("15000.00")]
    assert claims["paid_amount"].to_list() == [Decimal("138018.40"), Decimal("11980.33")]
    assert claims["filing_indicator"].to_list() == ["MA", "MB"]
    adj = res.tables["remit_adjustments"].sort("seg_index")
    assert adj.select("group_code", "reason_code", "amount").rows() == [
        ("CO", "45", Decimal("73348.57")),
        ("CO", "45", Decimal("3019.67")),
    ]
    pay = res.tables["remit_payments"].row(0, named=True)
    assert pay["total_paid"] == Decimal("150000.00")
    assert str(pay["payment_date"]) == "2002-09-13"
    plb = res.tables["remit_provider_adjustments"].row(0, named=True)
    assert (plb["reason_code"], plb["reference_id"], plb["amount"]) == ("CV", "CP", Decimal("-1.27"))
    remarks = res.tables["remit_remarks"]
    assert set(remarks["remark_code"]) == {"MA02"}
    # every row carries lineage
    assert claims["isa13"].unique().to_list() == ["000000907"]
    assert claims["st02"].unique().to_list() == ["1234"]


def test_835_line_level_denials_and_remarks():
    res = parse_file(SAMPLES / "keironstoddart__edi-835-parser/tests__test_edi_835_files__emedny_sample.txt")
    lines = res.tables["remit_lines"]
    assert lines.height == 10
    first = lines.sort("seg_index").row(0, named=True)
    assert (first["procedure_code"], first["modifier_1"], first["charge_amount"]) == (
        "V2020",
        "RB",
        Decimal(6),
    )
    adj = res.tables["remit_adjustments"]
    assert adj.filter(pl.col("adjustment_level") == "line").select("reason_code").to_series().to_list() == [
        "29",
        "29",
        "251",
        "251",
    ]
    assert res.tables["remit_remarks"]["remark_code"].to_list() == ["N206", "N206"]


def test_837p_demo_claim_lines_and_diagnoses():
    res = parse_file(SAMPLES / "LinuxForHealth__x12/demo-file__demo.837")
    claim = res.tables["claims"].row(0, named=True)
    assert claim["claim_id"] == "26463774"
    assert claim["total_charge"] == Decimal(100)
    assert (claim["billing_npi"], claim["payer_id"], claim["filing_indicator"]) == (
        "1912301953",
        "999996666",
        "CI",
    )
    assert (claim["patient_last_name"], claim["patient_first_name"]) == ("SMITH", "TED")
    assert (claim["facility_code"], claim["frequency_code"]) == ("11", "1")
    lines = res.tables["claim_lines"].sort("line_number")
    assert lines["procedure_code"].to_list() == ["99213", "87070", "99214", "86663"]
    assert sum(lines["charge_amount"].to_list()) == Decimal(100)
    assert [str(d) for d in lines["service_date"].to_list()] == [
        "2006-10-03",
        "2006-10-03",
        "2006-10-10",
        "2006-10-10",
    ]
    dx = res.tables["claim_diagnoses"].sort("diagnosis_order")
    assert dx.select("qualifier", "diagnosis_code").rows() == [("BK", "0340"), ("BF", "V7389")]


def test_837i_institutional_fields():
    res = parse_file(SAMPLES / "LinuxForHealth__x12/demo-file__demo.837i")
    claim = res.tables["claims"].row(0, named=True)
    assert res.file_type == "837I"
    assert (claim["claim_id"], claim["facility_code"], claim["frequency_code"]) == ("756048Q", "14", "1")
    assert claim["discharge_status"] == "01"
    # the 2320/2330 other-subscriber loop must not overwrite the claim's payer
    assert claim["payer_name"] == "MEDICARE B"
    lines = res.tables["claim_lines"].sort("line_number")
    assert lines["revenue_code"].to_list() == ["0305", "0730"]
    assert lines["units"].to_list() == [1.0, 3.0]


def test_multiple_interchanges_and_transactions():
    res = parse_file(SAMPLES / "tastypackets__x12-parser/test__test-files__835__profee-multiple.edi")
    assert res.status == "accepted"
    assert res.tables["x12_transactions"].height == 156
    assert res.tables["remit_claims"].height == 468
    assert res.tables["x12_transactions"]["seg_index"].n_unique() == 156


def test_delimiter_variants_give_the_same_claims():
    a = parse_file(SAMPLES / "imsweb__x12-parser/src__test__resources__837_5010__x12_valid.txt")
    b = parse_file(
        SAMPLES / "imsweb__x12-parser/src__test__resources__837_5010__x12_valid_different_separators.txt"
    )
    cols = ["claim_id", "total_charge", "payer_id", "subscriber_member_id"]
    assert a.tables["claims"].select(cols).rows() == b.tables["claims"].select(cols).rows()
    assert a.tables["claim_lines"].height == b.tables["claim_lines"].height == 2


def test_newline_terminated_835():
    res = parse_file(SAMPLES / "tastypackets__x12-parser/test__test-files__835__multi-line-not-delimited.edi")
    assert res.status == "accepted"
    assert res.tables["remit_claims"].height == 3
