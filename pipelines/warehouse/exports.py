"""The work queues, exported after each build for the practice-management system to pick up.

``exports/<YYYY-MM-DD>/<queue>.csv`` and ``.parquet`` (the build's day; a second build that day replaces
them): CSV for people and spreadsheets (formula-safe, like every CSV revcycle writes), Parquet for systems.
The folder is private like the rest of the data root: the queues carry claim ids and payer data.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from pipelines.privacy import make_private, write_csv_safe
from pipelines.settings import Settings
from pipelines.warehouse.read import query

QUEUES = ("wq_denials", "wq_ar_followup", "wq_patient_balances", "wq_prebill_edits")


def export_work_queues(settings: Settings, day: date | None = None) -> Path:
    """Write every queue of the published warehouse into the day's folder, whole or not at all (written
    beside it, then renamed over it)."""
    day = day or date.today()
    settings.exports_dir.mkdir(parents=True, exist_ok=True)
    make_private(settings.exports_dir)
    target = settings.exports_dir / f"{day:%Y-%m-%d}"
    tmp = settings.exports_dir / f".{day:%Y-%m-%d}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()

    def export(name: str) -> None:
        frame = query(f"select * from {name} order by priority_rank", settings=settings)
        write_csv_safe(frame, tmp / f"{name}.csv")
        frame.write_parquet(tmp / f"{name}.parquet")

    # side by side: DuckDB and polars write outside the GIL (at ten million claims the queues are ~340 MB of
    # CSV and Parquet; docs/performance.md)
    with ThreadPoolExecutor(len(QUEUES)) as pool:
        list(pool.map(export, QUEUES))
    for f in tmp.iterdir():
        make_private(f)
    make_private(tmp)
    old = settings.exports_dir / f".{day:%Y-%m-%d}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target
