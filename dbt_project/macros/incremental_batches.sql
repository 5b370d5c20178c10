{#
    Incremental staging over the raw batches (pipelines/ingest.py publishes immutable batch directories,
    raw/batches/<batch>/<table>.parquet, and never rewrites one).  A staging model reads only the batches
    it has not loaded yet; `dbt build --full-refresh` (revcycle build --full-refresh) reads them all and
    must give the same rows (tests/dbt/test_incremental.py).

    raw_batch(): the batch directory of the row, from read_parquet's filename column.
    new_batches_only(): in an incremental run, a constant list of the batches already loaded (a constant
    lets DuckDB skip those files instead of reading and filtering them).
#}
{% macro raw_batch() -%}
    regexp_extract(replace(filename, '\\', '/'), '/batches/([^/]+)/[^/]+$', 1)
{%- endmacro %}

{% macro new_batches_only() -%}
    {%- if is_incremental() -%}
        {%- set loaded = run_query("select distinct _source_batch from " ~ this) if execute else none -%}
        {%- set ids = loaded.columns[0].values() if loaded is not none else [] -%}
        where {{ raw_batch() }} not in (
            {%- for i in ids %}'{{ i }}'{% if not loop.last %}, {% endif %}{% endfor -%}
            {%- if not ids %}''{% endif -%}
        )
    {%- endif -%}
{%- endmacro %}

{#  The raw batches this build read first (on a build from nothing: all of them).  For the singular tests whose
    verdict on a row depends on its own file (835 balancing, CARC validity): an incremental build continues a
    warehouse whose older batches passed them, so it checks only the new ones. #}
{% macro in_this_builds_batches(column='_source_batch') -%}
    {{ column }} in (
        select _source_batch from {{ ref('int_build_batches') }}
        where build_seq = (select max(build_seq) from {{ ref('int_build_batches') }})
    )
{%- endmacro %}
