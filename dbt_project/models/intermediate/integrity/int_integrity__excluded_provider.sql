{{ config(**chain_model_config('chain_id')) }}
-- incremental by chain (macros/incremental_chains.sql): a lead is one claim's against the LEIE, which is
-- reference data (a new LEIE file changes the project's fingerprint, and the next build is a full one)
-- depends_on: {{ ref('int_touched_chains') }}
-- Billing by excluded providers (docs/integrity.md).  A claim whose billing, rendering or referring NPI is on
-- the LEIE with the date of service on or after the exclusion date and before any reinstatement; a waiver
-- (granted for one state) is shown in the evidence rather than silently dropping the lead.
-- Match strength decides the rule: an NPI match is `excluded_provider` (critical).  LEIE rows without an
-- NPI (most of the real list) can only match on the rendering provider's last + first name; with common
-- names that alone would raise critical leads against namesakes, so a name match counts only when the
-- LEIE state equals the billing provider's state, and then as `excluded_provider_possible` -- a possible
-- match to verify (OIG's online search shows the excluded person's address and, for a fee-free check, the
-- DOB to compare with the credentialing file), weighted lower.  The 837 carries no provider DOB.
with claims as (
    select * from {{ ref('int_integrity__claims') }}
    where {{ in_touched_chains('chain_id') }}
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
    select claims.claim_id, 'rendering provider name and state (possible match; verify identity)', 4, leie.*
    from claims
    inner join leie
        on leie.npi is null
        and leie.last_name = upper(claims.rendering_last_name)
        and leie.first_name = upper(claims.rendering_first_name)
        and leie.state = upper(claims.provider_state)
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
        case when match_rank < 4 then 'excluded_provider' else 'excluded_provider_possible' end as rule_id,
        provider_npi,
        claim_id,
        service_date,
        charge_amount as dollars_at_stake,
        {{ days_between('exclusion_date', 'service_date') }}::double as measured_value,
        'LEIE match on ' || matched_on || ': excluded ' || exclusion_date || ' (' || coalesce(exclusion_type, '?')
            || '), no reinstatement before the ' || service_date || ' date of service; last listed in the '
            || coalesce(cast(last_listed_on as string), 'undated') || ' snapshot'
            || case when waiver_date is not null
                then '; OIG waiver from ' || waiver_date || ' for ' || coalesce(waiver_state, '?') || ': check the state'
                else '' end as evidence,
        {{ list_of('claim_id') }} as evidence_claim_ids,
        chain_id,
        {{ build_seq_stamp() }} as _build_seq
    from in_window
    qualify row_number() over (partition by claim_id order by match_rank, exclusion_date) = 1
)

select * from findings
