"""The same dbt project on Apache Spark (pyspark local mode through dbt-spark's session method) builds the
same marts as on DuckDB: `make test-spark` (needs the [spark] extra and Java 17+; CI runs it).

One generated world is loaded without its last day of 837/835 files and built on DuckDB, then on Spark; the
Spark build's tables are exported into a DuckDB file (pipelines.warehouse.build.export_spark_build) and compared:
every mart's row count and per-column sums, the KPI tables row by row (pipelines.warehouse.engines).  Then the
last day lands, Spark builds incrementally (its staging appends only the new raw batches) and must still
equal DuckDB, and the Spark warehouse recovers the generator's truth exactly as DuckDB's does.
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from pipelines.generate import Config, file_day, generate, land_world
from pipelines.ingest import landed_files, load_landing
from pipelines.warehouse.build import build_warehouse
from pipelines.warehouse.engines import compare_warehouses
from tests.e2e.truth_checks import assert_marts_match_truth

pytest.importorskip("pyspark", reason="the [spark] extra is not installed (make test-spark installs it)")
pytestmark = pytest.mark.spark


def _build_both(settings, spark, reference):
    assert build_warehouse(settings).failed == 0
    shutil.copyfile(settings.warehouse_path, reference)
    result = build_warehouse(spark)
    assert result.failed == 0 and result.passed > 150  # models, seeds, data and unit tests all ran on Spark
    return compare_warehouses(reference, spark.warehouse_path)


def test_spark_build_equals_the_duckdb_build(settings, tmp_path):
    world = tmp_path / "world"
    generate(Config(out=world, claims=3000, seed=21, months=4, weekly_batches=True), progress=False)
    land_world(world, settings.landing_dir, settings.reference_landing_dir)
    files = landed_files(settings)
    last_day = max(file_day(p) for p in files)
    held = tmp_path / "held"
    held.mkdir()
    later = [shutil.move(p, held / p.name) and (held / p.name, p) for p in files if file_day(p) == last_day]
    assert later, "no dated 837/835 files to hold back"
    load_landing(settings)
    spark = dataclasses.replace(settings, engine="spark")

    assert _build_both(settings, spark, tmp_path / "duckdb_full.duckdb") == []

    for moved, original in later:
        shutil.move(moved, original)
    load_landing(settings)
    assert (spark.spark_dir / "fingerprint").exists()  # the Spark warehouse is kept: this build appends
    assert _build_both(settings, spark, tmp_path / "duckdb_day2.duckdb") == []
    assert_marts_match_truth(world, spark)
