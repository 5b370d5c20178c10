{{ config(**chain_model_config('chain_id')) }}
-- incremental by chain (macros/incremental_chains.sql)
-- depends_on: {{ ref('int_touched_chains') }}
-- One row per denied service line of a chain's initial decision (docs/metrics.md, line grain): the SVC lines
-- of the first adjudication that carry a denial-category adjustment, or every unpaid line of a fully
-- denied claim.  Root cause and CARC are the line's own (largest denial adjustment on the line; the
-- claim's when the denial was made at claim level).  Overturned: a later adjudication of the same chain
-- paid the same procedure code.  Remits without SVC detail (claim-level answers) have no line here; they
-- are in fct_denials.
with lines as (
    -- read late (rows_where): the touched chains' lines are a per cent or two of a wide table
    select * from {{ rows_where(ref('int_remit_lines_classified'), in_touched_chains('chain_id')) }} as touched_lines
),

later_paid as (
    select chain_id, procedure_code, min(remit_date) as first_paid_date
    from lines
    where is_primary_decision and primary_decision_seq > 1 and paid_amount > 0
    group by 1, 2
),

chains as (
    select chain_id, claim_id, payer_id, payer_name, rendering_npi, location_id, claim_type
    from {{ ref('fct_claim_chains') }}
    where {{ in_touched_chains('chain_id') }}
),

root_causes as (
    select * from {{ ref('int_root_causes') }}
),

claim_lines as (
    -- place of service from the 837 (the 835 does not repeat it)
    select
        cl.claim_id,
        cl.line_number,
        max({{ place_of_service('cl', 'c') }}) as place_of_service
    from {{ ref('stg_x12__claim_lines') }} as cl
    inner join {{ ref('stg_x12__claims') }} as c on c.claim_key = cl.claim_key
    {% if is_incremental() -%}
    where cl.claim_id in (select claim_id from chains)
    {%- endif %}
    group by 1, 2
),

final as (
    select
        ----------  ids
        lines.remit_claim_key,
        lines.chain_id,
        chains.claim_id,
        lines.line_number,
        ----------  dimensions
        coalesce(chains.payer_id, lines.payer_id) as payer_id,
        chains.payer_name,
        chains.rendering_npi,
        chains.location_id,
        chains.claim_type,
        lines.procedure_code,
        lines.modifier_1,
        lines.revenue_code,
        claim_lines.place_of_service,
        pos.setting as place_of_service_setting,
        coalesce(lines.line_root_cause, 'UNSPECIFIED') as root_cause,
        lines.line_primary_carc as primary_carc,
        coalesce(cas_group.liability, 'provider') as liability,
        coalesce(rc.avoidable, 'N') as avoidable,
        rc.owner_area,
        lines.claim_denial_type as denial_type,
        ----------  outcome
        later_paid.chain_id is not null as is_overturned,
        ----------  amounts
        lines.charge_amount,
        lines.paid_amount,
        case
            when lines.line_denied_amount > 0 then lines.line_denied_amount else lines.charge_amount
        end::decimal(18, 2) as denied_amount,
        ----------  dates
        lines.remit_date as denial_date,
        lines.service_date,
        later_paid.first_paid_date,
        {{ days_between("lines.remit_date", "later_paid.first_paid_date") }} as days_to_overturn,
        ----------  lineage
        {{ build_seq_stamp() }} as _build_seq
    from lines
    left join chains on chains.chain_id = lines.chain_id
    left join later_paid on later_paid.chain_id = lines.chain_id and later_paid.procedure_code = lines.procedure_code
    left join root_causes as rc on rc.root_cause = lines.line_root_cause
    left join {{ ref('cas_group') }} as cas_group on cas_group.group_code = lines.line_denial_group_code
    left join claim_lines on claim_lines.claim_id = chains.claim_id and claim_lines.line_number = lines.line_number
    left join {{ ref('place_of_service') }} as pos on pos.place_of_service = claim_lines.place_of_service
    where lines.is_line_denied and lines.is_initial_decision
)

select * from final
