"""Detect what a landed file is from its content, never its name.

X12 is recognised by an ISA header near the start (prose or a BOM may precede it; the transaction
type is read later from GS08/ST01 by the parser); tabular extracts (encounters, patient payments) by the
columns of a CSV header or Parquet schema (pipelines.ingest.extracts: each extract's signature columns).
Only the first few kilobytes (and a Parquet file's footer) are read.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pipelines.ingest import extracts

X12 = "x12"
UNKNOWN = "unknown"
DAMAGED_PARQUET = "damaged_parquet"  # starts like Parquet, but its footer (schema) cannot be read
ENCOUNTERS = extracts.ENCOUNTERS.kind
PATIENT_PAYMENTS = extracts.PATIENT_PAYMENTS.kind
HEAD_BYTES = 4096

_ISA = re.compile(rb"ISA[^A-Za-z0-9 \r\n]")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _kind_of(columns: list[str]) -> str:
    spec = extracts.extract_for_columns(columns)
    return spec.kind if spec else UNKNOWN


def _parquet_columns(source: Path | bytes) -> list[str] | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(io.BytesIO(source) if isinstance(source, bytes) else source).names)
    except (pa.ArrowException, OSError, ValueError):
        return None


def detect_kind(source: Path | bytes) -> str:
    """x12, encounters, patient_payments or unknown, from the bytes (or the head of the file at a path)."""
    if isinstance(source, bytes | bytearray):
        head = bytes(source[:HEAD_BYTES])
    else:
        with open(source, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    if head[:4] == b"PAR1":
        cols = _parquet_columns(bytes(source) if isinstance(source, bytes | bytearray) else source)
        return DAMAGED_PARQUET if cols is None else _kind_of(cols)
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    if _ISA.search(head) or re.match(rb"\s*ST[*|^~]\d{3}", head):
        return X12
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1")
    if "," in first_line:
        try:
            return _kind_of(next(csv.reader([first_line])))
        except csv.Error:
            return UNKNOWN
    return UNKNOWN
