-- E/M upcoding leads (docs/integrity.md): a provider's share of high-level visits in an E/M family and year
-- against specialty peers (same taxonomy, family, year and place-of-service setting: office, facility and
-- telehealth visits are coded against different expectations, so a telehealth-heavy provider is compared
-- with telehealth peers; var em_peers_by_setting).  Flag when the provider has enough visits, at least
-- em_min_peers OTHER providers are in the group (the provider itself never counts towards its own peer
-- group), the share is at or above the peer percentile AND the one-proportion z against
-- the peers' pooled share is large.  The pooled share leaves the provider out, so a heavy upcoder does not
-- raise its own baseline.  z is undefined when the peer share is 0 or 1 (no finding then).
-- A robust z of the share against the peers' median and MAD must agree (when the MAD is not 0), so a
-- provider is only flagged when it stands out both from the pooled rate and from the typical peer.
-- $ at stake: billed charges above what the same visits would bill at the peers' charge per visit.
with lines as (
    select
        counted.*,
        {%- if var('em_peers_by_setting') %}
        coalesce(pos.setting, 'other') as pos_setting
        {%- else %}
        'all' as pos_setting
        {%- endif %}
    from {{ ref('int_integrity__counted_lines') }} as counted
    left join {{ ref('place_of_service') }} as pos on pos.place_of_service = counted.place_of_service
    where counted.is_em
),

providers as (
    select
        provider_npi,
        provider_taxonomy,
        em_family,
        pos_setting,
        year(service_date) as service_year,
        min(service_date) as period_start,
        max(service_date) as period_end,
        count(*) as visits,
        count(*) filter (where is_em_high) as high_visits,
        avg(em_level) as mean_level,
        sum(charge_amount)::double as charges
    from lines
    group by all
    having count(*) >= {{ var('em_min_visits') }}
),

peers as (
    select
        provider_taxonomy,
        em_family,
        pos_setting,
        service_year,
        count(*) as peer_count,
        sum(visits) as peer_visits,
        sum(high_visits) as peer_high_visits,
        sum(charges) as peer_charges,
        {{ percentile_cont('high_visits / visits', var('em_percentile')) }} as share_percentile,
        median(high_visits / visits) as median_share
    from providers
    group by all
),

peer_mad as (
    select
        providers.provider_taxonomy,
        providers.em_family,
        providers.pos_setting,
        providers.service_year,
        median(abs(providers.high_visits / providers.visits - peers.median_share)) as mad_share
    from providers
    inner join peers using (provider_taxonomy, em_family, pos_setting, service_year)
    group by all
),

scored as (
    select
        providers.*,
        high_visits / visits as high_share,
        peers.peer_count,
        peers.share_percentile,
        peers.median_share,
        peer_mad.mad_share,
        (peers.peer_high_visits - high_visits) / nullif(peers.peer_visits - visits, 0) as peer_share,
        (peers.peer_charges - charges) / nullif(peers.peer_visits - visits, 0) as peer_charge_per_visit
    from providers
    inner join peers using (provider_taxonomy, em_family, pos_setting, service_year)
    inner join peer_mad using (provider_taxonomy, em_family, pos_setting, service_year)
),

with_z as (
    select
        *,
        {{ one_proportion_z('high_share', 'peer_share', 'visits') }} as z,
        {{ robust_z('high_share', 'median_share', 'mad_share') }} as robust_z
    from scored
),

findings as (
    select
        'em_upcoding' as rule_id,
        provider_npi,
        period_start,
        period_end,
        high_share as measured_value,
        share_percentile as threshold,
        peer_share as peer_statistic,
        z as score,
        greatest(charges - visits * peer_charge_per_visit, 0)::decimal(18, 2) as dollars_at_stake,
        em_family || ' (' || pos_setting || ') ' || service_year || ': ' || high_visits || ' of ' || visits || ' visits ('
            || round(100 * high_share, 1) || '%) at the top levels vs ' || round(100 * peer_share, 1)
            || '% for ' || (peer_count - 1) || ' peers (' || provider_taxonomy || '); peer P'
            || round(100 * {{ var('em_percentile') }}) || ' ' || round(100 * share_percentile, 1) || '%, z = '
            || round(z, 1) || ', robust z = ' || coalesce(cast(round(robust_z, 1) as string), 'n/a (MAD 0)')
            || '; mean level ' || round(mean_level, 2) as evidence
    from with_z
    where peer_count - 1 >= {{ var('em_min_peers') }}
        and high_share >= share_percentile
        and z >= {{ var('em_min_z') }}
        and (robust_z is null or robust_z >= {{ var('outlier_robust_z') }})
)

select * from findings
