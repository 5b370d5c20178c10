from __future__ import annotations

import polars as pl
import yaml

from expectations.run import validate_tables
from expectations.suites import SUITES
from pipelines.settings import PROJECT_ROOT
from pipelines.x12.parser import parse_file
from tests.conftest import DEMO


def test_every_suite_guards_a_raw_source_table_and_reads_only_its_columns():
    from expectations.run import _context, _suite_columns
    from pipelines.ingest.layout import empty_tables

    sources = yaml.safe_load((PROJECT_ROOT / "dbt_project/models/staging/_raw__sources.yml").read_text())
    tables = {t["name"] for t in sources["sources"][0]["tables"]}
    published = empty_tables()
    _, _, suites = _context()  # the suites as the gate runs them
    for name in SUITES:
        suite = suites[name]
        assert name in tables
        assert len(suite.expectations) >= 3
        # an expectation on a column the table does not have would only fail when a batch arrives
        assert set(_suite_columns(suite)) <= set(published[name].columns), name


def test_good_batch_passes():
    res = parse_file(DEMO / "remit_835_medicare_20240126.x12")
    out = validate_tables(res.tables)
    assert out["success"], out
    assert out["tables"]["remit_claims"]["rows"] == 3


def test_bad_batch_fails_with_detail():
    res = parse_file(DEMO / "remit_835_medicare_20240126.x12")
    adj = res.tables["remit_adjustments"].with_columns(pl.lit("XX").alias("group_code"))
    out = validate_tables({"remit_adjustments": adj})
    assert not out["success"]
    failed = out["tables"]["remit_adjustments"]["failed"]
    assert failed[0]["column"] == "group_code" and failed[0]["unexpected_count"] == adj.height
