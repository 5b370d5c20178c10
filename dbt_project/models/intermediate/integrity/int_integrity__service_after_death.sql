-- Services after the date of death (docs/integrity.md).  Death dates come from the patient-deaths reference
-- (patient master / ADT) and from any institutional claim discharging the patient as expired (CL103 = 20,
-- death = statement through date).  Strictly after: a same-day service is normal.  An institutional stay
-- whose statement period contains the death date is not a finding (its from date is before the death).
-- Every line's date counts: a professional claim can carry several dates of service, and a visit billed on
-- the same claim a week after the death is as much a lead as a claim that starts after it.  The finding
-- names the first date after the death and the charges of every line after it.
-- Paid and unpaid claims alike, as OIG recommends.
with claims as (
    select * from {{ ref('int_integrity__claims') }}
),

deaths as (
    select
        {{ patient_key('member_id', 'birth_date') }} as patient_key,
        death_date,
        'patient master' as death_source,
        cast(null as {{ dbt.type_string() }}) as death_claim_id
    from {{ ref('stg_reference__patient_deaths') }}
    union all
    select patient_key, statement_to_date, 'expired discharge on claim ' || claim_id, claim_id
    from claims
    where discharge_status = '20' and statement_to_date is not null
),

first_death as (
    select
        patient_key,
        min(death_date) as death_date,
        min_by(death_source, death_date) as death_source,
        min_by(death_claim_id, death_date) as death_claim_id
    from deaths
    group by patient_key
),

lines_after_death as (
    select
        lines.claim_id,
        first_death.death_date,
        first_death.death_source,
        first_death.death_claim_id,
        min(lines.service_date) as service_date,
        count(*) as lines_after,
        sum(lines.charge_amount) as charges_after
    from {{ ref('int_integrity__service_lines') }} as lines
    inner join first_death on first_death.patient_key = lines.patient_key
    where coalesce(lines.statement_from_date, lines.service_date) > first_death.death_date
    group by all
),

findings as (
    select
        'service_after_death' as rule_id,
        claims.provider_npi,
        after.claim_id,
        after.service_date,
        after.charges_after as dollars_at_stake,
        {{ days_between('after.death_date', 'after.service_date') }}::double as measured_value,
        after.lines_after || ' line(s) dated after the date of death, the first on ' || after.service_date
            || ', ' || {{ days_between('after.death_date', 'after.service_date') }} || ' day(s) after it ('
            || after.death_source || ')' as evidence,
        -- the discharging claim is evidence too (and so masked with the others for non-PHI viewers); the
        -- date of death itself is not spelled out, only the days between it and the service
        case
            when after.death_claim_id is null then {{ list_of('after.claim_id') }}
            else {{ list_of('after.claim_id', 'after.death_claim_id') }}
        end as evidence_claim_ids
    from lines_after_death as after
    inner join claims on claims.claim_id = after.claim_id
)

select * from findings
