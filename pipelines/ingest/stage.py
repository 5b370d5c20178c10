"""Stage one file: identify it, parse or check it into ``raw/_staging/<area>/<file id>/``, nothing visible
to dbt yet.

Whatever goes wrong with one file stays with that file: an exception while reading, parsing or checking it
rejects it with the kind of failure (its traceback goes to the private error log, pipelines.privacy), and
every other file carries on.  Only a full disk is not the file's fault: the file is then left where it is
(status ``not_loaded``) for the next run.

Each process (a CLI run, an Airflow task) stages into its own area, so two ingests on one home never touch
each other's files; the area of a process that died is cleared by the next ingest (``clean_stale_areas``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import pickle
import shutil
import socket
import time
from pathlib import Path

import polars as pl

from pipelines.ingest.detect import DAMAGED_PARQUET, UNKNOWN, X12, detect_kind
from pipelines.ingest.extracts import (
    EXTRACTS,
    KEY_HASH,
    Extract,
    ExtractFileError,
    Sink,
    _as_rejected,
    check_extract,
)
from pipelines.ingest.landing import in_landing
from pipelines.ingest.layout import empty_tables, ensure_layout, is_published
from pipelines.ingest.outcome import DUPLICATE, NOT_LOADED, REJECTED, Outcome
from pipelines.locks import process_alive
from pipelines.privacy import csv_safe_frame, log_error, safe_name
from pipelines.settings import Settings
from pipelines.x12.findings import ERROR, Finding, findings_frame

# Staged tables live seconds, between the parse, GX and publish steps of one group in one process
# (pipelines.ingest.ingest_group): a small file's frames stay in this process's memory until the group is
# published, up to MEMORY_ROWS rows for the group; past that a file's frames are pickled into its folder
# (polars pickles as Arrow IPC: a Parquet or IPC file per table per file cost more than the parse itself).
# An extract is checked batch by batch straight into Parquet (its size is the user's), and so is an X12 file
# whose tables are large.
STAGED = "_tables.pkl"
MEMORY_ROWS = 2_000_000
_in_memory: dict[str, dict[str, pl.DataFrame]] = {}  # staged folder -> its small frames
_held_rows = 0  # rows in _in_memory (kept, not summed: a group stages hundreds of files)
REJECTED_ROWS = "_rejected_rows.csv"
GX_RESULT = "_gx_result.json"  # written for files that go to quarantine/ (their GX result goes with them)
LARGE_ROWS = 500_000  # a file whose tables hold more rows than this is staged on disk, table by table
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
FINDINGS_PER_FILE = 1000  # row rejections kept as findings (all of them are in the rejected-rows file)


# ---------------------------------------------------------------------------------------------- areas
def _this_process() -> str:
    return f"p{os.getpid()}-{socket.gethostname()}"


def staging_area(settings: Settings) -> Path:
    """This process's staging folder (the CLI's, or one Airflow task's: a task stages and publishes its group)."""
    name = safe_name(_this_process()).replace("/", "_").replace("\\", "_")
    area = settings.staging_dir / name
    area.mkdir(parents=True, exist_ok=True, mode=0o700)
    return area


def release_area(area: Path) -> None:
    """Remove a staging area once it is empty."""
    try:
        area.rmdir()
    except OSError:
        pass


STALE_AREA_SECONDS = 6 * 3600


def clean_stale_areas(settings: Settings) -> None:
    """Remove staging left by processes that died on this host (and anything older than six hours)."""
    if not settings.staging_dir.exists():
        return
    host = socket.gethostname()
    for d in settings.staging_dir.iterdir():
        name = d.name
        stale = False
        if name.startswith("p") and name.endswith("-" + host):
            pid = name[1:].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid():
                stale = not process_alive(int(pid))
        with contextlib.suppress(FileNotFoundError):
            stale = stale or time.time() - d.stat().st_mtime > STALE_AREA_SECONDS
        if stale:
            if d.is_dir():
                shutil.rmtree(d, ignore_errors=True)
            else:
                d.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------- tables
def _rows(frames: dict[str, pl.DataFrame]) -> int:
    return sum(df.height for df in frames.values())


def _stage_tables(tables: dict[str, pl.DataFrame], directory: Path) -> None:
    """A file's frames held in memory (its folder then need not exist), or written into its folder."""
    global _held_rows
    present = {name: df for name, df in tables.items() if df.height}
    rows = _rows(present)
    if rows > LARGE_ROWS:
        directory.mkdir(parents=True, exist_ok=True)
        for name, df in present.items():
            df.write_ipc(directory / f"{name}.arrow")
        return
    if _held_rows + rows <= MEMORY_ROWS:
        mine = _in_memory.setdefault(str(directory), {})
        before = _rows(mine)
        mine.update(present)
        _held_rows += _rows(mine) - before
        return
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / STAGED).open("wb") as fh:
        pickle.dump(present, fh, protocol=pickle.HIGHEST_PROTOCOL)


SLICE_ROWS = 100_000


class Staged:
    """One staged table: in memory (small files, from the pickle) or on disk (a large X12 table as Arrow IPC,
    an extract as Parquet), read back in slices so memory stays near one slice."""

    def __init__(self, frame: pl.DataFrame | None = None, path: Path | None = None):
        self.frame, self.path = frame, path

    def slices(self, rows: int = SLICE_ROWS):
        if self.frame is not None:
            for off in range(0, self.frame.height, rows):
                yield self.frame.slice(off, rows)
            return
        if self.path.suffix == ".arrow":  # memory-mapped: a slice reads only its rows
            lazy = pl.scan_ipc(self.path)
            height = lazy.select(pl.len()).collect().item()
            for off in range(0, height, rows):
                yield lazy.slice(off, rows).collect()
            return
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=rows):
            yield pl.from_arrow(batch).drop(KEY_HASH, strict=False)

    def collect(self) -> pl.DataFrame:
        """The whole table (only for tables that stay small: findings, transaction sets)."""
        if self.frame is not None:
            return self.frame
        parts = list(self.slices())
        return pl.concat(parts) if parts else pl.DataFrame()


def discard_staged(directory: Path | str) -> None:
    """Remove a file's staged folder and its frames held in memory."""
    global _held_rows
    _held_rows -= _rows(_in_memory.pop(str(directory), {}))
    shutil.rmtree(directory, ignore_errors=True)


def _has_staged_frames(directory: Path) -> bool:
    """Whether a file's small frames are staged (in memory or pickled), without reading them."""
    return str(directory) in _in_memory or (directory / STAGED).exists()


def staged_tables(directory: Path) -> dict[str, Staged]:
    """The staged tables of one file, by name."""
    out: dict[str, Staged] = {
        name: Staged(frame=df) for name, df in _in_memory.get(str(directory), {}).items()
    }
    pkl = directory / STAGED
    if pkl.exists():
        with pkl.open("rb") as fh:
            out.update({name: Staged(frame=df) for name, df in pickle.load(fh).items()})  # our own pickle
    for p in [*directory.glob("*.arrow"), *directory.glob("*.parquet")]:
        out[p.stem] = Staged(path=p)
    return out


class ParquetSink(Sink):
    """An extract's checked rows straight to disk: accepted rows to Parquet, rejected rows to a formula-safe
    CSV (their text as the file had it: this copy lives in quarantine/, owner-only)."""

    def __init__(self, spec: Extract, directory: Path, limit: int, unit: str):
        self.spec = spec
        self.path = directory / f"{spec.kind}.parquet"
        self.rejected_path = directory / REJECTED_ROWS
        self.writer = None
        self.limit = limit
        self.unit = unit  # "line" (CSV) or "row" (Parquet)
        self.first_rejections: list[tuple[int, str]] = []
        self.rejected_rows = 0

    def accept(self, frame: pl.DataFrame) -> None:
        import pyarrow.parquet as pq

        table = frame.to_arrow()
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self.writer.write_table(table)

    def reject(self, frame: pl.DataFrame) -> None:
        frame = csv_safe_frame(frame.select("row_number", *self.spec.contract, "reason"))
        header = not self.rejected_path.exists()
        with self.rejected_path.open("ab") as fh:
            frame.write_csv(fh, include_header=header)
        self.rejected_rows += frame.height
        room = FINDINGS_PER_FILE - len(self.first_rejections)
        if room > 0:
            self.first_rejections += list(
                zip(frame["row_number"].head(room), frame["reason"].head(room), strict=True)
            )

    def drop_duplicates(self, hashes: pl.Series, reason: str) -> int:
        self.close()
        if not self.path.exists():
            return 0
        keep = ~pl.col(KEY_HASH).is_in(hashes.implode())
        moved = pl.scan_parquet(self.path).filter(~keep).collect()
        tmp = self.path.with_suffix(".dedup")
        pl.scan_parquet(self.path).filter(keep).sink_parquet(tmp, compression="zstd")
        tmp.replace(self.path)
        if moved.height:
            self.reject(_as_rejected(self.spec, moved, reason))
        return moved.height

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


# ---------------------------------------------------------------------------------------------- stage
def file_id_of(path: Path) -> str:
    """The SHA-256 of the bytes (first 20 hex digits), read in blocks: the file's identity."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()[:20]


def stage_files(paths, settings: Settings, area: Path | None = None, on_staged=None) -> list[Outcome]:
    """Stage a group of files into one staging area (the CLI's group, a DAG task's share), the data root laid
    out once for the group.  ``on_staged(outcome)`` is called as each file is parsed (the CLI's progress)."""
    ensure_layout(settings)  # a DAG's parse task may be the first to touch a new data root
    area = area or staging_area(settings)
    paths = [Path(p) for p in paths]
    out = []
    parsed: dict[Path, Parsed] = {}
    ahead = 0  # paths before this one have been considered for parsing together
    for i, p in enumerate(paths):
        if i >= ahead:
            ahead, parsed = _parse_ahead(paths, i, settings)
        out.append(stage_file(p, settings, area, parsed.pop(p, None)))
        if on_staged is not None:
            on_staged(out[-1])
    return out


# Small X12 files are parsed several to one call of the X12 core (pipelines.x12.parser.parse_files): building
# a file's frames cost more than parsing it when each file had its own.  A call holds up to
# settings.parse_together_mb of files of at most PARSE_TOGETHER_FILE_BYTES each; larger files are parsed alone.
PARSE_TOGETHER_FILE_BYTES = 4 * 2**20


class Parsed:
    """A file's result from a call that parsed several, with the identity it was parsed under."""

    def __init__(self, file_id: str, stat: os.stat_result, result):
        self.file_id, self.result = file_id, result
        self.stamp = (stat.st_size, stat.st_mtime_ns)


def _parse_ahead(paths: list[Path], start: int, settings: Settings) -> tuple[int, dict[Path, Parsed]]:
    """Parse the small unpublished X12 files among ``paths[start:]`` (up to settings.parse_together_mb) in one
    call.  Any doubt about a file (unreadable, too large, not X12, published, a failing call) leaves it to
    be staged alone by ``stage_file``, which then meets the problem and reports it."""
    from pipelines.x12.parser import parse_files

    chosen: list[tuple[Path, str, os.stat_result]] = []
    total, end = 0, start
    if settings.parse_together_mb == 0:
        return len(paths), {}
    while end < len(paths) and total < settings.parse_together_mb * 2**20:
        p = paths[end]
        end += 1
        try:
            st = p.stat()
            if not 0 < st.st_size <= min(PARSE_TOGETHER_FILE_BYTES, settings.max_file_bytes):
                continue
            if detect_kind(p) != X12:
                continue
            file_id = file_id_of(p)
            if is_published(settings, file_id):
                continue
        except Exception:  # noqa: BLE001, S112 - stage_file reads the file again and reports what is wrong
            continue
        chosen.append((p, file_id, st))
        total += st.st_size
    if len(chosen) < 2:
        return end, {}
    try:
        results = parse_files([(p, file_id) for p, file_id, _ in chosen])
    except Exception:  # noqa: BLE001 - each file is then parsed alone, a failure its own
        return end, {}
    return end, {p: Parsed(file_id, st, r) for (p, file_id, st), r in zip(chosen, results, strict=True) if r}


def stage_file(
    path: Path | str, settings: Settings, area: Path | None = None, parsed: Parsed | None = None
) -> Outcome:
    """Parse one file into the staging area; nothing is visible to dbt yet.  Never raises for the file's
    sake: every failure is the outcome's status and reasons.  ``parsed``: the file's result from a call that
    parsed several (stage_files), used when the file is still the one that was parsed."""
    path = Path(path)
    name = safe_name(path.name)
    out = Outcome(file_name=name, file_id="-", kind=UNKNOWN, source=os.fspath(path),
                  from_landing=in_landing(path, settings))  # fmt: skip
    staged: Path | None = None
    try:
        st = path.stat()
        out.size_bytes = st.st_size
        if st.st_size > settings.max_file_bytes:
            out.file_id = (
                "big-" + hashlib.sha256(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:16]
            )
            return _reject(out, "FILE_TOO_LARGE",
                           f"{st.st_size:,} bytes is more than the maximum file size ({settings.max_file_bytes:,} "
                           "bytes, REVCYCLE_MAX_FILE_BYTES): not read")  # fmt: skip
        if parsed is not None and parsed.stamp != (st.st_size, st.st_mtime_ns):
            parsed = None  # the file changed since it was parsed
        out.file_id = parsed.file_id if parsed is not None else file_id_of(path)
        if is_published(settings, out.file_id):
            out.status = DUPLICATE
            return out
        if st.st_size == 0:
            return _reject(out, "FILE_EMPTY", "the file is empty")
        area = area or staging_area(settings)
        staged = area / out.file_id
        discard_staged(staged)
        # the folder is made when something is written to disk (an extract, a large file's tables): a
        # small file's frames stay in memory, and a folder per file was a good part of its cost
        out.kind = X12 if parsed is not None else detect_kind(path)
        if out.kind == X12:
            _stage_x12(path, out, staged, settings, parsed.result if parsed is not None else None)
        elif out.kind in EXTRACTS:
            _stage_extract(path, out, staged, settings)
        elif out.kind == DAMAGED_PARQUET:
            _reject(
                out,
                "PARQUET_DAMAGED",
                "damaged Parquet file: its footer (schema and row groups) cannot be read",
            )
        else:
            _reject(out, "UNRECOGNISED_FILE", "unrecognised file type (not X12 with an ISA header, nor an "
                    "encounter or patient-payment CSV/Parquet)")  # fmt: skip
        if out.status == REJECTED and not _has_staged_frames(staged):
            _stage_tables({"findings": _findings(out)}, staged)
        out.staged_dir = str(staged)
        return out
    except OSError as e:
        if e.errno in DISK_FULL:
            return _not_loaded(out, staged, f"the disk is full (writing under {settings.raw_dir}); nothing was "
                               "loaded from this file, it stays where it is for the next run")  # fmt: skip
        if isinstance(e, FileNotFoundError) and not path.exists():
            out.status = NOT_LOADED
            out.reasons = [f"{name}: no such file (moved away while it was being read?)"]
            return out
        return _failed(out, staged, settings, e)
    except Exception as e:  # noqa: BLE001 - one file's failure is that file's outcome, never the run's
        return _failed(out, staged, settings, e)
    except MemoryError as e:
        return _failed(out, staged, settings, e)


def _reject(out: Outcome, code: str, message: str) -> Outcome:
    out.status = REJECTED
    out.errors = max(out.errors, 1)
    out.set_reasons([f"{out.file_name}: {message}"], [code], limit=1)
    return out


def _findings(out: Outcome) -> pl.DataFrame:
    return findings_frame(out.file_id, out.file_name, [
        Finding(ERROR, code, r.removeprefix(f"{out.file_name}: ")) for r, code in
        zip(out.reasons, list(out.reason_counts), strict=False)])  # fmt: skip


def _not_loaded(out: Outcome, staged: Path | None, why: str) -> Outcome:
    if staged is not None:
        discard_staged(staged)
    out.status = NOT_LOADED
    out.staged_dir = None
    out.reasons = [f"{out.file_name}: {why}"]
    return out


def _failed(out: Outcome, staged: Path | None, settings: Settings, exc: BaseException) -> Outcome:
    log = log_error(settings, f"staging {out.file_name} (file id {out.file_id})", exc)
    if staged is not None:
        discard_staged(staged)
    out.staged_dir = None
    return _reject(
        out,
        "FILE_UNREADABLE",
        f"could not be read ({type(exc).__name__}); the details are in the private error log {log}",
    )


def _stage_x12(path: Path, out: Outcome, staged: Path, settings: Settings, res=None) -> None:
    from pipelines.x12.parser import parse_file

    if res is None:
        res = parse_file(path, out.file_id)
    out.file_type, out.claims, out.lines, out.status = res.file_type, res.claims, res.lines, res.status
    errors = [f for f in res.findings if f.severity == ERROR]
    out.errors, out.warnings = len(errors), len(res.findings) - len(errors)
    out.set_reasons([f.describe(out.file_name) for f in errors[: settings.max_reasons]],
                    [f.code for f in errors], settings.max_reasons)  # fmt: skip
    tables = empty_tables()
    tables.update(res.tables)
    tables["findings"] = findings_frame(out.file_id, out.file_name, res.findings)
    _stage_tables(tables, staged)


def _stage_extract(path: Path, out: Outcome, staged: Path, settings: Settings) -> None:
    spec = EXTRACTS[out.kind]
    out.file_type = out.kind
    with open(path, "rb") as fh:
        unit = "row" if fh.read(4) == b"PAR1" else "line"  # Parquet rows have no header line
    staged.mkdir(parents=True, exist_ok=True)
    sink = ParquetSink(spec, staged, settings.max_reasons, unit)
    try:
        counts = check_extract(spec, path, out.file_id, sink, settings.extract_encoding)
    except ExtractFileError as e:
        _reject(out, f"{spec.finding_prefix}_CONTRACT", str(e))
        return
    finally:
        sink.close()
    out.lines, out.rows_rejected = counts.accepted, counts.rejected
    findings = [Finding(ERROR, f"{spec.finding_prefix}_ROW_REJECTED", f"{sink.unit} {n}: {r}", seg_index=n)
                for n, r in sink.first_rejections]  # fmt: skip
    out.errors = counts.rejected
    out.set_reasons(
        [f"{out.file_name}: {f.message}" for f in findings[: settings.max_reasons]],
        [f"{spec.finding_prefix}_ROW_REJECTED"] * counts.rejected,
        settings.max_reasons,
    )
    if counts.accepted == 0 and counts.rejected:
        out.status = REJECTED
    else:  # a header and no rows is an empty extract: accepted, zero rows
        out.status = "partial" if counts.rejected else "accepted"
    _stage_tables({"findings": findings_frame(out.file_id, out.file_name, findings)}, staged)
