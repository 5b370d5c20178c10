"""Every revenue-cycle KPI equals the generator's truth, on two seeds and two profiles.

The worlds run 9 months so that denials reach the write-off window and patients reach bad debt; their
truth is summed from the simulated events (pipelines/generate/truth.py), the marts are read as pages read
them (pipelines/evaluation/kpi.py)."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.evaluation.integrity import run_generated_world
from pipelines.generate import Config
from tests.conftest import make_settings
from tests.e2e.truth_checks import assert_marts_match_truth


@pytest.mark.e2e
@pytest.mark.parametrize("seed", [7, 19])
@pytest.mark.parametrize("profile", ["clinic", "multispecialty"])
def test_every_kpi_equals_the_simulated_truth(tmp_path, seed, profile):
    s = make_settings(tmp_path / "home")
    s.ensure_dirs()
    cfg = Config(out=tmp_path / "world", claims=1500, seed=seed, months=9, start=date(2024, 1, 1), profile=profile,
                 weekly_batches=seed == 19)  # fmt: skip
    run_generated_world(cfg, s)
    assert_marts_match_truth(cfg.out, s)
