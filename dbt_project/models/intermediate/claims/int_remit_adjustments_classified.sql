-- Every CAS adjustment with its CARC category (seed carc_root_cause); CARCs not in the seed are
-- UNMAPPED and never counted as denials.  Shared by the denial classification and the collections KPIs.
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
        coalesce(carc.root_cause, 'UNMAPPED') as root_cause
    from adjustments
    left join carc on carc.carc = adjustments.reason_code
)

select * from final
