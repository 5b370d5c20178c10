-- Every exclusion ever seen in any loaded LEIE snapshot (docs/integrity.md: reinstated people disappear
-- from the current list, so older snapshots are kept); a reinstatement or waiver in any snapshot counts.
with source as (
    select * from {{ source('reference', 'leie') }}
),

exclusions as (
    select
        npi,
        upper(last_name) as last_name,
        upper(first_name) as first_name,
        upper(business_name) as business_name,
        birth_date,
        state,
        general,
        specialty,
        exclusion_type,
        exclusion_date,
        max(reinstatement_date) as reinstatement_date,
        max(waiver_date) as waiver_date,
        max(waiver_state) as waiver_state,
        min(source_file) as source_file
    from source
    group by all
)

select * from exclusions
