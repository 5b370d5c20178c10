-- Findings per rule and month.  The compliance team reviews its own leads, so findings / providers /
-- dollars are exact; the shared_* columns are for anything leaving the organisation (a board pack, a payer,
-- a regulator), with CMS small-cell suppression: counts from 1 to 10 are not shown (PEPPER likewise hides
-- numerators and denominators under 11; docs/integrity.md).
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
        findings,
        providers,
        dollars_at_stake,
        {{ suppress_small('findings') }} as shared_findings,
        {{ suppress_small('providers') }} as shared_providers,
        {{ suppress_small('findings', 'dollars_at_stake') }} as shared_dollars_at_stake,
        findings between 1 and 10 or providers between 1 and 10 as is_suppressed_when_shared
    from monthly
)

select * from final
