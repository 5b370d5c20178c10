-- Billing by excluded providers (DOMAIN.md §3.6).  A claim whose billing, rendering or referring NPI is on
-- the LEIE with the date of service on or after the exclusion date and before any reinstatement; a waiver
-- (granted for one state) is shown in the evidence rather than silently dropping the lead.  LEIE rows
-- without an NPI (most of them) match on the rendering provider's last + first name as a *probable* match
-- for a human to confirm: the 837 carries no provider date of birth, so OIG's DOB cannot be compared here.
with claims as (
    select * from {{ ref('int_integrity__claims') }}
),

leie as (
    select * from {{ ref('stg_reference__leie') }}
),

npi_matches as (
    select
        claims.*,
        leie.exclusion_type,
        leie.exclusion_date,
        leie.reinstatement_date,
        leie.waiver_date,
        leie.waiver_state,
        case
            when leie.npi = claims.billing_npi then 'billing NPI'
            when list_contains(claims.line_provider_npis, leie.npi) then 'rendering NPI'
            else 'referring NPI'
        end as matched_on
    from claims
    inner join leie
        on leie.npi is not null
        and (
            leie.npi = claims.billing_npi
            or list_contains(claims.line_provider_npis, leie.npi)
            or leie.npi = claims.referring_npi
        )
),

name_matches as (
    select
        claims.*,
        leie.exclusion_type,
        leie.exclusion_date,
        leie.reinstatement_date,
        leie.waiver_date,
        leie.waiver_state,
        'rendering provider name (probable; confirm identity)' as matched_on
    from claims
    inner join leie
        on leie.npi is null
        and leie.last_name = upper(claims.rendering_last_name)
        and leie.first_name = upper(claims.rendering_first_name)
),

in_window as (
    select * from npi_matches
    where service_date >= exclusion_date and (reinstatement_date is null or service_date < reinstatement_date)
    union all
    select * from name_matches
    where service_date >= exclusion_date and (reinstatement_date is null or service_date < reinstatement_date)
),

findings as (
    select
        'excluded_provider' as rule_id,
        provider_npi,
        claim_id,
        service_date,
        charge_amount as dollars_at_stake,
        datediff('day', exclusion_date, service_date)::double as measured_value,
        'LEIE match on ' || matched_on || ': excluded ' || exclusion_date || ' (' || coalesce(exclusion_type, '?')
            || '), no reinstatement before the ' || service_date || ' date of service'
            || case when waiver_date is not null
                then '; OIG waiver from ' || waiver_date || ' for ' || coalesce(waiver_state, '?') || ': check the state'
                else '' end as evidence,
        [claim_id] as evidence_claim_ids
    from in_window
    qualify row_number() over (partition by claim_id order by exclusion_date) = 1
)

select * from findings
