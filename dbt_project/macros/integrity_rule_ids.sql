{#- The rule ids, in the order dashboards list them.  Must equal pipelines/integrity_rules.py RULES and the
    integrity_rules seed (tests/dbt/test_integrity_rules.py checks all three). -#}
{% macro integrity_rule_ids() %}
{{ return(['excluded_provider', 'excluded_provider_possible', 'service_after_death', 'impossible_day',
           'improbable_day', 'ncci_unbundling', 'mue_excess', 'duplicate_exact', 'duplicate_near',
           'modifier_25_no_procedure', 'em_upcoding', 'modifier_overuse', 'volume_outlier',
           'benford_nonconformity']) }}
{% endmacro %}
