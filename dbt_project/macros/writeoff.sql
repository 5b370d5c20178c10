{#
    The one write-off rule (docs/metrics.md, "Denial write-off"): a provider-liable denial with no rework is
    written off `ar_denial_open_days` days after the denial.  Until then (fewer days) it is open insurance
    A/R; from that day on it is a final denial.  The synthetic world's truth reads the same dbt var
    (pipelines/generate/truth.py, denial_open_days), so the boundary day means the same on both sides.
#}
{% macro denial_open(denial_date, as_of_date) -%}
    ({{ days_between(denial_date, as_of_date) }} < {{ var('ar_denial_open_days') }})
{%- endmacro %}

{% macro denial_written_off(denial_date, as_of_date) -%}
    ({{ days_between(denial_date, as_of_date) }} >= {{ var('ar_denial_open_days') }})
{%- endmacro %}

{#- the day a denial with no rework is written off: `ar_denial_open_days` after it -#}
{% macro denial_write_off_date(denial_date) %}{{ return(adapter.dispatch('denial_write_off_date')(denial_date)) }}{% endmacro %}
{% macro default__denial_write_off_date(denial_date) -%}
    cast({{ denial_date }} + interval ({{ var('ar_denial_open_days') }}) day as date)
{%- endmacro %}
{% macro spark__denial_write_off_date(denial_date) -%}
    date_add({{ denial_date }}, {{ var('ar_denial_open_days') }})
{%- endmacro %}
