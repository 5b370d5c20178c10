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

{#  int_prebill_edits: an incremental build rewrites a claim's edits with its (touched) chain, and an encounter's
    when int_encounter_claims rebuilt it (a new line, or an 837 that bills it): the rows its pre-hook deletes. #}
{% macro delete_rescrubbed_edits() -%}
    {{ return(delete_when_incremental("(source = 'submitted_claim' and " ~ in_touched_chains('chain_id')
        ~ ") or (source = 'encounter' and encounter_id in (" ~ encounters_rebuilt_since_own_stamp() ~ "))")) }}
{%- endmacro %}
