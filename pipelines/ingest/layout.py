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
