"""`revcycle`: the command line (main.py), its output (output.py), `doctor`, `docs`, the embedded Airflow
commands and the SQL lint."""

from pipelines.cli.main import main

__all__ = ["main"]
