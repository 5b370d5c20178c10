from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from pipelines.warehouse import headline_kpis

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
