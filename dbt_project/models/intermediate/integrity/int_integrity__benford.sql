-- Benford's law on amounts that should occur naturally (docs/integrity.md): the payee's non-contractual CAS
-- adjustments and PLB provider adjustments, >= $10 (int_integrity__benford_digits).  First-digit MAD
-- against log10(1 + 1/d); Nigrini's cut-off for nonconformity.  Line charges are deliberately left out: a chargemaster price list fails Benford by design.
with digits as (
    select * from {{ ref('int_integrity__benford_digits') }}
),

counts as (
    select provider_npi, first_digit, sum(amounts) as n
    from digits
    group by all
),

totals as (
    select
        provider_npi,
        sum(amounts) as amounts,
        min(period_start) as period_start,
        max(period_end) as period_end
    from digits
    group by all
    having sum(amounts) >= {{ var('benford_min_amounts') }}
),

expected as (
    select d as first_digit, log10(1 + 1 / d) as expected_share
    from (values (1), (2), (3), (4), (5), (6), (7), (8), (9)) as t(d)
),

deviation as (
    select
        totals.provider_npi,
        totals.amounts,
        totals.period_start,
        totals.period_end,
        avg(abs(coalesce(counts.n, 0) / totals.amounts - expected.expected_share)) as mad,
        max_by(expected.first_digit, coalesce(counts.n, 0) / totals.amounts - expected.expected_share)
            as most_excess_digit
    from totals
    cross join expected
    left join counts
        on counts.provider_npi = totals.provider_npi and counts.first_digit = expected.first_digit
    group by all
),

findings as (
    select
        'benford_nonconformity' as rule_id,
        provider_npi,
        period_start,
        period_end,
        mad as measured_value,
        {{ var('benford_mad_nonconformity') }}::double as threshold,
        mad / {{ var('benford_mad_nonconformity') }} as score,
        'first-digit MAD ' || round(mad, 4) || ' over ' || amounts || ' adjustment amounts >= $10 (Nigrini '
            || 'nonconformity above ' || {{ var('benford_mad_nonconformity') }} || '); most over-represented '
            || 'leading digit: ' || most_excess_digit as evidence
    from deviation
    where mad > {{ var('benford_mad_nonconformity') }}
)

select * from findings
