{{ config(**chain_model_config('claim_id')) }}
-- incremental by chain (CLP01 = chain id; macros/incremental_chains.sql)
-- depends_on: {{ ref('int_touched_chains') }}
-- One row per 835 CLP with its denial classification (DOMAIN.md §2.1):
--   * only adjudications count: reversals (CLP02=22), pended (5/10/13/15/16/17), forwarded-not-ours (23)
--     and predeterminations (25) get a null denial_type;
--   * full denial   = CLP02 '4', or nothing paid on a non-zero charge with at least one denial-category CARC;
--   * partial       = something paid and a denial-category CARC with a positive amount on a service line;
--   * deductible-absorbed zero pays (PR-1/2/3 only) and CO-45-only zero pays are NOT denials.
-- Primary root cause = category of the largest denial adjustment; ties go to the front-end cause first.
with remits as (
    select * from {{ ref('stg_x12__remit_claims') }}
    where {{ in_touched_chains('claim_id') }}
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

final as (
    select
        remits.*,
        coalesce(claim_status.is_adjudication, false) as is_adjudication,
        coalesce(claim_status.is_reversal, false) as is_reversal,
        coalesce(claim_status.is_pended, false) as is_pended,
        coalesce(per_claim.has_denial_adjustment, false) as has_denial_adjustment,
        coalesce(per_claim.denied_amount, 0)::decimal(18, 2) as denied_amount,
        coalesce(per_claim.provider_liable_denied_amount, 0)::decimal(18, 2) as provider_liable_denied_amount,
        coalesce(per_claim.contractual_adjustment_amount, 0)::decimal(18, 2) as contractual_adjustment_amount,
        coalesce(per_claim.pr_adjustment_amount, 0)::decimal(18, 2) as pr_adjustment_amount,
        -- secondary/tertiary processing (CLP02 2/3/20/21) answers another payer's liability
        remits.status_code in ('1', '4', '19') as is_primary_adjudication,
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
        ranked_denials.reason_code as primary_carc,
        -- order of the chain's answers (CLP01 = chain id): by remit date, then file and position; the
        -- first adjudication is the initial decision, the last the current one
        row_number() over (
            partition by remits.claim_id, coalesce(claim_status.is_adjudication, false)
            order by remits.remit_date, remits._source_file_id, remits.seg_index
        ) as adjudication_seq,
        row_number() over (
            partition by remits.claim_id, coalesce(claim_status.is_adjudication, false)
            order by remits.remit_date desc, remits._source_file_id desc, remits.seg_index desc
        ) as adjudication_seq_desc,
        row_number() over (
            partition by remits.claim_id order by remits.remit_date, remits._source_file_id, remits.seg_index
        ) as remit_seq,
        {{ build_seq_stamp() }} as _build_seq
    from remits
    left join claim_status on claim_status.status_code = remits.status_code
    left join per_claim on per_claim.remit_claim_key = remits.remit_claim_key
    left join ranked_denials
        on ranked_denials.remit_claim_key = remits.remit_claim_key
        and ranked_denials.denial_rank = 1
)

select * from final
