{{ config(**chain_model_config()) }}
-- incremental by batch (macros/incremental_chains.sql): an adjustment's class depends on its own remit only
-- depends_on: {{ ref('int_touched_chains') }}
-- Every CAS adjustment with its CARC category (seed carc_root_cause); CARCs not in the seed are
-- UNMAPPED and never counted as denials; the CAS group gives the liability.
-- Generic CARCs (16 "lacks information", 96 "non-covered", A1, ...: var generic_carcs) say little on their
-- own: when the same claim (or the same service line) carries a RARC listed in seed rarc_override for that
-- CARC (or for any generic CARC when the seed's carc is blank), the RARC's root cause wins (docs/metrics.md);
-- between several, the line's own remark first, then front-end causes.
with adjustments as (
    select * from {{ ref('stg_x12__remit_adjustments') }}
    where {{ in_unseen_batches('_source_batch') }}
),

carc as (
    select * from {{ ref('carc_root_cause') }}
),

generic as (
    select distinct remit_claim_key, line_number, reason_code
    from adjustments
    where reason_code in ({% for c in var('generic_carcs') %}'{{ c }}'{% if not loop.last %}, {% endif %}{% endfor %})
),

overrides as (
    select
        generic.remit_claim_key,
        generic.line_number,
        generic.reason_code,
        o.root_cause as override_root_cause,
        r.remark_code as override_rarc
    from generic
    inner join {{ ref('stg_x12__remit_remarks') }} as r
        on r.remit_claim_key = generic.remit_claim_key
        -- a claim-level remark speaks for every adjustment of the claim, a line remark for its line
        and (r.line_number is null or r.line_number = generic.line_number)
    inner join {{ ref('rarc_override') }} as o
        on o.rarc = r.remark_code and (o.carc is null or o.carc = generic.reason_code)
    -- the line's own remark before a claim-level one, then front-end causes first, then by code (so two
    -- remarks of one cause name the same RARC on every engine)
    qualify row_number() over (
        partition by generic.remit_claim_key, generic.line_number, generic.reason_code
        order by (r.line_number is null)::int, {{ root_cause_precedence('o.root_cause') }}, o.root_cause,
            r.remark_code
    ) = 1
),

final as (
    select
        adjustments.*,
        coalesce(carc.is_denial, false) as is_denial,
        coalesce(overrides.override_root_cause, carc.root_cause, 'UNMAPPED') as root_cause,
        overrides.override_rarc as root_cause_rarc,
        cas_group.liability,
        {{ build_seq_stamp() }} as _build_seq
    from adjustments
    left join carc on carc.carc = adjustments.reason_code
    left join {{ ref('cas_group') }} as cas_group on cas_group.group_code = adjustments.group_code
    left join overrides
        on overrides.remit_claim_key = adjustments.remit_claim_key
        and overrides.line_number is not distinct from adjustments.line_number
        and overrides.reason_code = adjustments.reason_code
)

select * from final
{{ storage_order('remit_claim_key') }}
