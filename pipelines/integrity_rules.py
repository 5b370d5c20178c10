"""The one list of billing-integrity rule ids.

The generator writes these ids into truth/anomalies and the integrity models (dbt) emit the same ids
in fct_integrity_findings, so precision and recall can be scored rule by rule.
"""

EM_UPCODING = "em_upcoding"
NCCI_UNBUNDLING = "ncci_unbundling"
MUE_EXCESS = "mue_excess"
DUPLICATE_EXACT = "duplicate_exact"
DUPLICATE_NEAR = "duplicate_near"
IMPOSSIBLE_DAY = "impossible_day"
IMPROBABLE_DAY = "improbable_day"
EXCLUDED_PROVIDER = "excluded_provider"
EXCLUDED_PROVIDER_POSSIBLE = "excluded_provider_possible"
SERVICE_AFTER_DEATH = "service_after_death"
VOLUME_OUTLIER = "volume_outlier"
MODIFIER_OVERUSE = "modifier_overuse"
MODIFIER_25_NO_PROCEDURE = "modifier_25_no_procedure"
BENFORD = "benford_nonconformity"

# In the order the dashboards list them; dbt's integrity_rule_ids() macro and the integrity_rules seed
# must match (tests/dbt/test_integrity_rules.py).
RULES = (
    EXCLUDED_PROVIDER,
    EXCLUDED_PROVIDER_POSSIBLE,
    SERVICE_AFTER_DEATH,
    IMPOSSIBLE_DAY,
    IMPROBABLE_DAY,
    NCCI_UNBUNDLING,
    MUE_EXCESS,
    DUPLICATE_EXACT,
    DUPLICATE_NEAR,
    MODIFIER_25_NO_PROCEDURE,
    EM_UPCODING,
    MODIFIER_OVERUSE,
    VOLUME_OUTLIER,
    BENFORD,
)
# Rules the generator injects with known truth (truth/anomalies.csv); the others have no labels.
INJECTED = tuple(r for r in RULES if r not in (EXCLUDED_PROVIDER_POSSIBLE, IMPROBABLE_DAY, BENFORD))
# Rules whose generator truth is a provider rather than a claim, line or day.
PROVIDER_LEVEL = (EM_UPCODING, VOLUME_OUTLIER, MODIFIER_OVERUSE)
