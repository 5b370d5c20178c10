"""pipelines.warehouse.engines, the check make test-spark relies on, is not blind to differences."""

from __future__ import annotations

import duckdb

from pipelines.warehouse.engines import compare_warehouses


def test_the_comparison_sees_a_difference(settings, tmp_path):
    """compare_warehouses is not blind: a changed amount, a lost row and a changed key each show."""
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for path in (a, b):
        with duckdb.connect(str(path)) as con:
            con.execute("create table kpi_collections_monthly as select * from (values "
                        "(date '2024-01-01', 'P1', 10.50::decimal(18, 2)), (date '2024-01-01', 'P2', 3.25::decimal(18, 2))"
                        ") as t(month, payer_id, cash)")  # fmt: skip
    assert compare_warehouses(a, b) == []
    with duckdb.connect(str(b)) as con:
        con.execute("update kpi_collections_monthly set cash = 10.51 where payer_id = 'P1'")
    found = compare_warehouses(a, b)
    assert any("sum(cash)" in p for p in found) and any("rows only in" in p for p in found)
    with duckdb.connect(str(b)) as con:
        con.execute("delete from kpi_collections_monthly where payer_id = 'P2'")
    assert any("rows 2 vs 1" in p for p in compare_warehouses(a, b))


def test_build_lineage_is_not_content(tmp_path):
    """Two warehouses whose rows differ only in the build that wrote them (_build_seq) agree."""
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for path, seq in ((a, 1), (b, 2)):
        with duckdb.connect(str(path)) as con:
            con.execute(
                f"create table fct_claim_chains as select 'C1' as chain_id, 5.0 as paid, {seq} as _build_seq"
            )
    assert compare_warehouses(a, b) == []
    with duckdb.connect(str(b)) as con:
        con.execute("update fct_claim_chains set paid = 6.0")
    assert [p for p in compare_warehouses(a, b) if "sum(paid)" in p]  # content still counts
