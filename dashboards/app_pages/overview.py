"""Overview: claims, initial denial rate, paid amount and denials by payer from the published warehouse."""

import altair as alt
import streamlit as st

from dashboards import queries, ui

version, flt = ui.page_header("Revenue cycle overview")
ui.definitions("Initial denial rate (simple)", "Initial denial rate (HFMA)", "Insurance A/R")

k = queries.headline(version, flt)
f = queries.files(version)
rate = k["initial_denial_rate"]
c1, c2, c3, c4 = st.columns(4)
c1.metric(
    "Claims submitted", f"{k['claims_submitted']:,}", help="Distinct claims (CLM01) with an 837 loaded."
)
c2.metric(
    "Initial denial rate",
    "n/a" if rate is None else f"{rate:.1%}",
    help="Claims whose first adjudication was a full or partial denial ÷ adjudicated claims "
    "(simple cohort variant, docs/metrics.md). Reversals, pends and resubmissions never add a claim.",
)
c3.metric("Paid amount", f"${k['paid_amount']:,.2f}", help="Σ CLP04 over all 835s, reversals netted.")
c4.metric("Claims adjudicated", f"{k['claims_adjudicated']:,}")
st.caption(f"Files accepted: {f['accepted']} (+{f['partial']} partially) · quarantined: {f['quarantined']}")

# Published benchmarks are reference lines, never pass/fail (docs/metrics.md): AAFP recommends an initial
# denial rate under 5% with 5-10% "average"; Kodiak/Crowe hospital averages ran 10-12% in 2020-2024.
trend = queries.denial_trend(version, flt)
if trend.height:
    st.subheader("Initial denial rate by month, against published benchmarks")
    bands = alt.Chart(
        alt.Data(values=[{"y": 0.05, "label": "target < 5% (AAFP)"}, {"y": 0.10, "label": "average 5-10%"}])
    )
    line = (
        alt.Chart(trend.to_pandas())
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title=None),
            y=alt.Y("initial_denial_rate_simple:Q", title="initial denial rate", axis=alt.Axis(format="%")),
            tooltip=ui.tooltips("month:T", "claims_adjudicated", "claims_initially_denied",
                                alt.Tooltip("initial_denial_rate_simple:Q", title="initial denial rate", format=".1%")),
        )
    )  # fmt: skip
    rules = bands.mark_rule(strokeDash=[4, 4], color="gray").encode(y="y:Q")
    labels = bands.mark_text(align="left", dx=4, dy=-6, color="gray").encode(y="y:Q", text="label:N")
    st.altair_chart(line + rules + labels, width="stretch")

by_payer = queries.denials_by_payer(version, flt)
left, right = st.columns([3, 2])
with left:
    st.subheader("Initial denials by payer")
    chart = (
        alt.Chart(by_payer.to_pandas())
        .mark_bar()
        .encode(
            x=alt.X("initially_denied:Q", title="Initially denied claims"),
            y=alt.Y("payer:N", sort="-x", title=None),
            tooltip=ui.tooltips(
                "payer", "adjudicated", "initially_denied", alt.Tooltip("initial_denial_rate:Q", format=".1%")
            ),
        )
    )
    st.altair_chart(chart, width="stretch")
with right:
    st.subheader("Root causes")
    ui.table(
        queries.root_cause_pareto(version, flt).select("root_cause", "denied_claims", "denied_amount"),
    )

st.subheader("Payers")
ui.table(
    by_payer,
    column_config={
        "initial_denial_rate": st.column_config.NumberColumn("initial denial rate", format="percent"),
        "paid_amount": st.column_config.NumberColumn("paid", format="dollar"),
    },
)
