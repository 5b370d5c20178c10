-- Claim activity by month and segment (payer × rendering provider × location × claim type): the additive
-- parts of the denial and volume KPIs, so that a page filtering any combination of those sums rows of this
-- mart instead of re-deriving a definition from the chains (docs/metrics.md, "Initial denial rate").
-- kpi_denial_rate_monthly builds its all / payer / provider / location rows from these same rows.
-- Each chain counts in up to three months: that of its first 837 (submitted), of its first adjudication
-- (adjudicated, denied, paid) and of its first duplicate denial.  A chain the provider voided (frequency 8)
-- counts as submitted volume and its payments as cash, but in no denial numerator or denominator.
with chains as (
    select
        payer_id,
        rendering_npi,
        location_id,
        claim_type,
        is_voided,
        has_submission,
        is_adjudicated,
        is_initially_denied,
        -- money as decimals: sums are exact in any order, so an incremental build equals a full one to the cent
        cast(total_charge_amount as decimal(18, 2)) as charge,
        cast(coalesce(total_paid_amount, 0) as decimal(18, 2)) as paid,
        date_trunc('month', first_submission_date)::date as submission_month,
        date_trunc('month', first_adjudication_date)::date as adjudication_month,
        date_trunc('month', first_duplicate_denial_date)::date as duplicate_month
    from {{ ref('fct_claim_chains') }}
),

events as (
    -- each kind of event summed on its own before the union: the final sum then adds a few thousand rows per
    -- kind instead of summing ten columns, most of them zero, over every chain two or three times
    select
        submission_month as month, payer_id, rendering_npi, location_id, claim_type,
        count(*) as claims_submitted,
        sum(charge) as charges_submitted,
        sum(case when is_voided then 0 else 1 end) as claims_submitted_not_voided,
        sum(case when is_voided then 0 else charge end) as charges_submitted_not_voided,
        0 as claims_adjudicated, 0 as claims_initially_denied,
        cast(0 as decimal(18, 2)) as charges_adjudicated, cast(0 as decimal(18, 2)) as charges_initially_denied,
        cast(0 as decimal(18, 2)) as paid_amount,
        0 as claims_duplicate_denied
    from chains
    where has_submission and submission_month is not null
    group by 1, 2, 3, 4, 5
    union all
    select
        adjudication_month, payer_id, rendering_npi, location_id, claim_type,
        0, cast(0 as decimal(18, 2)), 0, cast(0 as decimal(18, 2)),
        sum(case when is_voided then 0 else 1 end),
        sum(case when not is_voided and is_initially_denied then 1 else 0 end),
        sum(case when is_voided then 0 else charge end),
        sum(case when not is_voided and is_initially_denied then charge else 0 end),
        sum(paid),
        0
    from chains
    where is_adjudicated and adjudication_month is not null
    group by 1, 2, 3, 4, 5
    union all
    select
        duplicate_month, payer_id, rendering_npi, location_id, claim_type,
        0, cast(0 as decimal(18, 2)), 0, cast(0 as decimal(18, 2)), 0, 0, cast(0 as decimal(18, 2)), cast(0 as decimal(18, 2)), cast(0 as decimal(18, 2)),
        count(*)
    from chains
    where duplicate_month is not null and not is_voided
    group by 1, 2, 3, 4, 5
),

payer_names as (
    select payer_id, payer_name
    from (
        select
            payer_id,
            payer_name,
            row_number() over (partition by payer_id order by count(*) desc, payer_name) as rank_in_payer
        from {{ ref('fct_claim_chains') }}
        where payer_id is not null and payer_name is not null
        group by payer_id, payer_name
    ) as ranked
    where rank_in_payer = 1
),

final as (
    select
        e.month,
        e.payer_id,
        p.payer_name,
        e.rendering_npi,
        e.location_id,
        e.claim_type,
        -- sums of ints are HUGEINT in DuckDB and BIGINT in Spark: one type for both engines
        sum(e.claims_submitted)::bigint as claims_submitted,
        cast(sum(e.charges_submitted) as decimal(18, 2)) as charges_submitted,
        sum(e.claims_submitted_not_voided)::bigint as claims_submitted_not_voided,
        cast(sum(e.charges_submitted_not_voided) as decimal(18, 2)) as charges_submitted_not_voided,
        sum(e.claims_adjudicated)::bigint as claims_adjudicated,
        sum(e.claims_initially_denied)::bigint as claims_initially_denied,
        cast(sum(e.charges_adjudicated) as decimal(18, 2)) as charges_adjudicated,
        cast(sum(e.charges_initially_denied) as decimal(18, 2)) as charges_initially_denied,
        cast(sum(e.paid_amount) as decimal(18, 2)) as paid_amount,
        sum(e.claims_duplicate_denied)::bigint as claims_duplicate_denied
    from events as e
    left join payer_names as p on p.payer_id = e.payer_id
    group by e.month, e.payer_id, p.payer_name, e.rendering_npi, e.location_id, e.claim_type
)

select * from final
