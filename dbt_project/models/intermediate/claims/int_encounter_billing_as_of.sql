{{ config(materialized='table') }}
-- The date unbilled encounters are aged to: the latest service date or first 837 submission in the data.
-- One row, rebuilt every build: when fct_encounter_billing (a view) computed it, every read of the view
-- aggregated every claim by claim id, even reads that never touch the unbilled age (the Collections page's
-- unbilled count and charge lag: 1.6 of its 1.9 s at ten million claims).
select max(d) as as_of_date
from (
    select max(service_date) as d from {{ ref('int_encounter_claims') }}
    union all
    select max(first_submission_date) from (
        select min(submission_date) as first_submission_date
        from {{ ref('stg_x12__claims') }}
        group by claim_id
    )
)
