"""Collections: A/R aging by payer, cash and collection rates by month, payer turnaround, charge lag."""

import altair as alt
import streamlit as st

from dashboards import filters, phi, queries, ui

st.title("Collections")
version = queries.require_warehouse()
flt = filters.from_state()
ui.freshness_banner(version)
filters.describe(flt)
ui.definitions("Net collection rate", "Gross collection rate", "Days in A/R (gross)", "Days in A/R (net)",
               "Insurance A/R", "Underpayment")  # fmt: skip

aging = queries.ar_aging(version, flt)
coll = queries.collections(version, flt)
ub = queries.unbilled(version, flt)
monthly_note = flt.unsupported(provider=False, location=False, claim_type=False)
total_ar = aging["open_balance"].sum()
over_90 = aging.filter(aging["aging_bucket"].is_in(["91-120", ">120"]))["open_balance"].sum()
c1, c2, c3, c4 = st.columns(4)
c1.metric(
    "Insurance A/R",
    f"${total_ar:,.0f}",
    help="Open insurance balance at the latest month-end (fct_ar_snapshots).",
)
c2.metric("A/R > 90 days", f"{over_90 / total_ar:.1%}" if total_ar else "n/a")
c3.metric(
    "Cash collected",
    f"${coll['total_cash_collected'].sum():,.0f}",
    help="Payer cash (Σ CLP04, reversals netted) + patient payments (refunds netted), when that extract is fed: "
    f"${coll['cash_collected'].sum():,.0f} from payers, ${coll['patient_cash_collected'].sum():,.0f} from patients.",
)
c4.metric(
    "Unbilled encounters",
    f"{ub['unbilled_encounters']:,}",
    help=f"Median charge lag {ub['median_charge_lag_days']} days (service date → first 837).",
)

st.subheader("A/R aging by payer (latest month-end)")
order = ["0-30", "31-60", "61-90", "91-120", ">120"]
st.altair_chart(
    alt.Chart(aging.to_pandas())
    .mark_bar()
    .encode(
        x=alt.X("sum(open_balance):Q", title="open balance $"),
        y=alt.Y("payer_id:N", title=None),
        color=alt.Color("aging_bucket:N", sort=order, title="days"),
        order=alt.Order("aging_bucket:N"),
        tooltip=["payer_id", "financial_class", "aging_bucket", "open_balance", "claims"],
    ),
    width="stretch",
)

left, right = st.columns(2)
if monthly_note:
    st.caption(
        "Cash, collection rates, days in A/R and underpayment totals by month are kept by payer and month "
        f"(kpi_collections_monthly): the {', '.join(monthly_note)} filter does not apply to them."
    )
with left:
    st.subheader("Cash by month")
    cash = coll.select("month", payers="cash_collected", patients="patient_cash_collected")
    st.altair_chart(
        alt.Chart(cash.unpivot(index="month", variable_name="from", value_name="cash").to_pandas())
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=None),
            y=alt.Y("cash:Q", title="cash $"),
            color=alt.Color("from:N", title=None),
            tooltip=["month:T", "from", alt.Tooltip("cash:Q", format=",.2f")],
        ),
        width="stretch",
    )
    if coll["patient_ar_balance"].is_null().all():
        st.caption("No patient-payments extract loaded: cash is payer cash only (README, input contract).")
with right:
    st.subheader("Days to pay by payer")
    st.dataframe(queries.days_to_pay(version, flt), hide_index=True, width="stretch")

st.subheader("Collection rates by month")
st.dataframe(
    coll.select(
        "month",
        "gross_charges",
        "cash_collected",
        "patient_cash_collected",
        "contractual_adjustments",
        "net_collection_rate",
        "gross_collection_rate",
        "patient_responsibility",
        "patient_ar_balance",
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "net_collection_rate": st.column_config.NumberColumn(
            "NCR", format="percent", help="(payer + patient cash) ÷ (charges − contractual adjustments)"
        ),
        "gross_collection_rate": st.column_config.NumberColumn(
            "GCR", format="percent", help="(payer + patient cash) ÷ charges"
        ),
        "patient_ar_balance": st.column_config.NumberColumn(
            "patient A/R", help="PR assigned to date − patient payments to date (blank without the extract)"
        ),
    },
)

st.subheader("Days in A/R by month")
dar = coll.select("month", "days_in_ar_gross", "days_in_ar_net")
st.altair_chart(
    alt.Chart(dar.unpivot(index="month", variable_name="measure", value_name="days").to_pandas())
    .mark_line(point=True)
    .encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y("days:Q", title="days"),
        color=alt.Color("measure:N", title=None),
        tooltip=["month:T", "measure", alt.Tooltip("days:Q", format=".1f")],
    ),
    width="stretch",
)

st.subheader("Underpayments against contract")
up = queries.underpayments(version, flt)
u1, u2 = st.columns(2)
u1.metric("Underpaid lines", f"{coll['underpaid_lines'].sum():,}", help=ui.DEFINITIONS["Underpayment"])
u2.metric("Underpaid $", f"${coll['underpaid_amount'].sum():,.2f}")
left, right = st.columns([2, 3])
left.markdown("**By payer and procedure code**")
left.dataframe(
    up["by_payer_code"],
    hide_index=True,
    width="stretch",
    column_config={"underpayment_rate": st.column_config.NumberColumn("rate", format="percent")},
)
right.markdown("**Largest underpaid lines** (for recovery)")
right.dataframe(phi.protect(up["top"]), hide_index=True, width="stretch")
