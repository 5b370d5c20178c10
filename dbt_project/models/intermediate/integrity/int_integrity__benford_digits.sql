{{ config(**chain_model_config()) }}
-- incremental by batch (macros/incremental_chains.sql): a remit's adjustment amounts belong to its own file,
-- so each batch's first-digit counts are computed once, when it is loaded, and the Benford rule sums these
-- few thousand rows instead of re-reading 3M CAS rows every build
-- depends_on: {{ ref('int_touched_chains') }}
-- The amounts Benford's law is tested on (docs/integrity.md): the payee's non-contractual CAS adjustments
-- (contractual CARC 45 and sequestration 253 follow the fee schedule, which never conforms) and PLB provider
-- adjustments, >= $10, counted per raw batch, payee and first digit.
with adjustments as (
    select
        adj._source_batch,
        payments.payee_npi as provider_npi,
        remit_claims.remit_date as amount_date,
        abs(adj.adjustment_amount) as amount
    from {{ ref('stg_x12__remit_adjustments') }} as adj
    inner join {{ ref('stg_x12__remit_claims') }} as remit_claims using (remit_claim_key)
    inner join {{ ref('stg_x12__remit_payments') }} as payments
        on payments._source_file_id = remit_claims._source_file_id
        and payments.st_index = remit_claims.st_index
    where adj.reason_code not in ('45', '253') and {{ in_unseen_batches('adj._source_batch') }}
    union all
    select _source_batch, provider_id, fiscal_period_date, abs(adjustment_amount)
    from {{ ref('stg_x12__remit_provider_adjustments') }}
    where {{ in_unseen_batches('_source_batch') }}
)

select
    _source_batch,
    provider_npi,
    cast(left(cast(floor(amount) as bigint)::string, 1) as integer) as first_digit,
    count(*) as amounts,
    min(amount_date) as period_start,
    max(amount_date) as period_end,
    {{ build_seq_stamp() }} as _build_seq
from adjustments
where amount >= 10 and provider_npi is not null
group by all
