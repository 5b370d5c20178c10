"""Integrity rules scored against a generated world's injected truth (issue: billing-integrity signals).

A health-system world (300 providers, so specialty peer groups are big enough) of ~20k claims over three
months, through the same ingest / reference / dbt steps as `revcycle run`.  Deterministic rules must find
what was injected (recall >= 0.95) and little else (precision >= 0.9); statistical rules are leads, so
their precision@k is reported and must beat chance by a wide margin.  A quarter of a 20k-claim system is
small for the defaults (20 other E/M peers, 20 modifier opportunities a year), so it is built with the
thresholds such a system would set; benchmarks/integrity_eval.py scores the defaults at 200,000 claims.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.evaluation.integrity import evaluate_generated_world, format_table
from pipelines.generate import Config
from pipelines.integrity_rules import INJECTED


@pytest.mark.e2e
def test_rules_against_injected_truth(settings, tmp_path):
    cfg = Config(out=tmp_path / "world", claims=20_000, seed=7, months=3, start=date(2024, 1, 1),
                 profile="health-system")  # fmt: skip
    small_system = {"em_min_peers": 10, "modifier_min_opportunities": 10}
    scores = {s.rule: s for s in evaluate_generated_world(cfg, settings, small_system)}
    print("\n" + format_table(list(scores.values())))
    assert set(scores) == set(INJECTED)
    deterministic = [s for s in scores.values() if s.kind == "deterministic"]
    assert len(deterministic) == 8  # every injected rule but the three peer statistics
    for s in deterministic:
        rule = s.rule
        assert s.truth > 0, f"{rule}: the world injected nothing to find"
        assert s.recall >= 0.95, f"{rule}: recall {s.recall} ({s.true_positives}/{s.truth})"
        assert s.precision >= 0.9, f"{rule}: precision {s.precision} ({s.true_positives}/{s.findings})"
    for s in scores.values():
        if s.kind == "deterministic":
            continue
        rule = s.rule
        # ~5% of providers are anomalous for a statistical rule: precision@k at 0.5 is 10x chance
        assert s.precision_at_k is not None and s.precision_at_k >= 0.5, (
            f"{rule}: precision@k {s.precision_at_k}"
        )
