-- Findings per rule and month for shared views, with CMS small-cell suppression: counts from 1 to 10 are
-- not shown (docs/integrity.md general rules; PEPPER hides numerators/denominators under 11).
with findings as (
    select * from {{ ref('fct_integrity_findings') }}
),

monthly as (
    select
        rule_id,
        any_value(rule_label) as rule_label,
        date_trunc('month', period_start)::date as finding_month,
        count(*) as findings,
        count(distinct provider_npi) as providers,
        sum(dollars_at_stake) as dollars_at_stake
    from findings
    group by rule_id, date_trunc('month', period_start)
),

final as (
    select
        rule_id,
        rule_label,
        finding_month,
        {{ suppress_small('findings') }} as findings,
        {{ suppress_small('providers') }} as providers,
        {{ suppress_small('findings', 'dollars_at_stake') }} as dollars_at_stake,
        findings between 1 and 10 or providers between 1 and 10 as is_suppressed
    from monthly
)

select * from final
