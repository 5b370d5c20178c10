"""revcycle installed as a user installs it: `pip install` of the wheel (not editable) into a fresh virtualenv,
then used from another directory with only REVCYCLE_HOME set (make test-wheel; needs the package registry that
`make setup` uses)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.settings import PROJECT_ROOT

pytestmark = pytest.mark.wheel


def _run(cmd: list, env: dict, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(c) for c in cmd], check=False, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, (
        f"{cmd[:3]} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict, Path]:
    """(the fresh virtualenv's bin folder, an environment naming only REVCYCLE_HOME, a working directory
    outside the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheels = tmp / "wheels"
    # the checkout's build artifacts (dbt's target/, a data root) must not matter: build from a clean copy
    src = tmp / "src"
    shutil.copytree(PROJECT_ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "data", "target", "logs", "__pycache__", "*.egg-info", "build"))  # fmt: skip
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, src], dict(os.environ), tmp)
    (wheel,) = wheels.glob("revcycle-*.whl")
    venv = tmp / "venv"
    # a venv made from this one's interpreter is based on the base Python, with none of this venv's packages
    _run([sys.executable, "-m", "venv", venv], dict(os.environ), tmp)
    _run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, "-c", PROJECT_ROOT / "constraints.txt"],
         dict(os.environ), tmp)  # fmt: skip
    work = tmp / "elsewhere"
    work.mkdir()
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env |= {"REVCYCLE_HOME": str(work / "home"), "PATH": f"{venv / 'bin'}:{env.get('PATH', '')}",
            "REVCYCLE_SETTLE_SECONDS": "0"}  # fmt: skip
    return venv / "bin", env, work


def test_the_installed_package_runs_outside_the_checkout(installed):
    bin_dir, env, work = installed
    where = _run(
        [bin_dir / "python", "-c", "import pipelines, dashboards; print(pipelines.__file__)"], env, work
    )
    assert str(bin_dir.parent) in where.stdout and str(PROJECT_ROOT) not in where.stdout

    doctor = _run([bin_dir / "revcycle", "doctor"], env, work)
    assert "FAIL" not in doctor.stdout

    _run([bin_dir / "revcycle", "generate", "--claims", "500", "--out", "world", "--quiet"], env, work)
    landing = work / "home" / "landing"
    shutil.copytree(work / "world" / "landing", landing, dirs_exist_ok=True)
    _run([bin_dir / "revcycle", "run", "-q"], env, work)

    summary = json.loads(_run([bin_dir / "revcycle", "summary", "--json"], env, work).stdout)
    with open(work / "world" / "truth" / "claims.csv", newline="") as fh:
        truth_claims = sum(1 for _ in csv.DictReader(fh))
    assert summary["quarantined"] == 0
    assert summary["claims_submitted"] == truth_claims

    # dbt's artifacts went under the data root, not into the installed package
    site_project = next(
        (bin_dir.parent / "lib").glob("python3.*/site-packages/pipelines/project/dbt_project")
    )
    assert not (site_project / "target").exists() and not (site_project / "logs").exists()
    assert (work / "home" / "dbt" / "target" / "manifest.json").exists()
