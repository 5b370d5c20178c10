"""Spare a short-lived command the garbage collector's last pass over everything it imported.

At interpreter exit CPython runs a final collection over every tracked object.  With Great Expectations
(pandas, scipy, altair) or dbt loaded that is ~1.4 s per process on this 2-core machine, a sizeable part of a
daily incremental run that starts three of them (ingest, build, dbt).  Freezing the heap as the last exit
handler leaves those objects to the operating system: every other exit handler still runs first (logging
flushes, DuckDB and file handles close in the code that opened them), only the sweep is skipped.
"""

from __future__ import annotations

import atexit
import gc

_registered = False


def skip_exit_gc() -> None:
    """Call early: atexit runs handlers last-registered-first, so this one runs after the others."""
    global _registered
    if not _registered:
        atexit.register(gc.freeze)
        _registered = True
