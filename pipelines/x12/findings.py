"""Validation findings reported as data: one row per finding, never an exception that loses the file."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    message: str
    seg_index: int | None = None
    segment_id: str | None = None
    element: str | None = None
    isa13: str | None = None
    gs06: str | None = None
    st02: str | None = None

    def as_row(self) -> dict:
        return asdict(self)

    def location(self) -> str:
        parts = []
        if self.seg_index is not None:
            parts.append(f"segment {self.seg_index}")
        if self.segment_id:
            parts.append(self.segment_id + (f"{self.element}" if self.element else ""))
        if self.st02:
            parts.append(f"ST02={self.st02}")
        return ", ".join(parts) or "file"

    def describe(self, file_name: str) -> str:
        return f"{file_name}: {self.severity} {self.code} at {self.location()}: {self.message}"


def findings_frame(file_id: str, file_name: str, findings: list[Finding]):
    """The findings table (schema in schemas.py) for one file."""
    from pipelines.x12.schemas import to_frame

    return to_frame(
        "findings", [{"file_id": file_id, "file_name": file_name, **f.as_row()} for f in findings]
    )


def plural(n: int, noun: str) -> str:
    """ "1 claim", "2,000 claims": a count as a message shows it (noun given in the plural)."""
    if n == 1:
        return f"1 {noun.removesuffix('s')}"
    return f"{n:,} {noun}"
