from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.warehouse.read import headline_kpis

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py")


def test_overview_numbers_equal_the_marts(built_demo, monkeypatch):
    monkeypatch.setenv("REVCYCLE_HOME", str(built_demo.home))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    k = headline_kpis(built_demo)
    assert metrics["Claims submitted"] == f"{k['claims_submitted']:,}"
    assert metrics["Initial denial rate"] == f"{k['initial_denial_rate']:.1%}" == "37.5%"
    assert metrics["Paid amount"] == f"${k['paid_amount']:,.2f}" == "$526.20"
    assert metrics["Claims adjudicated"] == "8"
    payer_table = at.dataframe[-1].value
    assert set(payer_table["payer"]) == {"MEDICARE PART B", "BLUE CROSS OF THE VALLEY", "AETNA HEALTH"}


def test_overview_without_a_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("REVCYCLE_HOME", str(tmp_path / "empty"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "No warehouse yet" in at.info[0].value


PAGES = Path(APP).parent / "app_pages"


def _page(name, home, monkeypatch):
    monkeypatch.setenv("REVCYCLE_HOME", str(home))
    at = AppTest.from_file(str(PAGES / name), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def test_denials_page(built_demo, monkeypatch):
    at = _page("denials.py", built_demo.home, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    # handmade set: 3 initial denials (eligibility, authorization, coding), all avoidable 'Y'; none resolved
    # yet (none overturned, none past the write-off window), so there is no overturn rate to show
    assert metrics["Avoidable share"] == "100%"
    assert metrics["Overturned"] == "n/a"
    assert metrics["Duplicate denials"] == "0"
    carcs = next(d.value for d in at.dataframe if "carc" in d.value.columns)
    assert carcs["denied_claims"].sum() == 3  # the three initial denials, each under its largest CARC
    at.radio(key="denials__variant").set_value("hfma").run()
    assert not at.exception


def test_collections_page(built_demo, monkeypatch):
    from pipelines.warehouse.read import query

    at = _page("collections.py", built_demo.home, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    ar = query(
        "select sum(open_balance + secondary_balance + patient_balance)::double as b, sum(credit_balance) as c "
        "from fct_ar_snapshots where as_of_date = (select max(as_of_date) from fct_ar_snapshots)",
        settings=built_demo,
    )
    assert metrics["Total A/R"] == f"${ar['b'][0]:,.0f}"
    assert metrics["Credit balances"] == f"${ar['c'][0]:,.0f}"
    latest = query(
        "select days_in_total_ar, net_collection_rate_12m from kpi_collections_monthly where scope = 'all' "
        "order by month desc limit 1",
        settings=built_demo,
    )
    assert metrics["Days in total A/R"] == f"{latest['days_in_total_ar'][0]:.1f}"
    assert metrics["NCR, trailing 12 months"] == f"{latest['net_collection_rate_12m'][0]:.1%}"
    assert any("Unbilled encounters: 1 " in c.value for c in at.caption)  # E1010 has no claim
    deposits = next(d.value for d in at.dataframe if "deposits" in d.value.columns)
    assert (deposits["deposits"] - deposits["claim_cash"] - deposits["interest"] - deposits["forward_balance"]
            - deposits["recoupments"]).abs().max() < 0.005  # fmt: skip


def test_collections_counts_give_what_the_rows_give(built_world, monkeypatch):
    """Days to pay, charge lag and underpayments by code, read from the monthly count marts, equal the same
    figures computed over every chain, encounter and line, for the whole book and for a filtered selection."""
    from datetime import date

    from dashboards import queries
    from dashboards.filters import Filters
    from pipelines.warehouse.read import query

    monkeypatch.setenv("REVCYCLE_HOME", str(built_world.home))
    busiest = query(
        "select payer_id, rendering_npi from fct_claim_chains group by all order by count(*) desc limit 1",
        settings=built_world,
    ).row(0)
    selections = [Filters(), Filters(start=date(2024, 2, 1), end=date(2024, 3, 1), payers=(busiest[0],)),
                  Filters(providers=(busiest[1],))]  # fmt: skip
    version = queries.warehouse_version()
    for f in selections:
        where, params = f.where("first_adjudication_date")
        direct = query(
            f"""
            select payer_id, median(date_diff('day', first_submission_date, first_adjudication_date)) as m,
                   quantile_cont(date_diff('day', first_submission_date, first_adjudication_date), 0.9) as p
            from fct_claim_chains where is_adjudicated and has_submission and {where}
            group by 1 order by 1
            """,
            params,
            settings=built_world,
        )
        got = queries.days_to_pay(version, f).sort("payer_id")
        assert got["payer_id"].to_list() == direct["payer_id"].to_list() and direct.height
        assert (got["median_days_to_pay"] - direct["m"]).abs().max() < 1e-9
        assert (got["p90_days"] - direct["p"]).abs().max() < 1e-9

        where, params = f.where("service_date", claim_type=None)
        lag = query(
            f"""select count(*) filter (where not is_billed) as u, median(charge_lag_days) as m, count(*) as n
                from fct_encounter_billing where {where}""",
            params,
            settings=built_world,
        ).row(0, named=True)
        ub = queries.unbilled(version, f)
        assert (ub["unbilled_encounters"], ub["encounters"]) == (lag["u"], lag["n"]) and lag["n"]
        assert abs(ub["median_charge_lag_days"] - lag["m"]) < 1e-9

        where, params = f.where("remit_date", claim_type=None)
        lines = query(
            f"""
            select payer_id, procedure_code, count(*) filter (where is_underpaid) as n,
                   sum(variance) filter (where is_underpaid)::double as amount,
                   sum(expected_allowed)::double as expected
            from fct_underpayments where {where}
            group by all having count(*) filter (where is_underpaid) > 0 order by 1, 2
            """,
            params,
            settings=built_world,
        )
        by_code = queries.underpayments(version, f)["by_payer_code"].sort("payer_id", "procedure_code")
        assert lines.height or f.active  # the whole book has underpaid lines to compare
        assert by_code["underpaid_lines"].to_list() == lines["n"].to_list()
        assert ((by_code["underpaid_amount"] - lines["amount"]).abs().max() or 0) < 0.005
        assert ((by_code["expected_allowed"] - lines["expected"]).abs().max() or 0) < 0.005


def test_data_quality_page(built_demo, monkeypatch):
    at = _page("data_quality.py", built_demo.home, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Files published"] == "7"
    assert metrics["Files quarantined"] == "0"
    assert not [c for c in at.caption if "filters do not apply" in c.value]


def test_data_quality_says_the_filters_do_not_apply(built_demo, monkeypatch):
    from dashboards.filters import STATE_KEY, Filters

    monkeypatch.setenv("REVCYCLE_HOME", str(built_demo.home))
    at = AppTest.from_file(str(PAGES / "data_quality.py"), default_timeout=60)
    at.session_state[STATE_KEY] = Filters(payers=("SOME-PAYER",))
    at.run()
    assert not at.exception
    assert [c for c in at.caption if "filters do not apply" in c.value]
    assert {m.label: m.value for m in at.metric}["Files published"] == "7"  # every file, whatever the filter


def test_compliance_page(built_world, monkeypatch):
    from pipelines.warehouse.read import query

    s = built_world
    at = _page("compliance.py", s.home, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    n = query(
        "select count(*) as n, count(distinct provider_npi) as p from fct_integrity_findings", settings=s
    )
    assert metrics["Review leads"] == f"{n['n'][0]:,}"
    assert metrics["Providers with leads"] == f"{n['p'][0]:,}"
    assert not at.warning  # every reference file of the world was loaded
    rules = at.dataframe[0].value
    assert rules["findings"].sum() == n["n"][0]
    # the compliance team sees every lead per month; small cells are blanked only in the export for sharing
    monthly = query(
        "select sum(findings) as leads, count(*) filter (where findings between 1 and 10) as small, "
        "count(*) filter (where findings between 1 and 10 and shared_findings is null) as blanked "
        "from kpi_integrity_rule_monthly",
        settings=s,
    )
    assert monthly["leads"][0] == n["n"][0]
    assert monthly["small"][0] > 0 and monthly["blanked"][0] == monthly["small"][0]
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download for sharing outside the organisation (CSV)"
    ]

    # the rule filter comes from the URL, so a link to one rule's leads can be shared
    monkeypatch.setenv("REVCYCLE_HOME", str(s.home))
    at = AppTest.from_file(str(PAGES / "compliance.py"), default_timeout=60)
    at.query_params["rule"] = "ncci_unbundling"
    at.run()
    assert not at.exception
    assert at.selectbox(key="compliance__rule").value == "ncci_unbundling"
    leads = at.dataframe[-1].value
    expected = query(
        "select count(*) as n from fct_integrity_findings where rule_id = 'ncci_unbundling'", settings=s
    )
    assert len(leads) == expected["n"][0] > 0
    assert set(leads["rule_id"]) == {"NCCI procedure-to-procedure edit without a valid bypass"}  # in words
    raw_ids = set(query("select claim_id from fct_integrity_findings where rule_id = 'ncci_unbundling'",
                        settings=s)["claim_id"])  # fmt: skip
    assert not raw_ids & set(leads["claim_id"])  # masked for a viewer who may not see PHI
    assert all(c not in " ".join(leads["evidence"]) for c in raw_ids)  # inside the evidence text too

    # narrowing to one provider keeps only that provider's leads, and the URL follows
    npi = leads["provider_npi"][0]
    at.selectbox(key="compliance__provider").set_value(npi).run()
    leads = at.dataframe[-1].value
    assert set(leads["provider_npi"]) == {npi}
    assert at.query_params["provider"] == [npi] or at.query_params["provider"] == npi
    # one provider: a case-file download and the LEIE screening log with the numbers of the marts
    assert at.get("download_button"), "no case file download for the selected provider"
    log_text = " ".join(m.value for m in at.markdown)
    leie = query("select count(*) as n from stg_reference__leie", settings=s)["n"][0]
    assert f"against {leie:,} LEIE rows" in log_text


def test_compliance_evidence_rows(built_world, monkeypatch):
    """The drill-down's evidence query returns the lines of the claims a finding names (both copies of a duplicate)."""
    from dashboards import queries
    from pipelines.warehouse.read import query

    s = built_world
    # a copy under another claim id (a re-sent original names its one claim id twice)
    f = query(
        "select evidence_claim_ids from fct_integrity_findings where rule_id = 'duplicate_exact' "
        "and len(list_distinct(evidence_claim_ids)) = 2 limit 1",
        settings=s,
    )
    ids = tuple(f["evidence_claim_ids"][0])
    assert len(ids) == 2
    monkeypatch.setenv("REVCYCLE_HOME", str(s.home))
    lines = queries.evidence_lines(-1.0, ids)
    assert set(lines["claim_id"]) == set(ids)


def test_data_quality_shows_pipeline_alerts(built_demo, monkeypatch, tmp_path):
    """A failed task's alert record appears on the page; the demo build's mart checks are listed."""
    import shutil

    from pipelines.alerts import record_deadline_miss, record_failure
    from pipelines.settings import Settings

    home = tmp_path / "home"
    shutil.copytree(built_demo.home, home)
    s = Settings(project_root=built_demo.project_root, home=home)
    # the full build's mart checks, whichever incremental rebuilds of built_demo other tests ran before this
    shutil.copy2(s.runs_dir / "gx_marts.first_build.json", s.runs_dir / "gx_marts.json")
    record_failure({"ti": None, "exception": RuntimeError("dbt node failed")}, s)
    record_deadline_miss({"dag_run": {"dag_id": "revcycle_ingest", "dag_run_id": "r1"}}, s)
    at = _page("data_quality.py", home, monkeypatch)
    frames = [d.value for d in at.dataframe]
    alerts = next(f for f in frames if "error" in f.columns)
    assert alerts["kind"].tolist() == ["deadline missed", "task failed"]  # newest first
    assert alerts["error"].tolist()[1] == "RuntimeError: dbt node failed"
    marts = next(f for f in frames if "mart" in f.columns)
    assert "fct_claim_chains" in set(marts["mart"])  # empty marts (no integrity leads here) are skipped
    assert marts["failed"].sum() == 0


def _denied_claim(settings) -> str:
    from pipelines.warehouse.read import query

    return query(
        "select chain_id from fct_claim_chains where is_initially_denied order by chain_id limit 1",
        settings=settings,
    )["chain_id"][0]


def _chain_page(home, claim: str, monkeypatch, phi_viewer: bool) -> AppTest:
    """The Claim chain page opened on one claim (?claim=), as a PHI viewer or as anyone else."""
    from dashboards.phi import SESSION_KEY

    monkeypatch.setenv("REVCYCLE_HOME", str(home))
    at = AppTest.from_file(str(PAGES / "claim_chain.py"), default_timeout=60)
    if phi_viewer:
        monkeypatch.setenv("REVCYCLE_PHI_VIEWERS", "local")
        at.session_state[SESSION_KEY] = "local"
    else:
        monkeypatch.delenv("REVCYCLE_PHI_VIEWERS", raising=False)
    at.query_params["claim"] = claim
    return at.run()


def test_claim_chain_drill_down_masks_phi_by_default(built_demo, monkeypatch):
    from pipelines.warehouse.read import query

    claim = _denied_claim(built_demo)
    at = _chain_page(built_demo.home, claim, monkeypatch, phi_viewer=False)
    assert not at.exception, at.exception
    assert at.selectbox(key="chain__claim").value == claim
    frames = [d.value for d in at.dataframe]
    subs = next(f for f in frames if "member_id" in f.columns and "frequency_code" in f.columns)
    raw = query(
        "select subscriber_member_id, patient_last_name from stg_x12__claims where claim_id = ?",
        [claim],
        settings=built_demo,
    ).row(0)
    assert len(subs) >= 1
    shown = subs["member_id"].iloc[0]
    assert shown != raw[0] and shown.startswith("•") and shown.endswith(raw[0][-2:])
    assert raw[1] not in subs["patient_last_name"].tolist()
    remits = next(f for f in frames if "status_code" in f.columns)
    assert len(remits) >= 1  # the payer's decisions are there too
    # the claim id (CLM01, an account number) is masked too: in the tables and in the picker's labels
    assert claim not in subs["claim_id"].tolist() and subs["claim_id"].iloc[0].endswith(claim[-2:])
    assert claim not in at.selectbox(key="chain__claim").options


def test_phi_viewer_sees_identifiers(built_demo, monkeypatch):
    from pipelines.warehouse.read import query

    claim = _denied_claim(built_demo)
    at = _chain_page(built_demo.home, claim, monkeypatch, phi_viewer=True)
    assert not at.exception
    subs = next(
        d.value
        for d in at.dataframe
        if "member_id" in d.value.columns and "frequency_code" in d.value.columns
    )
    raw = query(
        "select subscriber_member_id from stg_x12__claims where claim_id = ?", [claim], settings=built_demo
    )
    assert subs["member_id"].iloc[0] == raw["subscriber_member_id"][0]


def test_claim_chain_shows_answers_to_a_correction_under_a_new_id(built_world, monkeypatch):
    """A corrected claim sent under a new CLM01 (REF*F8 naming the original) is answered under that new id: the
    chain's page lists that 835 decision too, with its adjustments."""
    from pipelines.warehouse.read import query

    chain = query(
        """
        select l.chain_id
        from int_claim_chain_links as l
        inner join stg_x12__claims as c using (claim_key)
        inner join stg_x12__remit_claims as r on r.claim_id = c.claim_id
        where c.claim_id <> l.chain_id
        order by 1 limit 1
        """,
        settings=built_world,
    )["chain_id"][0]
    # what the payer sent about any claim id of the chain, read from staging (not the page's models)
    expected = query(
        """
        select count(distinct r.remit_claim_key) as remits, count(a.remit_claim_key) as adjustments
        from stg_x12__remit_claims as r
        left join stg_x12__remit_adjustments as a using (remit_claim_key)
        where r.claim_id in (select c.claim_id from stg_x12__claims as c
                             inner join int_claim_chain_links as l using (claim_key) where l.chain_id = ?)
        """,
        [chain],
        settings=built_world,
    ).row(0, named=True)
    at = _chain_page(built_world.home, chain, monkeypatch, phi_viewer=True)
    assert not at.exception, at.exception
    frames = [d.value for d in at.dataframe]
    remits = next(f for f in frames if "status_code" in f.columns)
    adjustments = next(f for f in frames if "group_code" in f.columns)
    assert len(remits) == expected["remits"] >= 1
    assert len(adjustments) == expected["adjustments"]


def _gate(built_demo, monkeypatch, password: str = "correct horse battery"):
    from dashboards.phi import hash_password, lockout

    monkeypatch.setenv("REVCYCLE_HOME", str(built_demo.home))
    monkeypatch.setenv("REVCYCLE_DASHBOARD_PASSWORD_HASH", hash_password(password, n=2**10))
    lockout.clear()  # a fresh server
    return AppTest.from_file(APP, default_timeout=60)


def _sign_in(at, password: str):
    at.text_input(key="phi__password").input(password)
    at.button[0].click().run()
    return at


def test_password_gate_salted_hash(built_demo, monkeypatch):
    at = _gate(built_demo, monkeypatch).run()
    assert not at.exception
    assert not at.metric  # nothing from the warehouse before signing in
    _sign_in(at, "wrong")
    assert at.error and not at.metric
    _sign_in(at, "correct horse battery")
    assert not at.exception
    assert {m.label for m in at.metric} >= {"Claims submitted", "Initial denial rate"}
    at.button(key="phi__sign_out").click().run()  # signing out shows the gate again
    assert not at.metric and at.text_input(key="phi__password")


def test_password_gate_locks_after_repeated_failures(built_demo, monkeypatch):
    at = _gate(built_demo, monkeypatch).run()
    for _ in range(5):
        _sign_in(at, "guess")
    _sign_in(at, "correct horse battery")  # the right password, but the gate is locked now
    assert not at.metric and any("Too many wrong passwords" in e.value for e in at.error)
    # a new session does not reset the lock: it is the server's
    other = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(other, "correct horse battery")
    assert not other.metric


def test_password_gate_session_expires(built_demo, monkeypatch):
    from dashboards.phi import SIGNED_IN_AT

    at = _sign_in(_gate(built_demo, monkeypatch).run(), "correct horse battery")
    assert at.metric
    at.session_state[SIGNED_IN_AT] = 0.0  # signed in long ago
    at.run()
    assert not at.metric and any("expired" in i.value for i in at.info)


def test_an_unsalted_password_hash_is_refused(built_demo, monkeypatch):
    import hashlib

    monkeypatch.setenv("REVCYCLE_HOME", str(built_demo.home))
    monkeypatch.setenv("REVCYCLE_DASHBOARD_PASSWORD_SHA256", hashlib.sha256(b"s3cret").hexdigest())
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.metric and "no longer accepted" in at.error[0].value


class _User(dict):
    is_logged_in = True


def test_oidc_needs_a_verified_email(built_demo, monkeypatch):
    import streamlit

    from dashboards import phi

    monkeypatch.setenv("REVCYCLE_HOME", str(built_demo.home))
    monkeypatch.setattr(phi, "_oidc_configured", lambda: True)
    monkeypatch.setattr(streamlit, "user", _User(email="dr@clinic.example", email_verified=False))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.metric and "not verified" in at.error[0].value
    monkeypatch.setattr(streamlit, "user", _User(email="dr@clinic.example", email_verified=True))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and at.metric


def test_lockout_doubles_and_resets():
    from dashboards.phi import Lockout

    gate = Lockout(free=2, base=10, cap=35)
    gate.failed(now=0)
    assert gate.wait_seconds(now=0) == 0
    gate.failed(now=0)
    assert gate.wait_seconds(now=0) == 10
    gate.failed(now=0)
    assert gate.wait_seconds(now=0) == 20
    gate.failed(now=0)
    assert gate.wait_seconds(now=0) == 35  # capped
    gate.succeeded()
    assert gate.wait_seconds(now=0) == 0


def test_pages_keep_rendering_while_dbt_rebuilds(built_demo, monkeypatch):
    """Pages are queried over and over while `revcycle build` runs and swaps the warehouse: never a lock error,
    never an exception, and the headline numbers are always the (unchanged) truth, never partial.  The build
    is its own process, as in production (the CLI or the DAG, never the dashboard's process)."""
    import subprocess
    import sys

    monkeypatch.setenv("REVCYCLE_HOME", str(built_demo.home))
    build = subprocess.Popen([sys.executable, "-m", "pipelines.cli.main", "build"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    during_build = 0
    while build.poll() is None:
        for page in ("overview.py", "denials.py", "collections.py"):
            building = build.poll() is None
            at = AppTest.from_file(str(PAGES / page), default_timeout=60).run()
            assert not at.exception, (page, at.exception)
            during_build += building
            if page == "overview.py":
                metrics = {m.label: m.value for m in at.metric}
                assert metrics["Claims submitted"] == "9" and metrics["Paid amount"] == "$526.20"
    _, err = build.communicate()
    assert build.returncode == 0, err[-2000:]
    assert during_build >= 3  # pages were served while the build ran, not only after it


def test_global_filters_from_the_url_apply_on_every_page(built_demo, monkeypatch):
    """?payer=...&from=... selects the data on the Overview, survives page changes (also when navigation
    drops the URL) and is written back to the URL; the numbers equal the marts filtered the same way."""
    from pipelines.warehouse.read import query

    monkeypatch.setenv("REVCYCLE_HOME", str(built_demo.home))
    payer = query("select payer_id from fct_claim_chains group by 1 order by count(*) desc limit 1",
                  settings=built_demo).item()  # fmt: skip
    first_month = query("select min(date_trunc('month', first_adjudication_date))::date from fct_claim_chains",
                        settings=built_demo).item()  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["payer"] = payer
    at.run()
    assert not at.exception
    expected = query(
        "select count(*) filter (where has_submission) as submitted, count(*) filter (where is_adjudicated) as adj "
        "from fct_claim_chains where payer_id = ?",
        [payer],
        settings=built_demo,
    ).row(0, named=True)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Claims submitted"] == f"{expected['submitted']:,}"
    assert metrics["Claims adjudicated"] == f"{expected['adj']:,}"
    assert any(f"payer {payer}" in c.value for c in at.caption)
    assert set(at.dataframe[-1].value["payer"]) == {query(
        "select any_value(payer_name) from fct_claim_chains where payer_id = ?", [payer], settings=built_demo
    ).item()}  # fmt: skip

    at.query_params.clear()  # a browser navigation may drop the query string
    at.switch_page("app_pages/denials.py").run()
    assert not at.exception
    assert any(f"payer {payer}" in c.value for c in at.caption)
    assert at.query_params["payer"] == payer

    at.switch_page("app_pages/collections.py").run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_payer").value == [payer]
    assert {"Underpaid lines", "Underpaid $", "Total A/R"} <= {m.label for m in at.metric}

    # narrowing the period narrows the claims and shows in the URL
    at.sidebar.select_slider(key="f_period").set_value((f"{first_month:%Y-%m}", f"{first_month:%Y-%m}")).run()
    assert at.query_params["to"] == f"{first_month:%Y-%m}"


def test_front_end_page_equals_the_mart(built_world, monkeypatch):
    """The headline rates are the mart's parts summed over the months shown: clean-claim rate and first-pass
    yield of the whole book, with rejections counted by source."""
    from pipelines.warehouse.read import query

    at = _page("front_end.py", built_world.home, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    book = query(
        "select sum(claims_accepted_first_pass) as ok, sum(claims_with_verdict) as verdicts, "
        "sum(claims_rejected_999 + claims_rejected_277ca) as rejected, sum(claims_first_pass_paid) as fpp, "
        "sum(claims_with_first_answer) as answers from kpi_front_end_monthly where dimension = 'all'",
        settings=built_world,
    ).row(0, named=True)
    assert book["rejected"] > 0
    assert metrics["Clean-claim rate"] == f"{book['ok'] / book['verdicts']:.1%}"
    assert metrics["First-pass yield"] == f"{book['fpp'] / book['answers']:.1%}"
    assert metrics["Front-end rejections"] == f"{book['rejected']:,}"
    reasons = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert reasons["rejected_claims"].sum() == book["rejected"]


def test_front_end_page_says_when_no_acknowledgments_are_loaded(built_demo, monkeypatch):
    at = _page("front_end.py", built_demo.home, monkeypatch)
    assert "No 999 or 277CA acknowledgments" in at.info[0].value


def test_work_queues_page_equals_the_marts(built_world, monkeypatch):
    """Both queues render in priority order with their totals; the owner-area filter narrows the denials, a
    sort keeps every row, and each queue has a formula-safe CSV download."""
    from pipelines.warehouse.read import query

    at = _page("work_queues.py", built_world.home, monkeypatch)
    denials = query("select * from wq_denials order by priority_rank", settings=built_world)
    followup = query("select * from wq_ar_followup order by priority_rank", settings=built_world)
    assert denials.height > 0 and followup.height > 0
    metrics = [(m.label, m.value) for m in at.metric]
    assert ("Items", f"{denials.height:,}") in metrics and ("Items", f"{followup.height:,}") in metrics
    assert ("Expected recovery", f"${denials['expected_recovery'].sum():,.0f}") in metrics
    tables = [d.value for d in at.dataframe]
    assert list(tables[0]["priority_rank"]) == list(denials["priority_rank"])
    assert len(at.get("download_button")) == 8  # CSV and Excel for each of the four queues
    prebill = query("select count(*) as n from wq_prebill_edits", settings=built_world)["n"][0]
    assert len(tables[3]) == prebill
    area = denials["owner_area"].drop_nulls()[0]
    at.multiselect(key="wq__denials__areas").set_value([area]).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == denials.filter(denials["owner_area"] == area).height
    at.radio(key="wq__followup__sort").set_value("deadline").run()
    assert not at.exception and len(at.dataframe[1].value) == followup.height


def test_work_queue_links_to_the_chain_only_for_phi_viewers(built_demo, monkeypatch):
    """A PHI viewer gets a link per denial to its chain on the Claim chain page (the link carries the claim id);
    everyone else sees masked claim ids and no link."""
    from dashboards.phi import SESSION_KEY

    at = _page("work_queues.py", built_demo.home, monkeypatch)
    assert "chain" not in at.dataframe[0].value.columns
    assert all(str(c).startswith("•") for c in at.dataframe[0].value["claim_id"])
    monkeypatch.setenv("REVCYCLE_PHI_VIEWERS", "local")
    at = AppTest.from_file(str(PAGES / "work_queues.py"), default_timeout=60)
    at.session_state[SESSION_KEY] = "local"
    at.run()
    assert not at.exception
    denials = at.dataframe[0].value
    assert set(denials["chain"]) == {f"/claim_chain?claim={c}" for c in ("C1002", "C1003", "C1006")}


def test_denied_claims_link_to_their_chain_page(built_demo, monkeypatch):
    """The Denials page lists the denied claims; a PHI viewer's row links to the Claim chain page, which opens
    on that claim with its submissions and decisions."""
    from dashboards.phi import SESSION_KEY

    at = _page("denials.py", built_demo.home, monkeypatch)
    listed = next(
        d.value for d in at.dataframe if "denied_amount" in d.value.columns and "chain_id" in d.value.columns
    )
    assert "chain" not in listed.columns and all(str(c).startswith("•") for c in listed["chain_id"])
    monkeypatch.setenv("REVCYCLE_PHI_VIEWERS", "local")
    at = AppTest.from_file(str(PAGES / "denials.py"), default_timeout=60)
    at.session_state[SESSION_KEY] = "local"
    at.run()
    listed = next(d.value for d in at.dataframe if "chain" in d.value.columns)
    link = listed["chain"].iloc[0]
    assert link == f"/claim_chain?claim={listed['chain_id'].iloc[0]}"
    chain = AppTest.from_file(str(PAGES / "claim_chain.py"), default_timeout=60)
    chain.session_state[SESSION_KEY] = "local"
    chain.query_params["claim"] = link.split("=", 1)[1]
    chain.run()
    assert not chain.exception
    assert {m.label for m in chain.metric} >= {"Submissions", "Initial decision", "Paid (net of reversals)"}


SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\b[A-Z0-9]{2,}(?:_[A-Z0-9]+)+\b")


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.glob("*.py") if p.name != "__init__.py"))
def test_tables_show_words_not_codes(built_demo, monkeypatch, page):
    """Every table column shown has a label in words, and the columns holding codes people read (root causes,
    statuses, queue reasons...) show words: no snake_case or SCREAMING_SNAKE reaches the reader."""
    import json

    from dashboards.ui import WORDED_COLUMNS

    at = _page(page, built_demo.home, monkeypatch)
    if not at.dataframe:  # said, not passed: a page with no table on the demo set checks nothing here
        pytest.skip(f"{page} shows no table on the demo set")
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        shown = [c for c in frame.value.columns if not config.get(str(c), {}).get("hidden")]
        order = list(frame.proto.column_order) or shown
        for column in order:
            label = config.get(str(column), {}).get("label", str(column))
            assert not SNAKE.search(label), (page, column, label)
        for column in set(order) & (WORDED_COLUMNS | {"rule_id", "top_rule"}):
            values = [str(v) for v in frame.value[column].dropna().unique()]
            assert not [v for v in values if SNAKE.search(v)], (page, column, values[:5])
        if "payer_id" in order:  # a payer by its name, its id beside it
            values = [str(v) for v in frame.value["payer_id"].dropna().unique()]
            assert all(re.fullmatch(r"[A-Z].* \([^)]+\)", v) for v in values), (page, values[:5])
    for chart in at.get("arrow_vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        for layer in [spec, *spec.get("layer", []), *([spec["spec"]] if "spec" in spec else [])]:
            tips = layer.get("encoding", {}).get("tooltip", [])
            for tip in tips if isinstance(tips, list) else [tips]:
                title = tip.get("title", tip.get("field", ""))
                assert not SNAKE.search(str(title)), (page, tip)


def test_clicking_a_ranked_provider_opens_their_leads(built_world, monkeypatch):
    """A row clicked in the provider ranking becomes the drill-down's provider, and the leads shown are theirs."""
    at = _page("compliance.py", built_world.home, monkeypatch)
    risk = next(d.value for d in at.dataframe if "risk_score" in d.value.columns)
    second = risk["provider_npi"].iloc[1]
    at.session_state["compliance__risk"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.selectbox(key="compliance__provider").value == second
    leads = next(d.value for d in at.dataframe if "evidence" in d.value.columns)
    assert len(leads) and set(leads["provider_npi"]) == {second}


def test_data_docs_are_kept_and_linked(built_demo, monkeypatch):
    """After an ingest and a build, GX's Data Docs site exists under the data root with a page per stored
    validation, its results carry counts and never a value, and the Data quality page links to it."""
    import json

    from expectations.docs import data_docs_index

    index = data_docs_index(built_demo)
    assert index.exists()
    results = list((built_demo.home / "gx" / "uncommitted" / "validations").rglob("*.json"))
    suites = {json.loads(p.read_text())["suite_name"] for p in results}
    assert "remit_claims" in suites and any(
        s.startswith("mart_") for s in suites
    )  # the ingest's and the build's
    pages = list((index.parent / "validations").rglob("*.html"))
    assert len(pages) >= len(results)
    for p in results:
        for r in json.loads(p.read_text())["results"]:
            assert not r["result"].get("partial_unexpected_list")
            assert "unexpected_list" not in r["result"] and "partial_unexpected_counts" not in r["result"]
    at = _page("data_quality.py", built_demo.home, monkeypatch)
    assert [m for m in at.markdown if "Data Docs" in m.value and "localhost:8580/gx/" in m.value]


def test_a_link_naming_a_value_the_data_lacks_says_so(built_demo, monkeypatch):
    """?type=837I on a world with professional claims only: the filter stays empty and the sidebar says why."""
    monkeypatch.setenv("REVCYCLE_HOME", str(built_demo.home))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["type"] = "837I"
    at.run()
    assert not at.exception
    assert [c for c in at.sidebar.caption if "837I" in c.value and "not in this data" in c.value]
    assert at.multiselect(key="f_type").value == []
