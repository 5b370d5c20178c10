"""pipelines.gc_tuning: the heap is frozen at exit, after every other exit handler has run."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import atexit, gc
atexit.register(lambda: print("registered before:", gc.get_freeze_count() > 0, flush=True))
from pipelines.gc_tuning import skip_exit_gc
skip_exit_gc()
skip_exit_gc()  # idempotent: one handler
atexit.register(lambda: print("registered after:", gc.get_freeze_count() > 0, flush=True))
"""


def test_heap_frozen_as_the_last_exit_handler():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    # atexit runs last-registered-first: handlers registered after skip_exit_gc() (the code that runs later)
    # see an unfrozen heap; only what was registered before it, like interpreter teardown, runs after
    assert proc.stdout.splitlines() == ["registered after: False", "registered before: True"]
