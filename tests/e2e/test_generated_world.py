"""A generated world through ingest + dbt (the CLI functions): the marts recover the generator's truth."""

from __future__ import annotations

import pytest

from pipelines.generate import Config
from pipelines.integrity_eval import run_generated_world
from tests.e2e.truth_checks import assert_marts_match_truth


@pytest.mark.e2e
def test_marts_recover_the_generator_truth(settings, tmp_path):
    world = tmp_path / "world"
    # run_generated_world raises unless every landed file is accepted (none partial, none quarantined)
    run_generated_world(Config(out=world, claims=3000, seed=21, months=4, weekly_batches=True), settings)
    assert_marts_match_truth(world, settings)
