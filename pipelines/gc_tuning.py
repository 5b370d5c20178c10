"""Keep CPython's full garbage collections off the objects a process imported, where they cost seconds.

With Great Expectations (pandas, scipy, altair), dbt or Airflow loaded, the heap holds millions of tracked
objects that live as long as the process, and a full collection walks all of them: ~1.4 s on this 2-core
machine at interpreter exit.  Freezing the heap moves those objects out of the collector's sight (``gc.freeze``);
what is created afterwards is still collected as usual.
"""

from __future__ import annotations

import atexit
import gc

_registered = False


def skip_exit_gc() -> None:
    """Freeze the heap as the last exit handler, sparing a short-lived command the final sweep over
    everything it imported.  Every other exit handler still runs first (logging flushes, DuckDB and file
    handles close in the code that opened them); the objects are left to the operating system.

    Call early: atexit runs handlers last-registered-first, so this one runs after the others."""
    global _registered
    if not _registered:
        atexit.register(gc.freeze)
        _registered = True
