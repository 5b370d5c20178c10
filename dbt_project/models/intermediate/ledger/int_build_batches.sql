{{ config(materialized='incremental', on_schema_change='fail') }}
-- The build ledger: every raw batch (pipelines/ingest.py publishes raw/batches/<batch>/, one files.parquet
-- in each) numbered with the build that first read it.  The chain models (macros/incremental_chains.sql)
-- recompute only the chains touched by batches numbered above their own high-water mark.
with batches as (
    select distinct {{ raw_batch() }} as _source_batch
    from {{ source('raw', 'files') }}
    {{ new_batches_only() }}
)

select
    _source_batch,
    {% if is_incremental() -%}
        cast((select coalesce(max(build_seq), 0) from {{ this }}) + 1 as bigint)
    {%- else -%}
        cast(1 as bigint)
    {%- endif %} as build_seq
from batches
