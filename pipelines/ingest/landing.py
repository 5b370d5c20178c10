"""The landing folder: which files are ready to take, and where they go once handled.

A billing office's drop folder is written to while revcycle reads it, so a file is taken only when it has
settled: its size and modification time unchanged for ``settings.settle_seconds``.  Names a copy in progress
typically carries are never taken (``*.part``, ``*.tmp``, ``*.partial``, ``*.crdownload``, ``*.filepart``,
and hidden ``.*`` files and folders, which rsync and scp write to before renaming); with
``REVCYCLE_READY_MARKERS=1`` a file is taken only once ``<name>.ready`` sits beside it.  A symbolic link that
points outside the landing folder is never followed: it is rejected with a reason and nothing is copied.

Handled files leave the folder, so the next run sees only new ones: a file that loaded (or had already
loaded) moves to ``archive/<day>/<its path under landing/>``, a rejected file to ``quarantine/<file id>/``
(pipelines.ingest.publish).  ``landing/reference/`` belongs to the reference loaders.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipelines.privacy import make_private, safe_name
from pipelines.settings import Settings

IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload", ".filepart", ".ready")


@dataclass
class LandingScan:
    ready: list[Path] = field(default_factory=list)
    settling: list[Path] = field(default_factory=list)  # still changing: left for the next run
    outside_links: list[Path] = field(default_factory=list)  # symbolic links out of landing/: rejected


def _skipped_name(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(IN_PROGRESS_SUFFIXES)


def _candidates(root: Path, exclude: Path | None, settings: Settings) -> tuple[list[Path], list[Path]]:
    files, links = [], []
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not (exclude and here / d == exclude)
        )
        # a link to a folder is not descended into (followlinks=False); if it leads outside, say so
        for d in list(dirnames):
            if (here / d).is_symlink():
                dirnames.remove(d)
                target = (here / d).resolve()
                if not target.is_relative_to(real_root):
                    links.append(here / d)
        for name in sorted(filenames):
            path = here / name
            if _skipped_name(name):
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(real_root) or not target.exists():
                    links.append(path)
                continue  # a link to a file inside landing/: that file is taken itself
            if settings.ready_markers and not path.with_name(name + ".ready").exists():
                continue
            files.append(path)
    return files, links


def scan_landing(
    settings: Settings,
    root: Path | None = None,
    exclude: Path | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    wait: bool = True,
) -> LandingScan:
    """The settled files under ``root`` (default landing/, without landing/reference/).

    A file younger than the settle time is looked at again after it (``wait``; a run waits at most that
    long) and taken only if neither its size nor its modification time changed meanwhile.  since/until (a
    DAG run's data interval, for backfills): only files modified in [since, until)."""
    root = root or settings.landing_dir
    if exclude is None and root == settings.landing_dir:
        exclude = settings.reference_landing_dir
    root.mkdir(parents=True, exist_ok=True)
    files, links = _candidates(root, exclude, settings)
    lo = since.timestamp() if since else float("-inf")
    hi = until.timestamp() if until else float("inf")
    stats = {}
    for p in files:
        try:
            st = p.stat()
        except FileNotFoundError:  # moved away meanwhile (another run took it)
            continue
        if lo <= st.st_mtime < hi:
            stats[p] = (st.st_size, st.st_mtime_ns)
    scan = LandingScan(outside_links=links)
    settle = max(settings.settle_seconds, 0.0)
    now = time.time_ns()
    young = {p: s for p, s in stats.items() if (now - s[1]) / 1e9 < settle}
    scan.ready = [p for p in stats if p not in young]
    if young:
        if wait:
            oldest_needed = max((settle - (now - s[1]) / 1e9) for s in young.values())
            time.sleep(min(max(oldest_needed, 0.0), settle))
        for p, before in young.items():
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            settled = (time.time_ns() - st.st_mtime_ns) / 1e9 >= settle
            if wait and settled and (st.st_size, st.st_mtime_ns) == before:
                scan.ready.append(p)
            else:
                scan.settling.append(p)
    scan.ready.sort()
    return scan


def in_landing(path: Path, settings: Settings) -> bool:
    try:
        return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(settings.landing_dir))
    except ValueError:
        return False


def archive_path(path: Path, settings: Settings, file_id: str, root: Path | None = None) -> Path:
    """archive/<UTC day>/<path under landing/>; a name taken that day gets the file id added."""
    root = root or settings.landing_dir
    rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    if root != settings.landing_dir:
        rel = Path(os.path.abspath(root)).relative_to(os.path.abspath(settings.landing_dir)) / rel
    target = settings.archive_dir / datetime.now(UTC).strftime("%Y-%m-%d") / rel
    if target.exists():
        target = target.with_name(f"{target.stem}.{file_id[:12]}{target.suffix}")
    return target


def move_or_copy(src: Path, dst: Path, move: bool) -> None:
    """Move (a rename on one filesystem) or copy ``src`` to ``dst``, folders made owner-only."""
    dst.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if move:
        shutil.move(os.fspath(src), os.fspath(dst))
    else:
        shutil.copyfile(src, dst)
    make_private(dst)  # a moved file keeps the mode its sender gave it


def drop_ready_marker(path: Path) -> None:
    marker = path.with_name(path.name + ".ready")
    marker.unlink(missing_ok=True)


def describe(path: Path) -> str:
    return safe_name(path.name)
