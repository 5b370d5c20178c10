"""A generated world through ingest + dbt (the CLI functions): the marts recover the generator's truth."""

from __future__ import annotations

import pytest

from pipelines.build import build_warehouse
from pipelines.generate import Config, generate, land_world
from pipelines.ingest import ingest_paths, landed_files
from tests.e2e.truth_checks import assert_marts_match_truth


@pytest.mark.e2e
def test_marts_recover_the_generator_truth(settings, tmp_path):
    world = tmp_path / "world"
    generate(Config(out=world, claims=3000, seed=21, months=4, weekly_batches=True), progress=False)
    land_world(world, settings.landing_dir, settings.reference_landing_dir)
    outcomes = ingest_paths(landed_files(settings), settings)
    assert {o.status for o in outcomes} == {"accepted"}
    build_warehouse(settings)
    assert_marts_match_truth(world, settings)
