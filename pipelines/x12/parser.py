"""Parse one X12 file into typed tables plus findings, transaction set by transaction set.

Envelope rules checked here: ST/SE pairing, SE01 segment count and SE02 control number, GE01/GE02,
IEA01/IEA02.  A transaction set with any error is rejected as a unit (the 999 convention) and its rows
are withheld; the rest of the file still loads.  Only 005010 835 (X221), 837P (X222) and 837I (X223)
are accepted, with the acknowledgments of our claims: 999 (X231) and 277CA (X214); 004010 files and other
transaction types are rejected with a message naming them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.x12 import native
from pipelines.x12.codes import REJECTED_STATUS_CODES
from pipelines.x12.context import Segment, TxContext, element, shown_segment_id
from pipelines.x12.envelope import MAX_SEGMENT, SEGMENT_ID_RE, EnvelopeError, Tokenized, tokenize
from pipelines.x12.findings import ERROR, WARNING, Finding, findings_frame, plural
from pipelines.x12.schemas import TABLES, X12_835_TABLES, X12_837_TABLES, X12_ACK_TABLES, to_frame
from pipelines.x12.tx_277ca import REJECTED_CATEGORIES, SEGMENTS_277, parse_277ca
from pipelines.x12.tx_835 import SEGMENTS_835, parse_835
from pipelines.x12.tx_837 import SEGMENTS_837, parse_837
from pipelines.x12.tx_999 import SEGMENTS_999, parse_999

TOO_LONG = f"segment longer than {MAX_SEGMENT} bytes (a missing segment terminator?): skipped"
ENVELOPE_SEGMENTS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA", "TA1"})
PARSED_TABLES = ("x12_transactions", *X12_837_TABLES, *X12_835_TABLES, *X12_ACK_TABLES)
# the segments and the reader of each transaction type but the 837s (read by their content, below)
READERS = {
    "835": (SEGMENTS_835, parse_835),
    "999": (SEGMENTS_999, parse_999),
    "277CA": (SEGMENTS_277, parse_277ca),
}


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
    file_type: str  # 835, 837P, 837I, 999, 277CA, mixed, unknown
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
        acknowledged = self.tables["claim_acknowledgments"]["ack_claim_key"].n_unique()
        return self.tables["claims"].height + self.tables["remit_claims"].height + acknowledged

    @property
    def lines(self) -> int:
        return self.tables["claim_lines"].height + self.tables["remit_lines"].height

    def findings_frame(self) -> pl.DataFrame:
        return findings_frame(self.file_id, self.file_name, self.findings)

    def counts(self) -> str:
        """What the file holds, in its own terms: claims, or the sets and claims an acknowledgment answers."""
        if self.file_type == "999":
            sets = self.tables["ack_set_responses"]
            status = pl.coalesce("set_status", "group_status")
            rejected = sets.filter(status.is_in(list(REJECTED_STATUS_CODES))).height
            return f"{plural(sets.height, 'transaction sets')} answered, {rejected:,} rejected"
        if self.file_type == "277CA":
            acks = self.tables["claim_acknowledgments"].filter(pl.col("ack_level") == "claim")
            rejected = acks.filter(pl.col("status_category").is_in(list(REJECTED_CATEGORIES)))
            return f"{plural(self.claims, 'claims')} acknowledged, {rejected['ack_claim_key'].n_unique():,} rejected"
        return plural(self.claims, "claims")

    def summary_line(self) -> str:
        return f"{self.file_name}: {self.file_type} {self.counts()}, {self.errors} errors, {self.warnings} warnings"


def file_id_for(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def shown_version(v: str | None) -> str:
    """A version or ISA12 as a message may show it: letters, digits and dots, at most 20 (it is read from the
    file, and messages never carry data values)."""
    v = (v or "").strip()
    if not v:
        return "(none)"
    shown = "".join(c if (c.isascii() and c.isalnum()) or c == "." else "?" for c in v[:20])
    return shown + ("…" if len(v) > 20 else "")


def classify_version(
    isa12: str | None, gs08: str | None, st01: str | None, st03: str | None
) -> tuple[str | None, str | None]:
    """Return (transaction_type, rejection reason); an 837's type is "837P"/"837I" as its version names it,
    "837?" when it names none (the content decides, _content_type_837)."""
    raw = (st03 or gs08 or "").strip()
    shown = shown_version(raw if raw else gs08)
    if raw.startswith("004010") or (gs08 or "").startswith("004010"):
        return None, f"X12 version {shown} (004010) is not supported; only 005010 is accepted"
    if isa12 is not None and isa12.strip() != "00501":
        return None, (
            f"interchange version ISA12 {shown_version(isa12)} is not supported; only 00501 (5010) is accepted"
        )
    if raw and not raw.startswith("005010"):
        return None, f"X12 version {shown} is not supported; only 005010 is accepted"
    if st01 == "835":
        if raw and "X221" not in raw and raw != "005010":
            return None, f"835 with implementation guide {shown} is not supported (expected 005010X221A1)"
        return "835", None
    if st01 == "999":
        if raw and "X231" not in raw and raw != "005010":
            return None, f"999 with implementation guide {shown} is not supported (expected 005010X231A1)"
        return "999", None
    if st01 == "277":
        if "X214" not in raw:
            return None, (
                f"277 with implementation guide {shown} is not supported; revcycle reads the claim "
                "acknowledgment 277CA (005010X214)"
            )
        return "277CA", None
    if st01 == "837":
        if "X222" in raw:
            return "837P", None
        if "X223" in raw:
            return "837I", None
        if "X224" in raw:
            return None, f"837 dental ({shown}) is not supported; revcycle reads 837P and 837I"
        return "837?", None
    version = shown if raw else "no version"
    return (
        None,
        f"transaction set {shown_version(st01)} ({version}) is not supported; expected 835, 837, 999 or 277CA",
    )


def _content_type_837(segments: list[Segment], component: str) -> str | None:
    """What an 837 says of its claim type: the first SV1 (professional), SV2 or CL1 (institutional) decides;
    without any, the first CLM05-2 (A = a bill type: institutional; B = a place of service: professional)."""
    hint = None
    for _, seg in segments:
        sid = seg[0]
        if sid == "SV1":
            return "837P"
        if sid in ("SV2", "CL1"):
            return "837I"
        if sid == "CLM" and hint is None and element(seg, 5):
            parts = element(seg, 5).split(component)
            qualifier = parts[1].strip() if len(parts) > 1 else None
            hint = {"A": "837I", "B": "837P"}.get(qualifier)
    return hint


FNV_OFFSET = 0xCBF29CE484222325


def fnv1a(h: int, data: bytes) -> int:
    """FNV-1a, 64 bits (the compiled core's content hash of a transaction set)."""
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


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
    isa13 = isa12 = gs06 = gs08 = None
    gs_count = st_in_gs = 0
    interchange_date = sender = receiver = None
    st: dict | None = None  # open transaction set

    def env_error(code, msg, idx=None, sid=None, elem=None, st02=None):
        findings.append(Finding(ERROR, code, msg, idx, shown_segment_id(sid), elem, isa13, gs06, st02))

    def env_warn(code, msg, idx=None, sid=None, elem=None):
        findings.append(Finding(WARNING, code, msg, idx, shown_segment_id(sid), elem, isa13, gs06, None))

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
        for idx in st["overlong"]:
            ctx.error("SEG_TOO_LONG", TOO_LONG, idx)
        if se is None:
            ctx.error(
                "ENV_MISSING_SE", "transaction set has no SE trailer (file truncated?)", st["idx"], "ST"
            )
        else:
            declared = element(se, 1)
            actual = len(segs) + len(st["overlong"]) + 2
            if declared != str(actual):
                # The trailer is present, so the set is complete; a miscount is a sender defect we report
                # but do not reject on (a missing SE or a control-number mismatch is an error).
                ctx.warn(
                    "ENV_SE_COUNT", f"SE01 does not match the {actual} segments counted", se_idx, "SE", "01"
                )
            if element(se, 2) != st["st02"]:
                ctx.error("ENV_SE_CONTROL", "SE02 does not match ST02", se_idx, "SE", "02")
        ttype, reason = classify_version(isa12, gs08, st["st01"], st["st03"])
        out: dict[str, list[dict]] = {}
        if reason:
            ctx.error("TX_UNSUPPORTED", reason, st["idx"], "ST")
            ttype = f"{st['st01']}"
        else:
            if ttype in ("837P", "837I", "837?"):
                # an 837 is read by its content; the version's guide is only a guess
                guess = None if ttype == "837?" else ttype
                ttype = _content_type_837(segs, delims.component) or guess or "837P"
                version = shown_version(st["st03"] or gs08)
                if guess is None:
                    ctx.warn("TX_GUIDE_INFERRED", f"version {version} names no implementation guide; read as "
                             f"{ttype} from its segments", st["idx"], "ST")  # fmt: skip
                elif guess != ttype:
                    named, found = ("professional", "institutional") if guess == "837P" else \
                        ("institutional", "professional")  # fmt: skip
                    ctx.warn("TX_GUIDE_MISMATCH", f"version {version} names the {named} guide ({guess}) but the "
                             f"claims are {found}: read as {ttype} from their content (CLM05-2, SV1, SV2, CL1)",
                             st["idx"], "ST")  # fmt: skip
            vocab, reader = READERS.get(ttype, (SEGMENTS_837, None))
            for idx, seg in segs:
                sid = seg[0]
                if not SEGMENT_ID_RE.match(sid):
                    ctx.error("SEG_BAD_ID", "not a segment identifier", idx)
                elif sid not in vocab:
                    ctx.error(
                        "SEG_UNKNOWN", f"segment {sid} is not part of the {ttype} transaction set", idx, sid
                    )
            segs_ok = [s for s in segs if s[1][0] in vocab]
            out = reader(segs_ok, ctx) if reader else parse_837(segs_ok, ctx, ttype)
        types.add(ttype)
        accepted = not ctx.has_errors
        acknowledged = {r["ack_claim_key"] for r in out.get("claim_acknowledgments", [])}
        n_claims = len(out.get("claims", [])) + len(out.get("remit_claims", [])) + len(acknowledged)
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
                    "segment_count": len(segs) + len(st["overlong"]) + 2,
                    "claim_count": n_claims,
                    "content_hash": f"{st['hash']:016x}",
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
        if seg is None:  # longer than MAX_SEGMENT: counted and reported, never read
            if st is not None:
                st["overlong"].append(idx)
            else:
                env_error("SEG_TOO_LONG", TOO_LONG, idx)
            continue
        raw = delims.element.join(seg).encode("latin-1")
        sid = seg[0].strip()
        seg[0] = sid
        if st is not None and sid not in ("ISA", "IEA", "GS", "GE", "ST"):
            st["hash"] = fnv1a(st["hash"], raw + b"\x1e")
        if sid == "ISA":
            if st is not None:
                close_st(None, None)
            isa13 = element(seg, 13)
            isa12 = element(seg, 12)
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
                    "ENV_IEA_COUNT", f"IEA01 does not match the {gs_count} groups counted", idx, sid, "01"
                )
            if element(seg, 2) != isa13:
                env_error("ENV_IEA_CONTROL", "IEA02 does not match ISA13", idx, sid, "02")
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
                env_warn("ENV_GE_COUNT", f"GE01 does not match the {st_in_gs} sets counted", idx, sid, "01")
            if element(seg, 2) != gs06:
                env_error("ENV_GE_CONTROL", "GE02 does not match GS06", idx, sid, "02")
        elif sid == "ST":
            if st is not None:
                close_st(None, None)
            st_in_gs += 1
            st = {"idx": idx, "st01": element(seg, 1), "st02": element(seg, 2), "st03": element(seg, 3),
                  "segments": [], "overlong": [], "hash": fnv1a(FNV_OFFSET, raw + b"\x1e")}  # fmt: skip
        elif sid == "SE":
            if st is None:
                env_error("ENV_SE_WITHOUT_ST", "SE without a matching ST", idx, sid)
            else:
                close_st(idx, seg)
        elif st is not None:
            st["segments"].append((idx, seg))
        else:
            env_error("ENV_SEGMENT_OUTSIDE_ST", "segment outside any transaction set", idx, sid)
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


def parse_files(files: list[tuple[Path, str]]) -> list[ParseResult | None]:
    """``parse_file`` for many small files (path, file id) in one call of the compiled core: the same results,
    file by file.  None for a file to parse on its own (it could not be opened; or no core is built)."""
    lib = native.load()
    if lib is None or not files:
        return [None] * len(files)
    return [None if frames is None else _from_native(frames, str(path), file_id)
            for (path, file_id), frames in zip(files, native.parse_native_paths(lib, files), strict=True)]  # fmt: skip


__all__ = [
    "PARSED_TABLES",
    "TABLES",
    "ParseResult",
    "parse_bytes",
    "parse_bytes_reference",
    "parse_file",
    "parse_files",
]
