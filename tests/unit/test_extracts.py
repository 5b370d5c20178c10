from __future__ import annotations

from functools import partial

import pytest

from pipelines.ingest.detect import ENCOUNTERS, PATIENT_PAYMENTS, UNKNOWN, X12, detect_kind
from pipelines.ingest.extracts import EXTRACTS, ExtractFileError, parse_extract
from tests.conftest import DEMO

CSV = (DEMO / "encounters_202401.csv").read_bytes()
parse_encounters = partial(parse_extract, EXTRACTS[ENCOUNTERS])
parse_payments = partial(parse_extract, EXTRACTS[PATIENT_PAYMENTS])


def test_demo_encounters_match_the_contract():
    res = parse_encounters(CSV, "enc.csv", "f1")
    assert res.rejected.height == 0
    assert res.accepted.height == 12
    assert res.accepted["encounter_id"].n_unique() == 10
    assert str(res.accepted["charge_amount"].dtype) == "Decimal(precision=18, scale=2)"


def test_missing_required_column_is_named():
    data = CSV.replace(b"procedure_code", b"cpt")
    with pytest.raises(ExtractFileError, match="procedure_code"):
        parse_encounters(data, "enc.csv", "f1")


def test_bad_rows_are_rejected_with_line_and_reason_good_rows_load():
    lines = CSV.decode().splitlines()
    lines[2] = lines[2].replace("2024-01-02", "2024-13-02")  # file line 3
    lines[5] = lines[5].replace(",120.00,", ",abc,")  # file line 6
    res = parse_encounters(("\n".join(lines) + "\n").encode(), "enc.csv", "f1")
    assert res.accepted.height == 10
    reasons = dict(zip(res.rejected["row_number"].to_list(), res.rejected["reason"].to_list(), strict=True))
    assert set(reasons) == {3, 6}
    assert "service_date" in reasons[3] and "charge_amount" in reasons[6]


def test_duplicate_keys_rejected():
    lines = CSV.decode().splitlines()
    res = parse_encounters(("\n".join([*lines, lines[1]]) + "\n").encode(), "enc.csv", "f1")
    assert res.rejected.height == 2
    assert all("more than once" in r for r in res.rejected["reason"])


def test_parquet_encounters(tmp_path):
    import polars as pl

    p = tmp_path / "enc.parquet"
    pl.read_csv(CSV, infer_schema=False).write_parquet(p)
    data = p.read_bytes()
    assert detect_kind(data) == ENCOUNTERS
    assert parse_encounters(data, "enc.parquet", "f2").accepted.height == 12


def test_detect_kind():
    assert detect_kind(CSV) == ENCOUNTERS
    assert detect_kind((DEMO / "claims_837p_20240105.x12").read_bytes()) == X12
    assert detect_kind(b"hello,world\n1,2\n") == UNKNOWN
    assert detect_kind(b"\xef\xbb\xbfsome header text\nISA*00*") == X12


PAYMENTS = b"""payment_id,patient_id,payment_date,amount,claim_id,encounter_id,method
PP1,P001,2024-02-10,25.00,C1,,card
PP2,P002,2024-02-11,-10.50,C2,,check
PP3,P003,2024-02-12,40,,E9,cash
"""


def test_patient_payments_match_the_contract_refunds_are_negative():
    assert (
        detect_kind(PAYMENTS) == PATIENT_PAYMENTS
    )  # it has no encounter_id column, but one would not matter
    assert detect_kind(PAYMENTS.replace(b"method", b"encounter_id2")) == PATIENT_PAYMENTS
    res = parse_payments(PAYMENTS, "pay.csv", "f1")
    assert res.rejected.height == 0
    assert [str(a) for a in res.accepted["amount"]] == ["25.00", "-10.50", "40.00"]
    assert res.accepted["payment_date"].dtype.is_temporal()


def test_patient_payment_rows_rejected_with_line_and_reason():
    data = PAYMENTS.replace(b"PP3,P003,2024-02-12,40", b"PP1,P003,2024-02-31,4x")
    res = parse_payments(data, "pay.csv", "f1")
    reasons = dict(zip(res.rejected["row_number"].to_list(), res.rejected["reason"].to_list(), strict=True))
    assert set(reasons) == {2, 4}  # PP1 twice (file lines 2 and 4); line 4 also has a bad date and amount
    assert "appears more than once" in reasons[2]
    assert "payment_date" in reasons[4] and "amount" in reasons[4]
    with pytest.raises(ExtractFileError, match=r"missing required column.*amount"):
        parse_payments(PAYMENTS.replace(b"amount", b"amt"), "pay.csv", "f1")
