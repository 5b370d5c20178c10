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


def _tampered(built_demo, tmp_path, sql: str):
    """A copy of the demo build with one mart changed by ``sql`` (the published file stays untouched)."""
    import shutil

    import duckdb

    path = tmp_path / "warehouse.duckdb"
    shutil.copy2(built_demo.warehouse_path, path)
    with duckdb.connect(str(path)) as con:
        con.execute(sql)
    return path


def test_mart_checks_pass_on_a_clean_build(built_demo):
    from expectations.marts import RECONCILIATIONS, validate_marts

    out = validate_marts(built_demo.warehouse_path, settings=built_demo)
    assert out["success"] and out["failures"] == [] and out["warnings"] == []
    assert {r["check"] for r in out["reconciliation"]} == set(RECONCILIATIONS)
    assert all(r["left"] > 0 for r in out["reconciliation"]), out["reconciliation"]  # every check has data


def test_marts_that_disagree_block_the_publish(built_demo, tmp_path):
    """A denial KPI row that lost a claim the chains still hold (an incremental build that missed a chain): the
    reconciliation fails and names the check."""
    from expectations.marts import validate_marts

    path = _tampered(built_demo, tmp_path, "update kpi_denial_rate_monthly set claims_adjudicated = "
                     "claims_adjudicated - 1 where dimension = 'all' and claims_adjudicated > 0")  # fmt: skip
    out = validate_marts(path, settings=built_demo)
    assert not out["success"]
    assert any("denial KPI adjudicated claims = adjudicated chains" in f for f in out["failures"]), out[
        "failures"
    ]


def test_implausible_marts_warn_without_blocking(built_demo, tmp_path):
    """Remits matching no claim on every chain: a linking fault worth a warning on the Data quality page, but a
    band, not a rule — the build still publishes."""
    from expectations.marts import validate_marts

    path = _tampered(built_demo, tmp_path, "update fct_claim_chains set match_reason = 'unmatched_remit'")
    out = validate_marts(path, settings=built_demo)
    assert out["success"] and out["failures"] == []
    assert any("match_reason" in w for w in out["warnings"]), out["warnings"]
