{{ config(**chain_model_config(
    'chain_id',
    pre_hook="{{ hold_join_sides(true) }}",
    post_hook="{{ hold_join_sides(false) }}",
)) }}
-- incremental by chain (macros/incremental_chains.sql); the joins build on the side written right
-- (macros/portable/join_sides.sql): on the chains, not on the lines
-- depends_on: {{ ref('int_touched_chains') }}
-- Underpayments against contract (docs/metrics.md), one row per service line of each chain's current
-- primary adjudication that has a contract rate (seed contract_fee_schedule):
--   expected_allowed = least(line charge, contract rate x units)    [lesser-of-charge-or-fee-schedule]
--   actual_allowed   = AMT*B6 when sent, else SVC03 + Σ PR on the line
--   variance         = expected_allowed - actual_allowed
--   is_underpaid     = variance > greatest($`underpayment_min_dollars`, `underpayment_min_share` x expected)
--   paid_vs_expected = expected_allowed - Σ PR - SVC03   (catches patient-share misallocation)
-- Excluded: lines with a denial-category CARC (denials, §2), capitation (CARC 24), secondary/tertiary
-- processing, and chains whose latest answer is a reversal (nothing stands to compare).
with chains as (
    select chain_id, payer_id, payer_name, rendering_npi, location_id
    from {{ ref('fct_claim_chains') }}
    where {{ in_touched_chains('chain_id') }}
),

current_primary as (
    -- the chain's current decision (its last primary decision)
    select remit_claim_key, chain_id
    from {{ ref('int_remit_claims_classified') }}
    where primary_decision_seq_desc = 1 and {{ in_touched_chains('chain_id') }}
),

latest_answers as (
    -- is the primary payer's latest answer a reversal (remit_seq orders a chain's answers)
    select chain_id, max_by(is_reversal, remit_seq) as is_reversal
    from {{ ref('int_remit_claims_classified') }}
    where payer_sequence = 1 and {{ in_touched_chains('chain_id') }}
    group by chain_id
),

-- only the columns the model reads: the lines are read three times to be priced (macros/contract_price.sql)
lines as (
    select
        lines.remit_claim_key,
        lines.chain_id,
        lines.line_number,
        lines.procedure_code,
        lines.modifier_1,
        lines.units,
        lines.charge_amount,
        lines.actual_allowed_amount,
        lines.paid_amount,
        lines.line_patient_amount,
        lines.service_date,
        lines.remit_date,
        coalesce(chains.payer_id, lines.payer_id) as contract_payer_id,
        coalesce(lines.service_date, lines.remit_date) as priced_on,
        chains.payer_name,
        chains.rendering_npi,
        chains.location_id
    from {{ ref('int_remit_lines_classified') }} as lines
    inner join current_primary on current_primary.remit_claim_key = lines.remit_claim_key
    left join chains on chains.chain_id = lines.chain_id
    where not lines.has_line_denial and not lines.is_capitated
),

priced as (
    {{ contract_price('lines', payer_id='contract_payer_id', service_date='priced_on') }}
),

final as (
    select
        ----------  ids
        priced.remit_claim_key,
        priced.chain_id,
        priced.line_number,
        ----------  dimensions
        priced.contract_payer_id as payer_id,
        priced.payer_name,
        priced.rendering_npi,
        priced.location_id,
        priced.procedure_code,
        priced.modifier_1,
        priced.units,
        ----------  amounts
        priced.charge_amount,
        priced.allowed_per_unit,
        priced.contract_basis,
        least(priced.charge_amount, priced.allowed_per_unit * priced.units)::decimal(18, 2) as expected_allowed,
        priced.actual_allowed_amount as actual_allowed,
        priced.paid_amount,
        priced.line_patient_amount as patient_amount,
        (least(priced.charge_amount, priced.allowed_per_unit * priced.units) - priced.actual_allowed_amount)
            ::decimal(18, 2) as variance,
        (least(priced.charge_amount, priced.allowed_per_unit * priced.units)
            - priced.line_patient_amount - priced.paid_amount)::decimal(18, 2) as paid_vs_expected,
        least(priced.charge_amount, priced.allowed_per_unit * priced.units) - priced.actual_allowed_amount
            > greatest(
                {{ var('underpayment_min_dollars') }},
                {{ var('underpayment_min_share') }} * least(priced.charge_amount, priced.allowed_per_unit * priced.units)
            ) as is_underpaid,
        ----------  dates
        priced.service_date,
        priced.remit_date,
        ----------  lineage
        {{ build_seq_stamp() }} as _build_seq
    from priced
    left join latest_answers on latest_answers.chain_id = priced.chain_id
    where priced.allowed_per_unit is not null and not coalesce(latest_answers.is_reversal, false)
)

select * from final
{{ storage_order('variance desc') }}
