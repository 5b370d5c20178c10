-- Medicare PFS national amounts per HCPCS + modifier (26 / TC components have rows of their own) and PFS
-- year: total RVU x conversion factor, non-facility and facility (docs/metrics.md "% of Medicare PFS"
-- contract terms).  Only payable statuses (A active, R restricted, T paid only without other services
-- that day) carry a fee; a file loaded twice for one year keeps one row per code.
with source as (
    select * from {{ source('reference', 'pfs_rvu') }}
    where coalesce(status_code, 'A') in ('A', 'R', 'T')
),

rvus as (
    select *
    from source
    qualify row_number() over (
        partition by hcpcs, modifier, pfs_year order by source_file desc, file_id, line_number
    ) = 1
)

select
    hcpcs,
    modifier,
    pfs_year,
    status_code,
    nonfacility_total_rvu,
    facility_total_rvu,
    conversion_factor,
    round(nonfacility_total_rvu * conversion_factor, 2) as nonfacility_amount,
    round(facility_total_rvu * conversion_factor, 2) as facility_amount
from rvus
