{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}
-- One row per encounter: was it billed, how long after the visit (charge lag = first 837 submission date -
-- date of service), and for unbilled encounters how old they are as of the latest date in the data.
-- A view on DuckDB over int_encounter_claims (incremental): the unbilled age moves with every new day;
-- the date it is aged to is int_encounter_billing_as_of (one row, rebuilt every build).
select
    e.encounter_id,
    e.claim_id,
    e.patient_id,
    e.rendering_npi,
    e.payer_id,
    e.location_id,
    e.service_date,
    e.first_submission_date,
    e.line_count,
    e.charge_amount,
    e.first_submission_date is not null as is_billed,
    {{ days_between("e.service_date", "e.first_submission_date") }} as charge_lag_days,
    case when e.first_submission_date is null
        then {{ days_between("e.service_date", "(select as_of_date from " ~ ref('int_encounter_billing_as_of') ~ ")") }}
    end as unbilled_age_days
from {{ ref('int_encounter_claims') }} as e
