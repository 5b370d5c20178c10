-- Initial denial rate by month (docs/metrics.md, "Initial denial rate"), count and dollars, two variants side
-- by side.  Chains the provider voided leave numerators and denominators; a duplicate denial (CARC 18/B13)
-- is no decision, so a chain answered only with duplicates is not adjudicated — duplicates are counted apart
-- (claims_duplicate_denied, by the month of the chain's first duplicate denial).
--   * simple (cohort):  chains whose first adjudication in the month was a denial
--                        / chains first adjudicated in the month;
--   * HFMA (lagged):    the same numerator / average monthly chains *submitted* over the 3 months before
--                        the month (HFMA Claim Integrity Task Force: denials arrive weeks after submission).
-- Dollar twins use the chain's gross charge.  Rows are long: `dimension` is all | payer | provider |
-- location | root_cause | carc | cpt with its value; for root_cause and carc (the CARC of the largest denied
-- amount) the denominators are the whole book's (a cause or CARC is only known for denied chains).
-- cpt is counted in service lines (count_unit = 'lines'): the SVC lines of each chain's first
-- adjudication with that procedure code, denied when the line carries a denial adjustment or its claim was
-- denied whole and the line unpaid; its HFMA denominator is the lines submitted on chains' first 837s.  Months without three prior months of submissions have a null HFMA rate.
-- denied chains by cause (root cause, CARC) come from the chains; every other count from the activity mart
with chains as (
    select
        coalesce(initial_root_cause, 'UNSPECIFIED') as root_cause,
        coalesce(initial_primary_carc, 'UNSPECIFIED') as primary_carc,
        is_initially_denied,
        total_charge_amount::double as charge,
        date_trunc('month', first_adjudication_date)::date as adjudication_month
    from {{ ref('fct_claim_chains') }}
    where not is_voided and is_adjudicated
),

-- the claims-level parts of every month and segment, summed per dimension: the same rows a page filtering
-- several segments sums (fct_claim_activity_monthly holds which chains count where)
activity_by_dimension as (
    {{ by_dimension(ref('fct_claim_activity_monthly'), [('payer', 'payer_id'), ('provider', 'rendering_npi'), ('location', 'location_id')]) }}
),

cohort as (
    select
        dimension,
        dimension_value,
        month,
        sum(claims_adjudicated)::bigint as claims_adjudicated,
        sum(claims_initially_denied)::bigint as claims_initially_denied,
        cast(sum(charges_adjudicated) as double) as charges_adjudicated,
        cast(sum(charges_initially_denied) as double) as charges_initially_denied
    from activity_by_dimension
    group by 1, 2, 3
    having sum(claims_adjudicated) > 0
),

denied_by_cause as (
    select 'root_cause' as dimension, root_cause as dimension_value, * from chains where is_initially_denied
    union all
    select 'carc', primary_carc, * from chains where is_initially_denied
),

root_cause_cohort as (
    select
        d.dimension,
        d.dimension_value,
        d.adjudication_month as month,
        max(a.claims_adjudicated) as claims_adjudicated,
        count(*) as claims_initially_denied,
        max(a.charges_adjudicated) as charges_adjudicated,
        sum(d.charge) as charges_initially_denied
    from denied_by_cause as d
    inner join cohort as a
        on a.dimension = 'all' and a.month = d.adjudication_month
    group by 1, 2, 3
),

first_adjudication_lines as (
    select
        lines.procedure_code,
        date_trunc('month', lines.remit_date)::date as month,
        lines.is_line_denied,
        lines.charge_amount::double as charge
    from {{ ref('int_remit_lines_classified') }} as lines
    where lines.is_initial_decision
),

cpt_cohort as (
    select
        'cpt' as dimension,
        coalesce(procedure_code, 'unknown') as dimension_value,
        month,
        count(*) as claims_adjudicated,
        sum(case when is_line_denied then 1 else 0 end) as claims_initially_denied,
        sum(charge) as charges_adjudicated,
        sum(case when is_line_denied then charge else 0 end) as charges_initially_denied
    from first_adjudication_lines
    group by 1, 2, 3
),

duplicates as (
    select dimension, dimension_value, month, sum(claims_duplicate_denied)::bigint as claims_duplicate_denied
    from activity_by_dimension
    group by 1, 2, 3
    having sum(claims_duplicate_denied) > 0
),

duplicate_only as (
    -- a month with duplicate denials and no first decision still gets its row
    select
        d.dimension,
        d.dimension_value,
        d.month,
        cast(0 as bigint) as claims_adjudicated,
        cast(0 as bigint) as claims_initially_denied,
        cast(0 as double) as charges_adjudicated,
        cast(0 as double) as charges_initially_denied
    from duplicates as d
    left join cohort as c
        on c.dimension = d.dimension and c.dimension_value = d.dimension_value and c.month = d.month
    where c.month is null
),

all_cohorts as (
    select * from cohort
    union all
    select * from duplicate_only
    union all
    select * from root_cause_cohort
    union all
    select * from cpt_cohort
),

first_submissions as (
    -- each chain's first 837 claim (fct_claim_chains keeps its key: ranking ten million chains' links here
    -- again cost most of this model's time)
    select first_claim_key as claim_key, first_submission_date as submission_date
    from {{ ref('fct_claim_chains') }}
    where is_billed
),

submitted_lines as (
    select
        'cpt' as dimension,
        coalesce(cl.procedure_code, 'unknown') as dimension_value,
        date_trunc('month', fs.submission_date)::date as month,
        count(*) as claims_submitted,
        sum(cl.charge_amount::double) as charges_submitted
    from {{ ref('stg_x12__claim_lines') }} as cl
    inner join first_submissions as fs on fs.claim_key = cl.claim_key
    group by 1, 2, 3
),

submitted as (
    select dimension, dimension_value, month, sum(claims_submitted_not_voided)::bigint as claims_submitted,
           cast(sum(charges_submitted_not_voided) as double) as charges_submitted
    from activity_by_dimension
    group by 1, 2, 3
    having sum(claims_submitted_not_voided) > 0
    union all
    select * from submitted_lines
),

lagged as (
    select
        c.dimension,
        c.dimension_value,
        c.month,
        -- months with no submissions count as zero in the 3-month average; divided as double (3.0 is a
        -- decimal literal, which Spark divides at 6 places where DuckDB goes to double)
        sum(s.claims_submitted) / cast(3 as double) as avg_claims_submitted_prior_3m,
        sum(s.charges_submitted) / cast(3 as double) as avg_charges_submitted_prior_3m
    from all_cohorts as c
    inner join submitted as s
        on s.dimension = case when c.dimension in ('root_cause', 'carc') then 'all' else c.dimension end
        and s.dimension_value = case when c.dimension in ('root_cause', 'carc') then 'all' else c.dimension_value end
        and s.month >= c.month - interval 3 month
        and s.month < c.month
    group by 1, 2, 3
),

first_month as (
    select min(month) as first_submission_month from submitted where dimension = 'all'
),

final as (
    select
        c.month,
        c.dimension,
        c.dimension_value,
        case when c.dimension = 'cpt' then 'lines' else 'claims' end as count_unit,
        c.claims_adjudicated,
        -- a sum of ints is HUGEINT in DuckDB and BIGINT in Spark: one type for both engines
        c.claims_initially_denied::bigint as claims_initially_denied,
        c.claims_initially_denied / nullif(c.claims_adjudicated, 0) as initial_denial_rate_simple,
        c.charges_initially_denied / nullif(c.charges_adjudicated, 0) as initial_denial_rate_simple_dollars,
        l.avg_claims_submitted_prior_3m,
        case when c.month >= (select first_submission_month from first_month) + interval 3 month
            then c.claims_initially_denied / nullif(l.avg_claims_submitted_prior_3m, 0)
        end as initial_denial_rate_hfma,
        case when c.month >= (select first_submission_month from first_month) + interval 3 month
            then c.charges_initially_denied / nullif(l.avg_charges_submitted_prior_3m, 0)
        end as initial_denial_rate_hfma_dollars,
        c.charges_adjudicated,
        c.charges_initially_denied,
        coalesce(d.claims_duplicate_denied, 0)::bigint as claims_duplicate_denied
    from all_cohorts as c
    left join lagged as l
        on l.dimension = c.dimension and l.dimension_value = c.dimension_value and l.month = c.month
    left join duplicates as d
        on d.dimension = c.dimension and d.dimension_value = c.dimension_value and d.month = c.month
)

select * from final
