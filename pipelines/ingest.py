"""Ingest one landed file: stage (parse) -> validate (GX) -> publish or quarantine.

The three steps are separate functions so the Airflow DAG can run them as separate tasks; the CLI
calls ``ingest_file`` which chains the same three.  Crash safety and idempotency:

* a file's id is the hash of its bytes, so the same file dropped twice is recognised and skipped;
* every file is parsed into ``raw/_staging/<file_id>/`` first; the accepted files of a group are then
  published together as one batch, ``raw/batches/g-<hash of their ids>/``, by one directory rename
  (atomic on one filesystem), so readers see all of a group or none.  One batch per group, not per file:
  a million claims arrive in ~14,000 files, and dbt reads each table's glob — 60 directories, not 14,000;
* every batch directory holds every table (empty where not applicable), so dbt's globs never miss, and
  its ``_batch.json`` lists the file ids it holds (the idempotency index);
* rejected data goes to ``quarantine/<file_id>/`` with the original file and ``reason.json``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.detect import X12, detect_kind
from pipelines.extracts import EXTRACTS, ExtractFileError, parse_extract
from pipelines.locks import file_lock
from pipelines.settings import Settings
from pipelines.x12.findings import ERROR, Finding, findings_frame
from pipelines.x12.parser import PARSED_TABLES, file_id_for, parse_bytes
from pipelines.x12.schemas import empty_frame

META = "_batch.json"

FILES_SCHEMA = pl.Schema(
    {
        "file_id": pl.String,
        "file_name": pl.String,
        "kind": pl.String,
        "file_type": pl.String,
        "status": pl.String,
        "size_bytes": pl.Int64,
        "claims": pl.Int64,
        "lines": pl.Int64,
        "rows_rejected": pl.Int64,
        "errors": pl.Int64,
        "warnings": pl.Int64,
        "loaded_at": pl.Datetime("us"),
    }
)


@dataclass
class Outcome:
    """What happened to one file; also the JSON passed between the DAG's tasks."""

    file_name: str
    file_id: str
    kind: str
    file_type: str = "unknown"
    status: str = "pending"  # accepted | partial | rejected | duplicate
    claims: int = 0
    lines: int = 0
    rows_rejected: int = 0
    errors: int = 0
    warnings: int = 0
    reasons: list[str] = field(default_factory=list)
    staged_dir: str | None = None
    quarantine_dir: str | None = None
    gx_success: bool | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Outcome:
        return cls(**d)

    def summary_line(self) -> str:
        if self.status == "duplicate":
            return f"{self.file_name}: already loaded (file id {self.file_id}), skipped"
        s = (
            f"{self.file_name}: {self.file_type} {self.status}, {self.claims} claims"
            f"{f', {self.lines} {EXTRACTS[self.kind].noun}' if self.kind in EXTRACTS else ''}, "
            f"{self.errors} errors, {self.warnings} warnings"
        )
        if self.rows_rejected:
            s += f", {self.rows_rejected} rows rejected"
        return s


def _write_tables(tables: dict[str, pl.DataFrame], directory: Path) -> None:
    """Published tables: Parquet, every table present (empty where not applicable)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.write_parquet(directory / f"{name}.parquet")


# Staged tables live minutes, between the parse, GX and publish steps, and only revcycle reads them: one
# pickle of the non-empty frames per file (polars pickles as Arrow IPC) — a Parquet or IPC file per table
# per file cost more than the parse itself (~0.7 ms of engine start-up per write or read).
STAGED = "_tables.pkl"


def _stage_tables(tables: dict[str, pl.DataFrame], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / STAGED).open("wb") as fh:
        pickle.dump(
            {name: df for name, df in tables.items() if df.height}, fh, protocol=pickle.HIGHEST_PROTOCOL
        )


def _staged_tables(directory: Path) -> dict[str, pl.DataFrame]:
    with (directory / STAGED).open("rb") as fh:
        return pickle.load(fh)  # written by _stage_tables above, never user input


@functools.cache
def _empty_tables() -> dict[str, pl.DataFrame]:
    t = {name: empty_frame(name) for name in (*PARSED_TABLES, "findings")}
    t.update({spec.kind: spec.empty() for spec in EXTRACTS.values()})
    t["files"] = pl.DataFrame(schema=FILES_SCHEMA)
    return t


def empty_tables() -> dict[str, pl.DataFrame]:
    """Every published table, typed and empty (a fresh dict over cached, immutable frames)."""
    return dict(_empty_tables())


def ensure_layout(settings: Settings) -> None:
    """Create the data folders and the schema-only batch that keeps dbt's source globs non-empty."""
    settings.ensure_dirs()
    from pipelines.reference import ensure_reference_layout

    ensure_reference_layout(settings)
    schema_batch = settings.batches_dir / "_schema"
    if not (schema_batch / META).exists():
        tmp = settings.staging_dir / "_schema"
        shutil.rmtree(tmp, ignore_errors=True)
        _write_tables(empty_tables(), tmp)
        (tmp / META).write_text(json.dumps({"schema_only": True}))
        shutil.rmtree(schema_batch, ignore_errors=True)
        tmp.rename(schema_batch)
        return
    # a table added since this home was laid out (patient_payments): its empty file keeps the new glob non-empty
    # (a temporary name per process: two processes upgrading one home must not rename each other's file away)
    for name, df in empty_tables().items():
        if not (schema_batch / f"{name}.parquet").exists():
            tmp = settings.staging_dir / f"_schema-{name}-{os.getpid()}.parquet"
            df.write_parquet(tmp)
            tmp.rename(schema_batch / f"{name}.parquet")


_published: dict[str, tuple[int, frozenset[str]]] = {}


def published_file_ids(settings: Settings) -> frozenset[str]:
    """File ids in every published batch (read from the batches' _batch.json; re-read only when a batch
    was added or removed, i.e. when the batches folder changed)."""
    key = str(settings.batches_dir)
    stamp = settings.batches_dir.stat().st_mtime_ns if settings.batches_dir.exists() else 0
    cached = _published.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    ids: set[str] = set()
    for meta in settings.batches_dir.glob(f"*/{META}"):
        info = json.loads(meta.read_text())
        if info.get("schema_only"):
            continue
        # one-file batches of earlier versions are named by their file id and list none
        ids.update(info.get("file_ids") or [meta.parent.name])
    frozen = frozenset(ids)
    _published[key] = (stamp, frozen)
    return frozen


def is_published(settings: Settings, file_id: str) -> bool:
    return file_id in published_file_ids(settings)


# ---------------------------------------------------------------- stage
def stage_file(path: Path | str, settings: Settings) -> Outcome:
    """Parse one file into ``raw/_staging/<file_id>/``; nothing is visible to dbt yet."""
    path = Path(path)
    ensure_layout(settings)
    data = path.read_bytes()
    file_id = file_id_for(data)
    kind = detect_kind(data)
    out = Outcome(file_name=path.name, file_id=file_id, kind=kind)
    if is_published(settings, file_id):
        out.status = "duplicate"
        return out

    staged = settings.staging_dir / file_id
    shutil.rmtree(staged, ignore_errors=True)
    tables = empty_tables()
    findings: list[Finding] = []
    rejected_rows: pl.DataFrame | None = None

    if kind == X12:
        res = parse_bytes(data, path.name, file_id)
        tables.update(res.tables)
        findings = res.findings
        out.file_type, out.claims, out.lines = res.file_type, res.claims, res.lines
        out.status = res.status
        out.reasons = [f.describe(path.name) for f in res.findings if f.severity == ERROR]
    elif kind in EXTRACTS:
        spec = EXTRACTS[kind]
        out.file_type = kind
        try:
            enc = parse_extract(spec, data, path.name, file_id)
        except ExtractFileError as e:
            out.status = "rejected"
            out.reasons = [str(e)]
            findings = [Finding(ERROR, f"{spec.finding_prefix}_CONTRACT", str(e))]
        else:
            tables[kind] = enc.accepted
            out.lines = enc.accepted.height
            out.rows_rejected = enc.rejected.height
            rejected_rows = enc.rejected
            findings = [
                Finding(
                    ERROR,
                    f"{spec.finding_prefix}_ROW_REJECTED",
                    f"line {r['row_number']}: {r['reason']}",
                    seg_index=r["row_number"],
                )
                for r in enc.rejected.head(1000).iter_rows(named=True)
            ]
            out.reasons = [f"{path.name}: {f.message}" for f in findings[:20]]
            if enc.accepted.height == 0:
                out.status = "rejected"
            else:
                out.status = "partial" if enc.rejected.height else "accepted"
    else:
        out.status = "rejected"
        msg = (
            f"{path.name}: unrecognised file type (not X12 with an ISA header, nor an encounter or "
            "patient-payment CSV/Parquet)"
        )
        out.reasons = [msg]
        findings = [Finding(ERROR, "UNRECOGNISED_FILE", msg)]

    out.errors = sum(f.severity == ERROR for f in findings)
    out.warnings = len(findings) - out.errors
    tables["findings"] = findings_frame(file_id, path.name, findings)
    _stage_tables(tables, staged)
    if rejected_rows is not None and rejected_rows.height:
        rejected_rows.write_csv(staged / "_rejected_rows.csv")
    shutil.copy2(path, staged / "_original")
    out.staged_dir = str(staged)
    (staged / "_outcome.json").write_text(json.dumps(out.to_dict(), indent=2))
    return out


# ---------------------------------------------------------------- validate
GX_TABLES = ("claims", "claim_lines", "remit_claims", "remit_lines", "remit_adjustments", *EXTRACTS)


def validate_staged(out: Outcome, settings: Settings) -> Outcome:
    """Great Expectations gate on one staged file; a failing batch is rejected whole."""
    return validate_staged_many([out], settings)[0]


def validate_staged_many(outcomes: list[Outcome], settings: Settings) -> list[Outcome]:
    """Gate many staged files with one GX run per table (GX costs ~0.1 s per call, not per row).

    When the combined batch fails, it is split in halves until the failing files are isolated; a file
    is rejected only for what fails on its own, so a cross-file property never rejects a good file.
    """
    pending = [o for o in outcomes if o.status not in ("duplicate", "rejected") and o.staged_dir]
    if pending:
        _validate_group(pending)
    return outcomes


def _validate_group(group: list[Outcome]) -> None:
    from expectations.run import validate_tables  # GX import is heavy: only when a batch needs it

    frames: dict[str, list[pl.DataFrame]] = {t: [] for t in GX_TABLES}
    for o in group:
        staged = _staged_tables(Path(o.staged_dir))
        for t in GX_TABLES:
            if t in staged:
                frames[t].append(staged[t])
    tables = {t: pl.concat(fs) for t, fs in frames.items() if fs}
    result = validate_tables(tables)
    if result["success"] or len(group) == 1:
        for o in group:
            _record_gx(o, result, len(group))
        return
    mid = len(group) // 2
    _validate_group(group[:mid])
    _validate_group(group[mid:])


def _record_gx(out: Outcome, result: dict, group_size: int) -> None:
    staged = Path(out.staged_dir)
    (staged / "_gx_result.json").write_text(json.dumps({**result, "files_in_batch": group_size}, indent=2,
                                                       default=str))  # fmt: skip
    out.gx_success = result["success"]
    if not result["success"]:
        out.status = "rejected"
        for t, r in result["tables"].items():
            for f in r["failed"]:
                out.reasons.append(
                    f"{out.file_name}: GX {t}.{f['column']} {f['expectation']} failed "
                    f"({f['unexpected_count']} unexpected, e.g. {f['partial_unexpected_list'][:3]})"
                )
    (staged / "_outcome.json").write_text(json.dumps(out.to_dict(), indent=2))


# ---------------------------------------------------------------- publish
def _quarantine(out: Outcome, settings: Settings, staged: Path) -> None:
    q = settings.quarantine_dir / out.file_id
    tmp = settings.quarantine_dir / f".tmp-{out.file_id}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copy2(staged / "_original", tmp / out.file_name)
    findings = _staged_tables(staged).get("findings")
    if findings is not None:
        findings.write_parquet(tmp / "findings.parquet")
    for extra in ("_gx_result.json", "_rejected_rows.csv"):
        if (staged / extra).exists():
            shutil.copy2(staged / extra, tmp / extra)
    reason = {
        "file": out.file_name,
        "file_id": out.file_id,
        "status": out.status,
        "quarantined_at": datetime.now(UTC).isoformat(),
        "reasons": out.reasons,
        "note": "partial: the accepted part of this file was published; this copy holds what was rejected"
        if out.status == "partial"
        else "nothing from this file was published",
    }
    (tmp / "reason.json").write_text(json.dumps(reason, indent=2))
    shutil.rmtree(q, ignore_errors=True)
    tmp.rename(q)
    out.quarantine_dir = str(q)


def _files_row(out: Outcome, staged: Path) -> dict:
    return {
        **{k: getattr(out, k) for k in ("file_id", "file_name", "kind", "file_type", "status")},
        "size_bytes": (staged / "_original").stat().st_size,
        **{k: getattr(out, k) for k in ("claims", "lines", "rows_rejected", "errors", "warnings")},
        "loaded_at": datetime.now(UTC).replace(tzinfo=None),
    }


def publish_staged_many(outcomes: list[Outcome], settings: Settings) -> list[Outcome]:
    """Quarantine what was rejected (file by file, with its reason) and publish the accepted data of the
    whole group as one batch directory, atomically.  Under a lock: mapped publish tasks run in parallel, and
    the same bytes landed twice in one drop may sit in two groups — only one of them may publish it."""
    with file_lock(settings.raw_dir / ".publish.lock"):
        return _publish_locked(outcomes, settings)


def _publish_locked(outcomes: list[Outcome], settings: Settings) -> list[Outcome]:
    accepted: list[tuple[Outcome, Path]] = []
    seen: set[str] = set()
    for out in outcomes:
        if out.status == "duplicate" or out.staged_dir is None:
            continue
        staged = Path(out.staged_dir)
        if out.file_id in seen or is_published(settings, out.file_id):
            # the same bytes twice in one drop (or published meanwhile by another run): load once
            out.status, out.reasons = "duplicate", []
            out.staged_dir = None
            continue
        seen.add(out.file_id)
        if out.status in ("rejected", "partial"):
            _quarantine(out, settings, staged)
        if out.status in ("accepted", "partial"):
            accepted.append((out, staged))
    if accepted:
        ids = sorted(o.file_id for o, _ in accepted)
        batch_id = "g-" + hashlib.sha256("".join(ids).encode()).hexdigest()[:20]
        tables = empty_tables()
        staged_tables = [_staged_tables(st) for _, st in accepted]
        for name in tables:
            parts = [t[name] for t in staged_tables if name in t]
            if parts:
                tables[name] = pl.concat(parts, how="vertical_relaxed").cast(tables[name].schema)
        tables["files"] = pl.DataFrame([_files_row(o, st) for o, st in accepted], schema=FILES_SCHEMA)
        tmp = settings.staging_dir / batch_id
        shutil.rmtree(tmp, ignore_errors=True)
        _write_tables(tables, tmp)
        meta = {"file_ids": ids, "files": [o.to_dict() for o, _ in accepted]}
        (tmp / META).write_text(json.dumps(meta, indent=2))
        target = settings.batches_dir / batch_id
        if target.exists():  # a crash after an earlier rename: the batch is already complete
            shutil.rmtree(tmp)
        else:
            tmp.rename(target)
    for out in outcomes:
        if out.staged_dir is not None:
            shutil.rmtree(out.staged_dir, ignore_errors=True)
            out.staged_dir = None
    return outcomes


def publish_staged(out: Outcome, settings: Settings) -> Outcome:
    """Publish (or quarantine) one staged file: a group of one."""
    return publish_staged_many([out], settings)[0]


def ingest_file(path: Path | str, settings: Settings) -> Outcome:
    return ingest_paths([Path(path)], settings)[0]


def landed_files(
    settings: Settings, since: datetime | None = None, until: datetime | None = None
) -> list[Path]:
    """Claim, remittance and encounter extracts; landing/reference/ holds reference data (pipelines.reference).

    With since/until (a DAG run's data interval, for backfills), only files modified in [since, until)."""
    settings.ensure_dirs()
    ref = settings.reference_landing_dir
    files = sorted(
        p
        for p in settings.landing_dir.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not p.is_relative_to(ref)
    )
    if since is None and until is None:
        return files
    lo = since.timestamp() if since else float("-inf")
    hi = until.timestamp() if until else float("inf")
    return [p for p in files if lo <= p.stat().st_mtime < hi]


def load_landing(settings: Settings) -> tuple[list[Outcome], list]:
    """Everything in landing/: extracts through stage -> GX -> publish, landing/reference/ through the
    reference loaders.  `revcycle run` and the generated-world runs call this; the DAGs run the same steps
    as separate tasks."""
    from pipelines.reference import load_landed_reference

    return ingest_paths(landed_files(settings), settings), load_landed_reference(settings)


def group_paths(paths: list, max_groups: int = 64, max_group_size: int = 250) -> list[list]:
    """Split files into groups for mapped tasks / batched validation, keeping their order."""
    if not paths:
        return []
    size = min(max_group_size, max(1, -(-len(paths) // max_groups)))
    return [paths[i : i + size] for i in range(0, len(paths), size)]


def ingest_group(paths: list[Path], settings: Settings) -> list[Outcome]:
    """Stage every file, gate them together, publish each: the DAG runs these three as separate tasks."""
    from expectations.run import warm_up_in_background  # the module is light; GX is imported in the thread

    # most of a day's ingest is the GX import: overlap it with the parse (the parser and polars release the
    # GIL), and wait for it only if a file gets as far as the gate
    warm_gx = warm_up_in_background()
    staged = [stage_file(p, settings) for p in paths]
    if any(o.status not in ("duplicate", "rejected") for o in staged):
        warm_gx.join()
    return publish_staged_many(validate_staged_many(staged, settings), settings)


def ingest_paths(paths: list[Path], settings: Settings, group_size: int = 250) -> list[Outcome]:
    out: list[Outcome] = []
    for group in group_paths(list(paths), max_groups=1, max_group_size=group_size):
        out.extend(ingest_group(group, settings))
    return out


__all__ = [
    "Outcome",
    "group_paths",
    "ingest_file",
    "ingest_group",
    "ingest_paths",
    "landed_files",
    "load_landing",
    "publish_staged",
    "publish_staged_many",
    "published_file_ids",
    "stage_file",
    "validate_staged",
    "validate_staged_many",
]
