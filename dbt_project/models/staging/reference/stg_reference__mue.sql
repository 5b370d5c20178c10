-- MUE values per HCPCS and table, each valid from its file's effective date until the next file's.
-- A file loaded without an effective date applies from the beginning of time.
with source as (
    select * from {{ source('reference', 'mue') }}
),

versions as (
    select
        hcpcs,
        table_type,
        coalesce(effective_from, date '1900-01-01') as effective_from,
        min(mue_value) as mue_value,
        min(adjudication_indicator) as adjudication_indicator,
        min(source_file) as source_file
    from source
    group by hcpcs, table_type, coalesce(effective_from, date '1900-01-01')
),

final as (
    select
        *,
        coalesce(
            lead(effective_from) over (partition by hcpcs, table_type order by effective_from),
            date '9999-12-31'
        ) as effective_to
    from versions
)

select * from final
