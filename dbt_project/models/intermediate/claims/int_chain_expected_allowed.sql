-- Expected allowed per chain (DOMAIN.md §1.5 net A/R, §1.11): the lines of the chain's latest 837
-- priced at contract (lesser of charge and rate x units, seed contract_fee_schedule); a line without a
-- contract rate is expected at its charge x the payer's allowed-to-charge ratio observed on paid lines
-- (1 when the payer has none yet, i.e. net = gross).
with latest_submissions as (
    select chain_id, claim_key
    from {{ ref('int_claim_chain_links') }}
    qualify row_number() over (partition by chain_id order by submission_date desc, claim_key desc) = 1
),

lines as (
    select
        latest_submissions.chain_id,
        claims.payer_id,
        cl.claim_key || '#' || cl.line_number as line_key,
        cl.procedure_code,
        cl.modifier_1,
        coalesce(cl.units, 1) as units,
        cl.charge_amount,
        coalesce(cl.service_date, claims.statement_from_date, claims.submission_date) as priced_on
    from latest_submissions
    inner join {{ ref('stg_x12__claims') }} as claims on claims.claim_key = latest_submissions.claim_key
    inner join {{ ref('stg_x12__claim_lines') }} as cl on cl.claim_key = latest_submissions.claim_key
),

priced as (
    {{ contract_price('lines', 'line_key', service_date='priced_on') }}
),

payer_ratio as (
    select payer_id, sum(actual_allowed_amount) / nullif(sum(charge_amount), 0) as allowed_to_charge
    from {{ ref('int_remit_lines_classified') }}
    where is_adjudication and is_primary_adjudication and not has_line_denial and paid_amount > 0
    group by payer_id
),

final as (
    select
        priced.chain_id,
        sum(priced.charge_amount)::decimal(18, 2) as line_charge_amount,
        sum(
            coalesce(
                least(priced.charge_amount, priced.allowed_per_unit * priced.units),
                priced.charge_amount * coalesce(payer_ratio.allowed_to_charge, 1)
            )
        )::decimal(18, 2) as expected_allowed,
        bool_and(priced.allowed_per_unit is not null) as is_fully_contracted
    from priced
    left join payer_ratio on payer_ratio.payer_id = priced.payer_id
    group by priced.chain_id
)

select * from final
