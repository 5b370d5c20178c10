"""The raw layout dbt reads: ``raw/batches/<batch>/<table>.parquet``, every table in every batch.

A batch is published by one directory rename and never rewritten; its ``_batch.json`` lists the file ids
it holds (the file-level idempotency index) and each X12 batch's ``x12_transactions`` table lists the
transaction sets it holds (the set-level one, pipelines.ingest.publish).  ``_schema/`` holds one empty file
per table, so dbt's globs match before anything is published.
"""

from __future__ import annotations

import functools
import json
import os
import shutil

import polars as pl

from pipelines.ingest.extracts import EXTRACTS
from pipelines.settings import Settings
from pipelines.x12.parser import PARSED_TABLES
from pipelines.x12.schemas import empty_frame

META = "_batch.json"
SCHEMA_BATCH = "_schema"

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


@functools.cache
def _empty_tables() -> dict[str, pl.DataFrame]:
    t = {name: empty_frame(name) for name in (*PARSED_TABLES, "findings")}
    t.update({spec.kind: spec.empty() for spec in EXTRACTS.values()})
    t["files"] = pl.DataFrame(schema=FILES_SCHEMA)
    return t


def empty_tables() -> dict[str, pl.DataFrame]:
    """Every published table, typed and empty (a fresh dict over cached, immutable frames)."""
    return dict(_empty_tables())


def write_tables(tables: dict[str, pl.DataFrame], directory) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.write_parquet(directory / f"{name}.parquet")


def ensure_layout(settings: Settings) -> None:
    """Create the data folders and the schema-only batch that keeps dbt's source globs non-empty."""
    settings.ensure_dirs()
    from pipelines.reference import ensure_reference_layout

    ensure_reference_layout(settings)
    schema_batch = settings.batches_dir / SCHEMA_BATCH
    if not (schema_batch / META).exists():
        tmp = settings.staging_dir / f"{SCHEMA_BATCH}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        write_tables(empty_tables(), tmp)
        (tmp / META).write_text(json.dumps({"schema_only": True}))
        try:
            tmp.rename(schema_batch)
        except OSError:  # another process laid it out first
            shutil.rmtree(tmp, ignore_errors=True)
        return
    # a table added since this home was laid out: its empty file keeps the new glob non-empty (a temporary
    # name per process: two processes upgrading one home must not rename each other's file away)
    for name, df in empty_tables().items():
        if not (schema_batch / f"{name}.parquet").exists():
            tmp = settings.staging_dir / f"_schema-{name}-{os.getpid()}.parquet"
            df.write_parquet(tmp)
            tmp.rename(schema_batch / f"{name}.parquet")


# batches folder -> (its mtime when last listed, the batch folders read, the file ids they hold)
_published: dict[str, tuple[int, frozenset[str], frozenset[str]]] = {}


def published_file_ids(settings: Settings, fresh: bool = False) -> frozenset[str]:
    """File ids in every published batch, from the batches' _batch.json.  Batches are immutable and appear by
    one rename, so only batches added since the last call are read: re-reading every batch whenever another
    worker published made a long ingest quadratic in its batches (docs/performance.md).  Whether any were
    added is judged by the folder's mtime, whose clock ticks coarsely, unless ``fresh`` (the check under the
    publish lock): then the folder is listed."""
    key = str(settings.batches_dir)
    if not settings.batches_dir.exists():
        return frozenset()
    stamp = settings.batches_dir.stat().st_mtime_ns
    cached_stamp, read, ids = _published.get(key, (None, frozenset(), frozenset()))
    if cached_stamp == stamp and not fresh:
        return ids
    names = frozenset(e.name for e in os.scandir(settings.batches_dir) if e.is_dir())
    if read - names:  # a batch was removed (a rebuilt data root): start over
        read, ids = frozenset(), frozenset()
    found = set(ids)
    for name in names - read:
        meta = settings.batches_dir / name / META
        try:
            info = json.loads(meta.read_text())
        except FileNotFoundError:  # not a batch (a stray folder): nothing published there
            continue
        if info.get("schema_only"):
            continue
        # one-file batches of earlier versions are named by their file id and list none
        found.update(info.get("file_ids") or [name])
    ids = frozenset(found)
    _published[key] = (stamp, names, ids)
    return ids


def is_published(settings: Settings, file_id: str) -> bool:
    return file_id in published_file_ids(settings)
