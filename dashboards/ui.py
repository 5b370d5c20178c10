"""Page furniture shared by every page: the freshness banner and the KPI definitions popover."""

from __future__ import annotations

import re

import streamlit as st

from dashboards import queries

# One place for the formulas the pages show (DOMAIN.md §1-§3); the marts' yml carries the same text.
DEFINITIONS = {
    "Initial denial rate (simple)": "claims whose first adjudication was a full or partial denial ÷ claims "
    "adjudicated in the month (reversals, pends and resubmissions never add a claim).",
    "Initial denial rate (HFMA)": "initial denials in the month ÷ average monthly claims submitted over the three "
    "months before (HFMA Claim Integrity Task Force).",
    "Avoidable share": "denials whose root cause a step before submission could have prevented ÷ all initial "
    "denials (carc_root_cause seed).",
    "Overturned": "initially denied chains now paid and no longer denied ÷ initially denied chains.",
    "Net collection rate": "cash collected (payers + patients, when the patient-payments extract is fed) ÷ (gross "
    "charges − contractual adjustments), same month; undefined when the denominator is not positive.",
    "Gross collection rate": "cash collected (payers + patients) ÷ gross charges, same month.",
    "Days in A/R (gross)": "insurance A/R at month end ÷ average daily gross charges over the trailing 3 months "
    "(MGMA).",
    "Days in A/R (net)": "net A/R (open balance × expected allowed ÷ charge) at month end ÷ average daily expected "
    "allowed over the trailing 3 months (HFMA net days; expected allowed from the contract seed, else the payer's "
    "observed allowed-to-charge ratio).",
    "Underpayment": "a paid line whose allowed amount (AMT*B6, else paid + patient share) is below the contract's "
    "(lesser of charge and rate × units) by more than max($5, 2%); denied, capitated and secondary lines excluded.",
    "Insurance A/R": "charge while unadjudicated; after a denial the provider-liable denied amount while reworked "
    "or for 120 days (dbt var ar_denial_open_days); patient shares leave insurance A/R.",
    "Review lead": "a line, claim, provider-day or provider that breaks a payer edit or stands far from specialty "
    "peers — a candidate for documentation review, never a finding (docs/integrity.md).",
}


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=])")


def md_escape(text: object) -> str:
    """Text from the data or the URL, made inert for st.markdown / st.info: every character markdown (or
    Streamlit's :colour[...] and $math$ directives) could act on is backslash-escaped, so a value can never
    become a link, an image or formatting."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text)).replace("\n", " ")


def freshness_banner(version: float) -> None:
    fresh = queries.freshness(version)
    loaded = fresh["last_loaded_at"]
    st.caption(
        f"Data loaded {loaded:%Y-%m-%d %H:%M} UTC · last 837 submission {fresh['last_submission_date'] or 'n/a'} · "
        f"last 835 adjudication {fresh['last_remit_date'] or 'n/a'}"
        if loaded
        else "No files loaded yet."
    )


def definitions(*names: str) -> None:
    with st.popover("Definitions", icon=":material/info:"):
        for name in names:
            st.markdown(f"**{name}** — {DEFINITIONS[name]}")
