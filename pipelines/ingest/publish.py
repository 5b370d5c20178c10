"""Publish what passed, quarantine what did not, and drain the landing folder.

Under one lock per home (mapped Airflow tasks and a CLI run may publish at once):

* a file already published (same bytes) is a duplicate and loads nothing;
* an X12 transaction set already published from another file — same sender (ISA06), ISA13, GS06, ST02 and
  the same content — is skipped, so a partial copy of an 835 followed by the whole file counts each set once;
* rejected files (and the rejected part of partial ones) go to ``quarantine/<file id>/`` with ``reason.json``;
* the accepted data of the whole group becomes one batch directory, by one rename.

Then each landed file leaves landing/: to the archive when it loaded (or had loaded before), into its
quarantine folder when it was rejected.  A full disk leaves everything published as it was and the files
where they were, with a reason naming the folder.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.ingest.landing import archive_path, drop_ready_marker, move_or_copy
from pipelines.ingest.layout import FILES_SCHEMA, META, empty_tables, published_file_ids
from pipelines.ingest.outcome import ACCEPTED, DUPLICATE, NOT_LOADED, PARTIAL, REJECTED, Outcome
from pipelines.ingest.stage import (
    GX_RESULT,
    REJECTED_ROWS,
    Staged,
    discard_staged,
    staged_tables,
    staging_area,
)
from pipelines.locks import file_lock
from pipelines.privacy import safe_name
from pipelines.settings import Settings
from pipelines.x12.parser import PARSED_TABLES

QUARANTINED_ORIGINAL = "original"  # the stored copy's name: a landed file may be called reason.json
TX_KEY = ["sender_id", "isa13", "gs06", "st02", "content_hash"]
X12_TABLES = tuple(t for t in PARSED_TABLES)
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


# ---------------------------------------------------------------------------------------------- sets
# batches folder -> (the x12_transactions files read so far, the identities they hold)
_tx_index: dict[str, tuple[set[str], set[tuple]]] = {}


def _identities(df: pl.DataFrame) -> set[tuple]:
    """TX_KEY tuples of a frame's transaction sets; a set missing any part of its identity matches nothing."""
    cols = [pl.col(c) if c in df.columns else pl.lit(None, pl.String).alias(c) for c in TX_KEY]
    keys = df.select(cols).drop_nulls().unique()
    return set(keys.iter_rows())


def published_transactions(settings: Settings) -> set[tuple]:
    """Every published X12 transaction set by its identity (TX_KEY).  Batches are immutable, so the index is
    kept in memory and only batches published since are read: re-reading every batch for every group made
    a long ingest quadratic in its files."""
    key = str(settings.batches_dir)
    files = {str(f) for f in settings.batches_dir.glob("*/x12_transactions.parquet")}
    read, index = _tx_index.get(key, (set(), set()))
    if read - files:  # a batch was removed (a rebuilt data root): start over
        read, index = set(), set()
    for f in sorted(files - read):
        index |= _identities(pl.read_parquet(f))
    _tx_index[key] = (files, index)
    return index


def _skip_loaded_sets(
    out: Outcome, tables: dict[str, Staged], loaded: set[tuple]
) -> tuple[pl.Expr | None, set]:
    """The transaction sets of this file already loaded (or repeating an earlier set of the file): returns the
    filter that keeps the others on every X12 table (None: keep everything) and the identities of this file's
    sets (loaded, for the rest of the group)."""
    staged = tables.get("x12_transactions")
    if staged is None:
        return None, set()
    tx = staged.collect()
    if "content_hash" not in tx.columns:
        return None, set()
    mine = tx.select(*TX_KEY, "st_index").sort("st_index")
    first: set[tuple] = set()  # this file's complete identities, for the rest of the group
    in_file: set[tuple] = set()  # a set repeated within the file is skipped however complete its identity
    dup = []
    for row in mine.iter_rows():
        ident, st_index = row[:-1], row[-1]
        complete = None not in ident
        if ident in in_file or (complete and ident in loaded):
            dup.append(st_index)
            continue
        in_file.add(ident)
        if complete:
            first.add(ident)
    if not dup:
        return None, first
    out.transactions_skipped = len(dup)  # st_index is unique within a file
    keep = ~pl.col("st_index").is_in(pl.Series(dup).implode())
    if tx.height == out.transactions_skipped:
        out.status = DUPLICATE
    out.claims = _rows(tables.get("claims"), keep) + _rows(tables.get("remit_claims"), keep)
    out.lines = _rows(tables.get("claim_lines"), keep) + _rows(tables.get("remit_lines"), keep)
    return keep, first


def _rows(staged: Staged | None, keep: pl.Expr) -> int:
    return sum(part.filter(keep).height for part in staged.slices()) if staged is not None else 0


# ---------------------------------------------------------------------------------------------- quarantine
def _quarantine(out: Outcome, settings: Settings) -> None:
    """quarantine/<file id>/: reason.json, the original (moved from landing/ when rejected; a link or copy
    otherwise), the findings, the GX result and the rejected rows.  The folder is complete before the
    original leaves landing/, so a crash in between only means the file is handled again."""
    q = settings.quarantine_dir / out.file_id
    tmp = settings.quarantine_dir / f".tmp-{out.file_id}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True, mode=0o700)
    staged = Path(out.staged_dir) if out.staged_dir else None
    if staged is not None:
        findings = staged_tables(staged).get("findings")
        if findings is not None:
            findings.collect().write_parquet(tmp / "findings.parquet")
        for extra in (GX_RESULT, REJECTED_ROWS):
            if (staged / extra).exists():
                shutil.copyfile(staged / extra, tmp / extra)
    source = Path(out.source) if out.source else None
    stored = None
    if source is not None and source.exists() and not source.is_symlink():
        if out.size_bytes <= settings.max_file_bytes:
            stored = QUARANTINED_ORIGINAL
        elif out.from_landing and out.status == REJECTED:
            stored = QUARANTINED_ORIGINAL  # moved, never copied
    reason = {
        "file": out.file_name,
        "file_id": out.file_id,
        "status": out.status,
        "quarantined_at": datetime.now(UTC).isoformat(),
        "reasons": out.reasons,
        "reason_counts": out.reason_counts,
        "stored_as": stored,
        "source": safe_name(out.source or ""),
        "note": "partial: the accepted part of this file was published; this folder holds what was rejected"
        if out.status == PARTIAL
        else "nothing from this file was published",
    }
    (tmp / "reason.json").write_text(json.dumps(reason, indent=2))
    shutil.rmtree(q, ignore_errors=True)
    tmp.rename(q)
    out.quarantine_dir = str(q)
    if stored is None:
        return
    if out.from_landing and out.status == REJECTED:
        move_or_copy(source, q / stored, move=True)
        drop_ready_marker(source)
    else:
        try:
            os.link(source, q / stored)
        except OSError:
            move_or_copy(source, q / stored, move=False)


def reject_outside_links(links: list[Path], settings: Settings) -> list[Outcome]:
    """Symbolic links in landing/ that lead outside it: rejected, unfollowed, removed from landing/."""
    outs = []
    for link in links:
        name = safe_name(link.name)
        out = Outcome(file_name=name, file_id="link-" + hashlib.sha256(os.fsencode(link)).hexdigest()[:15],
                      kind="link", status=REJECTED, source=None, from_landing=True)  # fmt: skip
        out.set_reasons([(f"{name}: a symbolic link to something outside the landing folder: not followed, "
                         "nothing was read or copied")], ["LINK_OUTSIDE_LANDING"], 1)  # fmt: skip
        out.errors = 1
        _quarantine(out, settings)
        link.unlink(missing_ok=True)
        outs.append(out)
    return outs


# ---------------------------------------------------------------------------------------------- publish
def publish_staged(out: Outcome, settings: Settings) -> Outcome:
    return publish_staged_many([out], settings)[0]


def publish_staged_many(outcomes: list[Outcome], settings: Settings) -> list[Outcome]:
    """Quarantine what was rejected (file by file, with its reason), publish the accepted data of the whole
    group as one batch directory atomically, then drain landing/.  Under a lock: mapped publish tasks run in
    parallel, and the same bytes landed twice in one drop may sit in two groups."""
    try:
        with file_lock(settings.raw_dir / ".publish.lock"):
            _publish_locked(outcomes, settings)
    finally:
        for out in outcomes:
            if out.staged_dir is not None:
                discard_staged(out.staged_dir)
                out.staged_dir = None
    return outcomes


def _publish_locked(outcomes: list[Outcome], settings: Settings) -> None:
    loaded_ids = published_file_ids(settings, fresh=True)
    loaded_sets = set(published_transactions(settings))  # a copy: this group's files join it as they go
    accepted: list[tuple[Outcome, dict[str, Staged], pl.Expr | None]] = []
    seen: set[str] = set()
    for out in outcomes:
        if out.status == NOT_LOADED:
            continue
        if out.status == DUPLICATE or out.file_id in seen or out.file_id in loaded_ids:
            # the same bytes twice in one drop (or published meanwhile by another run): load once
            if out.status != DUPLICATE:
                out.status, out.reasons, out.reason_counts = DUPLICATE, [], {}
            continue
        seen.add(out.file_id)
        if out.status in (ACCEPTED, PARTIAL) and out.staged_dir:
            tables = staged_tables(Path(out.staged_dir))
            keep, sets = _skip_loaded_sets(out, tables, loaded_sets)
            loaded_sets |= sets
            if out.status == DUPLICATE:
                continue
            accepted.append((out, tables, keep))
        if out.status in (REJECTED, PARTIAL):
            try:
                _quarantine(out, settings)
            except OSError as e:
                if e.errno not in DISK_FULL:
                    raise
                out.status = NOT_LOADED
                out.reasons = [(f"{out.file_name}: the disk is full (writing under {settings.quarantine_dir}); the "
                               "file stays where it is for the next run")]  # fmt: skip
                accepted = [a for a in accepted if a[0] is not out]
    if accepted:
        try:
            _write_batch(accepted, settings)
        except OSError as e:
            if e.errno not in DISK_FULL:
                raise
            for out, _, _ in accepted:
                out.status = NOT_LOADED
                out.reasons = [(f"{out.file_name}: the disk is full (writing under {settings.batches_dir}); nothing "
                               "was published, the file stays where it is for the next run")]  # fmt: skip
    for out in outcomes:
        if out.from_landing and out.status in (ACCEPTED, PARTIAL, DUPLICATE) and out.source:
            _archive(out, settings)


def _archive(out: Outcome, settings: Settings) -> None:
    source = Path(out.source)
    try:
        if not source.exists() or source.stat().st_size != out.size_bytes:
            return  # moved or replaced meanwhile: the new content is a new file for the next run
        target = archive_path(source, settings, out.file_id)
        move_or_copy(source, target, move=True)
        drop_ready_marker(source)
        out.archived_to = str(target)
    except OSError:
        return  # still in landing/: the next run finds it published and archives it then


def _files_row(out: Outcome) -> dict:
    return {
        **{k: getattr(out, k) for k in ("file_id", "file_name", "kind", "file_type", "status")},
        "size_bytes": out.size_bytes,
        **{k: getattr(out, k) for k in ("claims", "lines", "rows_rejected", "errors", "warnings")},
        "loaded_at": datetime.now(UTC).replace(tzinfo=None),
    }


def _write_table(
    parts: list[tuple[Staged, pl.Expr | None]],
    empty: pl.DataFrame,
    path: Path,
    row_group_rows: int,
) -> None:
    """One published table from the group's staged parts, slice by slice: memory stays near one slice however
    large a file was.  Small files' slices are gathered into row groups of about ``row_group_rows`` rows
    before they are written: a row group per file (most files hold a few hundred rows of each table) made
    the Parquet writer, not the parser, the ingest's largest cost (docs/performance.md)."""
    import pyarrow.parquet as pq

    schema = empty.schema
    cast = [pl.col(c).cast(dt) for c, dt in schema.items()]
    writer = None
    pending: list[pl.DataFrame] = []
    pending_rows = 0

    def flush() -> None:
        nonlocal writer, pending, pending_rows
        if not pending:
            return
        # one conversion per row group: polars' per-call cost, not the rows, was most of a small file's
        # publishing when each part was cast and converted on its own
        table = pl.concat(pending, rechunk=False).to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table)
        pending, pending_rows = [], 0

    try:
        for staged, keep in parts:
            for part in staged.slices():
                if keep is not None:
                    part = part.filter(keep)
                if part.height == 0:
                    continue
                pending.append(part if part.schema == schema else part.select(cast))
                pending_rows += part.height
                if pending_rows >= row_group_rows:
                    flush()
        flush()
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        empty.write_parquet(path)


def _write_batch(
    accepted: list[tuple[Outcome, dict[str, Staged], pl.Expr | None]], settings: Settings
) -> None:
    ids = sorted(o.file_id for o, _, _ in accepted)
    batch_id = "g-" + hashlib.sha256("".join(ids).encode()).hexdigest()[:20]
    target = settings.batches_dir / batch_id
    if target.exists():  # a crash after an earlier rename: the batch is already complete
        return
    tmp = staging_area(settings) / f"batch-{batch_id}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        for name, empty in empty_tables().items():
            if name == "files":
                pl.DataFrame([_files_row(o) for o, _, _ in accepted], schema=FILES_SCHEMA).write_parquet(
                    tmp / f"{name}.parquet"
                )
                continue
            parts = [(t[name], keep if name in X12_TABLES else None) for _, t, keep in accepted if name in t]
            _write_table(parts, empty, tmp / f"{name}.parquet", settings.publish_row_group_rows)
        meta = {"file_ids": ids, "files": [o.to_dict() for o, _, _ in accepted]}
        (tmp / META).write_text(json.dumps(meta, indent=2))
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
