-- One row per billing-integrity finding: a lead for review with the rows that support it, never a verdict
-- (docs/integrity.md).  Rule ids are pipelines/integrity_rules.py RULES (seed integrity_rules).  Grain by rule:
-- line (NCCI, MUE, duplicates, 25 without a procedure), claim (excluded provider, after death), provider-day (impossible /
-- improbable day), provider-period (E/M upcoding, modifiers, volume outliers, Benford).
{%- set rule_models = ['ncci_unbundling', 'mue_excess', 'duplicates', 'provider_days', 'excluded_provider',
                       'service_after_death', 'em_upcoding', 'modifier_overuse', 'modifier_25_no_procedure',
                       'volume_outlier', 'benford'] %}

with unioned as (
    {%- set relations = [] %}
    {%- for m in rule_models %}{% do relations.append(ref('int_integrity__' ~ m)) %}{% endfor %}
    {{ union_by_name(relations) }}
),

rules as (
    select * from {{ ref('integrity_rules') }}
),

final as (
    select
        md5(concat_ws('|', unioned.rule_id, provider_npi, claim_id, line_number, service_date, period_start, evidence))
            as finding_id,
        unioned.rule_id,
        rules.rule_label,
        rules.rule_kind,
        rules.severity,
        rules.level as finding_level,
        provider_npi,
        claim_id,
        line_number::integer as line_number,
        service_date,
        coalesce(period_start, service_date) as period_start,
        coalesce(period_end, service_date) as period_end,
        measured_value::double as measured_value,
        threshold::double as threshold,
        peer_statistic::double as peer_statistic,
        score::double as score,
        coalesce(dollars_at_stake, 0)::decimal(18, 2) as dollars_at_stake,
        evidence,
        coalesce(evidence_claim_ids, {{ empty_string_list() }}) as evidence_claim_ids,
        row_number() over (
            partition by unioned.rule_id
            order by score desc nulls last, dollars_at_stake desc nulls last, provider_npi, claim_id, line_number
        )::integer as rule_rank
    from unioned
    inner join rules on rules.rule_id = unioned.rule_id
)

select * from final
