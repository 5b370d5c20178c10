"""pipelines.gc_tuning: the heap is frozen at exit, after every other exit handler has run; around a cosmos
task, frozen before and handed back after."""

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


def test_task_hooks_freeze_then_hand_back():
    import gc
    import weakref

    from pipelines.gc_tuning import freeze_before_task, unfreeze_after_task

    assert gc.get_freeze_count() == 0
    try:
        freeze_before_task({})
        assert gc.get_freeze_count() > 0

        class Node:
            pass

        cycle = Node()
        cycle.me = cycle  # garbage made during the task (dbt's) is still collected while the heap is frozen
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None
        unfreeze_after_task({}, None)
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
