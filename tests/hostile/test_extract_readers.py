"""Encounter and patient-payment extracts as practice systems really write them: rows are rejected, not files."""

from __future__ import annotations

import io

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import ingest_file
from pipelines.ingest.extracts import ENCOUNTERS, PATIENT_PAYMENTS, ExtractFileError, parse_extract
from tests.hostile.conftest import ENCOUNTERS as ENC_FILE
from tests.hostile.conftest import REMIT, assert_good_files_loaded, published, reasons

CSV = ENC_FILE.read_bytes()
LINES = CSV.decode().splitlines()
PAY_HEADER = "payment_id,patient_id,payment_date,amount,claim_id,encounter_id,method"


def _csv(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_ragged_rows_are_rejected_one_by_one(settings, good_files):
    lines = list(LINES)
    lines[3] = lines[3] + ",extra"  # file line 4: one field too many
    lines[5] = ",".join(lines[5].split(",")[:5])  # file line 6: too few
    f = settings.landing_dir / "ragged.csv"
    f.write_bytes(_csv(lines))
    out = ingest_file(f, settings)
    assert (out.status, out.lines, out.rows_rejected) == ("partial", 10, 2)
    assert any("line 4: row has 16 fields, the header 15" in r for r in out.reasons)
    assert any("line 6: row has 5 fields, the header 15" in r for r in out.reasons)
    rejected = pl.read_csv(settings.quarantine_dir / out.file_id / "_rejected_rows.csv")
    assert sorted(rejected["row_number"].to_list()) == [4, 6]


def test_a_row_cut_off_at_the_end_is_rejected_as_truncated(settings):
    data = _csv(LINES)[:-12]  # the last row loses its end (and its line break)
    res = parse_extract(ENCOUNTERS, data, "enc.csv", "f")
    assert res.accepted.height == 11
    assert res.rejected["row_number"].to_list() == [13]
    assert "cut off" in res.rejected["reason"][0]
    # the same file complete loads every row
    assert parse_extract(ENCOUNTERS, _csv(LINES), "enc.csv", "f").accepted.height == 12


@pytest.mark.parametrize("header_change", [("claim_id", "Encounter_ID"), ("claim_id", " encounter_id ")])
def test_a_header_naming_a_column_twice_rejects_the_file_clearly(settings, good_files, header_change):
    lines = list(LINES)
    lines[0] = lines[0].replace(*header_change)
    f = settings.landing_dir / "twice.csv"
    f.write_bytes(_csv(lines))
    out = ingest_file(f, settings)
    assert out.status == "rejected"
    assert "header names 'encounter_id' twice (columns 1 and 15" in out.reasons[0]


def test_a_nested_parquet_column_rejects_the_file_clearly(settings, tmp_path):
    table = pl.read_csv(CSV, infer_schema=False).to_arrow()
    nested = table.set_column(
        table.schema.get_field_index("modifiers"), "modifiers", pa.array([["25"]] * table.num_rows)
    )
    f = tmp_path / "nested.parquet"
    pq.write_table(nested, f)
    out = ingest_file(f, settings)
    assert out.status == "rejected"
    assert "column 'modifiers' holds nested values" in out.reasons[0]


def test_a_damaged_parquet_footer_and_damaged_pages(settings, tmp_path, good_files):
    table = pl.read_csv(CSV, infer_schema=False).to_arrow()
    whole = tmp_path / "whole.parquet"
    pq.write_table(table, whole, row_group_size=4, compression="none")
    data = whole.read_bytes()
    footer = tmp_path / "footer.parquet"
    footer.write_bytes(data[:-40] + b"\x00" * 36 + b"PAR1")
    out = ingest_file(footer, settings)
    assert out.status == "rejected"
    assert "damaged Parquet file" in out.reasons[0]

    # damage the pages of the second row group (rows 5-8) only: the other groups still load
    meta = pq.ParquetFile(whole).metadata
    col = meta.row_group(1).column(0)
    start = col.data_page_offset
    pages = bytearray(data)
    pages[start : start + 12] = b"\xff" * 12
    damaged = tmp_path / "pages.parquet"
    damaged.write_bytes(bytes(pages))
    out = ingest_file(damaged, settings)
    assert out.status == "partial" and out.lines == 8 and out.rows_rejected == 4
    assert any("row 5: row group 2 of the Parquet file is damaged (rows 5-8)" in r for r in out.reasons)


def test_header_only_extracts_are_empty_not_bad(settings, tmp_path):
    f = tmp_path / "payments.csv"
    f.write_text(PAY_HEADER + "\n")
    out = ingest_file(f, settings)
    assert (out.status, out.lines, out.reasons) == ("accepted", 0, [])
    g = tmp_path / "payments_no_break.csv"
    g.write_text(PAY_HEADER.replace("method", "method2"))
    assert ingest_file(g, settings).status == "accepted"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "latin-1"])
def test_encodings_are_decoded_never_replaced(settings, tmp_path, encoding):
    lines = list(LINES)
    lines[1] = lines[1].replace(lines[1].split(",")[2], "P-MÜLLER")  # patient_id
    f = tmp_path / f"enc_{encoding}.csv"
    f.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    out = ingest_file(f, settings)
    assert out.status == "accepted", out.reasons
    ids = published(settings, "encounters")["patient_id"].to_list()
    assert "P-MÜLLER" in ids and not any("\ufffd" in i for i in ids)


def test_a_configured_encoding_wins(tmp_path):
    data = ("\n".join([LINES[0], LINES[1].replace("E", "É", 1)]) + "\n").encode("cp1252")
    res = parse_extract(ENCOUNTERS, data, "e.csv", "f", encoding="cp1252")
    assert res.encoding == "cp1252" and res.accepted.height == 1
    with pytest.raises(ExtractFileError, match="unknown encoding"):
        parse_extract(ENCOUNTERS, data, "e.csv", "f", encoding="klingon")


def test_values_never_appear_in_row_reasons():
    lines = list(LINES)
    lines[2] = lines[2].replace("2024-01-02", "DOE JANE DOB 1970-01-31")
    res = parse_extract(ENCOUNTERS, _csv(lines), "e.csv", "f")
    assert res.rejected["reason"].to_list() == ["service_date: not a date (expected YYYY-MM-DD)"]


def test_an_extract_that_breaks_the_reader_stops_only_itself(settings, good_files, monkeypatch, capsys):
    """Any failure inside one file's read is that file's outcome: quarantined with the kind of failure, the
    traceback in the private error log only, every other file loaded."""
    from pipelines.cli.main import main
    from pipelines.ingest import extracts

    real = extracts._check

    def explode(spec, raw, file_id):
        if raw.height and "BOOM-PHI-VALUE" in raw["encounter_id"].to_list():
            raise RuntimeError("value BOOM-PHI-VALUE broke the reader")
        return real(spec, raw, file_id)

    monkeypatch.setattr(extracts, "_check", explode)
    lines = list(LINES)
    lines[1] = lines[1].replace(lines[1].split(",")[0], "BOOM-PHI-VALUE", 1)
    (settings.landing_dir / "boom.csv").write_bytes(_csv(lines))
    assert main(["run"]) == 1
    cap = capsys.readouterr()
    assert "boom.csv: could not be read (RuntimeError)" in cap.err
    assert "BOOM-PHI-VALUE" not in cap.out + cap.err
    assert "BOOM-PHI-VALUE" in (settings.runs_dir / "errors.log").read_text()  # private, 0600
    assert (settings.runs_dir / "errors.log").stat().st_mode & 0o777 == 0o600
    assert_good_files_loaded(settings)
    assert [r["status"] for r in reasons(settings)] == ["rejected"]


# -------------------------------------------------------------------------------------------- property
_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_cell, min_size=0, max_size=9), max_size=12),
    end=st.sampled_from(["\n", "\r\n", ""]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_any_csv_is_read_or_refused_cleanly(rows, end, encoding):
    """Whatever the rows: either a clean file-level ExtractFileError, or every non-blank record accounted for
    exactly once, accepted or rejected, and accepted rows typed."""
    header = PAY_HEADER.split(",")
    text = "\n".join([",".join(header), *(",".join(r) for r in rows)]) + end
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        res = parse_extract(PATIENT_PAYMENTS, data, "p.csv", "f")
    except ExtractFileError:
        return
    assert res.accepted.schema == PATIENT_PAYMENTS.schema
    numbers = res.accepted["row_number"].to_list() + res.rejected["row_number"].to_list()
    assert len(numbers) == len(set(numbers))  # no row twice
    assert all(2 <= n for n in numbers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.one_of(st.none(), _cell), min_size=0, max_size=20),
    cut=st.integers(0, 400),
    flip=st.integers(0, 255),
)
def test_any_parquet_is_read_or_refused_cleanly(values, cut, flip):
    n = len(values)
    table = pa.table({c: pa.array(values, pa.string()) for c in PAY_HEADER.split(",")})
    buf = io.BytesIO()
    pq.write_table(table, buf, row_group_size=5)
    data = bytearray(buf.getvalue())
    if cut and cut < len(data):
        data[cut] = flip
    try:
        res = parse_extract(PATIENT_PAYMENTS, bytes(data), "p.parquet", "f")
    except ExtractFileError:
        return
    assert res.accepted.height + res.rejected.height <= n
    assert res.accepted.schema == PATIENT_PAYMENTS.schema


def test_a_remit_and_an_encounter_file_in_one_drop_with_a_bad_one(settings, good_files, tmp_path):
    """The hostile files above, all in one drop with the good ones: each gets its own outcome."""
    (settings.landing_dir / "zero.x12").write_bytes(b"")
    (settings.landing_dir / "binary.bin").write_bytes(bytes(range(256)) * 10)
    (settings.landing_dir / "half.x12").write_bytes(REMIT.read_bytes()[:400])
    from pipelines.ingest import load_landing

    landed = load_landing(settings)
    status = {o.file_name: o.status for o in landed.outcomes}
    assert status["zero.x12"] == "rejected" and status["binary.bin"] == "rejected"
    assert status["half.x12"] == "rejected"
    assert_good_files_loaded(settings)
