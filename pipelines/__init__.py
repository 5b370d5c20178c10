"""revcycle's pipeline stages (ingest, reference, build, generate, evaluation) and its CLI."""

import warnings

# Great Expectations probes for pyspark when it is imported; once the [spark] extra is installed, pyspark then
# warns on every run that it does not support the installed pandas.  revcycle's Spark build does not go through
# that code (pipelines.warehouse.build runs dbt-spark), so the warning is noise on every `revcycle` command.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
