-- Modifier 25 / 59 overuse leads (docs/integrity.md), per provider and year against specialty peers, each
-- rate over its own opportunity set:
--   modifier 25: E/M lines carrying 25 / E/M lines billed on a day the provider also billed the patient a
--                procedure with a global surgical package (int_integrity__procedure_days).  An E/M with only
--                labs or imaging that day needs no 25 and is no opportunity; 25 with no procedure at all is
--                the line-level rule modifier_25_no_procedure;
--   modifier 59: column-2 lines of an NCCI edit (indicator 1) whose column-1 code was billed the same day
--                carrying 59 or X{EPSU} / all such lines -- the only lines where 59 changes the payment.
-- Flag at or above the peer percentile with a large one-proportion z against the leave-one-out peer rate,
-- with at least integrity_min_peers OTHER providers in the group.
with lines as (
    select * from {{ ref('int_integrity__counted_lines') }}
),

procedure_days as (
    select * from {{ ref('int_integrity__procedure_days') }}
),

edits as (
    select * from {{ ref('stg_reference__ncci_ptp') }}
    where modifier_indicator = '1'
),

ncci_column_2_lines as (
    select distinct col2.line_key
    {{ ncci_pairs_billed_together('lines', 'edits') }}
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
    inner join procedure_days
        on procedure_days.patient_key = lines.patient_key
        and procedure_days.provider_npi = lines.provider_npi
        and procedure_days.service_date = lines.service_date
    where lines.is_em
    union all
    select
        lines.provider_npi,
        lines.provider_taxonomy,
        year(lines.service_date),
        'modifier 59/X',
        lines.service_date,
        {{ list_has_any('lines.modifiers', list_of("'59'", "'XE'", "'XS'", "'XP'", "'XU'")) }},
        lines.charge_amount
    from lines
    inner join ncci_column_2_lines using (line_key)
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
    where peer_count - 1 >= {{ var('integrity_min_peers') }}
        and rate >= rate_percentile
        and z >= {{ var('modifier_min_z') }}
)

select * from findings
