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

{#  The 277CA claims an incremental build re-matches (a predicate over stg_x12__claim_acknowledgments): those
    naming a touched claim id (a new answer, or a new submission it may now answer), and new ones naming no
    claim id at all (TRN02 missing: unmatched for good, but listed).  Every row on a full build. #}
{% macro acks_to_match() -%}
    {%- set predicate -%}
        ({{ in_touched_claim_ids('claim_id') }} or (claim_id is null and {{ in_unseen_batches('_source_batch') }}))
    {%- endset -%}
    {{ return(when_incremental(predicate)) }}
{%- endmacro %}

{#  pre_hook of int_claim_acknowledgments_matched: delete the rows of the 277CA claims it re-matches, found by
    the claim id each row keeps (the model's key).  The other half of acks_to_match, 277CA claims naming no
    claim id, are new batches' rows, which the table does not hold yet. #}
{% macro delete_rematched_acks() -%}
    {{ return(delete_when_incremental(in_touched_claim_ids('claim_id'))) }}
{%- endmacro %}

{#  The 837 submissions an incremental build re-reads the front end of (a predicate over stg_x12__claims). #}
{% macro delete_reacknowledged_submissions() -%}
    {{ return(delete_when_incremental('claim_key in (select claim_key from ' ~ ref('stg_x12__claims')
        ~ ' where ' ~ in_touched_claim_ids('claim_id') ~ ')')) }}
{%- endmacro %}

{#  How long a submission with no verdict yet (no acknowledgment, or a 999 acceptance alone) has waited by
    `as_of_date`, and whether that is overdue (var ack_overdue_days): read when the data is, since the age
    moves every day. #}
{% macro days_awaiting_acknowledgment(front_end_status, submission_date, as_of_date) -%}
    case
        when {{ front_end_status }} in ('no_acknowledgment', 'accepted_999')
            then {{ days_between(submission_date, as_of_date) }}
    end
{%- endmacro %}

{% macro is_acknowledgment_overdue(days_awaiting) -%}
    coalesce({{ days_awaiting }} > {{ var('ack_overdue_days') }}, false)
{%- endmacro %}
