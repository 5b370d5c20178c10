{{ config(**chain_model_config('chain_id')) }}
-- incremental by chain (macros/incremental_chains.sql)
-- depends_on: {{ ref('int_touched_chains') }}
-- One row per 835 CLP with its chain, its payer's place in the claim's coordination of benefits and its
-- denial classification (docs/metrics.md, "Denials" and "Coordination of benefits"):
--   * the chain: the one the answered claim id (CLP01) belongs to (int_claim_id_chains), so an answer to a
--     corrected claim sent under a new CLM01 joins the original's chain;
--   * payer_sequence: CLP02 says it when it can (1/19 primary, 2/20 secondary, 3/21 tertiary); otherwise
--     (4 denied, 22 reversal, pends) the payer's place in this chain: the SBR01 of the chain's 837s to that
--     payer, else what its other answers in the chain said, else primary;
--   * only adjudications count: reversals (CLP02=22), pended (5/10/13/15/16/17), forwarded-not-ours (23)
--     and predeterminations (25) get a null denial_type;
--   * full denial   = CLP02 '4', or nothing paid on a non-zero charge with at least one denial-category CARC;
--   * partial       = something paid and a denial-category CARC with a positive amount on a service line;
--   * deductible-absorbed zero pays (PR-1/2/3 only) and CO-45-only zero pays are NOT denials;
--   * a duplicate denial (the largest denial CARC is 18 or B13: the payer answered a copy of a claim it
--     already has) is no decision on the claim: it is counted apart and never becomes the chain's answer.
-- Primary root cause = category of the largest denial adjustment; ties go to the front-end cause first.
-- A primary decision is an adjudication by the primary payer that is not a duplicate denial; the chain's
-- initial decision is the first, its current decision the last (by remit date, then file and position).
with chain_ids as (
    -- narrowed before the join to the remits (see touched_chain_links)
    select claim_id, chain_id from {{ ref('int_claim_id_chains') }}
    where {{ in_touched_chains('chain_id') }}
),

remits as (
    -- read late (rows_where): a day's touched chains answer under 1 % of the 835 claims
    select chain_ids.chain_id, stg.*
    from {{ rows_where(ref('stg_x12__remit_claims'), when_incremental('claim_id in (select claim_id from chain_ids)')) }}
        as stg
    inner join chain_ids on chain_ids.claim_id = stg.claim_id
),

adjustments as (
    select * from {{ ref('int_remit_adjustments_classified') }}
    {% if is_incremental() -%}
    where remit_claim_key in (select remit_claim_key from remits)
    {%- endif %}
),

claim_status as (
    select * from {{ ref('claim_status') }}
),

-- the payer's place in the chain from its 837s (SBR01)
billed_sequence as (
    select chain_id, payer_id, min(payer_sequence) as payer_sequence
    from {{ ref('int_claim_chain_links') }}
    where chain_id in (select chain_id from remits)
    group by chain_id, payer_id
),

stated_sequence as (
    select
        remit_claim_key,
        case
            when status_code in ('1', '19') then 1
            when status_code in ('2', '20') then 2
            when status_code in ('3', '21') then 3
        end as stated_payer_sequence
    from remits
),

answered_sequence as (
    select remits.chain_id, remits.payer_id, min(stated.stated_payer_sequence) as payer_sequence
    from remits
    inner join stated_sequence as stated on stated.remit_claim_key = remits.remit_claim_key
    where stated.stated_payer_sequence is not null
    group by remits.chain_id, remits.payer_id
),

classified_adjustments as (
    select
        remit_claim_key,
        reason_code,
        adjustment_level,
        group_code,
        liability,
        adjustment_amount,
        is_denial,
        root_cause,
        {{ root_cause_precedence('root_cause') }} as root_cause_precedence
    from adjustments
),

ranked_denials as (
    select
        remit_claim_key,
        root_cause,
        reason_code,
        row_number() over (
            partition by remit_claim_key
            order by adjustment_amount desc, root_cause_precedence
        ) as denial_rank
    from classified_adjustments
    where is_denial
),

per_claim as (
    select
        remit_claim_key,
        bool_or(is_denial) as has_denial_adjustment,
        bool_or(is_denial and adjustment_level = 'line' and adjustment_amount > 0) as has_line_denial,
        sum(case when is_denial then adjustment_amount else 0 end) as denied_amount,
        sum(
            case when is_denial and liability = 'provider' then adjustment_amount else 0 end
        ) as provider_liable_denied_amount,
        -- posted per remit once here, so the monthly collections cube sums remits, not 3 CAS rows each
        sum(case when root_cause = 'CONTRACTUAL_PRICING' then adjustment_amount else 0 end)
            as contractual_adjustment_amount,
        sum(case when group_code = 'PR' then adjustment_amount else 0 end) as pr_adjustment_amount,
        count(*) as adjustment_count
    from classified_adjustments
    group by remit_claim_key
),

classified as (
    select
        remits.*,
        coalesce(
            stated.stated_payer_sequence, billed.payer_sequence, answered.payer_sequence, 1
        ) as payer_sequence,
        coalesce(claim_status.is_adjudication, false) as is_adjudication,
        -- forwarded to another payer (CLP02 19/20/21, or a crossover carrier named in NM1*TT)
        coalesce(claim_status.is_adjudication, false) and not coalesce(claim_status.is_reversal, false)
            and (remits.status_code in ('19', '20', '21') or remits.crossover_payer_id is not null)
            as is_crossover,
        coalesce(claim_status.is_reversal, false) as is_reversal,
        coalesce(claim_status.is_pended, false) as is_pended,
        coalesce(per_claim.has_denial_adjustment, false) as has_denial_adjustment,
        coalesce(per_claim.has_line_denial, false) as has_line_denial,
        coalesce(per_claim.denied_amount, 0)::decimal(18, 2) as denied_amount,
        coalesce(per_claim.provider_liable_denied_amount, 0)::decimal(18, 2) as provider_liable_denied_amount,
        coalesce(per_claim.contractual_adjustment_amount, 0)::decimal(18, 2) as contractual_adjustment_amount,
        coalesce(per_claim.pr_adjustment_amount, 0)::decimal(18, 2) as pr_adjustment_amount,
        case
            when not coalesce(claim_status.is_adjudication, false) then null
            when remits.status_code = '4' then 'full'
            when remits.paid_amount = 0 and remits.charge_amount > 0
                and coalesce(per_claim.has_denial_adjustment, false) then 'full'
            when remits.paid_amount > 0 and coalesce(per_claim.has_line_denial, false) then 'partial'
            else 'none'
        end as denial_type,
        case
            when ranked_denials.root_cause is not null then ranked_denials.root_cause
            when remits.status_code = '4' then 'UNSPECIFIED'
        end as primary_root_cause,
        ranked_denials.reason_code as primary_carc
    from remits
    left join claim_status on claim_status.status_code = remits.status_code
    left join per_claim on per_claim.remit_claim_key = remits.remit_claim_key
    left join ranked_denials
        on ranked_denials.remit_claim_key = remits.remit_claim_key
        and ranked_denials.denial_rank = 1
    left join stated_sequence as stated on stated.remit_claim_key = remits.remit_claim_key
    left join billed_sequence as billed
        on billed.chain_id = remits.chain_id and billed.payer_id = remits.payer_id
    left join answered_sequence as answered
        on answered.chain_id = remits.chain_id and answered.payer_id = remits.payer_id
),

decided as (
    select
        *,
        coalesce(denial_type = 'full' and primary_root_cause = 'DUPLICATE', false) as is_duplicate_denial,
        is_adjudication and payer_sequence = 1
            and not coalesce(denial_type = 'full' and primary_root_cause = 'DUPLICATE', false) as is_primary_decision
    from classified
),

final as (
    select
        *,
        -- kept for the readers that name it: an adjudication by the primary payer (duplicates included)
        is_adjudication and payer_sequence = 1 as is_primary_adjudication,
        -- the chain's primary decisions in order: the first is the initial decision, the last the current one.
        -- One ordering of the chain serves all three (a window sorts every column of its rows, fifty here,
        -- and three orderings sorted them three times); the position (date, file, segment) has no ties.
        case when is_primary_decision then sum(case when is_primary_decision then 1 else 0 end) over (
            partition by chain_id order by remit_date, _source_file_id, seg_index
            rows between unbounded preceding and current row
        ) end as primary_decision_seq,
        case when is_primary_decision then sum(case when is_primary_decision then 1 else 0 end) over (
            partition by chain_id order by remit_date, _source_file_id, seg_index
            rows between current row and unbounded following
        ) end as primary_decision_seq_desc,
        row_number() over (
            partition by chain_id order by remit_date, _source_file_id, seg_index
        ) as remit_seq,
        {{ build_seq_stamp() }} as _build_seq
    from decided
)

select * from final
{{ storage_order('chain_id') }}
