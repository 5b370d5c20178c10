{#
    Keep a model's hash joins building on the side the SQL puts on the right (pre-hook true, post-hook false).
    DuckDB picks the build side from its row estimates, and an estimate can be off by ten times: it guesses
    that a filter keeps a fifth of the rows. In fct_underpayments' full build it took the 15M priced lines
    for 1.3M and built the hash table on them instead of on the 10M chains' five columns; with the ordered
    write after it, the build ran out of its 5.6 GiB at ten million claims (docs/performance.md, "the tenth
    run"). Spark plans its own joins: nothing to do there.
#}
{% macro hold_join_sides(hold) %}{{ return(adapter.dispatch('hold_join_sides')(hold)) }}{% endmacro %}
{% macro default__hold_join_sides(hold) -%}
    {{ "set disabled_optimizers = 'build_side_probe_side'" if hold else 'reset disabled_optimizers' }}
{%- endmacro %}
{% macro spark__hold_join_sides(hold) %}select 1{% endmacro %}
