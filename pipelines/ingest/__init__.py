"""Ingest landed files: stage (parse or check) -> gate (Great Expectations) -> publish or quarantine.

The CLI (``load_landing``) and each mapped task of the Airflow ingest DAG call ``ingest_paths`` on a group
of files, which chains the three steps in one process.  The modules, in the order a file meets them:

* ``landing``  — which landed files are ready (settled, not in progress, no links out), where handled ones go;
* ``detect``   — what a file is, from its content;
* ``extracts`` — the encounter and patient-payment contracts, read in batches, rows rejected one by one;
* ``stage``    — one file parsed/checked into this process's staging area, failures kept to that file;
* ``gate``     — Great Expectations on the staged tables;
* ``publish``  — the accepted data of a group as one atomic batch, rejected files to quarantine/, landing/
  drained;
* ``layout``   — the raw batch layout dbt reads.

Idempotency: a file's id is the hash of its bytes, so the same file dropped twice loads once, and an X12
transaction set already loaded from another file is skipped.

A large drop is split into groups (Settings.ingest_group_files, ingest_group_mb) spread over worker processes
(Settings.ingest_processes), each with its own staging area; publishing is serialised by a lock, so two
groups never publish the same file or transaction set twice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipelines.ingest.gate import validate_staged, validate_staged_many
from pipelines.ingest.landing import LandingScan, scan_landing
from pipelines.ingest.layout import empty_tables, ensure_layout, is_published, published_file_ids
from pipelines.ingest.outcome import Outcome
from pipelines.ingest.publish import publish_staged, publish_staged_many, reject_outside_links
from pipelines.ingest.stage import clean_stale_areas, release_area, stage_file, stage_files, staging_area
from pipelines.settings import Settings


def group_paths(
    paths: list, max_groups: int = 64, max_group_size: int = 250, max_group_bytes: int = 0
) -> list[list]:
    """Split files into groups for mapped tasks / batched validation, keeping their order.  With
    ``max_group_bytes`` a group also closes before it would pass that many bytes: a month's large extracts
    then go one or two to a group, spread over the workers, instead of all in the last group of 250."""
    if not paths:
        return []
    size = min(max_group_size, max(1, -(-len(paths) // max_groups)))
    if not max_group_bytes:
        return [paths[i : i + size] for i in range(0, len(paths), size)]
    groups: list[list] = []
    group: list = []
    total = 0
    for p in paths:
        try:
            n = os.stat(p).st_size
        except OSError:  # gone or unreadable: staging reports it, in whichever group
            n = 0
        if group and (len(group) >= size or total + n > max_group_bytes):
            groups.append(group)
            group, total = [], 0
        group.append(p)
        total += n
    groups.append(group)
    return groups


def ingest_group(paths: list[Path], settings: Settings, on_staged=None) -> list[Outcome]:
    """Stage every file, gate them together, publish each.  ``on_staged(outcome)`` is called as each file is
    parsed (the CLI's progress bar)."""
    from expectations.run import warm_up_in_background  # the module is light; GX is imported in the thread

    # most of a day's ingest is the GX import: overlap it with the parse (the parser and polars release the
    # GIL), and wait for it only if a file gets as far as the gate
    warm_gx = warm_up_in_background()
    staged = stage_files(paths, settings, on_staged=on_staged)
    if any(o.staged_dir and o.status in ("accepted", "partial") for o in staged):
        warm_gx.join()
    return publish_staged_many(validate_staged_many(staged, settings), settings)


def _ingest_one_group(paths: list[Path], settings: Settings, on_staged=None) -> list[Outcome]:
    """One group, its staging area released after it (in this process or in a worker process)."""
    try:
        return ingest_group(paths, settings, on_staged)
    finally:
        release_area(staging_area(settings))


def ingest_paths(
    paths: list[Path], settings: Settings, workers: int | None = None, on_staged=None
) -> list[Outcome]:
    """Ingest these files (those under landing/ are drained from it afterwards, others are left alone), in
    groups of Settings.ingest_group_files over ``workers`` processes (default Settings.ingest_processes).
    Outcomes come back in the order of ``paths``."""
    ensure_layout(settings)
    clean_stale_areas(settings)
    groups = group_paths(list(paths), max_groups=1, max_group_size=settings.ingest_group_files,
                         max_group_bytes=settings.ingest_group_mb * 2**20)  # fmt: skip
    workers = min(len(groups), workers or settings.ingest_processes)
    if workers <= 1:
        return [o for group in groups for o in _ingest_one_group(group, settings, on_staged)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: the caller may hold threads (polars' pool, a progress bar) that a forked child would
    # inherit mid-lock; a worker imports once and then takes group after group
    out: list[Outcome] = []
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for f in [pool.submit(_ingest_one_group, group, settings) for group in groups]:
            outcomes = f.result()
            if on_staged is not None:  # the progress bar advances as each group comes back
                for o in outcomes:
                    on_staged(o)
            out.extend(outcomes)
    return out


def landed_files(
    settings: Settings, since: datetime | None = None, until: datetime | None = None, wait: bool = True
) -> list[Path]:
    """The settled extracts in landing/ (landing/reference/ holds reference data: pipelines.reference)."""
    return scan_landing(settings, since=since, until=until, wait=wait).ready


@dataclass
class LandingRun:
    outcomes: list[Outcome] = field(default_factory=list)
    references: list = field(default_factory=list)
    settling: list[str] = field(default_factory=list)  # safe names of files still arriving, left for later


def load_landing(settings: Settings, on_scan=None, on_staged=None) -> LandingRun:
    """Everything ready in landing/: extracts through stage -> GX -> publish, landing/reference/ through the
    reference loaders.  `revcycle run` and the generated-world runs call this; the DAGs run the same two
    functions (ingest_paths per group of files, load_landed_reference)."""
    from pipelines.privacy import safe_name
    from pipelines.reference import load_landed_reference

    ensure_layout(settings)
    scan: LandingScan = scan_landing(settings)
    run = LandingRun(settling=[safe_name(p.name) for p in scan.settling])
    if on_scan is not None:  # what is about to be ingested (the CLI sizes its progress bar)
        on_scan(scan.ready)
    run.outcomes = reject_outside_links(scan.outside_links, settings) + ingest_paths(
        scan.ready, settings, on_staged=on_staged
    )
    run.references = load_landed_reference(settings)
    return run


def ingest_file(path: Path | str, settings: Settings) -> Outcome:
    return ingest_paths([Path(path)], settings)[0]


__all__ = [
    "LandingRun",
    "Outcome",
    "empty_tables",
    "ensure_layout",
    "group_paths",
    "ingest_file",
    "ingest_group",
    "ingest_paths",
    "is_published",
    "landed_files",
    "load_landing",
    "publish_staged",
    "publish_staged_many",
    "published_file_ids",
    "reject_outside_links",
    "scan_landing",
    "stage_file",
    "stage_files",
    "staging_area",
    "validate_staged",
    "validate_staged_many",
]
