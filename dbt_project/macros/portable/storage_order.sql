{#
    The order a table's rows are written in, for the page that reads a few of them: by the key the Claim chain
    page looks one chain up by (chain id, claim key, remit claim key), by the month-end the A/R aging reads, by
    the variance the top underpaid lines are ranked by. DuckDB keeps every row group's min and max per column
    (zone maps) and skips the row groups whose range cannot hold what the query asks for (for `order by ...
    limit`, the rows that cannot make the top), so such a read touches a row group or two instead of every row
    of each column it needs. An incremental build writes its batch in the same order, so the row groups it
    appends are narrow too. Spark tables make no such use of order: nothing is emitted there rather than
    paying for a global sort.
#}
{% macro storage_order(key) %}{{ return(adapter.dispatch('storage_order')(key)) }}{% endmacro %}
{% macro default__storage_order(key) %}order by {{ key }}{% endmacro %}
{% macro spark__storage_order(key) %}{% endmacro %}
