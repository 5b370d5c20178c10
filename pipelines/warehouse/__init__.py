"""The warehouse stage: the one build path (build.py: dbt into a copy, mart checks, swap), dbt's process
(dbt.py), read-only queries over the published marts (read.py), the work-queue files (exports.py) and the
DuckDB-vs-Spark comparison (engines.py)."""
