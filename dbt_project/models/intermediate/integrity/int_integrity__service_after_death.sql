-- Services after the date of death (docs/integrity.md).  Death dates come from the patient-deaths reference
-- (patient master / ADT) and from any institutional claim discharging the patient as expired (CL103 = 20,
-- death = statement through date).  Strictly after: a same-day service is normal.  An institutional stay
-- whose statement period contains the death date is not a finding (its from date is before the death).
-- Paid and unpaid claims alike, as OIG recommends.
with claims as (
    select * from {{ ref('int_integrity__claims') }}
),

deaths as (
    select
        {{ patient_key('member_id', 'birth_date') }} as patient_key,
        death_date,
        'patient master' as death_source
    from {{ ref('stg_reference__patient_deaths') }}
    union all
    select patient_key, statement_to_date, 'expired discharge on claim ' || claim_id
    from claims
    where discharge_status = '20' and statement_to_date is not null
),

first_death as (
    select patient_key, min(death_date) as death_date, min_by(death_source, death_date) as death_source
    from deaths
    group by patient_key
),

findings as (
    select
        'service_after_death' as rule_id,
        claims.provider_npi,
        claims.claim_id,
        claims.service_date,
        claims.charge_amount as dollars_at_stake,
        {{ days_between('first_death.death_date', 'claims.service_date') }}::double as measured_value,
        'service on ' || claims.service_date || ', ' || {{ days_between('first_death.death_date', 'claims.service_date') }}
            || ' day(s) after the date of death ' || first_death.death_date || ' (' || first_death.death_source || ')'
            as evidence,
        {{ list_of('claims.claim_id') }} as evidence_claim_ids
    from claims
    inner join first_death on first_death.patient_key = claims.patient_key
    where coalesce(claims.statement_from_date, claims.service_date) > first_death.death_date
)

select * from findings
