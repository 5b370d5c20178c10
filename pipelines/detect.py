"""Detect what a landed file is from its content, never its name.

X12 is recognised by an ISA header near the start (prose or a BOM may precede it; the transaction
type is read later from GS08/ST01 by the parser); tabular extracts (encounters, patient payments) by the
columns of a CSV header or Parquet schema (pipelines.extracts: each extract's signature columns).
"""

from __future__ import annotations

import io
import re

import polars as pl

from pipelines import extracts

X12 = "x12"
UNKNOWN = "unknown"
ENCOUNTERS = extracts.ENCOUNTERS.kind
PATIENT_PAYMENTS = extracts.PATIENT_PAYMENTS.kind

_ISA = re.compile(rb"ISA[^A-Za-z0-9 \r\n]")


def _kind_of(columns: list[str]) -> str:
    spec = extracts.extract_for_columns(columns)
    return spec.kind if spec else UNKNOWN


def detect_kind(data: bytes) -> str:
    head = data[:4096]
    if head[:4] == b"PAR1":
        try:
            cols = pl.read_parquet_schema(io.BytesIO(data)).keys()
        except (pl.exceptions.PolarsError, OSError, ValueError):  # corrupt parquet: not a recognised file
            return UNKNOWN
        return _kind_of(list(cols))
    if _ISA.search(head) or re.match(rb"\s*ST[*|^~]\d{3}", head.lstrip(b"\xef\xbb\xbf")):
        return X12
    first_line = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("latin-1")
    if "," in first_line:
        return _kind_of(first_line.split(","))
    return UNKNOWN
