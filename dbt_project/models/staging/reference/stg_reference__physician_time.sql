with source as (
    select * from {{ source('reference', 'physician_time') }}
),

times as (
    select
        hcpcs,
        pfs_year,
        max(total_minutes) as total_minutes,
        max(intra_minutes) as intra_minutes,
        bool_or(per_unit) as per_unit
    from source
    group by hcpcs, pfs_year
)

select * from times
