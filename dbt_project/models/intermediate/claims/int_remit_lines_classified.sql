{{ config(**chain_model_config('chain_id')) }}
-- incremental by chain (macros/incremental_chains.sql)
-- depends_on: {{ ref('int_touched_chains') }}
-- depends_on: {{ ref('stg_x12__remit_claims') }}
-- depends_on: {{ ref('int_claim_id_chains') }}
-- One row per 835 service line (SVC) with its own adjustments summed and classified, and the
-- classification of the CLP it belongs to.  The line grain behind fct_denial_lines, the CPT dimension of
-- kpi_denial_rate_monthly and fct_underpayments.
--   line_denied_amount     = Σ denial-category CAS on the line (seed carc_root_cause)
--   line_patient_amount    = Σ PR adjustments on the line
--   line_root_cause / carc = category and CARC of the line's largest denial adjustment (front-end first on ties)
--   actual_allowed_amount  = AMT*B6 when sent, else SVC03 + Σ PR on the line (docs/metrics.md)
with lines as (
    select * from {{ ref('stg_x12__remit_lines') }}
    {% if is_incremental() -%}
    where remit_claim_key in (
        select remit_claim_key from {{ ref('stg_x12__remit_claims') }}
        where claim_id in (
            select claim_id from {{ ref('int_claim_id_chains') }} where {{ in_touched_chains('chain_id') }}
        )
    )
    {%- endif %}
),

claims as (
    select * from {{ ref('int_remit_claims_classified') }}
    where {{ in_touched_chains('chain_id') }}
),

line_adjustments as (
    select
        remit_claim_key,
        line_number,
        reason_code,
        group_code,
        adjustment_amount,
        is_denial,
        root_cause,
        {{ root_cause_precedence('root_cause') }} as root_cause_precedence
    from {{ ref('int_remit_adjustments_classified') }}
    where adjustment_level = 'line'
    {% if is_incremental() -%}
    and remit_claim_key in (select remit_claim_key from claims)
    {%- endif %}
),

per_line as (
    select
        remit_claim_key,
        line_number,
        sum(case when is_denial then adjustment_amount else 0 end) as line_denied_amount,
        sum(case when group_code = 'PR' then adjustment_amount else 0 end) as line_patient_amount,
        bool_or(reason_code = '24') as is_capitated,
        max(case when is_denial then 1 else 0 end) as has_denial
    from line_adjustments
    group by 1, 2
),

ranked_line_denials as (
    select
        remit_claim_key,
        line_number,
        root_cause,
        reason_code,
        group_code,
        row_number() over (
            partition by remit_claim_key, line_number
            order by adjustment_amount desc, root_cause_precedence, reason_code
        ) as denial_rank
    from line_adjustments
    where is_denial and adjustment_amount > 0
),

final as (
    select
        ----------  ids
        lines.remit_claim_key,
        claims.chain_id,
        lines.line_number,
        lines._source_file_id,
        ----------  service
        lines.procedure_code,
        lines.modifier_1,
        lines.revenue_code,
        coalesce(lines.units_paid, 1) as units,
        lines.service_date,
        ----------  the CLP
        claims.remit_date,
        claims.payer_id,
        claims.status_code,
        claims.is_adjudication,
        claims.is_primary_adjudication,
        claims.is_primary_decision,
        claims.primary_decision_seq,
        -- a line of the chain's initial decision (its first primary decision): what the denial rates count
        coalesce(claims.primary_decision_seq = 1, false) as is_initial_decision,
        claims.denial_type as claim_denial_type,
        ----------  amounts
        lines.charge_amount,
        lines.paid_amount,
        lines.allowed_amount,
        coalesce(per_line.line_denied_amount, 0)::decimal(18, 2) as line_denied_amount,
        coalesce(per_line.line_patient_amount, 0)::decimal(18, 2) as line_patient_amount,
        coalesce(lines.allowed_amount, lines.paid_amount + coalesce(per_line.line_patient_amount, 0))
            ::decimal(18, 2) as actual_allowed_amount,
        ----------  classification
        coalesce(per_line.is_capitated, false) as is_capitated,
        coalesce(per_line.has_denial, 0) = 1 as has_line_denial,
        -- a line is denied when it carries a denial-category adjustment, or when its whole claim was
        -- denied (CLP02 4 or nothing paid with a denial CARC) and the line itself was not paid
        claims.is_adjudication and (
            coalesce(per_line.line_denied_amount, 0) > 0
            or (claims.denial_type = 'full' and lines.paid_amount = 0)
        ) as is_line_denied,
        coalesce(ranked.root_cause, case when claims.denial_type = 'full' then claims.primary_root_cause end)
            as line_root_cause,
        coalesce(ranked.reason_code, case when claims.denial_type = 'full' then claims.primary_carc end)
            as line_primary_carc,
        ranked.group_code as line_denial_group_code,
        {{ build_seq_stamp() }} as _build_seq
    from lines
    inner join claims on claims.remit_claim_key = lines.remit_claim_key
    left join per_line
        on per_line.remit_claim_key = lines.remit_claim_key and per_line.line_number = lines.line_number
    left join ranked_line_denials as ranked
        on ranked.remit_claim_key = lines.remit_claim_key
        and ranked.line_number = lines.line_number
        and ranked.denial_rank = 1
)

select * from final
