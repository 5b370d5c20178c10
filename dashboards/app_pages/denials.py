"""Denials: trend (simple vs HFMA, count vs dollars), root-cause Pareto with avoidability, payer x cause,
and the denied claims, each linked to its chain (the Claim chain page)."""

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
        tooltip=ui.tooltips(
            "month:T",
            "claims_adjudicated",
            "claims_initially_denied",
            alt.Tooltip(f"{col}:Q", title="initial denial rate", format=".1%"),
        ),
    ),
    width="stretch",
)

pareto = queries.root_cause_pareto(version, flt)
left, right = st.columns(2)
with left:
    st.subheader("Root causes (denied $)")
    st.altair_chart(
        alt.Chart(ui.worded(pareto).to_pandas())
        .mark_bar()
        .encode(
            x=alt.X("denied_amount:Q", title="denied $"),
            y=alt.Y("root_cause:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color("avoidable:N", title="avoidable"),
            tooltip=[
                alt.Tooltip("root_cause", title="root cause"),
                alt.Tooltip("denied_claims", title="denied claims"),
                alt.Tooltip("denied_amount", title="denied $", format="$,.2f"),
                alt.Tooltip("overturned_claims", title="overturned"),
                alt.Tooltip("written_off_claims", title="written off"),
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
    ui.table(
        queries.carc_pareto(version, flt),
        column_config={"denied_charges": st.column_config.NumberColumn("denied charges", format="dollar")},
    )
with right:
    st.subheader("Payer × root cause")
    st.altair_chart(
        alt.Chart(ui.worded(queries.payer_root_cause(version, flt)).to_pandas())
        .mark_rect()
        .encode(
            x=alt.X("root_cause:N", title=None, axis=alt.Axis(labelAngle=-40, labelLimit=200)),
            y=alt.Y("payer:N", title=None, axis=alt.Axis(labelLimit=220)),
            color=alt.Color("denied_claims:Q", title="denied claims", legend=alt.Legend(format="d")),
            tooltip=[
                "payer",
                alt.Tooltip("root_cause", title="root cause"),
                alt.Tooltip("denied_claims", title="denied claims"),
            ],
        ),
        width="stretch",
    )

st.subheader("Denied service lines by procedure code")
st.caption("Lines of initial decisions denied on their own or with their claim (fct_denial_lines).")
ui.table(
    queries.denied_by_cpt(version, flt),
    column_config={"denied_amount": st.column_config.NumberColumn("denied $", format="dollar")},
)

# ---------------------------------------------------------------- the denied claims, each a door to its chain
st.subheader("Denied claims")
st.caption(
    "Initially denied chains, largest denied amount first. Claim ids are masked unless you are a PHI viewer, who "
    "also gets a link to the claim's whole chain (the **Claim chain** page, which anyone can open from the menu "
    "and pick a claim)."
)
denied = queries.denied_chains(version, flt)
ui.table(
    ui.with_chain_links(phi.protect(denied), denied["chain_id"]),
    column_config={
        "chain_id": "claim",
        "denied_amount": st.column_config.NumberColumn("denied $", format="dollar"),
    },
)
