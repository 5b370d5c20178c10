{#-
    The engine-specific SQL of the project, behind adapter.dispatch: DuckDB (default__) and Apache Spark
    (spark__).  Models call these macros and otherwise stay in the SQL both engines read the same way
    (tests/dbt/test_portable.py compiles every model for both and fails on a DuckDB-only construct outside
    this folder).  Spark 4 reads `::` casts, `qualify`, `filter (where …)` aggregates, `max_by`/`min_by`,
    `median`, `bool_or`, `is not distinct from` and `interval n month` arithmetic like DuckDB does.
-#}

{#- days from `start` to `end` (date_diff('day', …) in DuckDB, datediff(end, start) in Spark) -#}
{% macro days_between(start, end) %}{{ return(adapter.dispatch('days_between')(start, end)) }}{% endmacro %}
{% macro default__days_between(start, end) %}date_diff('day', {{ start }}, {{ end }}){% endmacro %}
{% macro spark__days_between(start, end) %}datediff({{ end }}, {{ start }}){% endmacro %}

{#- continuous (interpolated) percentile: quantile_cont / percentile, both exact -#}
{% macro percentile_cont(expr, fraction) %}{{ return(adapter.dispatch('percentile_cont')(expr, fraction)) }}{% endmacro %}
{% macro default__percentile_cont(expr, fraction) %}quantile_cont({{ expr }}, {{ fraction }}){% endmacro %}
{% macro spark__percentile_cont(expr, fraction) %}percentile({{ expr }}, {{ fraction }}){% endmacro %}

{#- ---------- lists (DuckDB LIST, Spark ARRAY) -#}

{#- a list literal from expressions -#}
{% macro list_of() %}{{ return(adapter.dispatch('list_of')(varargs)) }}{% endmacro %}
{% macro default__list_of(items) %}[{{ items | join(', ') }}]{% endmacro %}
{% macro spark__list_of(items) %}array({{ items | join(', ') }}){% endmacro %}

{#- an empty list of strings (the type an empty evidence list must still have) -#}
{% macro empty_string_list() %}{{ return(adapter.dispatch('empty_string_list')()) }}{% endmacro %}
{% macro default__empty_string_list() %}[]::varchar[]{% endmacro %}
{% macro spark__empty_string_list() %}cast(array() as array<string>){% endmacro %}

{#- the list without its nulls -#}
{% macro list_non_null(list) %}{{ return(adapter.dispatch('list_non_null')(list)) }}{% endmacro %}
{% macro default__list_non_null(list) %}list_filter({{ list }}, lambda m: m is not null){% endmacro %}
{% macro spark__list_non_null(list) %}filter({{ list }}, m -> m is not null){% endmacro %}

{% macro list_contains(list, item) %}{{ return(adapter.dispatch('list_contains')(list, item)) }}{% endmacro %}
{% macro default__list_contains(list, item) %}list_contains({{ list }}, {{ item }}){% endmacro %}
{% macro spark__list_contains(list, item) %}array_contains({{ list }}, {{ item }}){% endmacro %}

{#- true when the two lists share an element (lists without nulls) -#}
{% macro list_has_any(a, b) %}{{ return(adapter.dispatch('list_has_any')(a, b)) }}{% endmacro %}
{% macro default__list_has_any(a, b) %}list_has_any({{ a }}, {{ b }}){% endmacro %}
{% macro spark__list_has_any(a, b) %}arrays_overlap({{ a }}, {{ b }}){% endmacro %}

{#- distinct elements, sorted (so evidence lists read — and compare — the same on every engine) -#}
{% macro list_distinct_sorted(list) %}{{ return(adapter.dispatch('list_distinct_sorted')(list)) }}{% endmacro %}
{% macro default__list_distinct_sorted(list) %}list_sort(list_distinct({{ list }})){% endmacro %}
{% macro spark__list_distinct_sorted(list) %}array_sort(array_distinct({{ list }})){% endmacro %}

{#- aggregate: the group's values as a list -#}
{% macro list_agg(expr) %}{{ return(adapter.dispatch('list_agg')(expr)) }}{% endmacro %}
{% macro default__list_agg(expr) %}list({{ expr }}){% endmacro %}
{% macro spark__list_agg(expr) %}collect_list({{ expr }}){% endmacro %}

{#- aggregate: the distinct non-null values of a group as a sorted list -#}
{% macro list_agg_distinct(expr) %}{{ return(adapter.dispatch('list_agg_distinct')(expr)) }}{% endmacro %}
{% macro default__list_agg_distinct(expr) %}list_sort(list_distinct(list({{ expr }}))){% endmacro %}
{% macro spark__list_agg_distinct(expr) %}array_sort(array_distinct(collect_list({{ expr }}))){% endmacro %}

{% macro list_intersect(a, b) %}{{ return(adapter.dispatch('list_intersect')(a, b)) }}{% endmacro %}
{% macro default__list_intersect(a, b) %}list_intersect({{ a }}, {{ b }}){% endmacro %}
{% macro spark__list_intersect(a, b) %}array_intersect({{ a }}, {{ b }}){% endmacro %}

{% macro list_concat(a, b) %}{{ return(adapter.dispatch('list_concat')(a, b)) }}{% endmacro %}
{% macro default__list_concat(a, b) %}list_concat({{ a }}, {{ b }}){% endmacro %}
{% macro spark__list_concat(a, b) %}concat({{ a }}, {{ b }}){% endmacro %}

{#- the sorted elements joined with `sep` -#}
{% macro list_join_sorted(list, sep) %}{{ return(adapter.dispatch('list_join_sorted')(list, sep)) }}{% endmacro %}
{% macro default__list_join_sorted(list, sep) %}array_to_string(list_sort({{ list }}), '{{ sep }}'){% endmacro %}
{% macro spark__list_join_sorted(list, sep) %}array_join(array_sort({{ list }}), '{{ sep }}'){% endmacro %}

{#- one row per element, in a select list -#}
{% macro explode(list) %}{{ return(adapter.dispatch('explode')(list)) }}{% endmacro %}
{% macro default__explode(list) %}unnest({{ list }}){% endmacro %}
{% macro spark__explode(list) %}explode({{ list }}){% endmacro %}

{#- ---------- select-list helpers -#}

{#- `relation.* minus these columns`: DuckDB spells it exclude, Spark except -#}
{% macro star_except(columns, relation=none) %}{{ return(adapter.dispatch('star_except')(columns, relation)) }}{% endmacro %}
{% macro default__star_except(columns, relation) %}{{ relation ~ '.' if relation }}* exclude ({{ columns | join(', ') }}){% endmacro %}
{% macro spark__star_except(columns, relation) %}{{ relation ~ '.' if relation }}* except ({{ columns | join(', ') }}){% endmacro %}

{#- ---------- joins -#}

{#- Each row of `left` with the latest row of `right` for the same `key` whose `right_date` is on or before the
    left row's `left_date` (an as-of join), `columns` = {right column: output name}.  `left_row` names the
    columns that identify a left row.  DuckDB has ASOF joins; Spark takes the latest match per left row. -#}
{% macro asof_left_join(left, right, key, left_date, right_date, columns, left_row) %}
    {{- return(adapter.dispatch('asof_left_join')(left, right, key, left_date, right_date, columns, left_row)) -}}
{% endmacro %}

{% macro default__asof_left_join(left, right, key, left_date, right_date, columns, left_row) %}
    select
        l.*,
        {%- for col, name in columns.items() %}
        r.{{ col }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ left }} as l
    asof left join {{ right }} as r
        on l.{{ key }} = r.{{ key }} and l.{{ left_date }} >= r.{{ right_date }}
{% endmacro %}

{% macro spark__asof_left_join(left, right, key, left_date, right_date, columns, left_row) %}
    select * except (_asof_rank)
    from (
        select
            l.*,
            {%- for col, name in columns.items() %}
            r.{{ col }} as {{ name }},
            {%- endfor %}
            row_number() over (
                partition by {% for c in left_row %}l.{{ c }}{{ ', ' if not loop.last }}{% endfor %}
                order by r.{{ right_date }} desc
            ) as _asof_rank
        from {{ left }} as l
        left join {{ right }} as r
            on l.{{ key }} = r.{{ key }} and l.{{ left_date }} >= r.{{ right_date }}
    )
    where _asof_rank = 1
{% endmacro %}

{#- aggregate: `expr` of the group joined with `sep` in `order_by` order (distinct: then order_by must be expr) -#}
{% macro string_agg_ordered(expr, sep, order_by, distinct=false) %}
    {{- return(adapter.dispatch('string_agg_ordered')(expr, sep, order_by, distinct)) -}}
{% endmacro %}
{% macro default__string_agg_ordered(expr, sep, order_by, distinct) -%}
    string_agg({{ 'distinct ' if distinct }}{{ expr }}, '{{ sep }}' order by {{ order_by }})
{%- endmacro %}
{% macro spark__string_agg_ordered(expr, sep, order_by, distinct) -%}
    {#- not listagg(...) within group: Spark 4.3 fails planning it once views are inlined (ClassCastException
        in ListAgg.withNewChildrenInternal); sorting the collected (key, value) pairs is equivalent -#}
    {%- if distinct -%}
    array_join(array_sort(array_distinct(collect_list({{ expr }}))), '{{ sep }}')
    {%- else -%}
    array_join(transform(array_sort(collect_list(struct({{ order_by }} as k, {{ expr }} as v))), x -> x.v), '{{ sep }}')
    {%- endif -%}
{%- endmacro %}

{# A text split on a one-character separator into a list (Spark's split takes a regex: the separators used
   here, ',' and ';', are literal in both). #}
{% macro split_text(text, sep) %}{{ return(adapter.dispatch('split_text')(text, sep)) }}{% endmacro %}
{% macro default__split_text(text, sep) %}string_split({{ text }}, '{{ sep }}'){% endmacro %}
{% macro spark__split_text(text, sep) %}split({{ text }}, '{{ sep }}'){% endmacro %}
