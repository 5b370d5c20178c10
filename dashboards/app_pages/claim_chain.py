"""Claim chain: one claim's whole story (?claim=CLM01 in the URL) — every 837 submission with what the 999
and 277CA said of it, every 835 decision, their CAS adjustments and RARC remarks.  Every claim id on the other
pages links here for PHI viewers."""

import streamlit as st

from dashboards import phi, queries, ui

version, flt = ui.page_header("Claim chain")
st.caption(
    "Every 837 submission (original, replacements, voids) with what the 999 and 277CA said of it, every 835 "
    "decision (adjudications, reversals), their CAS adjustments and RARC remarks. Member ids and names are masked "
    "unless you are a PHI viewer. The sidebar filters narrow the list of denied claims to pick from."
)
denied = queries.denied_chains(version, flt)
options = denied["chain_id"].to_list()
wanted = st.query_params.get("claim")
if wanted and wanted not in options:
    options = [wanted, *options]
chain_id = st.selectbox(
    "Claim (CLM01): denied claims largest amount first, or type any claim id",
    options,
    format_func=phi.display_fn(),  # claim ids masked unless a PHI viewer
    index=options.index(wanted) if wanted in options else 0 if options else None,
    key="chain__claim",
    accept_new_options=True,
)
if chain_id:
    if chain_id != (wanted or options[0]):  # a choice the user made goes into the link; the default does not
        st.query_params["claim"] = chain_id
    detail = queries.chain(version, chain_id)
    if detail["header"].height == 0:
        st.info(f"No claim chain {ui.md_escape(phi.display_fn()(chain_id))} in the warehouse.")
    else:
        h = detail["header"].row(0, named=True)
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Submissions", h["submission_count"] or 0)
        m2.metric(
            "Initial decision",
            (h["initial_denial_type"] or "none") + " denial" if h["is_initially_denied"] else "paid",
        )
        m3.metric("Root cause", h["initial_root_cause"] or "—")
        m4.metric("Paid (net of reversals)", f"${(h['total_paid_amount'] or 0):,.2f}")
        st.markdown("**837 submissions**")
        ui.table(phi.protect(detail["submissions"]))
        st.markdown("**835 decisions**")
        ui.table(phi.protect(detail["remits"].drop("remit_claim_key")))
        st.markdown("**Adjustments (CAS) and remarks (RARC)**")
        a, r = st.columns([3, 2])
        ui.table(detail["adjustments"], container=a)
        ui.table(detail["remarks"], container=r)
