"""pipelines.runtime: the heap is frozen at exit, after every other exit handler has run."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import atexit, gc
atexit.register(lambda: print("registered before:", gc.get_freeze_count() > 0, flush=True))
from pipelines.runtime import skip_exit_gc
skip_exit_gc()
skip_exit_gc()  # idempotent: one handler
atexit.register(lambda: print("registered after:", gc.get_freeze_count() > 0, flush=True))
"""


def test_heap_frozen_as_the_last_exit_handler():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    # atexit runs last-registered-first: handlers registered after skip_exit_gc() (the code that runs later)
    # see an unfrozen heap; only what was registered before it, like interpreter teardown, runs after
    assert proc.stdout.splitlines() == ["registered after: False", "registered before: True"]


def test_tuning_switches_off_and_reaches_child_processes(monkeypatch):
    from pipelines.runtime import JEMALLOC_CONF, return_freed_memory

    assert return_freed_memory({})["_RJEM_MALLOC_CONF"] == JEMALLOC_CONF
    assert (
        return_freed_memory({"_RJEM_MALLOC_CONF": "mine"})["_RJEM_MALLOC_CONF"] == "mine"
    )  # the user's wins
    monkeypatch.setenv("REVCYCLE_PROCESS_TUNING", "0")
    assert "_RJEM_MALLOC_CONF" not in return_freed_memory({})
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["registered after: False", "registered before: False"]
