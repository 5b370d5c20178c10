-- A/R by chain at every month-end (docs/metrics.md, "A/R"), one row per chain with any balance, in
-- components that are never netted against each other:
--   open_balance (insurance A/R, the primary payer's)
--     * the latest primary submission is a void (freq 8)               -> 0;
--     * no primary decision yet, or the last primary answer reversed it -> the primary claim's charge;
--     * the latest primary decision carries a provider-liable denial (CO/OA/PI with a denial CARC) and a
--       rework was submitted after it, or fewer than `ar_denial_open_days` days have passed since it
--       (the write-off rule, macros/writeoff.sql)                         -> the denied amount;
--     * otherwise (paid, patient share assigned, denial written off)    -> 0;
--   secondary_balance: the patient share of the primary decision while a secondary payer (billed, crossed
--     over by the primary, or answering) has not decided yet;
--   patient_balance / credit_balance: the patient share less what later payers paid, patient payments and
--     patient write-offs, once no secondary decision is pending — owed by the patient when positive, a
--     credit balance owed back to the patient when negative.
-- Duplicate denials (CARC 18/B13) decide nothing and move no balance.  Age is counted from `ar_age_anchor`
-- (service date by default) for every component.  The chain's contract-priced parts ride along so
-- fct_ar_snapshots can price the insurance balance (HFMA net A/R) at the payer's current allowed-to-charge
-- ratio without recomputing this table.
--
-- Incremental by chain (macros/incremental_chains.sql): a touched chain gets its rows at every month-end
-- recomputed; a month-end the table has not reached yet (the data moved into a new month) gets every chain.
{%- set bounds = run_query('select min(as_of_date), max(as_of_date) from ' ~ this) if is_incremental() and execute else none %}
{%- set first_reached, last_reached = (bounds.rows[0][0], bounds.rows[0][1]) if bounds is not none else (none, none) %}
{#- does the data reach a month-end the table has not (the usual new day does not)?  decided before the model
    runs, so that the usual build reads only the touched chains -#}
{%- set new_month_ends = true %}
{%- if is_incremental() and execute and last_reached is not none %}
    {%- set reach = run_query(
        "select last_day(max(d)) > date '" ~ last_reached ~ "' or last_day(min(d)) < date '" ~ first_reached ~ "' from ("
        ~ " select submission_date as d from " ~ ref('int_claim_chain_links')
        ~ " union all select remit_date from " ~ ref('int_remit_claims_classified')
        ~ " where payer_sequence = 1 and (is_primary_decision or is_reversal))") %}
    {%- set new_month_ends = reach.rows[0][0] %}
{%- endif %}
{#- the usual day: the chain-level inputs read only the touched chains -#}
{%- set touched_only = is_incremental() and not new_month_ends %}
{#- a number that orders a chain's answers by date, then by file and position (remit_seq): an as-of join can
    then tell a reversal from the correction that follows it the same day -#}
{%- set event_order -%}
    {{ days_between("cast('1970-01-01' as date)", 'remit_date') }} * 1000000 + remit_seq
{%- endset %}
{{ config(**chain_model_config('chain_id')) }}
-- depends_on: {{ ref('int_touched_chains') }}
with chains as (
    select
        chain.chain_id,
        chain.payer_id,
        chain.payer_name,
        coalesce(fc.financial_class, 'Other / unknown') as financial_class,
        chain.claim_type,
        chain.first_service_date,
        chain.first_submission_date,
        chain.priced_payer_id,
        chain.contracted_allowed_amount,
        chain.uncontracted_charge_amount,
        chain.priced_line_charge_amount as chain_line_charge_amount
    from {{ ref('fct_claim_chains') }} as chain
    left join {{ ref('financial_class') }} as fc on fc.filing_indicator = chain.filing_indicator
    where chain.has_submission
    {%- if touched_only %}
        and {{ in_touched_chains('chain.chain_id') }}
    {%- endif %}
),

-- the month-ends span all the data, whichever chains this build recomputes: spans over a column or two, so
-- that the rows below are read for the grid's chains only (not whole tables kept for these two dates)
submission_span as (
    select min(submission_date) as first_date, max(submission_date) as last_date
    from {{ ref('int_claim_chain_links') }}
    where payer_sequence = 1
),

last_primary_answer as (
    select max(remit_date) as last_date
    from {{ ref('int_remit_claims_classified') }}
    where payer_sequence = 1 and (is_primary_decision or is_reversal)
),

bounds as (
    select
        span.first_date,
        greatest(span.last_date, coalesce(answer.last_date, span.last_date)) as last_date
    from submission_span as span
    cross join last_primary_answer as answer
),

as_of_dates as (
    {{ month_ends('(select first_date from bounds)', '(select last_date from bounds)') }}
),

-- the chain-by-month-end grid carries only what the balances need through the four as-of joins (tens of
-- millions of rows at a health system's size, most of them closed and dropped at the end); the chain's
-- descriptive columns join the few rows that keep a balance
grid as (
    select
        chains.chain_id,
        chains.first_service_date,
        chains.first_submission_date,
        as_of_dates.as_of_date,
        {{ days_between("cast('1970-01-01' as date)", 'as_of_dates.as_of_date') }} * 1000000 + 999999 as as_of_order
    from chains
    inner join as_of_dates on chains.first_submission_date <= as_of_dates.as_of_date
    {%- if is_incremental() %}
    where {{ in_touched_chains('chains.chain_id') }}
        {%- if last_reached is not none %}
        or as_of_dates.as_of_date > '{{ last_reached }}' or as_of_dates.as_of_date < '{{ first_reached }}'
        {%- else %}
        or true
        {%- endif %}
    {%- endif %}
),

-- the chains of the grid: every chain on a full build; on an incremental one the touched chains, or every
-- chain when the data reached a new month-end.  Each input below is narrowed to them before anything else
-- (the windows run per chain, so narrowing first changes no row)
{%- set in_grid = 'and chain_id in (select chain_id from grid)' if is_incremental() else '' %}

submissions as (
    -- the claim as billed to its primary payer
    select chain_id, submission_date, frequency_code, total_charge_amount
    from {{ ref('int_claim_chain_links') }}
    where payer_sequence = 1 {{ in_grid }}
),

adjudications as (
    -- the primary payer's decisions and reversals: the chain's state is its latest
    select
        chain_id,
        remit_date,
        {{ event_order }} as event_order,
        case when is_reversal then 0 else provider_liable_denied_amount end as provider_liable_denied_amount,
        case when is_reversal then 0 else pr_adjustment_amount end as patient_share,
        is_reversal,
        is_crossover as is_crossed_over
    from {{ ref('int_remit_claims_classified') }}
    where payer_sequence = 1 and (is_primary_decision or is_reversal) {{ in_grid }}
),

later as (
    -- secondary and tertiary answers: the cash they paid so far, and whether one has decided
    select
        chain_id,
        remit_date,
        {{ event_order }} as event_order,
        sum(paid_amount) over (partition by chain_id order by {{ event_order }} rows unbounded preceding)
            as later_paid_to_date,
        max(case when is_adjudication then 1 else 0 end) over (
            partition by chain_id order by {{ event_order }} rows unbounded preceding
        ) as later_decided
    from {{ ref('int_remit_claims_classified') }}
    where payer_sequence > 1 {{ in_grid }}
),

secondary_billed as (
    select chain_id, min(submission_date) as secondary_billed_date
    from {{ ref('int_claim_chain_links') }}
    where payer_sequence > 1 {{ in_grid }}
    group by chain_id
),

patients as (
    -- what the patient paid (refunds net) and what was written off as bad debt or charity, to date
    select
        chain_id,
        payment_date,
        {{ days_between("cast('1970-01-01' as date)", 'payment_date') }} * 1000000
            + row_number() over (partition by chain_id order by payment_date, payment_id) as activity_order,
        sum(amount) over (
            partition by chain_id order by payment_date, payment_id rows unbounded preceding
        ) as patient_credits_to_date
    from {{ ref('fct_patient_payments') }}
    where chain_id is not null {{ in_grid }}
),

with_submission as (
    {{ asof_left_join('grid', 'submissions', 'chain_id', 'as_of_date', 'submission_date',
                      {'submission_date': 'latest_submission_date', 'frequency_code': 'latest_frequency_code',
                       'total_charge_amount': 'latest_charge_amount'},
                      left_row=['chain_id', 'as_of_date']) }}
),

with_adjudication as (
    {{ asof_left_join('with_submission', 'adjudications', 'chain_id', 'as_of_order', 'event_order',
                      {'remit_date': 'latest_adjudication_date',
                       'provider_liable_denied_amount': 'latest_denied_amount',
                       'patient_share': 'latest_patient_share',
                       'is_reversal': 'latest_is_reversal',
                       'is_crossed_over': 'latest_is_crossed_over'},
                      left_row=['chain_id', 'as_of_date']) }}
),

with_later as (
    {{ asof_left_join('with_adjudication', 'later', 'chain_id', 'as_of_order', 'event_order',
                      {'later_paid_to_date': 'later_paid_to_date', 'later_decided': 'later_decided'},
                      left_row=['chain_id', 'as_of_date']) }}
),

with_patient as (
    {{ asof_left_join('with_later', 'patients', 'chain_id', 'as_of_order', 'activity_order',
                      {'patient_credits_to_date': 'patient_credits_to_date'},
                      left_row=['chain_id', 'as_of_date']) }}
),

balances as (
    select
        with_patient.*,
        case
            when latest_frequency_code = '8' then 0
            when latest_adjudication_date is null or latest_is_reversal then latest_charge_amount
            when latest_denied_amount > 0
                and (
                    latest_submission_date > latest_adjudication_date
                    or {{ denial_open('latest_adjudication_date', 'as_of_date') }}
                ) then latest_denied_amount
            else 0
        end::decimal(18, 2) as open_balance,
        -- a secondary payer is in the picture (billed by the provider, crossed over by the primary, or it
        -- answered) and has not decided yet
        coalesce(
            latest_frequency_code <> '8' and latest_adjudication_date is not null and not latest_is_reversal
            and coalesce(latest_patient_share, 0) > 0
            and (latest_is_crossed_over or secondary_billed.secondary_billed_date <= as_of_date
                 or later_paid_to_date is not null)
            and coalesce(later_decided, 0) = 0,
            false
        ) as is_secondary_pending,
        case
            when latest_submission_date > latest_adjudication_date then 'in_rework'
            when latest_adjudication_date is null or latest_is_reversal then 'awaiting_payer'
            else 'denied'
        end as ar_status,
        -- a claim submitted before its own date of service (pre-billed or a mis-keyed DTP*472, as in some
        -- public sample files) is in A/R from its submission but has no age yet: 0, never negative
        greatest(
            {{ days_between('first_service_date' if var('ar_age_anchor') == 'service_date' else 'first_submission_date', "as_of_date") }},
            0
        ) as age_days
    from with_patient
    left join secondary_billed on secondary_billed.chain_id = with_patient.chain_id
),

components as (
    select
        *,
        case when is_secondary_pending then latest_patient_share else 0 end::decimal(18, 2) as secondary_balance,
        -- the patient's due once no secondary decision is pending: the share less later payers' cash,
        -- payments and write-offs (a void or an open primary question owes nothing yet)
        case
            when latest_frequency_code = '8' or latest_adjudication_date is null or latest_is_reversal
                or is_secondary_pending then 0
            else greatest(coalesce(latest_patient_share, 0) - coalesce(later_paid_to_date, 0), 0)
                - coalesce(patient_credits_to_date, 0)
        end::decimal(18, 2) as patient_due
    from balances
),

final as (
    select
        ----------  ids
        components.chain_id,
        components.as_of_date,
        ----------  dimensions
        chains.payer_id,
        chains.payer_name,
        chains.financial_class,
        chains.claim_type,
        components.ar_status,
        components.age_days,
        {{ aging_bucket('components.age_days') }} as aging_bucket,
        ----------  amounts
        components.open_balance,
        components.secondary_balance,
        greatest(components.patient_due, 0)::decimal(18, 2) as patient_balance,
        greatest(-components.patient_due, 0)::decimal(18, 2) as credit_balance,
        ----------  the chain's expected allowed, in parts (int_chain_contract_prices)
        chains.priced_payer_id,
        chains.contracted_allowed_amount,
        chains.uncontracted_charge_amount,
        chains.chain_line_charge_amount,
        ----------  dates
        components.first_service_date,
        components.first_submission_date,
        components.latest_adjudication_date,
        ----------  lineage
        {{ build_seq_stamp() }} as _build_seq
    from components
    inner join chains on chains.chain_id = components.chain_id
    where components.open_balance > 0 or components.secondary_balance > 0 or components.patient_due <> 0
)

select * from final
{{ storage_order('as_of_date') }}
