"""Denials: trend (simple vs HFMA, count vs dollars), root-cause Pareto with avoidability, payer x cause."""

import altair as alt
import streamlit as st

from dashboards import queries

st.title("Denials")
version = queries.require_warehouse()

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

trend = queries.denial_trend(version)
st.subheader("Initial denial rate by month")
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

pareto = queries.root_cause_pareto(version)
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
            tooltip=["root_cause", "denied_claims", "denied_amount", "overturned_claims"],
        ),
        width="stretch",
    )
    total = pareto["denied_claims"].sum()
    avoidable = pareto.filter(pareto["avoidable"] == "Y")["denied_claims"].sum()
    overturned = pareto["overturned_claims"].sum()
    a, b = st.columns(2)
    a.metric(
        "Avoidable share",
        f"{avoidable / total:.0%}" if total else "n/a",
        help="Denials whose root cause a step before submission could have prevented (DOMAIN.md §2.4).",
    )
    b.metric(
        "Overturned",
        f"{overturned / total:.0%}" if total else "n/a",
        help="Initially denied chains now paid and no longer denied.",
    )
with right:
    st.subheader("Payer × root cause")
    st.altair_chart(
        alt.Chart(queries.payer_root_cause(version).to_pandas())
        .mark_rect()
        .encode(
            x=alt.X("root_cause:N", title=None),
            y=alt.Y("payer:N", title=None),
            color=alt.Color("denied_claims:Q", title="denied claims"),
            tooltip=["payer", "root_cause", "denied_claims"],
        ),
        width="stretch",
    )
