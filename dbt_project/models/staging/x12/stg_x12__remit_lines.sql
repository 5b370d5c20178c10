-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'remit_lines') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        remit_claim_key,
        claim_id,
        line_number,
        line_control_number,
        file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
        ----------  service
        procedure_qualifier,
        procedure_code,
        modifier_1,
        modifier_2,
        revenue_code,
        units_paid,
        ----------  amounts
        charge_amount::decimal(18, 2) as charge_amount,
        paid_amount::decimal(18, 2) as paid_amount,
        allowed_amount::decimal(18, 2) as allowed_amount,
        ----------  dates
        service_date
    from source
)

select * from renamed
