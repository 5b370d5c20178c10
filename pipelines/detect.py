"""Detect what a landed file is from its content, never its name.

X12 is recognised by an ISA header near the start (prose or a BOM may precede it; the transaction
type is read later from GS08/ST01 by the parser); encounters by a CSV header or Parquet schema that
carries ``encounter_id``.
"""

from __future__ import annotations

import io
import re

import polars as pl

from pipelines.encounters import looks_like_encounters

X12 = "x12"
ENCOUNTERS = "encounters"
UNKNOWN = "unknown"

_ISA = re.compile(rb"ISA[^A-Za-z0-9 \r\n]")


def detect_kind(data: bytes) -> str:
    head = data[:4096]
    if head[:4] == b"PAR1":
        try:
            cols = pl.read_parquet_schema(io.BytesIO(data)).keys()
        except (pl.exceptions.PolarsError, OSError, ValueError):  # corrupt parquet: not a recognised file
            return UNKNOWN
        return ENCOUNTERS if looks_like_encounters(list(cols)) else UNKNOWN
    if _ISA.search(head) or re.match(rb"\s*ST[*|^~]\d{3}", head.lstrip(b"\xef\xbb\xbf")):
        return X12
    first_line = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("latin-1")
    if "," in first_line and looks_like_encounters(first_line.split(",")):
        return ENCOUNTERS
    return UNKNOWN
