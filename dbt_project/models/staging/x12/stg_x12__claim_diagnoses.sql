-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

-- One row per 837 diagnosis (HI composite): the qualifier says the code set and role (ABK principal, ABF
-- other, ABJ admitting, APR patient's reason for visit, ABN external cause: ICD-10-CM; BK/BF: ICD-9-CM).
with source as (
    select * from {{ source('raw', 'claim_diagnoses') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        claim_key,
        claim_id,
        diagnosis_order,
        file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
        ----------  diagnosis
        qualifier,
        -- sent without the dot (the 837 forbids it); some senders add one anyway
        upper(replace(trim(diagnosis_code), '.', '')) as diagnosis_code,
        qualifier in ('ABK', 'ABF', 'ABJ', 'APR', 'ABN') as is_icd10cm
    from source
)

select * from renamed
