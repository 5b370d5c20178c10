"""A generated world through ingest + dbt (the CLI functions, the `built_world` fixture): the marts recover
the generator's truth."""

from __future__ import annotations

import pytest

from tests.conftest import generated_world_dir
from tests.e2e.truth_checks import assert_marts_match_truth


@pytest.mark.e2e
def test_marts_recover_the_generator_truth(built_world):
    # run_generated_world raised unless every landed file was accepted (none partial, none quarantined)
    assert_marts_match_truth(generated_world_dir(built_world), built_world)
