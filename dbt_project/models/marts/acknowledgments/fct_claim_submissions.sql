{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}
-- One row per 837 submission of a claim chain with what the front end said of it (int_claim_submissions,
-- rebuilt chain by chain) and how long one without a verdict has waited by the latest day in the data: that
-- age moves every day for every waiting submission, so it is computed on read rather than stored.
with data_date as (
    {{ data_as_of() }}
),

aged as (
    select
        {{ star_except(["_build_seq"], "submissions") }},
        data_date.as_of_date,
        {{ days_awaiting_acknowledgment('submissions.front_end_status', 'submissions.submission_date',
                                        'data_date.as_of_date') }} as days_awaiting_acknowledgment
    from {{ ref('int_claim_submissions') }} as submissions
    cross join data_date
)

select
    *,
    {{ is_acknowledgment_overdue('days_awaiting_acknowledgment') }} as is_acknowledgment_overdue
from aged
