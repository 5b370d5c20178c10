"""Ingest one landed file: stage (parse) -> validate (GX) -> publish or quarantine.

The three steps are separate functions so the Airflow DAG can run them as separate tasks; the CLI
calls ``ingest_file`` which chains the same three.  Crash safety and idempotency:

* a file's id is the hash of its bytes, so the same file dropped twice is recognised and skipped;
* everything is written into ``raw/_staging/<file_id>/`` first and published by one directory rename
  to ``raw/batches/<file_id>/`` (atomic on one filesystem), so readers see all of a file or none;
* every batch directory holds every table (empty where not applicable), so dbt's globs never miss;
* rejected data goes to ``quarantine/<file_id>/`` with the original file and ``reason.json``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.detect import ENCOUNTERS, X12, detect_kind
from pipelines.encounters import EncounterFileError, empty_encounters, parse_encounters
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
            f"{f', {self.lines} encounter lines' if self.kind == ENCOUNTERS else ''}, "
            f"{self.errors} errors, {self.warnings} warnings"
        )
        if self.rows_rejected:
            s += f", {self.rows_rejected} rows rejected"
        return s


def _write_tables(tables: dict[str, pl.DataFrame], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.write_parquet(directory / f"{name}.parquet")


def empty_tables() -> dict[str, pl.DataFrame]:
    t = {name: empty_frame(name) for name in (*PARSED_TABLES, "findings")}
    t["encounters"] = empty_encounters()
    t["files"] = pl.DataFrame(schema=FILES_SCHEMA)
    return t


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


def is_published(settings: Settings, file_id: str) -> bool:
    return (settings.batches_dir / file_id / META).exists()


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
    elif kind == ENCOUNTERS:
        out.file_type = "encounters"
        try:
            enc = parse_encounters(data, path.name, file_id)
        except EncounterFileError as e:
            out.status = "rejected"
            out.reasons = [str(e)]
            findings = [Finding(ERROR, "ENC_CONTRACT", str(e))]
        else:
            tables["encounters"] = enc.accepted
            out.lines = enc.accepted.height
            out.rows_rejected = enc.rejected.height
            rejected_rows = enc.rejected
            findings = [
                Finding(
                    ERROR,
                    "ENC_ROW_REJECTED",
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
            f"{path.name}: unrecognised file type (not X12 with an ISA header, nor an encounter CSV/Parquet)"
        )
        out.reasons = [msg]
        findings = [Finding(ERROR, "UNRECOGNISED_FILE", msg)]

    out.errors = sum(f.severity == ERROR for f in findings)
    out.warnings = len(findings) - out.errors
    tables["findings"] = findings_frame(file_id, path.name, findings)
    _write_tables(tables, staged)
    if rejected_rows is not None and rejected_rows.height:
        rejected_rows.write_csv(staged / "_rejected_rows.csv")
    shutil.copy2(path, staged / "_original")
    out.staged_dir = str(staged)
    (staged / "_outcome.json").write_text(json.dumps(out.to_dict(), indent=2))
    return out


# ---------------------------------------------------------------- validate
GX_TABLES = ("claims", "claim_lines", "remit_claims", "remit_lines", "remit_adjustments", "encounters")


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
        for t in GX_TABLES:
            p = Path(o.staged_dir) / f"{t}.parquet"
            if p.exists():
                frames[t].append(pl.read_parquet(p))
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
    for extra in ("findings.parquet", "_gx_result.json", "_rejected_rows.csv"):
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


def publish_staged(out: Outcome, settings: Settings) -> Outcome:
    """Atomically publish accepted data; quarantine whatever was rejected, with its reason."""
    if out.status == "duplicate" or out.staged_dir is None:
        return out
    staged = Path(out.staged_dir)
    if out.status in ("rejected", "partial"):
        _quarantine(out, settings, staged)
    if out.status in ("accepted", "partial"):
        files_row = pl.DataFrame(
            [
                {
                    **{k: getattr(out, k) for k in ("file_id", "file_name", "kind", "file_type", "status")},
                    "size_bytes": (staged / "_original").stat().st_size,
                    **{
                        k: getattr(out, k) for k in ("claims", "lines", "rows_rejected", "errors", "warnings")
                    },
                    "loaded_at": datetime.now(UTC).replace(tzinfo=None),
                }
            ],
            schema=FILES_SCHEMA,
        )
        files_row.write_parquet(staged / "files.parquet")
        for extra in ("_original", "_rejected_rows.csv"):
            (staged / extra).unlink(missing_ok=True)
        (staged / META).write_text(json.dumps(out.to_dict(), indent=2))
        target = settings.batches_dir / out.file_id
        if target.exists():  # a crash after an earlier rename: the batch is already complete
            shutil.rmtree(staged)
        else:
            staged.rename(target)
    else:
        shutil.rmtree(staged, ignore_errors=True)
    out.staged_dir = None
    return out


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
    staged = [stage_file(p, settings) for p in paths]
    return [publish_staged(o, settings) for o in validate_staged_many(staged, settings)]


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
    "stage_file",
    "validate_staged",
    "validate_staged_many",
]
