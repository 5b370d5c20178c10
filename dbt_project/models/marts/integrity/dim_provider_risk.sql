-- One row per provider with at least one finding: findings per rule, dollars at stake and a transparent
-- risk score = sum over rules of weight(rule) x ln(1 + findings of that rule).  Weights live in the
-- integrity_rules seed (documented in docs/integrity.md); the log keeps one noisy rule from swamping the
-- rest while still rewarding repeat patterns.  A lead list for review, not a verdict.
with findings as (
    select * from {{ ref('fct_integrity_findings') }}
),

rules as (
    select * from {{ ref('integrity_rules') }}
),

per_rule as (
    select
        findings.provider_npi,
        findings.rule_id,
        count(*) as findings,
        sum(findings.dollars_at_stake) as dollars_at_stake,
        any_value(rules.weight) * ln(1 + count(*)) as rule_points
    from findings
    inner join rules using (rule_id)
    where findings.provider_npi is not null
    group by all
),

ranked_rules as (
    -- the top rule is the one with most points; a tie goes to the rule id first in order (any engine)
    select *, row_number() over (partition by provider_npi order by rule_points desc, rule_id) as points_rank
    from per_rule
),

volume as (
    select
        provider_npi,
        any_value(provider_taxonomy) as provider_taxonomy,
        any_value(rendering_last_name) as provider_last_name,
        count(distinct chain_id) as claims
    from {{ ref('int_integrity__service_lines') }}
    group by provider_npi
),

final as (
    select
        per_rule.provider_npi,
        volume.provider_taxonomy,
        volume.provider_last_name,
        coalesce(volume.claims, 0) as claims,
        {% for rule in integrity_rule_ids() -%}
        coalesce(sum(per_rule.findings) filter (where per_rule.rule_id = '{{ rule }}'), 0) as {{ rule }}_findings,
        {% endfor -%}
        sum(per_rule.findings) as total_findings,
        count(*) as rules_hit,
        sum(per_rule.dollars_at_stake)::decimal(18, 2) as dollars_at_stake,
        round(sum(per_rule.rule_points), 3) as risk_score,
        max(per_rule.rule_id) filter (where per_rule.points_rank = 1) as top_rule
    from ranked_rules as per_rule
    left join volume using (provider_npi)
    group by per_rule.provider_npi, volume.provider_taxonomy, volume.provider_last_name, volume.claims
),

ranked as (
    select *, row_number() over (order by risk_score desc, dollars_at_stake desc, provider_npi) as risk_rank
    from final
)

select * from ranked
