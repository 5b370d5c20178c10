"""Denials: trend (simple vs HFMA, count vs dollars), root-cause Pareto with avoidability, payer x cause,
and a drill-down to one claim's whole chain (?claim=CLM01 in the URL)."""

import altair as alt
import streamlit as st

from dashboards import phi, queries, ui

version, flt = ui.page_header("Denials")
ui.definitions("Initial denial rate (simple)", "Initial denial rate (HFMA)", "Avoidable share", "Overturned")

c1, c2 = st.columns(2)
variant = c1.radio(
    "Denominator",
    ["simple", "hfma"],
    horizontal=True,
    key="denials__variant",
    help="simple: denied ÷ adjudicated in the same month. hfma: denied ÷ average monthly claims submitted "
    "in the 3 months before (HFMA Claim Integrity Task Force).",
)
basis = c2.radio("Measure", ["count", "dollars"], horizontal=True, key="denials__basis")
col = f"initial_denial_rate_{variant}" + ("_dollars" if basis == "dollars" else "")

trend = queries.denial_trend(version, flt)
st.subheader("Initial denial rate by month")
if variant == "hfma" and flt.single_dimension() is None:
    st.caption(
        "The HFMA denominator (claims submitted in the 3 months before) exists in kpi_denial_rate_monthly for "
        "the whole book or one payer, provider or location: pick one of those to see it."
    )
st.altair_chart(
    alt.Chart(trend.to_pandas())
    .mark_line(point=True)
    .encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y(f"{col}:Q", title="initial denial rate", axis=alt.Axis(format="%")),
        tooltip=[
            "month:T",
            "claims_adjudicated",
            "claims_initially_denied",
            alt.Tooltip(f"{col}:Q", format=".1%"),
        ],
    ),
    width="stretch",
)

pareto = queries.root_cause_pareto(version, flt)
left, right = st.columns(2)
with left:
    st.subheader("Root causes (denied $)")
    st.altair_chart(
        alt.Chart(pareto.to_pandas())
        .mark_bar()
        .encode(
            x=alt.X("denied_amount:Q", title="denied $"),
            y=alt.Y("root_cause:N", sort="-x", title=None),
            color=alt.Color("avoidable:N", title="avoidable"),
            tooltip=[
                "root_cause",
                "denied_claims",
                "denied_amount",
                "overturned_claims",
                "written_off_claims",
            ],
        ),
        width="stretch",
    )
    total = pareto["denied_claims"].sum()
    avoidable = pareto.filter(pareto["avoidable"] == "Y")["denied_claims"].sum()
    overturned = pareto["overturned_claims"].sum()
    resolved = pareto["resolved_claims"].sum()
    duplicates = (
        trend["claims_duplicate_denied"].sum()
        if trend["claims_duplicate_denied"].is_not_null().any()
        else None
    )
    a, b, c = st.columns(3)
    a.metric(
        "Avoidable share",
        f"{avoidable / total:.0%}" if total else "n/a",
        help="Denials whose root cause a step before submission could have prevented (docs/metrics.md).",
    )
    b.metric(
        "Overturned",
        f"{overturned / resolved:.0%}" if resolved else "n/a",
        help=ui.DEFINITIONS["Overturned"] + f" Still pending: {(total - resolved) / total:.0%} of denials."
        if total
        else ui.DEFINITIONS["Overturned"],
    )
    c.metric(
        "Duplicate denials",
        f"{duplicates:,}" if duplicates is not None else "n/a",
        help="Chains answered CARC 18/B13 (a copy of a claim the payer already has): counted apart, never a "
        "denial in the rates above.",
    )
    st.markdown("**Top CARCs** (largest denied amount of each initial denial)")
    st.dataframe(
        queries.carc_pareto(version, flt),
        hide_index=True,
        width="stretch",
        column_config={"denied_charges": st.column_config.NumberColumn("denied charges", format="$%.0f")},
    )
with right:
    st.subheader("Payer × root cause")
    st.altair_chart(
        alt.Chart(queries.payer_root_cause(version, flt).to_pandas())
        .mark_rect()
        .encode(
            x=alt.X("root_cause:N", title=None),
            y=alt.Y("payer:N", title=None),
            color=alt.Color("denied_claims:Q", title="denied claims"),
            tooltip=["payer", "root_cause", "denied_claims"],
        ),
        width="stretch",
    )

st.subheader("Denied service lines by procedure code")
st.caption("Lines of initial decisions denied on their own or with their claim (fct_denial_lines).")
st.dataframe(
    queries.denied_by_cpt(version, flt),
    hide_index=True,
    width="stretch",
    column_config={"denied_amount": st.column_config.NumberColumn("denied $", format="$%.0f")},
)

# ---------------------------------------------------------------- drill-down: one claim's whole chain
st.subheader("One claim's chain")
st.caption(
    "Every 837 submission (original, replacements, voids) with what the 999 and 277CA said of it, every 835 "
    "decision (adjudications, reversals), "
    "their CAS adjustments and RARC remarks. Member ids and names are masked unless you are a PHI viewer."
)
denied = queries.denied_chains(version, flt)
options = denied["chain_id"].to_list()
wanted = st.query_params.get("claim")
if wanted and wanted not in options:
    options = [wanted, *options]
chain_id = st.selectbox(
    "Claim (CLM01), largest denied amount first",
    options,
    format_func=phi.display_fn(),  # claim ids masked unless a PHI viewer
    index=options.index(wanted) if wanted in options else 0 if options else None,
    key="denials__claim",
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
        st.dataframe(phi.protect(detail["submissions"]), hide_index=True, width="stretch")
        st.markdown("**835 decisions**")
        st.dataframe(phi.protect(detail["remits"].drop("remit_claim_key")), hide_index=True, width="stretch")
        st.markdown("**Adjustments (CAS) and remarks (RARC)**")
        a, r = st.columns([3, 2])
        a.dataframe(detail["adjustments"], hide_index=True, width="stretch")
        r.dataframe(detail["remarks"], hide_index=True, width="stretch")
