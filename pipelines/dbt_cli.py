"""``python -m pipelines.dbt_cli ARGS`` runs ``dbt ARGS`` (dbt's own entry point) without the exit-time
collection over dbt's heap (pipelines.gc_tuning).  revcycle's build runs dbt through it."""

from __future__ import annotations

import sys

from pipelines.gc_tuning import skip_exit_gc

if __name__ == "__main__":
    skip_exit_gc()
    from dbt.cli.main import cli

    sys.exit(cli())
