"""What happened to one landed file: the record the CLI prints, the DAG's tasks pass to each other (as JSON,
through XCom) and the quarantine's reason.json keeps.  It holds no data values: the file's safe name, counts,
and reasons that say where and what kind of problem (pipelines.privacy)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from pipelines.x12.findings import plural

ACCEPTED, PARTIAL, REJECTED, DUPLICATE, NOT_LOADED = (
    "accepted",
    "partial",
    "rejected",
    "duplicate",
    "not_loaded",
)


@dataclass
class Outcome:
    file_name: str  # safe to print (pipelines.privacy.safe_name)
    file_id: str
    kind: str
    file_type: str = "unknown"
    # accepted | partial (some transaction sets or rows rejected) | rejected | duplicate (already loaded) |
    # not_loaded (could not be finished, e.g. disk full: left in landing/ for the next run)
    status: str = "pending"
    claims: int = 0
    lines: int = 0
    rows_rejected: int = 0
    errors: int = 0
    warnings: int = 0
    reasons: list[str] = field(default_factory=list)
    reason_counts: dict[str, int] = field(default_factory=dict)  # every error finding, by code
    transactions_skipped: int = 0  # X12 sets already loaded from another file (partial copy, then whole)
    size_bytes: int = 0
    source: str | None = None  # where it was read from
    from_landing: bool = False  # drained afterwards: archived when loaded, moved to quarantine when rejected
    staged_dir: str | None = None
    quarantine_dir: str | None = None
    archived_to: str | None = None
    gx_success: bool | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Outcome:
        return cls(**d)

    @property
    def failed(self) -> bool:
        return self.status in (REJECTED, PARTIAL, NOT_LOADED)

    def set_reasons(self, reasons: list[str], codes: list[str], limit: int) -> None:
        """``codes``: the code of every problem, ``reasons``: the first ones spelled out.  The first ``limit``
        reasons are kept in full and the rest counted by code (a file with 300,000 bad segments gets a
        readable reason, not 35 MB of them)."""
        self.reason_counts = dict(Counter(codes).most_common())
        shown = list(reasons[:limit])
        rest = codes[len(shown) :]
        if rest:
            shown.append(
                f"{self.file_name}: … and {len(rest):,} more: "
                + ", ".join(f"{code} ×{n:,}" for code, n in Counter(rest).most_common())
            )
        self.reasons = shown

    def summary_line(self) -> str:
        if self.status == DUPLICATE:
            return f"{self.file_name}: already loaded, skipped"
        if self.kind == "x12" and self.file_type != "999":  # a 999 answers transaction sets, not claims
            what = plural(self.claims, "claims")
        elif self.kind in ("encounters", "patient_payments"):
            what = plural(self.lines, "rows")
        else:
            what = ""
        parts = [p for p in (what, self.rows_rejected and f"{plural(self.rows_rejected, 'rows')} rejected",
                             self.errors and plural(self.errors, "errors"),
                             self.warnings and plural(self.warnings, "warnings"),
                             self.transactions_skipped and
                             f"{plural(self.transactions_skipped, 'transaction sets')} already loaded, skipped")
                 if p]  # fmt: skip
        label = self.file_type if self.file_type != "unknown" else "file"
        return f"{self.file_name}: {label} {self.status.replace('_', ' ')}" + (
            f", {', '.join(parts)}" if parts else ""
        )
