"""Detect, parse and publish reference files (see the package docstring)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from pipelines.ingest.landing import archive_path, in_landing, move_or_copy, scan_landing
from pipelines.ingest.stage import file_id_of
from pipelines.privacy import log_error, safe_name
from pipelines.reference.layouts import (
    CARC,
    LEIE,
    MUE,
    NCCI_PTP,
    PATIENT_DEATHS,
    PAYER_POLICY,
    PFS_RVU,
    PHYSICIAN_TIME,
    RARC,
    SCHEMAS,
    ReferenceFileError,
    code_list_kind,
    looks_like_code_list,
    looks_like_payer_policy,
    parse_code_list,
    parse_leie,
    parse_mue,
    parse_ncci_ptp,
    parse_patient_deaths,
    parse_payer_policy,
    parse_pfs_rvu,
    parse_physician_time,
)
from pipelines.settings import Settings, dbt_project_seed
from pipelines.x12.findings import plural
from pipelines.x12.parser import file_id_for

KINDS = tuple(SCHEMAS)
# no leading "_" or ".": Spark (Hadoop file listing) skips such files as hidden
SCHEMA_FILE = "schema.parquet"
LEGACY_SCHEMA_FILE = "_schema.parquet"  # the name before the Spark build; removed when the layout is ensured


@dataclass
class LoadResult:
    file_name: str
    file_id: str
    kind: str | None
    status: str  # loaded | duplicate | rejected
    rows: int = 0
    reason: str | None = None

    def summary_line(self) -> str:
        if self.status == "rejected":
            return f"{self.file_name}: reference file rejected: {self.reason}"
        if self.status == "duplicate":
            return f"{self.file_name}: {self.kind} already loaded (file id {self.file_id}), skipped"
        return f"{self.file_name}: {self.kind} loaded, {plural(self.rows, 'rows')}"


def detect_reference_kind(text: str) -> str | None:
    head = text.lstrip("\ufeff")[:20000]
    lines = head.splitlines()
    first = lines[0].strip().upper() if lines else ""
    if first.startswith("LASTNAME,FIRSTNAME"):
        return LEIE
    low = first.lower()
    if "member_id" in low and "death_date" in low:
        return PATIENT_DEATHS
    # before physician time: the RVU file's header also names HCPCS and a total
    if any("HCPCS" in ln.upper() and "WORK RVU" in ln.upper() for ln in lines[:40]):
        return PFS_RVU
    if "hcpcs" in low and ("total" in low or "physician time" in low) and "mue" not in low:
        return PHYSICIAN_TIME
    if looks_like_payer_policy(lines[0].split(",") if lines else []):
        return PAYER_POLICY
    if looks_like_code_list(lines[0].split(",") if lines else []):
        return code_list_kind(head)
    if any(re.match(r'^"?HCPCS/CPT CODE"?\s*,.*MUE', ln.strip().upper()) for ln in lines):
        return MUE
    if any("\t" in ln and ln.upper().startswith("COLUMN 1\tCOLUMN 2") for ln in lines) or any(
        re.match(r"^[0-9A-Z]{5}\t[0-9A-Z]{5}\t[^\t]*\t\d{8}\t", ln) for ln in lines
    ):
        return NCCI_PTP
    return None


def _date_from_name(name: str) -> date | None:
    """The date a file is for, from its name: CMS names MUE files like
    MCR_MUE_PractitionerServices_Eff_01-01-2024.csv; a monthly LEIE download is filed as UPDATED_2024-11.csv,
    UPDATED-20241105.csv or 202411_UPDATED.csv (the first of the month when no day is given)."""
    if m := re.search(r"(\d{2})-(\d{2})-(\d{4})", name):
        found = (m.group(3), m.group(1), m.group(2))
    elif m := re.search(r"(20\d{2})[-_]?(0[1-9]|1[0-2])(?:[-_]?(0[1-9]|[12]\d|3[01]))?(?!\d)", name):
        found = (m.group(1), m.group(2), m.group(3) or "1")
    else:
        return None
    try:
        return date(*(int(x) for x in found))
    except ValueError:
        return None


def parse_reference_file(
    path: Path,
    kind: str | None = None,
    *,
    setting: str | None = None,
    effective_from: date | None = None,
    pfs_year: int | None = None,
    snapshot_date: date | None = None,
) -> tuple[str, pl.DataFrame]:
    """Parse one file into its kind's typed frame; raises ReferenceFileError on anything untrustworthy."""
    path = Path(path)
    data = path.read_bytes()
    file_id = file_id_for(data)
    text = data.decode("utf-8-sig", errors="replace")
    kind = kind or detect_reference_kind(text)
    if kind is None:
        raise ReferenceFileError(path.name, None, "not a recognised reference layout (NCCI PTP, MUE, LEIE, "
                                 "physician time, PFS RVUs, patient deaths, CARC or RARC list, payer "
                                 "policy)")  # fmt: skip
    if kind not in KINDS:
        raise ReferenceFileError(
            path.name, None, f"unknown reference kind {kind!r}; one of {', '.join(KINDS)}"
        )
    name = path.name
    if kind == NCCI_PTP:
        # CMS ships one table per setting (ccipra = practitioner, ccioph = outpatient hospital)
        low = name.lower() + " " + " ".join(text[:2000].lower().splitlines()[:5])
        hospital = "ccioph" in low or "hospital" in low
        setting = setting or ("outpatient_hospital" if hospital else "practitioner")
        return kind, parse_ncci_ptp(text, name, file_id, setting)
    if kind == MUE:
        return kind, parse_mue(text, name, file_id, effective_from or _date_from_name(name))
    if kind == LEIE:
        return kind, parse_leie(text, name, file_id, snapshot_date or _date_from_name(name))
    if kind == PHYSICIAN_TIME:
        if pfs_year is None and (m := re.search(r"(20\d{2})", name)):
            pfs_year = int(m.group(1))
        return kind, parse_physician_time(text, name, file_id, pfs_year)
    if kind == PFS_RVU:
        # CMS names it PPRRVU24_JAN.csv (two-digit year); a title row says "CALENDAR YEAR 2024"
        m = re.search(r"PPRRVU(\d{2})", name.upper()) or re.search(r"YEAR (20\d{2})", text[:3000].upper())
        if pfs_year is None and m:
            pfs_year = int(m.group(1)) + (2000 if len(m.group(1)) == 2 else 0)
        return kind, parse_pfs_rvu(text, name, file_id, pfs_year)
    if kind in (CARC, RARC):
        return kind, parse_code_list(text, name, file_id, kind)
    if kind == PAYER_POLICY:
        classes = tuple(sorted({r["financial_class"] for r in dbt_project_seed("financial_class")}))
        return kind, parse_payer_policy(text, name, file_id, datetime.now(UTC), classes)
    return kind, parse_patient_deaths(text, name, file_id)


def ensure_reference_layout(settings: Settings) -> None:
    """An empty schema file per kind keeps dbt's reference globs valid before anything is loaded."""
    for kind, schema in SCHEMAS.items():
        d = settings.reference_dir / kind
        d.mkdir(parents=True, exist_ok=True)
        # rewritten when a column was added since: Spark takes a folder's schema from its files
        if not _schema_file_current(d / SCHEMA_FILE, schema):
            # written aside and renamed in: another ingest (or dbt) may be reading it right now, and a name
            # not ending in .parquet stays out of dbt's glob meanwhile
            tmp = d / f".{SCHEMA_FILE}.{os.getpid()}.tmp"
            pl.DataFrame(schema=schema).write_parquet(tmp)
            os.replace(tmp, d / SCHEMA_FILE)
        (d / LEGACY_SCHEMA_FILE).unlink(missing_ok=True)
    from pipelines.reference.icd10cm import ensure_icd10cm

    ensure_icd10cm(settings.reference_dir)  # the code set the scrubber reads, from the installed package


def _schema_file_current(path: Path, schema: pl.Schema) -> bool:
    try:
        return pl.read_parquet_schema(path) == dict(schema)
    except (OSError, pl.exceptions.PolarsError):  # missing, or half-written by a process that crashed
        return False


def _quarantine(path: Path, file_id: str, reason: str, settings: Settings, move: bool) -> None:
    """quarantine/reference-<file id>/: reason.json and the original under a fixed name (moved out of
    landing/reference/, copied when it was named on the command line)."""
    q = settings.quarantine_dir / f"reference-{file_id}"
    tmp = settings.quarantine_dir / f".tmp-reference-{file_id}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True, mode=0o700)
    stored = "original" if path.exists() and not path.is_symlink() else None
    (tmp / "reason.json").write_text(
        json.dumps(
            {
                "file": safe_name(path.name),
                "file_id": file_id,
                "status": "rejected",
                "quarantined_at": datetime.now(UTC).isoformat(),
                "reasons": [reason],
                "stored_as": stored,
                "note": "reference files load whole or not at all: nothing from this file was loaded",
            },
            indent=2,
        )
    )
    shutil.rmtree(q, ignore_errors=True)
    tmp.rename(q)
    if stored:
        move_or_copy(path, q / stored, move=move)


def load_reference_file(
    path: Path | str, settings: Settings, kind: str | None = None, **options
) -> LoadResult:
    """Load one reference file whole, or quarantine it with its reason; never raises for the file's sake.
    A file under landing/reference/ leaves it: to the archive when loaded (or already loaded), into its
    quarantine folder when rejected."""
    path = Path(path)
    name = safe_name(path.name)
    landed = in_landing(path, settings)
    ensure_reference_layout(settings)
    file_id = "-"
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            file_id = "big-" + hashlib.sha256(f"{path}:{size}".encode()).hexdigest()[:16]
            reason = (f"{name}: {size:,} bytes is more than the maximum file size ({settings.max_file_bytes:,} "
                      "bytes, REVCYCLE_MAX_FILE_BYTES): not read")  # fmt: skip
            _quarantine(path, file_id, reason, settings, move=landed)
            return LoadResult(name, file_id, kind, "rejected", reason=reason)
        file_id = file_id_of(path)
        existing = list(settings.reference_dir.glob(f"*/{file_id}.parquet"))
        if existing:
            if existing[0].parent.name == PAYER_POLICY:
                _restamp(existing[0])
            _archive(path, settings, file_id, landed)
            return LoadResult(name, file_id, existing[0].parent.name, "duplicate")
        try:
            kind, frame = parse_reference_file(path, kind, **options)
        except ReferenceFileError as e:
            reason = f"{name}: {e.message_without_file}"
            _quarantine(path, file_id, reason, settings, move=landed)
            return LoadResult(name, file_id, kind, "rejected", reason=reason)
        target = settings.reference_dir / kind / f"{file_id}.parquet"
        tmp = target.with_name(f".{file_id}.tmp")
        frame.write_parquet(tmp)
        os.replace(tmp, target)  # atomic: dbt sees the whole file or none of it
        _archive(path, settings, file_id, landed)
        return LoadResult(name, file_id, kind, "loaded", rows=frame.height)
    except Exception as e:  # noqa: BLE001 - one file's failure is that file's outcome, never the run's
        log = log_error(settings, f"loading reference file {name} (file id {file_id})", e)
        reason = (
            f"{name}: could not be read ({type(e).__name__}); the details are in the private error log {log}"
        )
        if path.exists() and file_id != "-":
            try:
                _quarantine(path, file_id, reason, settings, move=landed)
            except OSError:
                pass
        return LoadResult(name, file_id, kind, "rejected", reason=reason)


def _restamp(parquet: Path) -> None:
    """The payer policy in force is the file loaded last (stg_reference__payer_policy): loading an earlier
    file again makes it the policy again, so its load time moves to now."""
    frame = pl.read_parquet(parquet).with_columns(
        loaded_at=pl.lit(datetime.now(UTC)).cast(pl.Datetime("us", "UTC"))
    )
    tmp = parquet.with_name(f".{parquet.stem}.tmp")
    frame.write_parquet(tmp)
    os.replace(tmp, parquet)


def _archive(path: Path, settings: Settings, file_id: str, landed: bool) -> None:
    if landed and path.exists():
        move_or_copy(path, archive_path(path, settings, file_id), move=True)


def landed_reference_files(settings: Settings) -> list[Path]:
    """The settled files in landing/reference/ (the same rules as landing/: pipelines.ingest.landing)."""
    if not settings.reference_landing_dir.exists():
        return []
    return scan_landing(settings, root=settings.reference_landing_dir).ready


def load_landed_reference(settings: Settings) -> list[LoadResult]:
    """Load every file in landing/reference/ (idempotent: files already loaded are skipped)."""
    ensure_reference_layout(settings)
    return [load_reference_file(p, settings) for p in landed_reference_files(settings)]
