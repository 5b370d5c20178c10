"""``python -m pipelines.warehouse.dbt`` imports dbt (~2 s on this 2-core machine), then reads one dbt command as a
JSON list on standard input and runs it through dbt's own entry point, without the exit-time collection
over dbt's heap (pipelines.runtime).  pipelines.warehouse.build.DbtProcess starts it before the command is known, so
the import overlaps the day's ingest or the copy of the warehouse; every dbt command revcycle runs outside
the DAG goes through it.  End of input without a command exits 0 having run nothing (the caller found
nothing to build, or failed first)."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys

from pipelines.runtime import skip_exit_gc


def main() -> int:
    skip_exit_gc()
    from dbt.cli.main import cli

    # what dbt would import once the command starts, imported while waiting for it (~0.2 s)
    with contextlib.suppress(ImportError, KeyError):  # KeyError: no target set; dbt will say so itself
        importlib.import_module(f"dbt.adapters.{os.environ['REVCYCLE_DBT_TARGET']}")
        importlib.import_module("dbt.task.build")
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    cli(args=json.loads(line), prog_name="dbt")  # click's standalone mode: exits with dbt's own exit code
    return 0


if __name__ == "__main__":
    sys.exit(main())
