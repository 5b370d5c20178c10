-- Known death dates by patient as the 837 identifies one: member id + date of birth.
with source as (
    select * from {{ source('reference', 'patient_deaths') }}
),

deaths as (
    select
        member_id,
        birth_date,
        min(death_date) as death_date,
        min(death_source) as death_source
    from source
    group by member_id, birth_date
)

select * from deaths
