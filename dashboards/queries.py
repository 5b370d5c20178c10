"""Cached, read-only queries for the dashboard pages.

Each call reads the published warehouse through one shared read-only connection per warehouse version
(pipelines.warehouse.read.Reader) and returns only what a page draws.  The cache key includes the warehouse
file's mtime, so the swap at the end of a build invalidates every cached frame at once, and the connection
for the new version opens the new file while the old one is let go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

from dashboards.filters import Filters
from pipelines.settings import get_settings
from pipelines.warehouse.read import (
    INITIAL_DENIAL_RATE,
    INITIAL_DENIAL_RATE_DOLLARS,
    Reader,
    WarehouseNotBuilt,
    file_counts,
    headline_sql,
)

NO_FILTER = Filters()


def warehouse_version() -> float | None:
    path = get_settings().warehouse_path
    return path.stat().st_mtime if path.exists() else None


# One reader for the warehouse version the pages show.  The first page run after a swap (a new mtime) opens a
# new one and drops the old one, which closes when the last query still running on it returns (not before:
# closing a DuckDB connection closes its cursors under their queries).
@st.cache_resource(max_entries=1, show_spinner=False)
def _reader(path: str, version: float | None) -> Reader:
    return Reader(get_settings())


def query(sql: str, params: list | None = None) -> pl.DataFrame:
    """A page's query on the published warehouse (through the shared reader of its current version; with
    nothing published, the reader raises WarehouseNotBuilt)."""
    return _reader(str(get_settings().warehouse_path), warehouse_version()).query(sql, params)


def require_warehouse() -> float:
    """The warehouse version for cache keys; stops the page with a hint when nothing is built yet."""
    version = warehouse_version()
    if version is None:
        st.info(
            "No warehouse yet. Drop extracts into the landing folder and run `revcycle run` (or `make demo`)."
        )
        st.stop()
    return version


def payer_names() -> dict[str, str]:
    """Payer id -> the payer's name (one per id, as the marts choose it), for labelling tables and charts."""
    version = warehouse_version()
    if version is None:
        return {}
    options, _ = filter_options(version)
    return {value: label for value, label in options.get("payer", []) if label}


def rule_labels() -> dict[str, str]:
    """Integrity rule id -> its label in words (seed integrity_rules), for tables, charts and pickers."""
    version = warehouse_version()
    return {} if version is None else _rule_labels(version)


@st.cache_data(ttl=300, show_spinner=False)
def _rule_labels(version: float) -> dict[str, str]:
    rows = query("select rule_id, rule_label from integrity_rules")
    return dict(zip(rows["rule_id"], rows["rule_label"], strict=True))


@st.cache_data(ttl=300, show_spinner=False)
def filter_options(version: float) -> tuple[dict[str, list[tuple[str, str]]], list[date]]:
    """Values for the global filters (with payer names) and the months the data covers.  Read from the
    activity cube (every chain counts in it under its payer, provider, location and claim type) and the
    chains' first and last dates, not by grouping the chains: every page's first run reads this."""
    rows = query(
        """
        with cube as (
            select payer_id, any_value(payer_name) as payer_name, rendering_npi, location_id, claim_type
            from fct_claim_activity_monthly group by all
        )
        select 'payer' as kind, payer_id as value, any_value(payer_name) as label
        from cube where payer_id is not null group by 2
        union all
        select 'provider', rendering_npi, null from cube where rendering_npi is not null group by 2
        union all
        select 'location', location_id, null from cube where location_id is not null group by 2
        union all
        select 'claim_type', claim_type, null from cube where claim_type is not null group by 2
        order by 1, 2
        """
    )
    options: dict[str, list[tuple[str, str]]] = {}
    for r in rows.iter_rows(named=True):
        options.setdefault(r["kind"], []).append((r["value"], r["label"]))
    # every month from the first service, submission or answer to the last
    months = query(
        """
        with span as (
            select least(min(first_service_date), min(first_submission_date), min(first_adjudication_date)) as lo,
                   greatest(max(first_service_date), max(first_submission_date), max(first_adjudication_date)) as hi
            from fct_claim_chains
        )
        select unnest(generate_series(date_trunc('month', lo), date_trunc('month', hi), interval 1 month))::date
               as month
        from span where lo is not null
        """
    )["month"].to_list()
    return options, months


@st.cache_data(ttl=300, show_spinner=False)
def headline(version: float, f: Filters = NO_FILTER) -> dict:
    dims, params = f.dims()
    sql = headline_sql(dims, f.period("month"))
    return query(sql, params).row(0, named=True)


@st.cache_data(ttl=300, show_spinner=False)
def files(version: float) -> dict:
    return file_counts()


@st.cache_data(ttl=300, show_spinner=False)
def denials_by_payer(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    where, params = f.where("month")
    return query(
        f"""
        select
            coalesce(payer_name, payer_id, 'unknown')                 as payer,
            sum(claims_adjudicated)::bigint                            as adjudicated,
            sum(claims_initially_denied)::bigint                       as initially_denied,
            {INITIAL_DENIAL_RATE}                                      as initial_denial_rate,
            sum(paid_amount)::double                                   as paid_amount
        from fct_claim_activity_monthly
        where {where}
        group by 1
        having sum(claims_adjudicated) > 0
        order by initially_denied desc, payer
        """,
        params,
    )


@st.cache_data(ttl=300, show_spinner=False)
def denial_trend(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    """The monthly initial denial rate of the selection.  When it is one value of one mart dimension (or
    nothing), both variants come from kpi_denial_rate_monthly; any other combination sums the same rows of
    fct_claim_activity_monthly the mart is built from, for the simple rate (the HFMA variant's lagged
    denominator is the mart's alone, so it is left out)."""
    single = f.single_dimension()
    if single is not None:
        dimension, value = single
        return query(
            f"""
            select month, claims_adjudicated, claims_initially_denied, claims_duplicate_denied,
                   initial_denial_rate_simple, initial_denial_rate_hfma,
                   initial_denial_rate_simple_dollars, initial_denial_rate_hfma_dollars
            from kpi_denial_rate_monthly
            where dimension = ? and dimension_value = ? and {f.period("month")}
            order by month
            """,
            [dimension, value],
        )
    where, params = f.where("month")
    return query(
        f"""
        select month,
               sum(claims_adjudicated)::bigint as claims_adjudicated,
               sum(claims_initially_denied)::bigint as claims_initially_denied,
               sum(claims_duplicate_denied)::bigint as claims_duplicate_denied,
               {INITIAL_DENIAL_RATE} as initial_denial_rate_simple,
               null::double as initial_denial_rate_hfma,
               {INITIAL_DENIAL_RATE_DOLLARS} as initial_denial_rate_simple_dollars,
               null::double as initial_denial_rate_hfma_dollars
        from fct_claim_activity_monthly
        where {where}
        group by month
        having sum(claims_adjudicated) > 0
        order by month
        """,
        params,
    )


@st.cache_data(ttl=300, show_spinner=False)
def root_cause_pareto(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    """Initial denials by root cause, with avoidability and overturns as fct_denials defines them."""
    where, params = f.where("denial_date")
    return query(
        f"""
        select root_cause, avoidable,
               count(*) as denied_claims,
               sum(initial_denied_amount)::double as denied_amount,
               count(*) filter (where is_overturned) as overturned_claims,
               count(*) filter (where is_resolved) as resolved_claims,
               count(*) filter (where is_final_denial) as written_off_claims
        from fct_denials
        where {where}
        group by 1, 2
        order by denied_amount desc
        """,
        params,
    )


@st.cache_data(ttl=300, show_spinner=False)
def carc_pareto(version: float, f: Filters = NO_FILTER, limit: int = 15) -> pl.DataFrame:
    """Initial denials by the CARC of their largest denied amount; the description only if a list was loaded."""
    where, params = f.where("k.first_adjudication_date", payer="k.payer_id", provider="k.rendering_npi",
                            location="k.location_id", claim_type="k.claim_type")  # fmt: skip
    return query(
        f"""
        select coalesce(k.initial_primary_carc, 'UNSPECIFIED') as carc, any_value(c.description) as description,
               count(*)::bigint as denied_claims,
               sum(k.total_charge_amount)::double as denied_charges
        from fct_claim_chains as k
        left join stg_reference__carc as c on c.code = k.initial_primary_carc
        where k.is_initially_denied and {where}
        group by 1
        order by denied_claims desc, carc
        limit ?
        """,
        [*params, limit],
    )


@st.cache_data(ttl=300, show_spinner=False)
def denied_by_cpt(version: float, f: Filters = NO_FILTER, limit: int = 15) -> pl.DataFrame:
    """Denied service lines of initial decisions by procedure code (fct_denial_lines)."""
    where, params = f.where("denial_date")
    return query(
        f"""
        select procedure_code, count(*) as denied_lines, sum(denied_amount)::double as denied_amount,
               count(*) filter (where is_overturned) as overturned_lines,
               mode(root_cause) as top_root_cause
        from fct_denial_lines
        where {where}
        group by 1
        order by denied_amount desc, procedure_code
        limit ?
        """,
        [*params, limit],
    )


@st.cache_data(ttl=300, show_spinner=False)
def payer_root_cause(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    where, params = f.where("first_adjudication_date")
    return query(
        f"""
        select coalesce(payer_name, payer_id) as payer, initial_root_cause as root_cause, count(*) as denied_claims
        from fct_claim_chains
        where is_initially_denied and {where}
        group by 1, 2
        """,
        params,
    )


@st.cache_data(ttl=300, show_spinner=False)
def ar_aging(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    """A/R by payer, financial class, bucket and component (insurance, secondary, patient, credit) at the
    latest month-end inside the period."""
    where, params = f.where("a.as_of_date", payer="a.payer_id", provider="c.rendering_npi",
                            location="c.location_id", claim_type="a.claim_type")  # fmt: skip
    # the snapshot has no provider or location: join the chains only when those filters are on
    chains = "inner join fct_claim_chains as c using (chain_id)" if f.providers or f.locations else ""
    # the period's latest month-end first (one column), then only its rows: the snapshots hold every open
    # chain at every month-end, so reading them whole grows with the book times its months
    latest = query(f"select max(as_of_date) from fct_ar_snapshots where {f.period('as_of_date')}").item()
    return query(
        f"""
        select a.payer_id, a.financial_class, a.aging_bucket, a.as_of_date,
               sum(a.open_balance)::double as insurance, sum(a.secondary_balance)::double as secondary,
               sum(a.patient_balance)::double as patient, sum(a.credit_balance)::double as credit,
               sum(a.net_open_balance)::double as net_open_balance, count(*) as claims
        from fct_ar_snapshots as a
        {chains}
        where a.as_of_date = ? and {where}
        group by all
        """,
        [latest, *params],
    )


@st.cache_data(ttl=300, show_spinner=False)
def collections(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    """kpi_collections_monthly, read as it is: the whole-book rows without a payer filter, else the chosen
    payers' own rows (a ratio over several payers is not the sum of theirs: no page recomputes one).  By
    month and payer only: provider, location and claim type do not apply."""
    where, params = f.where("month", provider=None, location=None, claim_type=None)
    scope = "'payer'" if f.payers else "'all'"
    return query(
        f"""
        select * from kpi_collections_monthly
        where scope = {scope} and {where}
        order by month, payer_id
        """,
        params,
    )


@st.cache_data(ttl=300, show_spinner=False)
def deposits(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    """kpi_deposits_monthly summed over the paying payers in the selection (every column is additive)."""
    where, params = f.where("month", provider=None, location=None, claim_type=None)
    return query(
        f"""
        select month, sum(payments)::bigint as payments, sum(deposits)::double as deposits,
               sum(claim_cash)::double as claim_cash, sum(interest)::double as interest,
               sum(forward_balance)::double as forward_balance, sum(recoupments)::double as recoupments,
               sum(unbalanced_payments)::bigint as unbalanced_payments
        from kpi_deposits_monthly
        where {where}
        group by month
        order by month
        """,
        params,
    )


@st.cache_data(ttl=300, show_spinner=False)
def underpayments(version: float, f: Filters = NO_FILTER, limit: int = 200) -> dict[str, pl.DataFrame]:
    """Underpaid lines against contract: by payer x procedure (kpi_underpayments_monthly), and the top lines
    (fct_underpayments)."""
    where, params = f.where("remit_date", claim_type=None)
    month_where, month_params = f.where("month", claim_type=None)
    by_payer_code = query(
        f"""
        select payer_id, procedure_code,
               sum(underpaid_lines)::bigint as underpaid_lines,
               sum(underpaid_amount)::double as underpaid_amount,
               sum(expected_allowed)::double as expected_allowed,
               sum(underpaid_amount) / nullif(sum(expected_allowed), 0) as underpayment_rate
        from kpi_underpayments_monthly
        where {month_where}
        group by all
        having sum(underpaid_lines) > 0
        order by underpaid_amount desc, payer_id, procedure_code
        """,
        month_params,
    )
    top = query(
        f"""
        select chain_id, line_number, payer_id, procedure_code, units, remit_date,
               expected_allowed::double as expected_allowed, actual_allowed::double as actual_allowed,
               variance::double as variance
        from fct_underpayments
        where is_underpaid and {where}
        order by variance desc, chain_id
        limit ?
        """,
        [*params, limit],
    )
    return {"by_payer_code": by_payer_code, "top": top}


@st.cache_data(ttl=300, show_spinner=False)
def days_to_pay(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    """Median and 90th-percentile days to pay per payer, exact, from kpi_days_to_pay_monthly's counts."""
    where, params = f.where("month")
    sql = quantiles_from_counts(
        "kpi_days_to_pay_monthly", "days_to_pay", "chains", where, (0.5, 0.9), by="payer_id"
    )
    return query(
        f"""
        select payer_id, q50 as median_days_to_pay, q90 as p90_days
        from ({sql})
        order by 2, 1
        """,
        params,
    )


@st.cache_data(ttl=300, show_spinner=False)
def unbilled(version: float, f: Filters = NO_FILTER) -> dict:
    """Unbilled encounters and the median charge lag of the selection, from kpi_charge_lag_monthly's counts."""
    where, params = f.where("month", claim_type=None)
    counts = query(
        f"""
        select coalesce(sum(encounters) filter (where not is_billed), 0)::bigint as unbilled_encounters,
               coalesce(sum(encounters), 0)::bigint as encounters
        from kpi_charge_lag_monthly
        where {where}
        """,
        params,
    ).row(0, named=True)
    lag = query(quantiles_from_counts("kpi_charge_lag_monthly", "charge_lag_days", "encounters", where, (0.5,)),
                params)  # fmt: skip
    return {**counts, "median_charge_lag_days": lag["q50"][0] if lag.height else None}


def quantiles_from_counts(
    table: str, value: str, count: str, where: str, fractions: tuple[float, ...], by: str | None = None
) -> str:
    """SQL for the continuous quantiles (DuckDB's quantile_cont, exactly) of `value` over the rows of `table`
    matching `where`, each standing for `count` observations; one row per `by` (or one in all), with columns
    q50, q90, ... for the fractions.  A histogram mart (counts per value) answers a median over any
    selection of its cells without the observations: quantile_cont at fraction q of n sorted values is the
    value at position q (n - 1), interpolated between its neighbours; the value at position k (from 0) is the
    smallest whose running count exceeds k."""
    part = f"partition by {by}" if by else ""
    keys = f"{by}, " if by else ""
    picks = []
    for q in fractions:
        pos = f"{q}::double * (total - 1)"  # a double, as quantile_cont's (a bare 0.5 is a DECIMAL)
        lo = f"min(v) filter (where upto > floor({pos}))"
        hi = f"min(v) filter (where upto > ceil({pos}))"
        picks.append(f"{lo} + ({pos} - floor({pos})) * ({hi} - {lo}) as q{round(q * 100)}")
    return f"""
        with h as (
            select {keys}{value} as v, sum({count}) as n
            from {table}
            where {where} and {value} is not null
            group by all
        ),
        c as (
            select {keys}v,
                   sum(n) over ({part} order by v rows between unbounded preceding and current row) as upto,
                   sum(n) over ({part}) as total
            from h
        )
        select {keys}{", ".join(picks)}
        from c
        group by {keys}total
        """


@st.cache_data(ttl=300, show_spinner=False)
def file_log(version: float) -> pl.DataFrame:
    return query(
        """
        select file_name, file_type, status, claim_count, line_count, rows_rejected, error_count, warning_count,
               loaded_at
        from stg_revcycle__files
        order by loaded_at desc
        limit 500
        """
    )


@st.cache_data(ttl=300, show_spinner=False)
def freshness(version: float) -> dict:
    return query(
        """
        select max(loaded_at) as last_loaded_at,
               (select max(first_adjudication_date) from fct_claim_chains) as last_remit_date,
               (select max(first_submission_date) from fct_claim_chains) as last_submission_date
        from stg_revcycle__files
        """
    ).row(0, named=True)


# ---------------------------------------------------------------- compliance (billing-integrity leads)
def _findings_where(f: Filters, alias: str = "") -> tuple[str, list]:
    """Leads are filtered by provider and by the date they are about (service date, else period start);
    they carry no payer, location or claim type (the page says so)."""
    return f.where(f"coalesce({alias}service_date, {alias}period_start)", payer=None,
                   provider=f"{alias}provider_npi", location=None, claim_type=None)  # fmt: skip


@st.cache_data(ttl=300, show_spinner=False)
def integrity_summary(version: float, f: Filters = NO_FILTER) -> dict:
    where, params = _findings_where(f)
    return query(
        f"""
        select count(*) as findings,
               count(distinct provider_npi) as providers,
               coalesce(sum(dollars_at_stake), 0)::double as dollars_at_stake,
               count(*) filter (where severity = 'critical') as critical
        from fct_integrity_findings
        where {where}
        """,
        params,
    ).row(0, named=True)


@st.cache_data(ttl=300, show_spinner=False)
def integrity_by_rule(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    """Every rule, with zero rows for rules that found nothing (so a missing reference file shows)."""
    where, params = _findings_where(f, "f.")
    return query(
        f"""
        select r.rule_id, r.rule_label, r.rule_kind, r.severity,
               count(f.finding_id) as findings,
               count(distinct f.provider_npi) as providers,
               coalesce(sum(f.dollars_at_stake), 0)::double as dollars_at_stake
        from integrity_rules as r
        left join fct_integrity_findings as f on f.rule_id = r.rule_id and {where}
        group by all
        order by any_value(r.weight) desc, r.rule_id
        """,
        params,
    )


@st.cache_data(ttl=300, show_spinner=False)
def reference_status(version: float) -> pl.DataFrame:
    from pipelines.reference import RULE_INPUTS

    return query(
        " union all ".join(
            f"select '{label}' as reference, count(*) as rows from stg_reference__{kind}"
            for kind, label in RULE_INPUTS.items()
        )
    )


@st.cache_data(ttl=300, show_spinner=False)
def provider_risk(version: float, f: Filters = NO_FILTER, limit: int = 200) -> pl.DataFrame:
    where, params = f.where(None, payer=None, provider="provider_npi", location=None, claim_type=None)
    return query(
        f"""
        select risk_rank, provider_npi, provider_taxonomy, claims, risk_score, top_rule, rules_hit,
               total_findings, dollars_at_stake::double as dollars_at_stake
        from dim_provider_risk
        where {where}
        order by risk_rank
        limit ?
        """,
        [*params, limit],
    )


@st.cache_data(ttl=300, show_spinner=False)
def integrity_findings(
    version: float, rule_id: str | None, provider_npi: str | None, f: Filters = NO_FILTER, limit: int = 1000
):
    where, params = _findings_where(f)
    return query(
        f"""
        select rule_id, severity, provider_npi, claim_id, line_number, service_date, period_start, period_end,
               measured_value, threshold, peer_statistic, score, dollars_at_stake::double as dollars_at_stake,
               evidence, evidence_claim_ids, finding_id
        from fct_integrity_findings
        where (? is null or rule_id = ?) and (? is null or provider_npi = ?) and {where}
        order by dollars_at_stake desc, rule_rank
        limit ?
        """,
        [rule_id, rule_id, provider_npi, provider_npi, *params, limit],
    )


@st.cache_data(ttl=300, show_spinner=False)
def evidence_lines(version: float, claim_ids: tuple[str, ...]) -> pl.DataFrame:
    """The service lines a finding rests on (no patient identifiers)."""
    return query(
        """
        select claim_id, line_number, claim_type, frequency_code, provider_npi, service_date, procedure_code,
               modifier_set as modifiers, units, charge_amount::double as charge_amount, payer_id
        from int_integrity__service_lines
        where list_contains(?, claim_id)
        order by service_date, claim_id, line_number
        """,
        [list(claim_ids)],
    )


@st.cache_data(ttl=300, show_spinner=False)
def integrity_monthly(version: float) -> pl.DataFrame:
    return query(
        """
        select rule_id, rule_label, finding_month, findings, providers,
               dollars_at_stake::double as dollars_at_stake, shared_findings, shared_providers,
               shared_dollars_at_stake::double as shared_dollars_at_stake, is_suppressed_when_shared
        from kpi_integrity_rule_monthly
        order by finding_month, rule_id
        """
    )


@st.cache_data(ttl=300, show_spinner=False)
def em_distribution(version: float, provider_npi: str) -> pl.DataFrame:
    """E/M level mix of one provider vs the peers of its taxonomy, per family (share of visits)."""
    return query(
        """
        with lines as (
            select provider_npi, provider_taxonomy, em_family, em_level
            from int_integrity__service_lines
            where is_em
        ),
        me as (select any_value(provider_taxonomy) as taxonomy from lines where provider_npi = ?),
        counts as (
            select em_family, em_level,
                   count(*) filter (where provider_npi = ?) as provider_visits,
                   count(*) filter (where provider_npi <> ?) as peer_visits
            from lines, me
            where provider_taxonomy = me.taxonomy
            group by all
        )
        select em_family, em_level,
               provider_visits / nullif(sum(provider_visits) over (partition by em_family), 0) as provider_share,
               peer_visits / nullif(sum(peer_visits) over (partition by em_family), 0) as peer_share,
               provider_visits, peer_visits
        from counts
        order by em_family, em_level
        """,
        [provider_npi, provider_npi, provider_npi],
    )


@st.cache_data(ttl=300, show_spinner=False)
def leie_screening(version: float) -> dict:
    """What was screened against the LEIE, for the screening log."""
    return query(
        """
        select
            -- billing, rendering (stg already falls back to billing) and referring NPIs of every claim: the
            -- same set the excluded-provider rule screens, read from the staged table (no view); each column
            -- made distinct on its own (a few thousand NPIs) before the union, not 3 values per claim unnested
            (select count(*) from (
                select billing_npi as npi from stg_x12__claims
                union select rendering_npi from stg_x12__claims
                union select referring_npi from stg_x12__claims)
             where npi is not null) as npis_screened,
            (select count(*) from stg_reference__leie) as leie_rows,
            (select count(*) from stg_reference__leie where npi is not null) as leie_rows_with_npi,
            (select count(distinct source_file) from stg_reference__leie_listings) as leie_files,
            (select max(snapshot_date) from stg_reference__leie_listings) as latest_snapshot_date,
            (select max(exclusion_date) from stg_reference__leie) as latest_exclusion_date,
            (select count(*) from stg_reference__leie where dropped_from_list_on is not null)
                as dropped_from_list,
            (select count(*) from fct_integrity_findings where rule_id = 'excluded_provider') as claims_matched,
            (select count(distinct provider_npi) from fct_integrity_findings where rule_id = 'excluded_provider')
                as providers_matched,
            (select count(*) from fct_integrity_findings where rule_id = 'excluded_provider_possible')
                as claims_possible
        """
    ).row(0, named=True)


# ---------------------------------------------------------------- one claim chain (denial drill-down)
@st.cache_data(ttl=300, show_spinner=False)
def denied_chains(version: float, f: Filters = NO_FILTER, limit: int = 500) -> pl.DataFrame:
    where, params = f.where("first_adjudication_date")
    return query(
        f"""
        select chain_id, coalesce(payer_name, payer_id) as payer, initial_root_cause as root_cause,
               initial_denied_amount::double as denied_amount, is_currently_denied
        from fct_claim_chains
        where is_initially_denied and {where}
        order by initial_denied_amount desc nulls last, chain_id
        limit ?
        """,
        [*params, limit],
    )


@st.cache_data(ttl=300, show_spinner=False)
def chain(version: float, chain_id: str) -> dict[str, pl.DataFrame]:
    """Everything about one chain: header, 837 submissions with their 999/277CA verdict, 835 decisions (to any
    claim id of the chain: a corrected claim sent under a new CLM01 is answered under that id), CAS
    adjustments, RARC remarks.

    The large tables are filtered by the key their rows are stored in order of (the storage_order macro), so
    DuckDB reads the few row groups that can hold the chain; the claims are found through the join's key range,
    which DuckDB passes from the chain's links to the claims scan.  The RARC remarks, a small table, are
    scanned whole.

    Member ids and patient names are returned raw; the page masks them (dashboards.phi) before display."""
    header = query("select * from fct_claim_chains where chain_id = ?", [chain_id])
    submissions = query(
        """
        select c.submission_date, c.claim_id, c.frequency_code, c.original_reference, c.claim_type,
               c.total_charge_amount::double as charge, c.billing_npi, c.rendering_npi, c.payer_id,
               c.subscriber_member_id as member_id, c.patient_last_name, c.patient_first_name,
               l.match_reason, fe.front_end_status, fe.ack_277ca_status_codes as front_end_codes,
               fe.accepted_date, fe.rejected_date, c._source_file_id as file_id
        from stg_x12__claims as c
        inner join (select claim_key, match_reason from int_claim_chain_links where chain_id = ?) as l
            using (claim_key)
        left join (select * from fct_claim_submissions where chain_id = ?) as fe using (claim_key)
        order by c.submission_date, c._source_file_id, c.seg_index
        """,
        [chain_id, chain_id],
    )
    remits = query(
        """
        select remit_date, remit_claim_key, status_code, is_adjudication, is_reversal, denial_type,
               primary_root_cause, primary_carc, charge_amount::double as charge, paid_amount::double as paid,
               patient_responsibility_amount::double as patient_responsibility, payer_claim_control_number,
               payer_id, patient_member_id as member_id
        from int_remit_claims_classified
        where chain_id = ?
        order by remit_date, _source_file_id, seg_index
        """,
        [chain_id],
    )
    keys = remits["remit_claim_key"].to_list() or [""]
    adjustments = query(
        """
        select a.remit_claim_key, a.adjustment_level, a.line_number, a.group_code, a.reason_code,
               a.adjustment_amount::double as amount, a.root_cause, a.is_denial,
               carc.description as reason_description
        from int_remit_adjustments_classified as a
        left join stg_reference__carc as carc on carc.code = a.reason_code
        where a.remit_claim_key = any(?)
        order by a.remit_claim_key, a.line_number nulls first, a.seg_index
        """,
        [keys],
    )
    remarks = query(
        """
        select r.remit_claim_key, r.remark_level, r.line_number, r.source_segment, r.remark_code,
               rarc.description as remark_description
        from stg_x12__remit_remarks as r
        left join stg_reference__rarc as rarc on rarc.code = r.remark_code
        where r.remit_claim_key = any(?)
        order by r.remit_claim_key, r.seg_index
        """,
        [keys],
    )
    return {"header": header, "submissions": submissions, "remits": remits, "adjustments": adjustments,
            "remarks": remarks}  # fmt: skip


def front_end_dimension(f: Filters) -> tuple[str, str] | None:
    """(dimension, value) of kpi_front_end_monthly for the selection: the book, or one payer, provider,
    location or claim type; None for any other combination (the page says it cannot apply it)."""
    chosen = [(d, v) for d, v in (("payer", f.payers), ("provider", f.providers), ("location", f.locations),
                                  ("claim_type", f.claim_types)) if v]  # fmt: skip
    if not chosen:
        return ("all", "all")
    if len(chosen) > 1 or len(chosen[0][1]) > 1:
        return None
    return chosen[0][0], chosen[0][1][0]


@st.cache_data(ttl=300, show_spinner=False)
def front_end_trend(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    """kpi_front_end_monthly for the book or the one payer, provider, location or claim type
    selected (the mart's rows); its rates are the mart's, summed over months only by the caller's totals."""
    dimension, value = front_end_dimension(f) or ("all", "all")
    return query(
        f"""
        select month, claims_submitted, claims_with_verdict, claims_accepted_first_pass, claims_rejected_999,
               claims_rejected_277ca, claims_awaiting_acknowledgment, claims_acknowledgment_overdue,
               claims_with_first_answer, claims_first_pass_paid, clean_claim_rate, front_end_rejection_rate,
               first_pass_yield, avg_days_to_acceptance, avg_days_to_resubmission
        from kpi_front_end_monthly
        where dimension = ? and dimension_value = ? and {f.period("month")}
        order by month
        """,
        [dimension, value],
    )


@st.cache_data(ttl=300, show_spinner=False)
def front_end_reasons(version: float, f: Filters = NO_FILTER) -> pl.DataFrame:
    """Rejections of first claims by reason (the 277CA category:status:entity, or the 999 code) in the period."""
    return query(
        f"""
        select dimension_value as reason,
               sum(claims_rejected_999 + claims_rejected_277ca) as rejected_claims,
               sum(claims_resubmitted) as resubmitted_claims,
               sum(avg_days_to_resubmission * claims_resubmitted) / nullif(sum(claims_resubmitted), 0)
                   as avg_days_to_resubmission
        from kpi_front_end_monthly
        where dimension = 'rejection_reason' and {f.period("month")}
        group by 1
        order by rejected_claims desc, reason
        """
    )


@st.cache_data(ttl=300, show_spinner=False)
def overdue_acknowledgments(version: float, f: Filters = NO_FILTER, limit: int = 500) -> pl.DataFrame:
    """Submissions still without a 277CA verdict past the overdue threshold, oldest first."""
    where, params = f.where("submission_date")
    return query(
        f"""
        select claim_id, payer_id, rendering_npi, claim_type, submission_date, front_end_status,
               days_awaiting_acknowledgment, total_charge_amount::double as charge_amount
        from fct_claim_submissions
        where is_acknowledgment_overdue and {where}
        order by days_awaiting_acknowledgment desc, charge_amount desc
        limit {int(limit)}
        """,
        params,
    )


@dataclass(frozen=True)
class Queue:
    table: str
    amount: str  # the money the queue is ranked by
    deadline: str
    # the third headline: (label, SQL count filter, what it counts)
    flag: tuple[str, str, str]
    claim_type: bool = True  # an encounter (the scrubber) has no claim type yet


QUEUES = {
    "denials": Queue("wq_denials", "expected_recovery", "appeal_deadline",
                     ("Due this week", "days_left between 0 and 7", "appeal deadline within 7 days")),
    "followup": Queue("wq_ar_followup", "amount", "timely_filing_deadline",
                      ("Due this week", "days_left between 0 and 7", "timely filing deadline within 7 days")),
    "patients": Queue("wq_patient_balances", "patient_balance", "responsibility_date",
                      ("Final notice or later", "statement_cycle in ('final_notice', 'collections_review')",
                       "60 days or more since the patient's share was set")),
    "prebill": Queue("wq_prebill_edits", "charge_amount", "service_date",
                     ("Errors", "severity = 'error'", "edits a payer would reject or deny"), claim_type=False),
}  # fmt: skip
QUEUE_SORTS = {
    "priority": "priority_rank",
    "deadline": "{deadline}, priority_rank",
    "amount": "{amount} desc, priority_rank",
}


def _queue_where(queue: str, f: Filters, owner_areas: tuple[str, ...]) -> tuple[Queue, str, list]:
    q = QUEUES[queue]
    where, params = f.where(None, claim_type="claim_type" if q.claim_type else None)
    if owner_areas:
        where += f" and owner_area in ({', '.join('?' for _ in owner_areas)})"
        params = [*params, *owner_areas]
    return q, where, params


@st.cache_data(ttl=300, show_spinner=False)
def work_queue_totals(
    version: float, queue: str, f: Filters = NO_FILTER, owner_areas: tuple[str, ...] = ()
) -> dict:
    """A queue's headline under the sidebar's filters: items, their money, the third count (QUEUES)."""
    q, where, params = _queue_where(queue, f, owner_areas)
    return query(
        f"""
        select count(*) as items, coalesce(sum({q.amount}), 0)::double as amount,
               count(*) filter (where {q.flag[1]}) as flagged
        from {q.table} where {where}
        """,
        params,
    ).row(0, named=True)


@st.cache_data(ttl=300, show_spinner=False)
def work_queue_areas(version: float, f: Filters = NO_FILTER) -> list[str]:
    _, where, params = _queue_where("denials", f, ())
    df = query(f"select distinct owner_area from wq_denials where {where} and owner_area is not null", params)
    return sorted(df["owner_area"].to_list())


@st.cache_data(ttl=300, show_spinner=False)
def work_queue(
    version: float,
    queue: str,
    f: Filters = NO_FILTER,
    owner_areas: tuple[str, ...] = (),
    sort: str = "priority",
    limit: int = 1_000,
) -> pl.DataFrame:
    """The top ``limit`` rows of one work queue mart (wq_denials, wq_ar_followup, wq_patient_balances,
    wq_prebill_edits) under the sidebar's payer, provider, location and claim type (and owner areas), in the
    chosen order: a queue at a health system holds hundreds of thousands of rows, a page shows its top."""
    return work_queue_rows(queue, f, owner_areas, sort, limit)


def work_queue_rows(
    queue: str,
    f: Filters = NO_FILTER,
    owner_areas: tuple[str, ...] = (),
    sort: str = "priority",
    limit: int | None = None,
) -> pl.DataFrame:
    """The same rows, uncached; ``limit`` None: the whole queue (a download, read when its button is clicked)."""
    q, where, params = _queue_where(queue, f, owner_areas)
    order = QUEUE_SORTS[sort].format(deadline=q.deadline, amount=q.amount)
    top = "" if limit is None else f"limit {int(limit)}"
    return query(f"select * from {q.table} where {where} order by {order} {top}", params)


__all__ = ["WarehouseNotBuilt", "warehouse_version"]
