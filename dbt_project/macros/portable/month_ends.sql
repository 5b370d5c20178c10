{#- Month-end dates from the month of start_expr to the month of end_expr (both date expressions),
    as a subquery with one column `as_of_date`. Engine-specific: dispatched so a Spark build can differ. -#}
{% macro month_ends(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('month_ends', 'revcycle')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__month_ends(start_expr, end_expr) -%}
    select cast(m + interval 1 month - interval 1 day as date) as as_of_date
    from (
        select unnest(generate_series(
            date_trunc('month', {{ start_expr }}), date_trunc('month', {{ end_expr }}), interval 1 month
        )) as m
    )
{%- endmacro %}

{% macro spark__month_ends(start_expr, end_expr) -%}
    select last_day(m) as as_of_date
    from (
        select explode(sequence(
            cast(date_trunc('month', {{ start_expr }}) as date), cast(date_trunc('month', {{ end_expr }}) as date),
            interval 1 month
        )) as m
    )
{%- endmacro %}
