-- Volume and cost outliers (docs/integrity.md): services (units), unique patients and billed charges per
-- provider and year against specialty peers, scored with the Iglewicz-Hoaglin modified z
-- 0.6745 * (x - peer median) / peer MAD.  High side only; one finding per provider-year carrying the
-- metric with the largest z, the others in the evidence.  Peers = same taxonomy, year and practice state
-- (837 2010AA N4) when the state has enough of them, else the same taxonomy and year nationally.
with lines as (
    select * from {{ ref('int_integrity__counted_lines') }}
),

providers as (
    select
        provider_npi,
        provider_taxonomy,
        any_value(provider_state) as provider_state,
        year(service_date) as service_year,
        min(service_date) as period_start,
        max(service_date) as period_end,
        sum(units)::double as services,
        count(distinct patient_key)::double as patients,
        sum(charge_amount)::double as charges
    from lines
    group by all
),

metrics as (
    {%- for metric in ['services', 'patients', 'charges'] %}
    select {{ star_except(['services', 'patients', 'charges']) }}, '{{ metric }}' as metric, {{ metric }} as metric_value
    from providers
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

-- every provider-metric in two peer scopes: its practice state and the nation
scoped as (
    select *, 'state ' || provider_state as peer_scope from metrics where provider_state is not null
    union all
    select *, 'national' from metrics
),

scope_stats as (
    select
        provider_taxonomy,
        service_year,
        metric,
        peer_scope,
        count(*) as peer_count,
        median(metric_value) as peer_median,
        median(abs(metric_value - scope_median)) as peer_mad
    from (
        select
            *,
            median(metric_value) over (partition by provider_taxonomy, service_year, metric, peer_scope)
                as scope_median
        from scoped
    )
    group by all
),

-- the state scope when it has enough peers, else the national one
peers as (
    select scoped.provider_npi, scoped.service_year, scoped.metric,
        {{ star_except(['provider_taxonomy', 'service_year', 'metric'], 'scope_stats') }}
    from scoped
    inner join scope_stats
        on scope_stats.provider_taxonomy = scoped.provider_taxonomy
        and scope_stats.service_year = scoped.service_year
        and scope_stats.metric = scoped.metric
        and scope_stats.peer_scope = scoped.peer_scope
    qualify row_number() over (
        partition by scoped.provider_npi, scoped.service_year, scoped.metric
        order by case
            when scoped.peer_scope <> 'national' and scope_stats.peer_count >= {{ var('integrity_min_peers') }} then 0
            when scoped.peer_scope = 'national' then 1
            else 2
        end
    ) = 1
),

scored as (
    select
        metrics.*,
        peers.peer_scope,
        peers.peer_count,
        peers.peer_median,
        peers.peer_mad,
        {{ robust_z('metric_value', 'peers.peer_median', 'peers.peer_mad') }} as z
    from metrics
    inner join peers using (provider_npi, service_year, metric)
    where peers.peer_count >= {{ var('integrity_min_peers') }}
),

ranked as (
    -- the finding carries the metric with the largest z; on a tie (the same ratio to peers on two
    -- metrics) services, then patients, then charges — so every engine reports the same one
    select
        *,
        row_number() over (
            partition by provider_npi, provider_taxonomy, service_year
            order by z desc nulls last, case metric when 'services' then 0 when 'patients' then 1 else 2 end
        ) as z_rank
    from scored
),

findings as (
    select
        'volume_outlier' as rule_id,
        provider_npi,
        min(period_start) as period_start,
        max(period_end) as period_end,
        max(metric_value) filter (where z_rank = 1) as measured_value,
        max(peer_median) filter (where z_rank = 1) as peer_statistic,
        max(z) as score,
        {{ var('outlier_robust_z') }}::double as threshold,
        greatest(
            max(metric_value) filter (where metric = 'charges') - max(peer_median) filter (where metric = 'charges'),
            0
        )::decimal(18, 2) as dollars_at_stake,
        service_year || ' vs ' || max(peer_count) filter (where z_rank = 1) || ' ' || provider_taxonomy
            || ' peers (' || max(peer_scope) filter (where z_rank = 1) || '): '
            || {{ string_agg_ordered(
                "metric || ' ' || round(metric_value) || ' (peer median ' || round(peer_median) || ', z '
                || coalesce(cast(round(z, 1) as string), 'n/a') || ')'", '; ', 'metric') }} as evidence
    from ranked
    group by provider_npi, provider_taxonomy, service_year
    having max(z) >= {{ var('outlier_robust_z') }}
)

select * from findings
