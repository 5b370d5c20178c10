"""Front end: what the clearinghouse (999) and the payers (277CA) said of the claims before adjudication —
clean-claim rate, rejections by reason, first-pass yield, and the claims still waiting for an answer."""

import altair as alt
import polars as pl
import streamlit as st

from dashboards import phi, queries, ui
from pipelines.settings import dbt_project_var

version, flt = ui.page_header("Front end")
ui.definitions("Clean-claim rate", "Front-end rejection rate", "First-pass yield", "Overdue acknowledgment")

if queries.front_end_dimension(flt) is None:
    st.caption(
        "The front-end rates exist for the whole book or one payer, provider, location or claim type "
        "(kpi_front_end_monthly): the trend below shows the whole book; pick one value of one filter to narrow it."
    )
trend = queries.front_end_trend(version, flt)
if trend.height == 0 or trend["claims_with_verdict"].sum() == 0:
    st.info(
        "No 999 or 277CA acknowledgments loaded for these claims yet: drop the clearinghouse's 999s and the "
        "payers' 277CAs into the landing folder with the 837s and 835s."
    )
    st.stop()

totals = trend.select(
    "claims_submitted", "claims_with_verdict", "claims_accepted_first_pass", "claims_rejected_999",
    "claims_rejected_277ca", "claims_awaiting_acknowledgment", "claims_acknowledgment_overdue",
    "claims_with_first_answer", "claims_first_pass_paid",
).sum().row(0, named=True)  # fmt: skip
verdicts, answers = totals["claims_with_verdict"], totals["claims_with_first_answer"]
a, b, c, d = st.columns(4)
a.metric("Clean-claim rate", f"{totals['claims_accepted_first_pass'] / verdicts:.1%}" if verdicts else "n/a",
         help=ui.DEFINITIONS["Clean-claim rate"])  # fmt: skip
b.metric("Front-end rejections",
         f"{totals['claims_rejected_999'] + totals['claims_rejected_277ca']:,}",
         help=f"{totals['claims_rejected_999']:,} by a 999 (the whole file), {totals['claims_rejected_277ca']:,} by "
         "a payer's 277CA, of first claims in the period.")  # fmt: skip
c.metric("First-pass yield", f"{totals['claims_first_pass_paid'] / answers:.1%}" if answers else "n/a",
         help=ui.DEFINITIONS["First-pass yield"])  # fmt: skip
d.metric("Awaiting an acknowledgment", f"{totals['claims_awaiting_acknowledgment']:,}",
         help=f"{totals['claims_acknowledgment_overdue']:,} of them overdue. " + ui.DEFINITIONS["Overdue acknowledgment"])  # fmt: skip

st.subheader("By month of first submission")
targets = {"Clean-claim rate": dbt_project_var("clean_claim_rate_target"),
           "First-pass yield": dbt_project_var("first_pass_yield_target")}  # fmt: skip
st.caption(
    f"Dashed: the targets (clean-claim rate {targets['Clean-claim rate']:.0%}, first-pass yield "
    f"{targets['First-pass yield']:.0%}; dbt vars clean_claim_rate_target and first_pass_yield_target)."
)
long = trend.select(
    "month",
    pl.col("clean_claim_rate").alias("Clean-claim rate"),
    pl.col("first_pass_yield").alias("First-pass yield"),
).unpivot(index="month", variable_name="measure", value_name="rate")
goal = pl.DataFrame({"measure": list(targets), "rate": list(targets.values())})
lines = (
    alt.Chart(long.to_pandas())
    .mark_line(point=True)
    .encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y("rate:Q", title=None, axis=alt.Axis(format="%")),
        color=alt.Color("measure:N", title=None),
        tooltip=ui.tooltips("month:T", "measure:N", alt.Tooltip("rate:Q", format=".1%")),
    )
)
rules = alt.Chart(goal.to_pandas()).mark_rule(strokeDash=[4, 4]).encode(y="rate:Q", color="measure:N")
st.altair_chart(lines + rules, width="stretch")

left, right = st.columns(2)
with left:
    st.subheader("Rejections by reason")
    st.caption(
        "277CA category:status:entity as the payer sent it (A3 returned unprocessable, A6 missing information, "
        "A7 invalid information, A8 relational field in error), or the 999's verdict for a rejected file. "
        "Whole book: the reasons are not split by the sidebar's payer, provider, location or claim type."
    )
    reasons = queries.front_end_reasons(version, flt)
    st.altair_chart(
        alt.Chart(reasons.head(10).to_pandas())
        .mark_bar()
        .encode(
            x=alt.X("rejected_claims:Q", title="rejected first claims"),
            y=alt.Y("reason:N", sort="-x", title=None),
            tooltip=ui.tooltips("reason", "rejected_claims", "resubmitted_claims"),
        ),
        width="stretch",
    )
    ui.table(
        reasons,
        column_config={
            "reason": "reason",
            "rejected_claims": st.column_config.NumberColumn("rejected first claims"),
            "resubmitted_claims": st.column_config.NumberColumn("re-sent"),
            "avg_days_to_resubmission": st.column_config.NumberColumn("days to re-send", format="%.1f"),
        },
    )
with right:
    st.subheader("Overdue acknowledgments")
    st.caption(
        "Claims sent with no 277CA verdict yet, oldest first. Claim ids are masked unless you are a PHI viewer."
    )
    overdue = queries.overdue_acknowledgments(version, flt)
    ui.table(
        phi.protect(overdue),
        column_config={
            "claim_id": "claim",
            "payer_id": "payer",
            "rendering_npi": "provider",
            "claim_type": "type",
            "submission_date": st.column_config.DateColumn("sent", format="YYYY-MM-DD"),
            "front_end_status": "status",
            "days_awaiting_acknowledgment": st.column_config.NumberColumn("days waiting"),
            "charge_amount": st.column_config.NumberColumn("charge", format="dollar"),
        },
    )
