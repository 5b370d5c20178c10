"""The rule ids live in one list (pipelines/integrity_rules.py); dbt's seed and macro must agree with it."""

from __future__ import annotations

import csv
import re

from pipelines.integrity_rules import INJECTED, PROVIDER_LEVEL, RULES
from pipelines.settings import PROJECT_ROOT

DBT = PROJECT_ROOT / "dbt_project"


def test_seed_lists_every_rule_once_in_order():
    with open(DBT / "seeds" / "integrity_rules.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["rule_id"] for r in rows] == list(RULES)
    kinds = {r["rule_id"]: r["rule_kind"] for r in rows}
    # facts about a line, claim or day (precision/recall in the evaluation); the rest are peer statistics
    deterministic = {"excluded_provider", "excluded_provider_possible", "service_after_death", "impossible_day", "improbable_day",
                     "ncci_unbundling", "mue_excess", "duplicate_exact", "duplicate_near", "modifier_25_no_procedure"}  # fmt: skip
    assert {r for r, k in kinds.items() if k == "deterministic"} == deterministic
    assert all(float(r["weight"]) > 0 for r in rows)


def test_dbt_macro_matches_the_python_list():
    text = (DBT / "macros" / "integrity_rule_ids.sql").read_text()
    assert re.findall(r"'([a-z0-9_]+)'", text) == list(RULES)


def test_generator_truth_rules_are_known():
    assert set(INJECTED) <= set(RULES)
    assert set(PROVIDER_LEVEL) <= set(INJECTED)
