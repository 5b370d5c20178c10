{#- A/R aging buckets (docs/metrics.md): 0-30, 31-60, 61-90, 91-120, >120 days. -#}
{% macro aging_bucket(age_days) -%}
    case
        when {{ age_days }} <= 30 then '0-30'
        when {{ age_days }} <= 60 then '31-60'
        when {{ age_days }} <= 90 then '61-90'
        when {{ age_days }} <= 120 then '91-120'
        else '>120'
    end
{%- endmacro %}
