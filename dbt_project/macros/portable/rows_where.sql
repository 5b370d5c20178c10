{#
    The rows of a large, wide table that match `predicate` (a filter on a key, usually `key in (query)`), as a
    subquery, read late on DuckDB: a scan of the key column alone picks the row ids, and only those rows are
    then read whole.  Joined directly, DuckDB decodes every column of the whole table before the join drops
    nearly all of it.  It pays where the matches are a small fraction of a wide table (a day's touched chains'
    835 claims, under 1 % of them); where they are a few per cent, the second pass costs what it saves
    (docs/performance.md).  Spark reads Parquet by column and filters as it goes: the plain filter there.
#}
{% macro rows_where(relation, predicate) -%}
    {#- 'true' (when_incremental on a full build): every row, read once -#}
    {{ return(relation if predicate | trim == 'true' else adapter.dispatch('rows_where')(relation, predicate)) }}
{%- endmacro %}
{% macro default__rows_where(relation, predicate) -%}
    (select * from {{ relation }} where rowid in (select rowid from {{ relation }} where {{ predicate }}))
{%- endmacro %}
{% macro spark__rows_where(relation, predicate) -%}
    (select * from {{ relation }} where {{ predicate }})
{%- endmacro %}
