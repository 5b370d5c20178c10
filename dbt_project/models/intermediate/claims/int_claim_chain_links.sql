{{ config(**chain_model_config(pre_hook="{{ delete_relinked_claims() }}")) }}
-- incremental by batch, plus the claims a new remit relinks (macros/incremental_chains.sql)
-- depends_on: {{ ref('int_build_batches') }}
-- Which chain each 837 submission belongs to (DOMAIN.md §0.2).  A chain is one encounter billed to one
-- payer: the original claim, its replacements/voids and every 835 answer.  Linking, in priority order:
--   1. ref_f8   : a frequency 7/8 claim whose REF*F8 equals the CLP07 (payer claim number) of an 835 joins
--                 that 835's claim, even when the provider gave the corrected claim a new CLM01;
--   2. claim_id : otherwise CLM01 = CLP01 (the payer must echo the patient control number).
-- 835s join chains by CLP01; a reversal echoes the original CLP01 (X12 RFI 1945), so it lands in the
-- same chain as the adjudication it reverses.
with submissions as (
    select * from {{ ref('stg_x12__claims') }}
    where {{ claims_to_link() }}
),

remit_claim_numbers as (
    select
        payer_claim_control_number,
        min(claim_id) as claim_id
    from {{ ref('stg_x12__remit_claims') }}
    where payer_claim_control_number is not null
    {% if is_incremental() -%}
    and payer_claim_control_number in (select original_reference from submissions)
    {%- endif %}
    group by payer_claim_control_number
),

linked as (
    select
        submissions.claim_key,
        submissions.claim_id,
        submissions.submission_date,
        submissions.frequency_code,
        submissions.total_charge_amount,
        coalesce(remit_claim_numbers.claim_id, submissions.claim_id) as chain_id,
        case
            when remit_claim_numbers.claim_id is not null
                and remit_claim_numbers.claim_id <> submissions.claim_id then 'ref_f8'
            else 'claim_id'
        end as match_reason,
        ----------  lineage
        submissions._source_batch,
        {{ build_seq_stamp() }} as _build_seq
    from submissions
    left join {{ ref('claim_frequency') }} as frequency on frequency.frequency_code = submissions.frequency_code
    left join remit_claim_numbers
        on frequency.chain_role in ('replacement', 'void')
        and remit_claim_numbers.payer_claim_control_number = submissions.original_reference
)

select * from linked
