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
EXCLUDED_PROVIDER = "excluded_provider"
SERVICE_AFTER_DEATH = "service_after_death"
VOLUME_OUTLIER = "volume_outlier"
MODIFIER_OVERUSE = "modifier_overuse"

RULES = (
    EM_UPCODING,
    NCCI_UNBUNDLING,
    MUE_EXCESS,
    DUPLICATE_EXACT,
    DUPLICATE_NEAR,
    IMPOSSIBLE_DAY,
    EXCLUDED_PROVIDER,
    SERVICE_AFTER_DEATH,
    VOLUME_OUTLIER,
    MODIFIER_OVERUSE,
)
# Rules whose truth is a provider (statistical) rather than a claim line.
PROVIDER_LEVEL = (EM_UPCODING, VOLUME_OUTLIER, MODIFIER_OVERUSE)
