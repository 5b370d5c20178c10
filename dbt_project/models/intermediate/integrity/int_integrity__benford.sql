-- First-digit test of submitted line charges per rendering provider (docs/integrity.md).
-- Charges come from a chargemaster: one price per code, so a provider's first digits follow its code mix,
-- and raw charges fail Benford's log10(1 + 1/d) by construction.  The expected distribution is therefore
-- the provider's specialty peers' (same taxonomy, leave-one-out pooled first-digit shares), the comparable-
-- data baseline Nigrini recommends when the data do not meet Benford's preconditions; the distance from
-- Benford's law itself is reported beside it.  A lead needs both a large deviation (MAD above
-- benford_mad_nonconformity, Nigrini's first-digit nonconformity cut-off) and a significant one (Pearson
-- chi-square with 8 degrees of freedom above benford_chi2_critical, 26.12 = p 0.001), over at least
-- benford_min_amounts charges and integrity_min_peers other providers.
with digits as (
    select * from {{ ref('int_integrity__benford_digits') }}
),

expected_benford as (
    select d as first_digit, log10(1 + 1 / d) as benford_share
    from (values (1), (2), (3), (4), (5), (6), (7), (8), (9)) as t(d)
),

providers as (
    select
        provider_npi,
        provider_taxonomy,
        sum(amounts) as amounts,
        min(period_start) as period_start,
        max(period_end) as period_end
    from digits
    group by all
),

taxonomy_digits as (
    select provider_taxonomy, first_digit, sum(amounts) as amounts
    from digits
    group by all
),

taxonomies as (
    select provider_taxonomy, sum(amounts) as amounts, count(distinct provider_npi) as providers
    from digits
    group by all
),

cells as (
    select
        providers.provider_npi,
        providers.provider_taxonomy,
        providers.amounts as provider_amounts,
        providers.period_start,
        providers.period_end,
        taxonomies.providers - 1 as peer_count,
        expected_benford.first_digit,
        expected_benford.benford_share,
        coalesce(mine.amounts, 0) as observed,
        coalesce(mine.amounts, 0) / providers.amounts as observed_share,
        (coalesce(all_digits.amounts, 0) - coalesce(mine.amounts, 0))
            / nullif(taxonomies.amounts - providers.amounts, 0) as peer_share
    from providers
    inner join taxonomies on taxonomies.provider_taxonomy = providers.provider_taxonomy
    cross join expected_benford
    left join digits as mine
        on mine.provider_npi = providers.provider_npi
        and mine.provider_taxonomy = providers.provider_taxonomy
        and mine.first_digit = expected_benford.first_digit
    left join taxonomy_digits as all_digits
        on all_digits.provider_taxonomy = providers.provider_taxonomy
        and all_digits.first_digit = expected_benford.first_digit
    where providers.amounts >= {{ var('benford_min_amounts') }}
),

scored as (
    select
        provider_npi,
        provider_taxonomy,
        provider_amounts,
        period_start,
        period_end,
        peer_count,
        avg(abs(observed_share - peer_share)) as mad_peers,
        avg(abs(observed_share - benford_share)) as mad_benford,
        -- cells the peers never use contribute nothing (an expected count of 0 has no chi-square term)
        sum(case when peer_share > 0
            then power(observed - provider_amounts * peer_share, 2) / (provider_amounts * peer_share)
            else 0 end) as chi_square,
        max_by(first_digit, observed_share - peer_share) as most_excess_digit
    from cells
    group by all
),

findings as (
    select
        'benford_nonconformity' as rule_id,
        provider_npi,
        period_start,
        period_end,
        mad_peers as measured_value,
        {{ var('benford_mad_nonconformity') }}::double as threshold,
        mad_benford as peer_statistic,
        chi_square / {{ var('benford_chi2_critical') }} as score,
        'first digits of ' || provider_amounts || ' submitted line charges >= $10: MAD '
            || round(mad_peers, 4) || ' from ' || peer_count || ' ' || provider_taxonomy
            || ' peers (nonconformity above ' || {{ var('benford_mad_nonconformity') }} || '), chi-square '
            || round(chi_square, 1) || ' (8 df; p < 0.001 above ' || {{ var('benford_chi2_critical') }}
            || '); MAD from Benford''s law ' || round(mad_benford, 4) || '; most over-represented leading digit: '
            || most_excess_digit as evidence
    from scored
    where peer_count >= {{ var('integrity_min_peers') }}
        and mad_peers > {{ var('benford_mad_nonconformity') }}
        and chi_square > {{ var('benford_chi2_critical') }}
)

select * from findings
