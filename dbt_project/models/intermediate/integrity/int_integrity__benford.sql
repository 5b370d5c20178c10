-- Benford's law on amounts that should occur naturally (DOMAIN.md §3.9): the payee's non-contractual CAS
-- adjustments (contractual CARC 45 and sequestration 253 follow the fee schedule, which never conforms)
-- and PLB provider adjustments, >= $10.  First-digit MAD against log10(1 + 1/d); Nigrini's cut-off for
-- nonconformity.  Line charges are deliberately left out: a chargemaster price list fails Benford by design.
with adjustments as (
    select
        payments.payee_npi as provider_npi,
        remit_claims.remit_date as amount_date,
        abs(adj.adjustment_amount) as amount
    from {{ ref('stg_x12__remit_adjustments') }} as adj
    inner join {{ ref('stg_x12__remit_claims') }} as remit_claims using (remit_claim_key)
    inner join {{ ref('stg_x12__remit_payments') }} as payments
        on payments._source_file_id = remit_claims._source_file_id
        and payments.st_index = remit_claims.st_index
    where adj.reason_code not in ('45', '253')
    union all
    select provider_id, fiscal_period_date, abs(adjustment_amount)
    from {{ ref('stg_x12__remit_provider_adjustments') }}
),

digits as (
    select
        provider_npi,
        amount_date,
        cast(left(cast(floor(amount) as bigint)::string, 1) as integer) as first_digit
    from adjustments
    where amount >= 10 and provider_npi is not null
),

counts as (
    select provider_npi, first_digit, count(*) as n
    from digits
    group by all
),

totals as (
    select
        provider_npi,
        count(*) as amounts,
        min(amount_date) as period_start,
        max(amount_date) as period_end
    from digits
    group by all
    having count(*) >= {{ var('benford_min_amounts') }}
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
