-- CARC codes from the user's own licensed list (revcycle ships none of the X12 descriptions).
-- The latest loaded file wins for a code's description and dates.
with source as (
    select * from {{ source('reference', 'carc') }}
),

codes as (
    select
        code,
        arg_max(description, file_id) as description,
        min(start_date) as start_date,
        arg_max(stop_date, file_id) as stop_date
    from source
    group by code
)

select * from codes
