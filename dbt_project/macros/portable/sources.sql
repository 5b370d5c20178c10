{#-
    Sources on the Parquet the ingest step publishes.  On DuckDB a source is its `external_location`
    (read_parquet over a glob, in the sources' yml).  dbt-spark has no external locations, so on Spark the
    same glob — taken from that yml, one place for the path — is read as a `parquet.` path with the file name
    from `_metadata` (the `filename` column read_parquet adds, which the incremental staging keys on).
-#}
{% macro source(source_name, table_name) %}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {#- a unit test compiles without the graph's sources: its fixture stands in for the source anyway -#}
    {%- if target.type != 'spark' or not execute or graph.get('sources') is none -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name) -%}
    {%- set location = node.meta.get('external_location') or node.config.meta.get('external_location') -%}
    {%- set found = modules.re.search("read_parquet\('([^']+)'(.*)\)", location) -%}
    {%- set path = found.group(1).replace('{name}', table_name) -%}
    {%- set with_filename = 'filename = true' in found.group(2) -%}
    {{ return("(select *" ~ (", _metadata.file_path as filename" if with_filename else "")
              ~ " from parquet.`" ~ path ~ "`)") }}
{% endmacro %}
