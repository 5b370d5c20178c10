-- Impossible and improbable days (docs/integrity.md): physician minutes per rendering provider and date of
-- service from the physician-time reference (per unit where the code is timed), professional claims only,
-- anesthesia (00100-01999) left out because its time is reported, duplicates not counted twice.
-- Caveats shown with every finding: incident-to billing under the supervising NPI, split/shared visits and
-- typical times that are not billing requirements -- leads, not verdicts.
with lines as (
    select * from {{ ref('int_integrity__counted_lines') }}
    where claim_type = '837P'
        and procedure_code not between '00100' and '01999'
),

times as (
    select * from {{ ref('stg_reference__physician_time') }}
),

line_minutes as (
    select
        lines.*,
        coalesce(times.total_minutes, 0) * case when times.per_unit then lines.units else 1 end as minutes,
        times.hcpcs is null as without_time
    from lines
    left join times
        on times.hcpcs = lines.procedure_code
        and (times.pfs_year is null or times.pfs_year = year(lines.service_date))
),

-- the minutes first (a plain sum over every provider-day), the evidence only for the days over the line:
-- distinct patients and claim lists over 1.7M lines cost more than the whole rule otherwise
long_days as (
    select provider_npi, service_date
    from line_minutes
    group by provider_npi, service_date
    having sum(minutes) > {{ var('improbable_day_minutes') }}
),

days as (
    select
        line_minutes.provider_npi,
        line_minutes.service_date,
        sum(minutes) as minutes,
        count(distinct patient_key) as patients,
        count(*) as service_lines,
        count(*) filter (where without_time) as lines_without_time,
        sum(charge_amount) as charges,
        {{ list_agg_distinct('claim_id') }} as claim_ids
    from line_minutes
    inner join long_days using (provider_npi, service_date)
    group by line_minutes.provider_npi, line_minutes.service_date
),

findings as (
    select
        case
            when minutes > {{ var('impossible_day_minutes') }} then 'impossible_day'
            else 'improbable_day'
        end as rule_id,
        provider_npi,
        service_date,
        service_date as period_start,
        service_date as period_end,
        minutes as measured_value,
        case
            when minutes > {{ var('impossible_day_minutes') }} then {{ var('impossible_day_minutes') }}
            else {{ var('improbable_day_minutes') }}
        end::double as threshold,
        charges as dollars_at_stake,
        round(minutes / 60, 1) || ' hours of typical physician time on ' || service_date || ' ('
            || service_lines || ' lines, ' || patients || ' patients'
            || case when lines_without_time > 0 then ', ' || lines_without_time || ' lines without a time' else '' end
            || '); typical times are not billing requirements' as evidence,
        claim_ids as evidence_claim_ids
    from days
)

select * from findings
