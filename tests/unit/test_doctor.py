from pipelines.cli.doctor import FAIL, OK, WARN, run_checks
from pipelines.cli.main import main


def test_doctor_on_a_fresh_home(settings, capsys):
    results = {name: status for name, status, _ in run_checks(settings)}
    assert results["python"] == OK and results["packages"] == OK and results["dbt"] == OK
    assert results["warehouse"] == WARN  # nothing built yet: a hint, not a failure
    assert main(["doctor"]) == 0
    assert "no warehouse yet" in capsys.readouterr().out


def test_doctor_reports_a_broken_warehouse(settings):
    settings.warehouse_path.write_bytes(b"not a duckdb file")
    results = {name: (status, msg) for name, status, msg in run_checks(settings)}
    assert results["warehouse"][0] == FAIL
    assert str(settings.warehouse_path) in results["warehouse"][1]


def test_doctor_names_missing_reference_data(settings):
    from pipelines.reference import load_reference_file
    from tests.unit.test_reference_loaders import LEIE

    status, msg = {n: (s, m) for n, s, m in run_checks(settings)}["reference"]
    assert status == WARN and "ncci_ptp" in msg and "leie" in msg
    load_reference_file(LEIE, settings)
    status, msg = {n: (s, m) for n, s, m in run_checks(settings)}["reference"]
    assert status == WARN and "leie" not in msg and "ncci_ptp" in msg
