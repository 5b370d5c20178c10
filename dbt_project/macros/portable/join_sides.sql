{#
    Keep a model's hash joins building on the side the SQL puts on the right (pre-hook true, post-hook false).
    DuckDB picks the build side from its row estimates, which take a filter to keep a fifth of the rows; where
    a model's filters keep nearly all of them, it can build the hash table on the wide side of a join of
    millions of rows and run out of its memory limit (fct_underpayments: the priced lines against the chains'
    five columns; docs/performance.md, "the tenth run"). Spark plans its own joins: nothing to do there.
#}
{% macro hold_join_sides(hold) %}{{ return(adapter.dispatch('hold_join_sides')(hold)) }}{% endmacro %}
{% macro default__hold_join_sides(hold) -%}
    {{ "set disabled_optimizers = 'build_side_probe_side'" if hold else 'reset disabled_optimizers' }}
{%- endmacro %}
{% macro spark__hold_join_sides(hold) %}select 1{% endmacro %}
