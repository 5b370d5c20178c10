-- Every CAS adjustment with its CARC category (seed carc_root_cause); CARCs not in the seed are
-- UNMAPPED and never counted as denials; the CAS group gives the liability.  Shared by the denial classification and the collections KPIs.
with adjustments as (
    select * from {{ ref('stg_x12__remit_adjustments') }}
),

carc as (
    select * from {{ ref('carc_root_cause') }}
),

final as (
    select
        adjustments.*,
        coalesce(carc.is_denial, false) as is_denial,
        coalesce(carc.root_cause, 'UNMAPPED') as root_cause,
        -- who owes a denied amount: the provider (CO/OA/PI) or the patient (PR), from the cas_group seed
        cas_group.liability
    from adjustments
    left join carc on carc.carc = adjustments.reason_code
    left join {{ ref('cas_group') }} as cas_group on cas_group.group_code = adjustments.group_code
)

select * from final
