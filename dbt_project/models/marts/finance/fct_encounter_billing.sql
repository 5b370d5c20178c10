-- One row per encounter: was it billed, how long after the visit (charge lag = first 837 submission date -
-- date of service), and for unbilled encounters how old they are as of the latest date in the data.
with encounter_lines as (
    select * from {{ ref('stg_encounters__encounter_lines') }}
),

encounters as (
    select
        encounter_id,
        min(service_date) as service_date,
        max(patient_id) as patient_id,
        max(rendering_npi) as rendering_npi,
        max(payer_id) as payer_id,
        max(location_id) as location_id,
        max(nullif(claim_id, '')) as claim_id,
        count(*) as line_count,
        sum(charge_amount) as charge_amount
    from encounter_lines
    group by encounter_id
),

first_submission as (
    select stg.claim_id, min(stg.submission_date) as first_submission_date
    from {{ ref('stg_x12__claims') }} as stg
    group by stg.claim_id
),

as_of as (
    select max(d) as as_of_date from (
        select max(service_date) as d from encounters
        union all
        select max(first_submission_date) from first_submission
    )
),

final as (
    select
        e.encounter_id,
        e.claim_id,
        e.patient_id,
        e.rendering_npi,
        e.payer_id,
        e.location_id,
        e.service_date,
        fs.first_submission_date,
        e.line_count,
        e.charge_amount::decimal(18, 2) as charge_amount,
        fs.first_submission_date is not null as is_billed,
        {{ days_between("e.service_date", "fs.first_submission_date") }} as charge_lag_days,
        case when fs.first_submission_date is null
            then {{ days_between("e.service_date", "(select as_of_date from as_of)") }}
        end as unbilled_age_days
    from encounters as e
    left join first_submission as fs on fs.claim_id = e.claim_id
)

select * from final
