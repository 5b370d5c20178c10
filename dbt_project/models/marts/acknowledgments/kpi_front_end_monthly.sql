-- Front-end KPIs by month of a chain's first submission to its primary payer (docs/metrics.md,
-- "Acknowledgments"), long rows like the other KPI marts: `dimension` is all | payer | provider (rendering) |
-- location |
-- claim_type with its value, or rejection_reason (the 277CA category:status, or "999 <IK5/AK9 code>") whose
-- denominators are the whole book's.
--   * clean-claim rate:        first submissions accepted at the front end (999 accepted and 277CA
--                              A0/A1/A2/A5) / first submissions with a front-end verdict;
--   * front-end rejection rate: first submissions rejected by a 999 or a 277CA / the same denominator;
--   * first-pass yield:        chains whose first submission passed the front end and whose primary payer's
--                              first decision was no denial / chains with a first answer (a front-end
--                              rejection or an adjudication);
--   * resubmission turnaround: mean days from a rejection to the next submission of the chain to that payer.
-- First submissions still waiting for a verdict are counted (claims_awaiting_acknowledgment), never guessed.
with data_date as (
    {{ data_as_of() }}
),

measured as (
    select
        firsts.*,
        {{ is_acknowledgment_overdue(days_awaiting_acknowledgment(
            'firsts.front_end_status', 'firsts.submission_date', 'data_date.as_of_date')) }} as is_acknowledgment_overdue
    from {{ ref('int_front_end_first_submissions') }} as firsts
    cross join data_date
),

by_dimension as (
    {{ by_dimension('measured', [('payer', 'payer_id'), ('provider', 'rendering_npi'), ('location', 'location_id'),
                                 ('claim_type', 'claim_type')]) }}
),

counted as (
    select
        dimension,
        dimension_value,
        month,
        count(*) as claims_submitted,
        sum(case when has_verdict then 1 else 0 end) as claims_with_verdict,
        sum(case when is_accepted then 1 else 0 end) as claims_accepted_first_pass,
        sum(case when is_rejected_999 then 1 else 0 end) as claims_rejected_999,
        sum(case when is_rejected_277ca then 1 else 0 end) as claims_rejected_277ca,
        sum(case when is_awaiting then 1 else 0 end) as claims_awaiting_acknowledgment,
        sum(case when is_acknowledgment_overdue then 1 else 0 end) as claims_acknowledgment_overdue,
        sum(case when is_rejected_999 or is_rejected_277ca or is_adjudicated then 1 else 0 end)
            as claims_with_first_answer,
        sum(case when not (is_rejected_999 or is_rejected_277ca) and is_adjudicated and is_first_decision_clean
            then 1 else 0 end) as claims_first_pass_paid,
        avg(days_to_acceptance) as avg_days_to_acceptance,
        sum(case when days_to_resubmission is not null then 1 else 0 end) as claims_resubmitted,
        avg(days_to_resubmission) as avg_days_to_resubmission
    from by_dimension
    group by 1, 2, 3
),

by_reason as (
    select
        'rejection_reason' as dimension,
        measured.rejection_reason as dimension_value,
        measured.month,
        max(book.claims_submitted) as claims_submitted,
        max(book.claims_with_verdict) as claims_with_verdict,
        cast(0 as bigint) as claims_accepted_first_pass,
        sum(case when measured.is_rejected_999 then 1 else 0 end) as claims_rejected_999,
        sum(case when measured.is_rejected_277ca then 1 else 0 end) as claims_rejected_277ca,
        cast(0 as bigint) as claims_awaiting_acknowledgment,
        cast(0 as bigint) as claims_acknowledgment_overdue,
        max(book.claims_with_first_answer) as claims_with_first_answer,
        cast(0 as bigint) as claims_first_pass_paid,
        cast(null as double) as avg_days_to_acceptance,
        sum(case when measured.days_to_resubmission is not null then 1 else 0 end) as claims_resubmitted,
        avg(measured.days_to_resubmission) as avg_days_to_resubmission
    from measured
    inner join counted as book on book.dimension = 'all' and book.month = measured.month
    where measured.rejection_reason is not null
    group by 1, 2, 3
),

all_rows as (
    select * from counted
    union all
    select * from by_reason
),

final as (
    select
        *,
        case when claims_with_verdict > 0
            then claims_accepted_first_pass::double / claims_with_verdict end as clean_claim_rate,
        case when claims_with_verdict > 0
            then (claims_rejected_999 + claims_rejected_277ca)::double / claims_with_verdict end
            as front_end_rejection_rate,
        case when claims_with_first_answer > 0
            then claims_first_pass_paid::double / claims_with_first_answer end as first_pass_yield
    from all_rows
)

select * from final
