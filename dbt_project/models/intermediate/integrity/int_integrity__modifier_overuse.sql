-- Modifier 25 / 59 overuse leads (docs/integrity.md), per provider and year against specialty peers.
--   modifier 25: E/M lines carrying 25 / E/M lines on a claim that also has a procedure (the opportunities;
--                25 on an E/M with nothing else that day is a different defect);
--   modifier 59: procedure lines carrying 59 or X{EPSU} / all non-E/M procedure lines.
-- Flag at or above the peer percentile with a large one-proportion z against the leave-one-out peer rate.
with lines as (
    select * from {{ ref('int_integrity__counted_lines') }}
),

claims_with_procedure as (
    select distinct claim_id from lines where not is_em
),

opportunities as (
    select
        lines.provider_npi,
        lines.provider_taxonomy,
        year(lines.service_date) as service_year,
        'modifier 25' as metric,
        lines.service_date,
        {{ list_contains('lines.modifiers', "'25'") }} as used,
        lines.charge_amount
    from lines
    inner join claims_with_procedure using (claim_id)
    where lines.is_em
    union all
    select
        provider_npi,
        provider_taxonomy,
        year(service_date),
        'modifier 59/X',
        service_date,
        {{ list_has_any('modifiers', list_of("'59'", "'XE'", "'XS'", "'XP'", "'XU'")) }},
        charge_amount
    from lines
    where not is_em
),

providers as (
    select
        provider_npi,
        provider_taxonomy,
        service_year,
        metric,
        min(service_date) as period_start,
        max(service_date) as period_end,
        count(*) as opportunities,
        count(*) filter (where used) as used,
        sum(charge_amount) filter (where used) as used_charges
    from opportunities
    group by all
    having count(*) >= {{ var('modifier_min_opportunities') }}
),

peers as (
    select
        provider_taxonomy,
        service_year,
        metric,
        count(*) as peer_count,
        sum(opportunities) as peer_opportunities,
        sum(used) as peer_used,
        {{ percentile_cont('used / opportunities', var('modifier_percentile')) }} as rate_percentile
    from providers
    group by all
),

scored as (
    select
        providers.*,
        used / opportunities as rate,
        peers.peer_count,
        peers.rate_percentile,
        (peers.peer_used - used) / nullif(peers.peer_opportunities - opportunities, 0) as peer_rate
    from providers
    inner join peers using (provider_taxonomy, service_year, metric)
),

with_z as (
    select
        *,
        {{ one_proportion_z('rate', 'peer_rate', 'opportunities') }} as z
    from scored
),

findings as (
    select
        'modifier_overuse' as rule_id,
        provider_npi,
        period_start,
        period_end,
        rate as measured_value,
        rate_percentile as threshold,
        peer_rate as peer_statistic,
        z as score,
        (used_charges * greatest(rate - peer_rate, 0) / nullif(rate, 0))::decimal(18, 2) as dollars_at_stake,
        metric || ' ' || service_year || ': used on ' || used || ' of ' || opportunities || ' opportunities ('
            || round(100 * rate, 1) || '%) vs ' || round(100 * peer_rate, 1) || '% for ' || (peer_count - 1)
            || ' peers (' || provider_taxonomy || '), z = ' || round(z, 1) as evidence
    from with_z
    where peer_count >= {{ var('integrity_min_peers') }}
        and rate >= rate_percentile
        and z >= {{ var('modifier_min_z') }}
)

select * from findings
