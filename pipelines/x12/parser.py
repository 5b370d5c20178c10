"""Parse one X12 file into typed tables plus findings, transaction set by transaction set.

Envelope rules checked here: ST/SE pairing, SE01 segment count and SE02 control number, GE01/GE02,
IEA01/IEA02.  A transaction set with any error is rejected as a unit (the 999 convention) and its rows
are withheld; the rest of the file still loads.  Only 005010 835 (X221), 837P (X222) and 837I (X223)
are accepted; 004010 files and other transaction types are rejected with a message naming them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.x12 import native
from pipelines.x12.context import Segment, TxContext, element
from pipelines.x12.envelope import SEGMENT_ID_RE, EnvelopeError, Tokenized, tokenize
from pipelines.x12.findings import ERROR, WARNING, Finding, findings_frame
from pipelines.x12.schemas import TABLES, X12_835_TABLES, X12_837_TABLES, to_frame
from pipelines.x12.tx_835 import SEGMENTS_835, parse_835
from pipelines.x12.tx_837 import SEGMENTS_837, parse_837

ENVELOPE_SEGMENTS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA", "TA1"})
PARSED_TABLES = ("x12_transactions", *X12_837_TABLES, *X12_835_TABLES)


@dataclass
class TransactionSummary:
    st02: str | None
    transaction_type: str
    accepted: bool
    claims: int
    lines: int
    errors: int
    warnings: int


@dataclass
class ParseResult:
    file_name: str
    file_id: str
    file_type: str  # 835, 837P, 837I, mixed, unknown
    tables: dict[str, pl.DataFrame]
    findings: list[Finding]
    transactions: list[TransactionSummary] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)

    @property
    def accepted_transactions(self) -> int:
        return sum(t.accepted for t in self.transactions)

    @property
    def rejected_transactions(self) -> int:
        return sum(not t.accepted for t in self.transactions)

    @property
    def status(self) -> str:
        """accepted: everything loads; partial: some transaction sets rejected; rejected: nothing loads."""
        if self.accepted_transactions == 0:
            return "rejected"
        if self.rejected_transactions or any(f.severity == ERROR and f.st02 is None for f in self.findings):
            return "partial"
        return "accepted"

    @property
    def claims(self) -> int:
        return self.tables["claims"].height + self.tables["remit_claims"].height

    @property
    def lines(self) -> int:
        return self.tables["claim_lines"].height + self.tables["remit_lines"].height

    def findings_frame(self) -> pl.DataFrame:
        return findings_frame(self.file_id, self.file_name, self.findings)

    def summary_line(self) -> str:
        return (
            f"{self.file_name}: {self.file_type} {self.claims} claims, {self.errors} errors, "
            f"{self.warnings} warnings"
        )


def file_id_for(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def classify_version(gs08: str | None, st01: str | None, st03: str | None) -> tuple[str | None, str | None]:
    """Return (transaction_type, rejection reason)."""
    version = (st03 or gs08 or "").strip()
    if version.startswith("004010") or (gs08 or "").startswith("004010"):
        return None, f"X12 version {version or gs08} (004010) is not supported; only 005010 is accepted"
    if st01 == "835":
        if version and "X221" not in version and version != "005010":
            return None, f"835 with implementation guide {version!r} is not supported (expected 005010X221A1)"
        return "835", None
    if st01 == "837":
        if "X222" in version:
            return "837P", None
        if "X223" in version:
            return "837I", None
        if "X224" in version:
            return None, f"837 dental ({version}) is not supported; revcycle reads 837P and 837I"
        return "837?", None
    return None, f"transaction set {st01!r} ({version or 'no version'}) is not supported; expected 835 or 837"


def _infer_837(segments: list[Segment]) -> str:
    ids = {s[1][0] for s in segments}
    return "837I" if ids & {"SV2", "CL1"} else "837P"


def parse_bytes_reference(data: bytes, file_name: str, file_id: str | None = None) -> ParseResult:
    """The Python reference engine: the executable specification the compiled core is tested against."""
    file_id = file_id or file_id_for(data)
    collected: dict[str, list[dict]] = {t: [] for t in PARSED_TABLES}
    findings: list[Finding] = []
    summaries: list[TransactionSummary] = []
    types: set[str] = set()

    def result() -> ParseResult:
        tables = {t: to_frame(t, collected[t]) for t in PARSED_TABLES}
        ftype = "unknown" if not types else (types.pop() if len(types) == 1 else "mixed")
        return ParseResult(file_name, file_id, ftype, tables, findings, summaries)

    try:
        tok: Tokenized = tokenize(data)
    except EnvelopeError as e:
        findings.append(Finding(ERROR, e.code, e.message, seg_index=e.seg_index))
        return result()
    if tok.prefix_text.strip():
        findings.append(
            Finding(
                WARNING,
                "ENV_TEXT_BEFORE_ISA",
                f"{len(tok.prefix_text)} characters before the ISA were ignored",
            )
        )

    delims = tok.delimiters
    isa13 = gs06 = gs08 = None
    gs_count = st_in_gs = 0
    interchange_date = sender = receiver = None
    st: dict | None = None  # open transaction set

    def env_error(code, msg, idx=None, sid=None, elem=None, st02=None):
        findings.append(Finding(ERROR, code, msg, idx, sid, elem, isa13, gs06, st02))

    def env_warn(code, msg, idx=None, sid=None, elem=None):
        findings.append(Finding(WARNING, code, msg, idx, sid, elem, isa13, gs06, None))

    def close_st(se_idx: int | None, se: list[str] | None):
        nonlocal st
        assert st is not None
        ctx = TxContext(
            file_id=file_id,
            isa13=isa13 or "",
            gs06=gs06 or "",
            st02=st["st02"] or "",
            delims=delims,
            st_index=st["idx"],
        )
        segs: list[Segment] = st["segments"]
        if se is None:
            ctx.error(
                "ENV_MISSING_SE", "transaction set has no SE trailer (file truncated?)", st["idx"], "ST"
            )
        else:
            declared = element(se, 1)
            actual = len(segs) + 2
            if declared != str(actual):
                # The trailer is present, so the set is complete; a miscount is a sender defect we report
                # but do not reject on (a missing SE or a control-number mismatch is an error).
                ctx.warn(
                    "ENV_SE_COUNT", f"SE01 says {declared} segments, counted {actual}", se_idx, "SE", "01"
                )
            if element(se, 2) != st["st02"]:
                ctx.error(
                    "ENV_SE_CONTROL", f"SE02 {element(se, 2)!r} != ST02 {st['st02']!r}", se_idx, "SE", "02"
                )
        ttype, reason = classify_version(gs08, st["st01"], st["st03"])
        out: dict[str, list[dict]] = {}
        if reason:
            ctx.error("TX_UNSUPPORTED", reason, st["idx"], "ST")
            ttype = f"{st['st01']}"
        else:
            if ttype == "837?":
                ttype = _infer_837(segs)
                ctx.warn(
                    "TX_GUIDE_INFERRED",
                    f"GS08 {gs08!r} names no implementation guide; read as {ttype} from its segments",
                    st["idx"],
                    "ST",
                )
            vocab = SEGMENTS_835 if ttype == "835" else SEGMENTS_837
            for idx, seg in segs:
                sid = seg[0]
                if not SEGMENT_ID_RE.match(sid):
                    ctx.error("SEG_BAD_ID", f"{sid[:20]!r} is not a segment identifier", idx)
                elif sid not in vocab:
                    ctx.error(
                        "SEG_UNKNOWN", f"segment {sid} is not part of the {ttype} transaction set", idx, sid
                    )
            segs_ok = [s for s in segs if s[1][0] in vocab]
            out = parse_835(segs_ok, ctx) if ttype == "835" else parse_837(segs_ok, ctx, ttype)
        types.add(ttype)
        accepted = not ctx.has_errors
        n_claims = len(out.get("claims", [])) + len(out.get("remit_claims", []))
        n_lines = len(out.get("claim_lines", [])) + len(out.get("remit_lines", []))
        if accepted:
            for t, rows in out.items():
                collected[t].extend(rows)
            collected["x12_transactions"].append(
                {
                    **ctx.lineage(st["idx"]),
                    "transaction_type": ttype,
                    "version": st["st03"] or gs08,
                    "sender_id": sender,
                    "receiver_id": receiver,
                    "interchange_date": interchange_date,
                    "segment_count": len(segs) + 2,
                    "claim_count": n_claims,
                }
            )
        findings.extend(ctx.findings)
        summaries.append(
            TransactionSummary(
                st["st02"],
                ttype,
                accepted,
                n_claims,
                n_lines,
                sum(f.severity == ERROR for f in ctx.findings),
                sum(f.severity == WARNING for f in ctx.findings),
            )
        )
        st = None

    for i, seg in enumerate(tok.segments):
        idx = i + 1
        sid = seg[0].strip()
        seg[0] = sid
        if sid == "ISA":
            if st is not None:
                close_st(None, None)
            isa13 = element(seg, 13)
            sender = (element(seg, 6) or "").strip() or None
            receiver = (element(seg, 8) or "").strip() or None
            d = (element(seg, 9) or "").strip()
            interchange_date = ("20" + d) if len(d) == 6 and d.isdigit() else None
            gs_count = 0
        elif sid == "IEA":
            if st is not None:
                close_st(None, None)
            if element(seg, 1) != str(gs_count):
                env_warn(
                    "ENV_IEA_COUNT",
                    f"IEA01 says {element(seg, 1)} groups, counted {gs_count}",
                    idx,
                    sid,
                    "01",
                )
            if element(seg, 2) != isa13:
                env_error("ENV_IEA_CONTROL", f"IEA02 {element(seg, 2)!r} != ISA13 {isa13!r}", idx, sid, "02")
            isa13 = None
        elif sid == "GS":
            if st is not None:
                close_st(None, None)
            gs_count += 1
            gs06, gs08 = element(seg, 6), element(seg, 8)
            st_in_gs = 0
        elif sid == "GE":
            if st is not None:
                close_st(None, None)
            if element(seg, 1) != str(st_in_gs):
                env_warn(
                    "ENV_GE_COUNT", f"GE01 says {element(seg, 1)} sets, counted {st_in_gs}", idx, sid, "01"
                )
            if element(seg, 2) != gs06:
                env_error("ENV_GE_CONTROL", f"GE02 {element(seg, 2)!r} != GS06 {gs06!r}", idx, sid, "02")
        elif sid == "ST":
            if st is not None:
                close_st(None, None)
            st_in_gs += 1
            st = {"idx": idx, "st01": element(seg, 1), "st02": element(seg, 2), "st03": element(seg, 3),
                  "segments": []}  # fmt: skip
        elif sid == "SE":
            if st is None:
                env_error("ENV_SE_WITHOUT_ST", "SE without a matching ST", idx, sid)
            else:
                close_st(idx, seg)
        elif st is not None:
            st["segments"].append((idx, seg))
        else:
            env_error("ENV_SEGMENT_OUTSIDE_ST", f"segment {sid[:20]!r} outside any transaction set", idx, sid)
    if st is not None:
        close_st(None, None)
    if isa13 is not None:
        env_error("ENV_MISSING_IEA", "interchange has no IEA trailer (file truncated?)")
    if not summaries and not any(f.severity == ERROR for f in findings):
        findings.append(Finding(ERROR, "ENV_NO_TRANSACTIONS", "file holds no ST/SE transaction set"))
    return result()


def _from_native(frames: dict[str, pl.DataFrame], file_name: str, file_id: str) -> ParseResult:
    findings = [Finding(**row) for row in frames["_findings"].iter_rows(named=True)]
    summaries = [
        TransactionSummary(**{**r, "accepted": bool(r["accepted"])})
        for r in frames["_summaries"].iter_rows(named=True)
    ]
    types = {s.transaction_type for s in summaries}
    ftype = "unknown" if not types else (types.pop() if len(types) == 1 else "mixed")
    tables = {t: frames[t] for t in PARSED_TABLES}
    return ParseResult(file_name, file_id, ftype, tables, findings, summaries)


def parse_bytes(data: bytes, file_name: str, file_id: str | None = None) -> ParseResult:
    """Parse one X12 file held in memory: the compiled core when built, else the reference engine."""
    file_id = file_id or file_id_for(data)
    lib = native.load()
    if lib is None:
        return parse_bytes_reference(data, file_name, file_id)
    return _from_native(native.parse_native(lib, data, file_id), file_name, file_id)


def parse_file(path: Path, file_id: str | None = None) -> ParseResult:
    """Parse one X12 file; the compiled core streams it from disk (memory grows with the output only)."""
    path = Path(path)
    lib = native.load()
    if lib is None:
        data = path.read_bytes()
        return parse_bytes_reference(data, str(path), file_id)
    if file_id is None:
        with path.open("rb") as fh:
            file_id = hashlib.file_digest(fh, "sha256").hexdigest()[:20]
    return _from_native(native.parse_native_path(lib, path, file_id), str(path), file_id)


__all__ = ["PARSED_TABLES", "TABLES", "ParseResult", "parse_bytes", "parse_bytes_reference", "parse_file"]
