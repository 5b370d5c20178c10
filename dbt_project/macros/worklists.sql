{#  "Today" for the data: the latest interchange loaded, so a rebuild on the same files gives the same queues
    and the same overdue lists whenever it runs (a one-row relation with as_of_date). #}
{% macro data_as_of() -%}
    select max(interchange_date) as as_of_date from {{ ref('stg_x12__transactions') }}
{%- endmacro %}

{#  How a work item ranks: its money per day left before its deadline; nothing once the deadline has passed
    (the row stays listed, last, for the write-off or follow-up decision). #}
{% macro money_per_day_left(amount, days_left) -%}
    case when {{ days_left }} < 0 then 0.0 else {{ amount }} / greatest({{ days_left }}, 1) end
{%- endmacro %}
