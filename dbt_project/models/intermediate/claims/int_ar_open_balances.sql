-- Insurance A/R by chain at every month-end (DOMAIN.md §1.5-1.6), one row per chain with an open
-- balance.  A chain's balance as of a date:
--   * its latest submission is a void (freq 8)            -> closed (0);
--   * no primary adjudication yet                         -> the latest submission's charge (awaiting payer);
--   * latest primary adjudication carries a provider-liable denial (CO/OA/PI with a denial CARC)
--       and a rework was submitted after it, or it is at most `ar_denial_open_days` old -> the denied amount;
--   * otherwise (paid, patient share assigned, or denial written off) -> 0.
-- Patient responsibility leaves insurance A/R at adjudication; secondary payers (CLP02 2/3/20/21) do not
-- move the primary balance.  Age is counted from `ar_age_anchor` (service date by default).
-- The chain's contract-priced parts (int_chain_contract_prices) ride along so fct_ar_snapshots can price the
-- open amount (HFMA net A/R) at the payer's current allowed-to-charge ratio without recomputing this table.
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
        ~ " where is_adjudication and is_primary_adjudication)") %}
    {%- set new_month_ends = reach.rows[0][0] %}
{%- endif %}
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
        prices.priced_payer_id,
        prices.contracted_allowed_amount,
        prices.uncontracted_charge_amount,
        prices.line_charge_amount as chain_line_charge_amount
    from {{ ref('fct_claim_chains') }} as chain
    left join {{ ref('financial_class') }} as fc on fc.filing_indicator = chain.filing_indicator
    left join {{ ref('int_chain_contract_prices') }} as prices on prices.chain_id = chain.chain_id
    where chain.has_submission
    {%- if is_incremental() and not new_month_ends %}
        and {{ in_touched_chains('chain.chain_id') }}
    {%- endif %}
),

all_submissions as (
    select chain_id, submission_date, frequency_code, total_charge_amount
    from {{ ref('int_claim_chain_links') }}
),

all_adjudications as (
    select
        claim_id as chain_id,
        remit_date,
        provider_liable_denied_amount
    from {{ ref('int_remit_claims_classified') }}
    where is_adjudication and is_primary_adjudication
),

-- the month-ends span all the data, whichever chains this build recomputes
bounds as (
    select
        (select min(submission_date) from all_submissions) as first_date,
        greatest(
            (select max(submission_date) from all_submissions),
            coalesce(
                (select max(remit_date) from all_adjudications), (select max(submission_date) from all_submissions)
            )
        ) as last_date
),

as_of_dates as (
    {{ month_ends('(select first_date from bounds)', '(select last_date from bounds)') }}
),

grid as (
    select chains.*, as_of_dates.as_of_date
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

submissions as (
    select * from all_submissions
    {% if is_incremental() -%} where chain_id in (select chain_id from grid) {%- endif %}
),

adjudications as (
    select * from all_adjudications
    {% if is_incremental() -%} where chain_id in (select chain_id from grid) {%- endif %}
),

with_submission as (
    {{ asof_left_join('grid', 'submissions', 'chain_id', 'as_of_date', 'submission_date',
                      {'submission_date': 'latest_submission_date', 'frequency_code': 'latest_frequency_code',
                       'total_charge_amount': 'latest_charge_amount'},
                      left_row=['chain_id', 'as_of_date']) }}
),

with_adjudication as (
    {{ asof_left_join('with_submission', 'adjudications', 'chain_id', 'as_of_date', 'remit_date',
                      {'remit_date': 'latest_adjudication_date',
                       'provider_liable_denied_amount': 'latest_denied_amount'},
                      left_row=['chain_id', 'as_of_date']) }}
),

balances as (
    select
        *,
        case
            when latest_frequency_code = '8' then 0
            when latest_adjudication_date is null then latest_charge_amount
            when latest_denied_amount > 0
                and (
                    latest_submission_date > latest_adjudication_date
                    or {{ days_between("latest_adjudication_date", "as_of_date") }} <= {{ var('ar_denial_open_days') }}
                ) then latest_denied_amount
            else 0
        end::decimal(18, 2) as open_balance,
        case
            when latest_adjudication_date is null then 'awaiting_payer'
            when latest_submission_date > latest_adjudication_date then 'in_rework'
            else 'denied'
        end as ar_status,
        -- a claim submitted before its own date of service (pre-billed or a mis-keyed DTP*472, as in some
        -- public sample files) is in A/R from its submission but has no age yet: 0, never negative
        greatest(
            {{ days_between('first_service_date' if var('ar_age_anchor') == 'service_date' else 'first_submission_date', "as_of_date") }},
            0
        ) as age_days
    from with_adjudication
),

final as (
    select
        ----------  ids
        chain_id,
        as_of_date,
        ----------  dimensions
        payer_id,
        payer_name,
        financial_class,
        claim_type,
        ar_status,
        age_days,
        {{ aging_bucket('age_days') }} as aging_bucket,
        ----------  amounts
        open_balance,
        ----------  the chain's expected allowed, in parts (int_chain_contract_prices)
        priced_payer_id,
        contracted_allowed_amount,
        uncontracted_charge_amount,
        chain_line_charge_amount,
        ----------  dates
        first_service_date,
        first_submission_date,
        latest_adjudication_date,
        ----------  lineage
        {{ build_seq_stamp() }} as _build_seq
    from balances
    where open_balance > 0
)

select * from final
