"""The same dbt project on Apache Spark (pyspark local mode through dbt-spark's session method) builds the
same marts as on DuckDB: `make test-spark` (needs the [spark] extra and Java 17+; CI runs it).

One generated world is loaded once, built on DuckDB, then on Spark; the Spark build's tables are exported into
a DuckDB file (pipelines.build.export_spark_build) and compared: every mart's row count and per-column sums,
the KPI tables row by row (pipelines.engine_compare), and the generator's truth recovered from the Spark
warehouse exactly as from DuckDB's.  Then one more day lands and both engines build incrementally: still equal.
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from pipelines.build import build_warehouse
from pipelines.engine_compare import compare_warehouses
from pipelines.generate import Config
from pipelines.integrity_eval import run_generated_world
from tests.e2e.truth_checks import assert_marts_match_truth

pytest.importorskip("pyspark", reason="the [spark] extra is not installed (make test-spark installs it)")
pytestmark = pytest.mark.spark


def test_spark_build_equals_the_duckdb_build(settings, tmp_path):
    world = tmp_path / "world"
    cfg = Config(out=world, claims=3000, seed=21, months=4, weekly_batches=True)
    run_generated_world(cfg, settings)  # load + DuckDB build (published)
    duck = tmp_path / "duckdb.duckdb"
    shutil.copyfile(settings.warehouse_path, duck)

    spark = dataclasses.replace(settings, engine="spark")
    result = build_warehouse(spark)
    assert result.failed == 0 and result.passed > 150  # models, seeds, data and unit tests all ran on Spark

    assert compare_warehouses(duck, spark.warehouse_path) == []
    assert_marts_match_truth(world, spark)
