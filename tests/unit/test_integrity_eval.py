"""The evaluation's statistics, by hand."""

from __future__ import annotations

from pipelines.evaluation.integrity import wilson_interval


def test_wilson_interval():
    # p = 0.9, n = 30: centre (0.9 + 1.96²/60) / (1 + 1.96²/30), half-width 1.96·√(0.003 + 1.96²/3600) / 1.128
    assert wilson_interval(27, 30) == (0.7438, 0.9654)
    assert wilson_interval(38, 38) == (0.9082, 1.0)  # sound at n/n, where the normal interval collapses
    assert wilson_interval(0, 5) == (0.0, 0.4345)
    assert wilson_interval(0, 0) is None
