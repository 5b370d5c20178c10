"""Incremental staging: building after each new drop of files gives exactly the warehouse a full refresh
builds from all the raw batches (every base table, row for row)."""

from __future__ import annotations

import json
import shutil
from datetime import date

import duckdb
import polars as pl

from pipelines.generate import Config, file_day, generate
from pipelines.ingest import ingest_paths
from pipelines.settings import PROJECT_ROOT
from pipelines.warehouse.build import FINGERPRINT_TABLE, build_warehouse, warehouse_is_current
from tests.conftest import make_settings


def _tables(path) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_type = 'BASE TABLE' and table_name <> ? order by 1", [FINGERPRINT_TABLE]).fetchall()]  # fmt: skip
        out = {}
        for n in names:
            if n in (
                "int_touched_chains",
                "int_touched_patients",
            ):  # this build's work lists: empty from nothing
                continue
            df = pl.from_arrow(con.sql(f'select * from "{n}"').to_arrow_table())
            # which build wrote a row is lineage, not content: the rows themselves must be equal
            df = df.drop([c for c in ("_build_seq", "build_seq", "_previous_chain_id") if c in df.columns])
            out[n] = df.sort(df.columns, nulls_last=True) if df.height else df
        return out
    finally:
        con.close()


def test_incremental_builds_equal_a_full_refresh(tmp_path):
    cfg = Config(out=tmp_path / "world", claims=1500, seed=11, months=3, start=date(2024, 1, 1))
    generate(cfg, progress=False)
    s = make_settings(tmp_path / "home")
    s.ensure_dirs()
    files = sorted(
        (p for p in (cfg.out / "landing").rglob("*") if p.is_file()), key=lambda p: (file_day(p), p.name)
    )
    # three drops by date (each reaches a new month-end; chains span the drops).  Out of order on purpose:
    # the first third's 837s come with the second drop (remits before the claims they answer), and half
    # its 835s only with the third (a late remit relinks the corrected claims that reference it, REF*F8)
    days = sorted({file_day(p) for p in files})
    first, second = days[len(days) // 3], days[2 * len(days) // 3]
    early = [p for p in files if file_day(p) < first]
    late_837 = [p for p in early if "837" in p.parent.name]
    late_835 = [p for p in early if "835" in p.parent.name and file_day(p) and int(file_day(p)) % 2]
    # patient payments (undated monthly extracts) come last: they move the balances of chains built before
    payments = [p for p in early if p.parent.name == "patient_payments"]
    drops = [
        [p for p in early if p not in late_837 and p not in late_835 and p not in payments],
        late_837 + [p for p in files if first <= file_day(p) < second],
        late_835 + payments + [p for p in files if file_day(p) >= second],
    ]
    assert sum(map(len, drops)) == len(files) and late_837 and late_835 and payments
    for drop in drops:
        ingest_paths(drop, s)
        build_warehouse(s)
    compiled = (PROJECT_ROOT / "dbt_project" / "target" / "compiled" / "revcycle" / "models" / "staging" / "x12"
                / "stg_x12__claim_lines.sql").read_text()  # fmt: skip
    assert "not in ('g-" in compiled  # the last build skipped the batches it had already loaded
    incremental = _tables(s.warehouse_path)
    ran = json.loads((s.runs_dir / "run_results.json").read_text())["results"]
    assert not [
        r for r in ran if r["unique_id"].startswith(("unit_test.", "seed."))
    ]  # same project: done before
    assert [r for r in ran if r["unique_id"].startswith("test.")]  # the data tests always run
    tests_ran = {r["unique_id"].split(".")[2] for r in ran if r["unique_id"].startswith("test.")}
    # ... except those on the seeds alone (the fingerprint covers the seeds); a model's test against a seed runs
    assert "primary_key_claim_status_status_code" not in tests_ran
    assert any(t.startswith("relationships_stg_x12__remit_claims_status_code") for t in tests_ran)
    # ... and the views stand as the same project defined them (not re-created), their data tests run
    views = {n["name"] for n in json.loads((PROJECT_ROOT / "dbt_project" / "target" / "manifest.json").read_text())
             ["nodes"].values() if n["resource_type"] == "model" and n["config"]["materialized"] == "view"}  # fmt: skip
    assert views and not views & {
        r["unique_id"].split(".")[2] for r in ran if r["unique_id"].startswith("model.")
    }
    # a view's data test runs
    assert any(t.startswith("primary_key_int_payer_policy_") for t in tests_ran)
    # ... on the rows this build wrote (macros/get_where_subquery.sql), or whole where they must be
    checked = (
        "accepted_values_fct_claim_chains_",
        "unique_fct_claim_chains_",
        "not_null_stg_x12__claims_",
        "primary_key_stg_x12__claims_",
        "primary_key_int_remit_claims_classified_",
        "relationships_stg_x12__claim_lines_",
        "relationships_int_ar_open_balances_",
        "relationships_fct_denials_",
        "primary_key_int_claim_chain_links_",
        "assert_remit_claims_balance",
    )
    # the SQL each test ran, from the run's results (compiled file names of long test names are truncated)
    tests_sql = {
        r["unique_id"].split(".")[2]: r["compiled_code"]
        for r in ran
        if r["unique_id"].startswith("test.") and r["unique_id"].split(".")[2].startswith(checked)
    }
    assert {c for c in checked if any(n.startswith(c) for n in tests_sql)} == set(checked)
    for name, sql in tests_sql.items():
        narrowed = (
            "_build_seq = (select max(build_seq)" in sql or "where build_seq = (select max(build_seq)" in sql
        )
        # not_null: the rows written; unique: the rows sharing a key with one, also in a model that rewrites
        # older rows (the claim links: those it rewrote carry this build's stamp); relationships: the child
        # rows written when an old one cannot lose its parent (staging to staging, chain to chain), all rows
        # otherwise (a table rebuilt whole)
        assert narrowed != name.startswith("relationships_fct_denials_"), name

    build_warehouse(s, full_refresh=True)
    ran = json.loads((s.runs_dir / "run_results.json").read_text())["results"]
    assert [r for r in ran if r["unique_id"].startswith("unit_test.")]
    full = _tables(s.warehouse_path)
    assert incremental.keys() == full.keys()
    assert incremental["stg_x12__claim_lines"].height > 0
    for name in full:
        assert incremental[name].equals(full[name]), name
    # ... on a world that has the cases that move chains and balances across drops
    chains = full["fct_claim_chains"]
    assert chains.filter(pl.col("claim_id_count") > 1).height > 0  # corrections under a new CLM01
    assert chains.filter(pl.col("has_secondary_payer")).height > 0  # secondary claims and crossovers
    assert chains.filter(pl.col("duplicate_denial_count") > 0).height > 0  # re-sent originals, CARC 18
    assert full["fct_remit_payments"].filter(pl.col("forward_balance_amount") != 0).height > 0

    # the build ledger answers whether a build would change anything: every batch on disk read, until a
    # batch the warehouse has not read appears
    assert warehouse_is_current(s)
    unread = s.batches_dir / "g-unread"
    shutil.copytree(next(p for p in sorted(s.batches_dir.iterdir()) if p.name.startswith("g-")), unread)
    assert not warehouse_is_current(s)
    shutil.rmtree(unread)

    # raw data removed since the last build: appending cannot take rows out, so the build starts over
    gone = next(p for p in sorted(s.batches_dir.iterdir()) if p.name.startswith("g-"))
    shutil.rmtree(gone)
    build_warehouse(s)
    after = _tables(s.warehouse_path)["stg_x12__claim_lines"]
    assert gone.name not in set(after["_source_batch"])
    assert 0 < after.height < full["stg_x12__claim_lines"].height


def test_a_late_remit_relinks_a_corrected_claim_incrementally(tmp_path):
    """A corrected claim with a new CLM01 (REF*F8 = the payer's claim number) that arrives before the remit
    carrying that number starts a chain of its own; when the remit lands, the claim joins the remit's chain
    and its own chain must disappear — as in a build from nothing."""
    handmade = PROJECT_ROOT / "tests" / "fixtures" / "handmade"
    corrected = tmp_path / "claims_837p_20240202.x12"
    text = (handmade / corrected.name).read_text()
    assert text.count("CLM*C1003*") == 1 and "REF*F8*BCBS24010300031" in text
    corrected.write_text(text.replace("CLM*C1003*", "CLM*C1003R*"))
    s = make_settings(tmp_path / "home")
    s.ensure_dirs()
    # a remit in the first drop too, so every chain model has rows (an empty one recomputes every chain)
    ingest_paths(
        [handmade / "claims_837p_20240105.x12", corrected, handmade / "remit_835_medicare_20240126.x12"], s
    )
    build_warehouse(s)
    for model in ("fct_claim_chains", "int_remit_claims_classified", "int_ar_open_balances"):
        assert _tables(s.warehouse_path)[model].height > 0, model
    before = _tables(s.warehouse_path)["fct_claim_chains"]
    assert "C1003R" in set(before["chain_id"])  # no remit names BCBS24010300031 yet: a chain of its own

    ingest_paths([handmade / "remit_835_bcbs_20240202.x12"], s)
    build_warehouse(s)
    incremental = _tables(s.warehouse_path)
    chains = incremental["fct_claim_chains"]
    assert "C1003R" not in set(chains["chain_id"])
    with duckdb.connect(str(s.warehouse_path), read_only=True) as con:
        touched = {r[0] for r in con.sql("select chain_id from int_touched_chains").fetchall()}
    # only the remit's chain and the chain the corrected claim leaves were recomputed
    assert {"C1003", "C1003R"} <= touched < set(before["chain_id"])
    relinked = chains.filter(pl.col("chain_id") == "C1003")
    assert relinked["submission_count"].to_list() == [2] and relinked["match_reason"].to_list() == ["ref_f8"]

    build_warehouse(s, full_refresh=True)
    full = _tables(s.warehouse_path)
    for name in full:
        assert incremental[name].equals(full[name]), name
