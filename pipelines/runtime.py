"""Process-level settings that buy measured time or memory, in one place (docs/performance.md has the numbers).

``REVCYCLE_PROCESS_TUNING=0`` turns all of them off.

* ``skip_exit_gc``: CPython's final garbage collection walks every object a process imported; with Great
  Expectations (pandas, scipy, altair), dbt or Airflow loaded that is millions of objects, ~1.4 s on this
  2-core machine at every command's exit.  Freezing the heap as the last exit handler skips that walk; the
  operating system reclaims the memory anyway.
* ``return_freed_memory``: polars allocates through jemalloc, which keeps freed pages for 10 s by default, and
  pyarrow through mimalloc, which keeps them too, so a process streaming a large extract batch by batch held
  every batch it had already freed; returning them promptly keeps its memory near one batch
  (docs/performance.md, benchmarks/hostile.py).  It must run before polars and pyarrow are first imported.
* ``trim_heap``: pandas (inside Great Expectations) allocates through glibc's malloc, which keeps freed memory
  in its arenas; the gate trims it after each slice of a large table.
"""

from __future__ import annotations

import atexit
import gc
import os

_registered = False
JEMALLOC_CONF = "dirty_decay_ms:1000,muzzy_decay_ms:0"
MIMALLOC_PURGE_DELAY = "0"


def enabled() -> bool:
    return os.environ.get("REVCYCLE_PROCESS_TUNING", "1").strip().lower() not in ("0", "false", "no", "off")


def skip_exit_gc() -> None:
    """Freeze the heap as the last exit handler, sparing a short-lived command the final sweep over
    everything it imported.  Every other exit handler still runs first (logging flushes, DuckDB and file
    handles close in the code that opened them); the objects are left to the operating system.

    Call early: atexit runs handlers last-registered-first, so this one runs after the others."""
    global _registered
    if enabled() and not _registered:
        atexit.register(gc.freeze)
        _registered = True


def return_freed_memory(env: dict | None = None) -> dict:
    """polars' and pyarrow's allocators give freed pages back promptly (this process, or ``env`` for a
    child's); a value the user set wins."""
    target = os.environ if env is None else env
    if enabled():
        target.setdefault("_RJEM_MALLOC_CONF", JEMALLOC_CONF)
        target.setdefault("MIMALLOC_PURGE_DELAY", MIMALLOC_PURGE_DELAY)
    return target


def trim_heap() -> None:
    """Hand glibc malloc's free memory back to the system (a no-op where there is no glibc)."""
    if not enabled():
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
