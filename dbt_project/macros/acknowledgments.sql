{#
    What a 277CA status category (STC01-1, X12 code list 507) means for the claim at the front end:
    A0 forwarded, A1 received, A2 accepted into adjudication, A5 split: the payer has it (accepted);
    A3 returned as unprocessable, A4 not found, A6 missing information, A7 invalid information, A8 rejected
    for a relational field in error: the claim never reached adjudication and must be corrected and re-sent
    (rejected); anything else (the pending P*, finalized F* and request R* categories of a 277 status
    response) says nothing about the front end (other).  docs/x12.md, "Acknowledgments".
#}
{% macro ack_status_outcome(category) -%}
    case
        when {{ category }} in ('A0', 'A1', 'A2', 'A5') then 'accepted'
        when {{ category }} in ('A3', 'A4', 'A6', 'A7', 'A8') then 'rejected'
        else 'other'
    end
{%- endmacro %}

{#  A submission the payer received: not rejected by a 999 or a 277CA.  A rejected claim never reached
    adjudication, so it is no billed copy: its correction re-sent under the same or a new claim id is the
    claim, not a duplicate of it (the integrity rules read only billed submissions). #}
{% macro billed_to_payer(claim_key) -%}
    {{ claim_key }} not in (
        select claim_key from {{ ref('int_claim_front_end_outcomes') }} where is_front_end_rejected
    )
{%- endmacro %}

{#  The order in which a submission's 277CA answers decide it: a rejection first, then the earliest, then the
    file and position (a total order, so both engines and every build pick the same one). #}
{% macro deciding_answer_order() -%}
    (case when ack_outcome = 'rejected' then '0' else '1' end)
        || coalesce(cast(acknowledged_date as string), '9999-12-31') || ack_claim_key
{%- endmacro %}
