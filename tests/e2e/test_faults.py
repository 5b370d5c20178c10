"""Crash safety: SIGKILL `revcycle run` (ingest and dbt build) at random points, rerun, and the warehouse
equals an uninterrupted run's, table by table (row counts and sums of every numeric column)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.generate import Config, generate, land_world
from tests.conftest import make_settings

REVCYCLE = str(Path(sys.executable).parent / "revcycle")
TABLES = ["fct_claim_chains", "fct_denials", "fct_ar_snapshots", "kpi_denial_rate_monthly",
          "kpi_collections_monthly", "fct_remit_payments", "fct_encounter_billing", "stg_revcycle__files",
          "fct_integrity_findings", "dim_provider_risk"]  # fmt: skip
MIXED = (Path(__file__).parents[1] / "fixtures" / "x12-samples"
         / "imsweb__x12-parser/src__test__resources__837_5010__x12_multiple_st.txt")  # fmt: skip


def _run(home: Path, kill_after: float | None = None, command: str = "run") -> int | None:
    env = {**os.environ, "REVCYCLE_HOME": str(home)}
    proc = subprocess.Popen([REVCYCLE, command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    if kill_after is None:
        return proc.wait(timeout=600)
    time.sleep(kill_after)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)  # dbt runs as a child process: kill the whole group
    proc.wait()
    return None


def _fingerprint(home: Path) -> dict:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    out = {}
    for t in TABLES:
        cols = con.execute(
            "select column_name from information_schema.columns where table_name = ? and data_type in "
            "('BIGINT','INTEGER','HUGEINT','DOUBLE','DECIMAL(18,2)','DECIMAL(38,2)')",
            [t],
        ).fetchall()
        sums = ", ".join(f"round(sum({c[0]})::double, 2)" for c in cols if c[0] != "row_number") or "null"
        out[t] = con.execute(f"select count(*), {sums} from {t}").fetchone()
    con.close()
    return out


@pytest.mark.e2e
def test_killed_runs_converge_to_the_uninterrupted_result(tmp_path):
    world = tmp_path / "world"
    generate(Config(out=world, claims=1200, seed=8, months=3, weekly_batches=True), progress=False)

    def fresh_home(name: str) -> Path:
        s = make_settings(tmp_path / name)
        s.ensure_dirs()
        land_world(world, s.landing_dir, s.reference_landing_dir, move=False)
        # one file whose second transaction set is broken: the first loads, the second is quarantined
        (s.landing_dir / "mixed_837.x12").write_bytes(
            MIXED.read_bytes().replace(b"CLM*A37YH556*500", b"CLM*A37YH556*5X0", 1)
        )
        return s.home

    clean = fresh_home("clean")
    assert _run(clean) == 1  # exit 1: something was quarantined (the broken transaction set)
    expected = _fingerprint(clean)
    assert expected["fct_integrity_findings"][0] > 0
    assert expected["fct_claim_chains"][0] > 1000

    crashed = fresh_home("crashed")
    rng = random.Random(4)
    for _ in range(3):  # mostly inside the ingest
        _run(crashed, kill_after=rng.uniform(1.0, 10.0))
    for _ in range(3):  # inside dbt build, after a published warehouse exists or not
        _run(crashed, kill_after=rng.uniform(2.0, 12.0), command="build")
    # exit 1 if this run quarantined the broken set, 0 if a killed run already had (the file is then known)
    assert _run(crashed) in (0, 1)
    assert _fingerprint(crashed) == expected
    reasons = [json.loads(p.read_text()) for p in (crashed / "quarantine").glob("*/reason.json")]
    assert [(r["file"], r["status"]) for r in reasons] == [("mixed_837.x12", "partial")]
    # nothing half-published is left behind
    assert not any((crashed / "raw" / "_staging").iterdir())
    # and dropping the same files again changes nothing
    assert _run(crashed) == 0
    assert _fingerprint(crashed) == expected
