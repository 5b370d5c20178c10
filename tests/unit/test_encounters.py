from __future__ import annotations

import pytest

from pipelines.detect import ENCOUNTERS, UNKNOWN, X12, detect_kind
from pipelines.encounters import EncounterFileError, parse_encounters
from tests.conftest import DEMO

CSV = (DEMO / "encounters_202401.csv").read_bytes()


def test_demo_encounters_match_the_contract():
    res = parse_encounters(CSV, "enc.csv", "f1")
    assert res.rejected.height == 0
    assert res.accepted.height == 12
    assert res.accepted["encounter_id"].n_unique() == 10
    assert str(res.accepted["charge_amount"].dtype) == "Decimal(precision=18, scale=2)"


def test_missing_required_column_is_named():
    data = CSV.replace(b"procedure_code", b"cpt")
    with pytest.raises(EncounterFileError, match="procedure_code"):
        parse_encounters(data, "enc.csv", "f1")


def test_bad_rows_are_rejected_with_line_and_reason_good_rows_load():
    lines = CSV.decode().splitlines()
    lines[2] = lines[2].replace("2024-01-02", "2024-13-02")  # file line 3
    lines[5] = lines[5].replace(",120.00,", ",abc,")  # file line 6
    res = parse_encounters("\n".join(lines).encode(), "enc.csv", "f1")
    assert res.accepted.height == 10
    reasons = dict(zip(res.rejected["row_number"].to_list(), res.rejected["reason"].to_list(), strict=True))
    assert set(reasons) == {3, 6}
    assert "service_date" in reasons[3] and "charge_amount" in reasons[6]


def test_duplicate_keys_rejected():
    lines = CSV.decode().splitlines()
    res = parse_encounters("\n".join([*lines, lines[1]]).encode(), "enc.csv", "f1")
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
