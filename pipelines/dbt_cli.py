"""``python -m pipelines.dbt_cli ARGS`` runs ``dbt ARGS`` (dbt's own entry point) without the exit-time
collection over dbt's heap (pipelines.gc_tuning).  revcycle's build runs dbt through it.

``python -m pipelines.dbt_cli --args-from-stdin`` imports dbt first (~2 s on this 2-core machine), then
reads the command as one JSON list on standard input: pipelines.build.DbtProcess starts it before the
command is known, so the import overlaps the day's ingest or the copy of the warehouse.  End of input
without a command exits 0 having run nothing (the caller found nothing to build, or failed first)."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys

from pipelines.gc_tuning import skip_exit_gc

ARGS_FROM_STDIN = "--args-from-stdin"


def main(argv: list[str]) -> int:
    skip_exit_gc()
    from dbt.cli.main import cli

    if argv == [ARGS_FROM_STDIN]:
        # what dbt would import once the command starts, imported while waiting for it (~0.2 s)
        with contextlib.suppress(ImportError):
            importlib.import_module(f"dbt.adapters.{os.environ.get('REVCYCLE_DBT_TARGET', 'duckdb')}")
            importlib.import_module("dbt.task.build")
        line = sys.stdin.readline()
        if not line.strip():
            return 0
        argv = json.loads(line)
    cli(args=argv, prog_name="dbt")  # click's standalone mode: exits with dbt's own exit code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
