"""dbt build (data + unit tests) on the demo set, mart numbers against hand-computed values."""

from __future__ import annotations

import shutil
import threading
import time

import duckdb
import pytest

from pipelines.settings import PROJECT_ROOT
from pipelines.warehouse.build import BuildError, build_warehouse, run_dbt
from pipelines.warehouse.read import headline_kpis, query
from tests.conftest import DEMO_TRUTH


def test_marts_match_hand_computed_values(built_demo):
    k = headline_kpis(built_demo)
    for key in ("claims_submitted", "claims_adjudicated", "claims_initially_denied"):
        assert k[key] == DEMO_TRUTH[key], key
    assert k["initial_denial_rate"] == pytest.approx(3 / 8)
    assert k["paid_amount"] == pytest.approx(DEMO_TRUTH["paid_amount"])
    assert k["charge_amount"] == pytest.approx(DEMO_TRUTH["charge_amount"])


def test_claim_level_outcomes(built_demo):
    rows = query(
        "select claim_id, initial_denial_type, initial_root_cause, total_paid_amount::double as paid, "
        "submission_count, reversal_count from fct_claim_chains order by claim_id",
        settings=built_demo,
    ).rows()
    by_id = {r[0]: r[1:] for r in rows}
    assert by_id["C1002"][:2] == ("partial", "CODING_BUNDLING")
    assert by_id["C1003"][:2] == ("full", "ELIGIBILITY_REGISTRATION")
    assert by_id["C1003"][3] == 2  # the frequency-7 replacement is a second submission, not a new claim
    assert by_id["C1004"][:2] == ("none", None)  # deductible-absorbed zero pay is not a denial
    assert by_id["C1006"][:2] == ("full", "AUTHORIZATION_REFERRAL")
    assert by_id["C1007"] == ("none", None, 55.0, 1, 1)  # reversal nets out, correction is current
    assert by_id["C1008"][0] is None  # submitted, never adjudicated


def test_unit_tests_ran_in_the_build(built_demo):
    import json

    results = json.loads((built_demo.runs_dir / "run_results.first_build.json").read_text())
    unit = [r for r in results["results"] if r["unique_id"].startswith("unit_test.")]
    assert unit and all(r["status"] == "pass" for r in unit)
    tests = [r for r in results["results"] if r["unique_id"].startswith("test.")]
    assert len(tests) >= 15 and all(r["status"] == "pass" for r in tests)


def test_another_home_parses_partially(built_demo, settings):
    """dbt sees the same profile and env_vars from every home (Settings.dbt_env(from_home=True)): a command in
    another home re-reads nothing; absolute paths made each new home re-parse the whole project."""
    assert run_dbt(["parse"], built_demo).returncode == 0
    proc = run_dbt(["parse", "--log-level", "debug"], settings)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "Unable to do partial parsing" not in proc.stdout
    assert "Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed" in proc.stdout, [
        ln for ln in proc.stdout.splitlines() if "artial" in ln
    ]


def test_no_view_reads_a_source(settings):
    """dbt reads the raw and reference Parquet through paths relative to the home it runs in: a view over a
    source would store such a path and break for a reader started elsewhere (the dashboard)."""
    import json

    from pipelines.warehouse.build import ensure_manifest

    nodes = json.loads(ensure_manifest(settings).read_text())["nodes"].values()
    readers = {n["name"]: n["config"]["materialized"] for n in nodes
               if n["resource_type"] == "model" and any(d.startswith("source.") for d in n["depends_on"]["nodes"])}  # fmt: skip
    assert "stg_x12__claims" in readers
    assert not {name for name, materialized in readers.items() if materialized == "view"}


def test_broken_denial_logic_fails_the_unit_test(built_demo, tmp_path):
    """Copy the dbt project, break the rule (drop the status-4 branch) and expect the unit test to fail."""
    from pipelines.settings import Settings

    proj = tmp_path / "proj"
    shutil.copytree(built_demo.dbt_dir, proj, ignore=shutil.ignore_patterns("target", "logs"))
    model = proj / "models/intermediate/claims/int_remit_claims_classified.sql"
    model.write_text(model.read_text().replace("when remits.status_code = '4' then 'full'", ""))
    s = Settings(project_root=tmp_path, home=built_demo.home)
    (tmp_path / "dbt_project").symlink_to(proj)
    proc = run_dbt(["test", "--select", "test_type:unit"], s)
    assert proc.returncode != 0
    assert "test_denial_classification" in proc.stdout


def _data_test_on_a_changed_copy(built_demo, tmp_path, test: str, *changes: str):
    """Run one dbt data test on a copy of the demo warehouse after these SQL changes (the build file of a home
    in tmp_path: the published demo is left alone)."""
    from pipelines.settings import Settings

    s = Settings(project_root=PROJECT_ROOT, home=tmp_path)
    shutil.copyfile(built_demo.warehouse_path, s.build_warehouse_path)
    with duckdb.connect(str(s.build_warehouse_path)) as con:
        for change in changes:
            con.execute(change)
    return run_dbt(["test", "--select", test], s)


def test_primary_key_test_catches_a_repeated_and_a_null_key(built_demo, tmp_path):
    """Our primary_key generic test (unique and not null in one node) fails on either fault."""
    proc = _data_test_on_a_changed_copy(
        built_demo,
        tmp_path,
        "primary_key_int_remit_claims_classified_remit_claim_key",
        "insert into int_remit_claims_classified select * from int_remit_claims_classified limit 1",
        "insert into int_remit_claims_classified "
        "select * replace (null as remit_claim_key) from int_remit_claims_classified limit 1",
    )
    assert proc.returncode != 0
    assert "Got 2 results" in proc.stdout, proc.stdout[-2000:]


def test_relationships_test_catches_a_child_without_its_parent(built_demo, tmp_path):
    """The relationships test (ours narrows the parent to the keys the child names) still fails on an orphan."""
    proc = _data_test_on_a_changed_copy(
        built_demo,
        tmp_path,
        "relationships_fct_denials_chain_id__chain_id__ref_fct_claim_chains_",
        "insert into fct_denials select * replace ('NO-SUCH-CHAIN' as chain_id) from fct_denials limit 1",
    )
    assert proc.returncode != 0
    assert "Got 1 result" in proc.stdout, proc.stdout[-2000:]


def test_reader_during_build_sees_old_or_new_never_a_lock_error(built_demo):
    """A dashboard-style read-only reader keeps querying while dbt rebuilds and swaps the warehouse."""
    errors, results = [], []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                results.append(headline_kpis(built_demo)["claims_submitted"])
            except Exception as e:  # any lock/IO error is a failure of the design
                errors.append(repr(e))
            time.sleep(0.02)

    # hold one long-lived read-only connection on the published file for the whole build, too
    held = duckdb.connect(str(built_demo.warehouse_path), read_only=True)
    t = threading.Thread(target=reader)
    t.start()
    try:
        build_warehouse(built_demo)
    finally:
        stop.set()
        t.join()
    assert held.execute("select count(*) from fct_claim_chains").fetchone()[0] == 9
    held.close()
    assert not errors, errors[:3]
    assert results and set(results) == {DEMO_TRUTH["claims_submitted"]}


def test_failed_build_leaves_published_warehouse_untouched(built_demo, tmp_path):
    from pipelines.settings import Settings

    proj = tmp_path / "dbt_project"
    shutil.copytree(built_demo.dbt_dir, proj, ignore=shutil.ignore_patterns("target", "logs"))
    (proj / "models/marts/finance/fct_claim_chains.sql").write_text("select 1/0 as claim_id from nowhere")
    before = built_demo.warehouse_path.stat().st_mtime_ns
    # only the broken model and its inputs: it must fail itself, not a model that happens to need it
    # (the model itself, or its unit test, which runs first against the broken SQL)
    with pytest.raises(BuildError, match=r"(model|unit_test)\.revcycle\.fct_claim_chains(\.\w+)?: error"):
        build_warehouse(Settings(project_root=tmp_path, home=built_demo.home), select=["+fct_claim_chains"])
    assert built_demo.warehouse_path.stat().st_mtime_ns == before
    assert headline_kpis(built_demo)["claims_submitted"] == 9


def test_an_empty_selection_fails_and_swaps_nothing(built_demo):
    before = built_demo.warehouse_path.stat().st_mtime_ns
    with pytest.raises(BuildError, match=r"the selection 'no_such_model' matches no model or test"):
        build_warehouse(built_demo, select=["no_such_model"])
    assert built_demo.warehouse_path.stat().st_mtime_ns == before


def test_repeated_interchange_control_number_is_flagged_not_dropped(settings, tmp_path):
    import json

    from pipelines.ingest import ingest_paths
    from tests.conftest import DEMO

    original = DEMO / "remit_835_bcbs_20240202.x12"
    resent = tmp_path / "resent.x12"  # same sender and ISA13, different content (one claim's trace)
    resent.write_bytes(original.read_bytes().replace(b"TRN*1*CHK240202001", b"TRN*1*CHK240202009"))
    assert [o.status for o in ingest_paths([original, resent], settings)] == ["accepted", "accepted"]
    build_warehouse(settings, select=["+warn_repeated_interchange_control_number"])  # the test and its inputs
    results = json.loads((settings.runs_dir / "run_results.json").read_text())["results"]
    status = {r["unique_id"].split(".")[2]: r["status"] for r in results}
    assert status["warn_repeated_interchange_control_number"] == "warn"
    assert all(
        s in ("success", "pass") for n, s in status.items() if n != "warn_repeated_interchange_control_number"
    )


def test_a_build_reads_the_batches_pinned_when_it_started(settings):
    """A batch published while a build runs (the ingest DAG publishing as the reference DAG's asset starts a
    transform) is not read by that build — not by some of its models and not by others — and the next
    build takes it."""
    from pipelines.ingest import ingest_file
    from pipelines.warehouse.build import prepare_build
    from tests.conftest import DEMO

    ingest_file(DEMO / "claims_837p_20240105.x12", settings)
    prepare_build(settings)  # pins the one batch published so far
    ingest_file(DEMO / "remit_835_medicare_20240126.x12", settings)  # published mid-build
    proc = run_dbt(["run", "--select", "stg_x12__claims", "stg_x12__remit_claims"], settings)
    assert proc.returncode == 0, proc.stdout[-2000:]
    with duckdb.connect(str(settings.build_warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from stg_x12__remit_claims").fetchone()[0] == 0
        assert con.execute("select count(*) from stg_x12__claims").fetchone()[0] > 0
    settings.build_warehouse_path.unlink()
    build_warehouse(settings)
    assert query("select count(*) as n from stg_x12__remit_claims", settings=settings)["n"][0] == 3


def test_docs_generate_and_every_mart_column_documented(built_demo):
    """`dbt docs generate` works on a built warehouse, and every column of every mart carries a
    description (its formula or meaning) in the catalog it generates."""
    import json
    import shutil

    from pipelines.warehouse.build import run_dbt

    shutil.copyfile(built_demo.warehouse_path, built_demo.build_warehouse_path)
    try:
        proc = run_dbt(["docs", "generate"], built_demo)
        assert proc.returncode == 0, proc.stdout[-2000:]
        target = built_demo.dbt_dir / "target"
        catalog = json.loads((target / "catalog.json").read_text())
        manifest = json.loads((target / "manifest.json").read_text())
    finally:
        built_demo.build_warehouse_path.unlink(missing_ok=True)
    undocumented = []
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] != "model" or "/marts/" not in node["original_file_path"]:
            continue
        described = {c for c, meta in node["columns"].items() if (meta.get("description") or "").strip()}
        for col in catalog["nodes"][uid]["columns"]:
            if col not in described:
                undocumented.append(f"{node['name']}.{col}")
    assert not undocumented, undocumented
