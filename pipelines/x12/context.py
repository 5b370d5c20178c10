"""Per-transaction-set parsing context: lineage, element access and element-level validation."""

from __future__ import annotations

import re
from datetime import date

from pipelines.x12.envelope import SEGMENT_ID_RE, Delimiters
from pipelines.x12.findings import ERROR, WARNING, Finding

# X12 "R" (decimal) data type: optional sign, digits, at most one point.  Money has at most 2 decimals.
_AMOUNT_RE = re.compile(r"^-?(\d+\.?\d{0,2}|\.\d{1,2})$")
_NUMBER_RE = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")

Segment = tuple[int, list[str]]  # (1-based segment index in the file, elements)


def shown_segment_id(sid: str | None) -> str | None:
    """A segment id as a finding may show it: only when it is one (a garbled segment's first element is data)."""
    return sid if sid is not None and SEGMENT_ID_RE.match(sid) else None


def element(seg: list[str], i: int) -> str | None:
    """Element i (1-based, as in X12 naming: CLP02 -> 2); empty strings become None."""
    if i < len(seg):
        v = seg[i]
        return v if v != "" else None
    return None


class TxContext:
    def __init__(self, *, file_id: str, isa13: str, gs06: str, st02: str, delims: Delimiters, st_index: int):
        self.file_id = file_id
        self.st_index = st_index
        self.isa13 = isa13
        self.gs06 = gs06
        self.st02 = st02
        self.delims = delims
        self.findings: list[Finding] = []

    def lineage(self, seg_index: int) -> dict:
        return {
            "file_id": self.file_id,
            "isa13": self.isa13,
            "gs06": self.gs06,
            "st02": self.st02,
            "st_index": self.st_index,
            "seg_index": seg_index,
        }

    def add(self, severity: str, code: str, message: str, seg_index=None, segment_id=None, element_ref=None):
        self.findings.append(
            Finding(
                severity=severity,
                code=code,
                message=message,
                seg_index=seg_index,
                segment_id=shown_segment_id(segment_id),
                element=element_ref,
                isa13=self.isa13,
                gs06=self.gs06,
                st02=self.st02,
            )
        )

    def error(self, code, message, seg_index=None, segment_id=None, element_ref=None):
        self.add(ERROR, code, message, seg_index, segment_id, element_ref)

    def warn(self, code, message, seg_index=None, segment_id=None, element_ref=None):
        self.add(WARNING, code, message, seg_index, segment_id, element_ref)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)

    # ---------- typed element access with validation
    def amount(self, idx: int, seg: list[str], i: int, *, required: bool = False) -> str | None:
        v = element(seg, i)
        if v is None:
            if required:
                self.error("REQ_MISSING_ELEMENT", "required amount is missing", idx, seg[0], f"{i:02d}")
            return None
        if not _AMOUNT_RE.match(v):
            self.error("ELEM_BAD_AMOUNT", "not a valid monetary amount", idx, seg[0], f"{i:02d}")
            return None
        return v

    def number(self, idx: int, seg: list[str], i: int) -> str | None:
        v = element(seg, i)
        if v is None:
            return None
        if not _NUMBER_RE.match(v):
            self.error("ELEM_BAD_NUMBER", "not a valid number", idx, seg[0], f"{i:02d}")
            return None
        return v

    def date8(self, idx: int, seg_id: str, value: str | None, elem: str) -> str | None:
        if value is None:
            return None
        if len(value) == 8 and value.isdigit():
            try:
                date(int(value[:4]), int(value[4:6]), int(value[6:]))
                return value
            except ValueError:
                pass
        # A bad date loses one attribute, not the claim: load it as null with a warning.
        self.warn("ELEM_BAD_DATE", "not a valid CCYYMMDD date (loaded as null)", idx, seg_id, elem)
        return None

    def period(self, idx: int, seg: list[str], fmt_i: int, val_i: int) -> tuple[str | None, str | None]:
        """DTP/DTM dates: D8 = one date, RD8 = 'from-to'."""
        fmt = element(seg, fmt_i)
        v = element(seg, val_i)
        if v is None:
            return None, None
        ref = f"{val_i:02d}"
        if fmt == "RD8" or (fmt is None and "-" in v):
            a, _, b = v.partition("-")
            return self.date8(idx, seg[0], a, ref), self.date8(idx, seg[0], b or a, ref)
        if fmt == "DT" and len(v) == 12:
            v = v[:8]  # CCYYMMDDHHMM: the service/admission date is what the models use
        d = self.date8(idx, seg[0], v, ref)
        return d, d

    def components(self, value: str | None) -> list[str]:
        return value.split(self.delims.component) if value else []
