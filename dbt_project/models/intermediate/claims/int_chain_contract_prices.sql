{{ config(**chain_model_config('chain_id')) }}
-- incremental by chain (macros/incremental_chains.sql)
-- depends_on: {{ ref('int_touched_chains') }}
-- The chain-local half of expected allowed (docs/metrics.md net A/R, §1.11): the lines of the chain's latest
-- 837 priced at contract (lesser of charge and rate x units, seed contract_fee_schedule), and the charge of
-- the lines without a contract rate.  Those are expected at the payer's observed allowed-to-charge ratio,
-- which moves with every remit of the payer, so it is applied where it is read (int_chain_expected_allowed,
-- fct_ar_snapshots) and a new day does not reprice every chain.
with latest_submissions as (
    -- the claim as last billed to its primary payer (a secondary claim is priced by the primary's contract)
    select chain_id, claim_key
    from {{ ref('int_claim_chain_links') }}
    where {{ in_touched_chains('chain_id') }} and payer_sequence = 1
    qualify row_number() over (partition by chain_id order by submission_date desc, claim_key desc) = 1
),

lines as (
    select
        latest_submissions.chain_id,
        claims.payer_id,
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
    {{ contract_price('lines', service_date='priced_on') }}
),

final as (
    select
        chain_id,
        -- the latest submission's payer: whose allowed-to-charge ratio prices the uncontracted lines
        min(payer_id) as priced_payer_id,
        sum(charge_amount)::decimal(18, 2) as line_charge_amount,
        -- least() skips nulls on DuckDB and Spark alike: without the case an uncontracted line would count
        -- at its full charge here (as it did before this model was split out of int_chain_expected_allowed)
        coalesce(
            sum(case when allowed_per_unit is not null then least(charge_amount, allowed_per_unit * units) end), 0
        )::decimal(18, 2) as contracted_allowed_amount,
        coalesce(sum(case when allowed_per_unit is null then charge_amount end), 0)::decimal(18, 2)
            as uncontracted_charge_amount,
        bool_and(allowed_per_unit is not null) as is_fully_contracted,
        {{ build_seq_stamp() }} as _build_seq
    from priced
    group by chain_id
)

select * from final
