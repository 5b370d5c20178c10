-- Billing by excluded providers (docs/integrity.md).  A claim whose billing, rendering or referring NPI is on
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

-- every NPI on a claim with its role (equi-joins: the LEIE has ~80k rows, the claims millions)
claim_npis as (
    select claim_id, billing_npi as npi, 'billing NPI' as matched_on, 1 as match_rank from claims
    union all
    select claim_id, {{ explode('line_provider_npis') }}, 'rendering NPI', 2 from claims
    union all
    select claim_id, referring_npi, 'referring NPI', 3 from claims where referring_npi is not null
),

matches as (
    select claim_npis.claim_id, claim_npis.matched_on, claim_npis.match_rank, leie.*
    from claim_npis
    inner join leie on leie.npi = claim_npis.npi
    union all
    select claims.claim_id, 'rendering provider name (probable; confirm identity)', 4, leie.*
    from claims
    inner join leie
        on leie.npi is null
        and leie.last_name = upper(claims.rendering_last_name)
        and leie.first_name = upper(claims.rendering_first_name)
),

in_window as (
    select claims.*, {{ star_except(['claim_id'], 'matches') }}
    from matches
    inner join claims using (claim_id)
    where claims.service_date >= matches.exclusion_date
        and (matches.reinstatement_date is null or claims.service_date < matches.reinstatement_date)
),

findings as (
    select
        'excluded_provider' as rule_id,
        provider_npi,
        claim_id,
        service_date,
        charge_amount as dollars_at_stake,
        {{ days_between('exclusion_date', 'service_date') }}::double as measured_value,
        'LEIE match on ' || matched_on || ': excluded ' || exclusion_date || ' (' || coalesce(exclusion_type, '?')
            || '), no reinstatement before the ' || service_date || ' date of service'
            || case when waiver_date is not null
                then '; OIG waiver from ' || waiver_date || ' for ' || coalesce(waiver_state, '?') || ': check the state'
                else '' end as evidence,
        {{ list_of('claim_id') }} as evidence_claim_ids
    from in_window
    qualify row_number() over (partition by claim_id order by match_rank, exclusion_date) = 1
)

select * from findings
