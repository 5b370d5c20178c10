"""Cached, read-only queries for the dashboard pages.

Each call opens a short-lived read-only DuckDB connection (pipelines.warehouse.query) and returns only
what a page draws.  The cache key includes the warehouse file's mtime, so the swap at the end of a build
invalidates every cached frame at once and no page mixes numbers from two builds.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.settings import get_settings
from pipelines.warehouse import HEADLINE_SQL, WarehouseNotBuilt, file_counts, query


def warehouse_version() -> float | None:
    path = get_settings().warehouse_path
    return path.stat().st_mtime if path.exists() else None


@st.cache_data(ttl=300, show_spinner=False)
def headline(version: float) -> dict:
    return query(HEADLINE_SQL).row(0, named=True)


@st.cache_data(ttl=300, show_spinner=False)
def files(version: float) -> dict:
    return file_counts()


@st.cache_data(ttl=300, show_spinner=False)
def denials_by_payer(version: float) -> pl.DataFrame:
    return query(
        """
        select
            coalesce(payer_name, payer_id, 'unknown')                 as payer,
            count(*) filter (where is_adjudicated)                     as adjudicated,
            count(*) filter (where is_initially_denied)                as initially_denied,
            count(*) filter (where is_initially_denied)::double
                / nullif(count(*) filter (where is_adjudicated), 0)    as initial_denial_rate,
            sum(total_paid_amount)::double                             as paid_amount
        from fct_claim_chains
        group by 1
        order by initially_denied desc, payer
        """
    )


@st.cache_data(ttl=300, show_spinner=False)
def denials_by_root_cause(version: float) -> pl.DataFrame:
    return query(
        """
        select initial_root_cause as root_cause, count(*) as claims,
               sum(initial_denied_amount)::double as denied_amount
        from fct_claim_chains
        where is_initially_denied
        group by 1
        order by denied_amount desc
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


__all__ = ["WarehouseNotBuilt", "warehouse_version"]
