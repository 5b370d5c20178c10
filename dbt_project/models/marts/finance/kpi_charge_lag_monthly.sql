-- Charge lag and unbilled encounters (docs/metrics.md) as counts: one row per service month x payer x
-- rendering provider x location x billed or not x charge lag in days, with its number of encounters.  The
-- Collections page sums the unbilled and takes the exact median lag of any selection from these counts
-- (dashboards/queries.py, quantiles_from_counts) instead of reading every encounter.
select
    cast(date_trunc('month', service_date) as date) as month,
    payer_id,
    rendering_npi,
    location_id,
    is_billed,
    charge_lag_days,
    count(*) as encounters
from {{ ref('fct_encounter_billing') }}
group by 1, 2, 3, 4, 5, 6
