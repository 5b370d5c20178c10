-- Days to pay (payer turnaround, docs/metrics.md): the days from a chain's first 837 to its first
-- adjudication, as counts: one row per first-adjudication month x payer x rendering provider x location x claim
-- type x number of days, with how many chains took that long.  Counts, not a median per cell: a median of
-- medians is not a median, while the counts give the exact median and 90th percentile of any set of cells
-- the Collections page selects (dashboards/queries.py, quantiles_from_counts), without reading every chain.
select
    cast(date_trunc('month', first_adjudication_date) as date) as month,
    payer_id,
    rendering_npi,
    location_id,
    claim_type,
    {{ days_between('first_submission_date', 'first_adjudication_date') }} as days_to_pay,
    count(*) as chains
from {{ ref('fct_claim_chains') }}
where is_adjudicated and has_submission
group by 1, 2, 3, 4, 5, 6
