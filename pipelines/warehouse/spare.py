"""The spare warehouse: the file the last publish replaced, kept as the next build's starting point.

A build continues a copy of the published warehouse (build-then-swap, pipelines.warehouse.build), and a full
copy moves the whole file through the disk every day.  One day's incremental build rewrites only a few per
cent of the file, so the file the previous publish replaced (the warehouse as it was a day before) already
holds almost every block of today's.  Bringing it up to date copies only the blocks that differ
(docs/performance.md, "the spare warehouse").

How blocks are compared without reading them: a DuckDB database file is three 4 KiB headers followed by
fixed-size blocks (the database's block size, 256 KiB by default), each starting with the 64-bit checksum of
its content, which DuckDB verifies whenever it reads the block.  Two blocks at the same offset with the same
checksum hold the same content; every block whose checksum differs, or that the spare lacks, is copied, then
the file is cut to the published size and the headers are copied last.  Any file is a valid spare — the
comparison decides what to copy, not what the file is believed to be — and a spare with nothing in common
costs a full copy.  tests/unit/test_warehouse_spare.py checks byte for byte that the result is the published
file, on the DuckDB this project pins.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import duckdb_connect

log = logging.getLogger(__name__)

SPARE_NAME = ".warehouse.spare.duckdb"  # beside the published warehouse
HEADERS = 3 * 4096  # DuckDB's main header and its two alternating database headers
CHECKSUM = 8  # the 64-bit checksum each block starts with
MAGIC = (8, b"DUCK")  # offset and bytes of the file format's magic, after the main header's checksum
# Linux's in-kernel copy, read-ahead advice and the list of this process's open files; elsewhere a whole copy
SUPPORTED = hasattr(os, "copy_file_range") and hasattr(os, "posix_fadvise") and os.path.isdir("/proc/self/fd")


@dataclass
class CopyReport:
    """How a build file was made: 'spare' (blocks_copied of blocks) or 'copy' (the whole file)."""

    how: str
    blocks_copied: int = 0
    blocks: int = 0

    def __str__(self) -> str:
        if self.how == "spare":
            return (
                f"spare warehouse brought up to date: {self.blocks_copied:,} of {self.blocks:,} blocks copied"
            )
        return "published warehouse copied whole"


def spare_path(published: Path) -> Path:
    return published.with_name(SPARE_NAME)


def keep_as_spare(replaced: Path, published: Path, aside: Path | None) -> Path | None:
    """Keep ``replaced`` (the warehouse a publish replaced, or a failed build's file) as the spare, and return
    the file the caller is left to delete: ``replaced`` itself when it cannot be kept, the spare it superseded
    (moved to ``aside``) when there was one, else None.  aside None: an existing spare is kept instead.
    Only a file no other name refers to is kept: a spare is written in place, and a second link (a snapshot, a
    backup made with `cp -l`) must not change with it.  Renames only: freeing ten GB of blocks takes seconds,
    which the caller spends in the background."""
    spare = spare_path(published)
    try:
        if replaced.stat().st_nlink != 1 or (aside is None and spare.exists()):
            return replaced
        superseded = None
        if aside is not None:
            try:
                os.replace(spare, aside)
                superseded = aside
            except FileNotFoundError:
                pass
        os.replace(replaced, spare)
    except OSError:
        return replaced
    return superseded


def _open_in_this_process(path: Path, besides: int) -> bool:
    """Whether this process holds ``path`` open on a descriptor other than ``besides`` (POSIX record locks
    never conflict within one process)."""
    try:
        target = path.stat()
        for fd in os.listdir("/proc/self/fd"):
            if int(fd) == besides:
                continue
            try:
                st = os.stat(f"/proc/self/fd/{fd}")
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
                return True
    except OSError:
        return True  # cannot tell: assume it is
    return False


def take_spare(published: Path, dest: Path) -> bool:
    """Move the spare to ``dest`` if it may be written: no reader still has it open.  A dashboard that
    opened the warehouse before the last publish may still be reading it (a rename does not close it), and
    DuckDB holds a shared lock on a file it reads, so an exclusive lock that cannot be had means in use."""
    spare = spare_path(published)
    try:
        fd = os.open(spare, os.O_RDWR)
    except OSError:
        return False
    try:
        if os.fstat(fd).st_nlink != 1 or _open_in_this_process(spare, besides=fd):
            return False
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        # nothing opens the spare by its name, so no reader can start between this check and the rename
        os.replace(spare, dest)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # releases the lock


def block_size(path: Path) -> int:
    """The block size of the DuckDB database file ``path``, as DuckDB reads it (OSError if it is none)."""
    import duckdb

    with open(path, "rb") as f:
        f.seek(MAGIC[0])
        if f.read(len(MAGIC[1])) != MAGIC[1]:
            raise OSError(f"{path} is not a DuckDB database file")
    try:
        con = duckdb_connect(path, read_only=True)
        try:
            return int(con.execute("select block_size from pragma_database_size()").fetchone()[0])
        finally:
            con.close()
    except duckdb.Error as e:
        raise OSError(f"{path}: DuckDB cannot read it ({type(e).__name__})") from e


READERS = 8  # reads in flight: one 8-byte read per block is disk latency, not bandwidth


def _checksums(fd: int, size: int, block: int, pool: ThreadPoolExecutor) -> list[bytes]:
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)  # 8 bytes per block: read-ahead would read them all
    offsets = range(HEADERS, size, block)
    step = -(-len(offsets) // READERS) or 1
    parts = pool.map(lambda k: [os.pread(fd, CHECKSUM, off) for off in offsets[k : k + step]],
                     range(0, len(offsets), step))  # fmt: skip
    return [ck for part in parts for ck in part]


def _copy_range(src: int, dst: int, offset: int, length: int) -> None:
    while length > 0:
        done = os.copy_file_range(src, dst, length, offset, offset)
        if done == 0:
            raise OSError(f"copy_file_range copied nothing at offset {offset}")
        offset, length = offset + done, length - done


def sync_blocks(source: Path, dest: Path) -> CopyReport:
    """Make ``dest`` (a spare) byte for byte the DuckDB file ``source``, copying only the blocks that differ."""
    block = block_size(source)
    src = os.open(source, os.O_RDONLY)
    try:
        dst = os.open(dest, os.O_RDWR)
        try:
            size = os.fstat(src).st_size
            with ThreadPoolExecutor(READERS) as pool:
                have = _checksums(dst, min(os.fstat(dst).st_size, size), block, pool)
                want = _checksums(src, size, block, pool)
            differ = [i for i, ck in enumerate(want) if i >= len(have) or have[i] != ck]
            # runs of neighbouring blocks go in one call
            run_start = None
            for n, i in enumerate(differ):
                if run_start is None:
                    run_start = i
                if n + 1 == len(differ) or differ[n + 1] != i + 1:
                    start = HEADERS + run_start * block
                    _copy_range(src, dst, start, min(HEADERS + (i + 1) * block, size) - start)
                    run_start = None
            os.ftruncate(dst, size)
            _copy_range(src, dst, 0, HEADERS)  # last: until now the spare was the old database
        finally:
            os.close(dst)
    finally:
        os.close(src)
    return CopyReport("spare", len(differ), len(want))


def copy_published(published: Path, dest: Path, use_spare: bool = True) -> CopyReport:
    """``dest`` made a copy of the published warehouse: from the spare when there is one that may be
    written, else a whole copy."""
    if use_spare and SUPPORTED and take_spare(published, dest):
        try:
            return sync_blocks(published, dest)
        except OSError as e:
            log.warning("the spare warehouse could not be brought up to date (%s): copying the whole file", e)
            dest.unlink(missing_ok=True)  # a half-synced file is nobody's warehouse
    shutil.copyfile(published, dest)
    return CopyReport("copy")
