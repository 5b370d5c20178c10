"""Collections: A/R by component and aging, deposits reconciled, collection rates (MAP keys), days in A/R,
payer turnaround, charge lag, underpayments."""

import altair as alt
import polars as pl
import streamlit as st

from dashboards import phi, queries, ui

version, flt = ui.page_header("Collections")
ui.definitions("A/R components", "Days in total A/R", "Net collection rate", "Gross collection rate",
               "Service-month NCR", "Cash % of NPSR", "Denial write-offs % of NPSR", "POS collections",
               "Deposits", "Days in A/R (net)", "Underpayment")  # fmt: skip

aging = queries.ar_aging(version, flt)
coll = queries.collections(version, flt)
dep = queries.deposits(version, flt)
ub = queries.unbilled(version, flt)
monthly_note = flt.unsupported(provider=False, location=False, claim_type=False)
COMPONENTS = {"insurance": "Insurance", "secondary": "Secondary payer", "patient": "Patient"}

totals = {c: aging[c].sum() for c in [*COMPONENTS, "credit"]}
total_ar = sum(totals[c] for c in COMPONENTS)
over_90 = aging.filter(pl.col("aging_bucket").is_in(["91-120", ">120"]))
over_90_total = sum(over_90[c].sum() for c in COMPONENTS)
latest = coll.filter(pl.col("month") == coll["month"].max()) if coll.height else coll
one_row = latest.height == 1  # the whole book, or one payer: the mart's own figures for the latest month


def _latest(col: str, fmt: str) -> str:
    value = latest[col][0] if one_row else None
    return fmt.format(value) if value is not None else "n/a"


as_of = aging["as_of_date"].max() if aging.height else None
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(
    "Total A/R",
    f"${total_ar:,.0f}",
    help=f"At {as_of or 'the latest month-end'}: insurance ${totals['insurance']:,.0f} + secondary payers "
    f"${totals['secondary']:,.0f} + patients ${totals['patient']:,.0f}. Credit balances are apart.",
)
c2.metric(
    "Credit balances", f"${totals['credit']:,.0f}", help="Owed back to patients; never netted against A/R."
)
c3.metric(
    "A/R > 90 days",
    f"{over_90_total / total_ar:.1%}" if total_ar else "n/a",
    help="Share of total A/R (all three components) aged over 90 days from the date of service.",
)
c4.metric(
    "Days in total A/R", _latest("days_in_total_ar", "{:.1f}"), help=ui.DEFINITIONS["Days in total A/R"]
)
c5.metric("NCR, trailing 12 months", _latest("net_collection_rate_12m", "{:.1%}"),
          help=ui.DEFINITIONS["Net collection rate"])  # fmt: skip
if not one_row and coll.height:
    st.caption("Several payers are selected: their rates are shown payer by payer below.")
st.caption(
    f"Unbilled encounters: {ub['unbilled_encounters']:,} · median charge lag {ub['median_charge_lag_days']} days "
    "(service date → first 837)."
)

st.subheader("A/R aging (latest month-end)")
component = st.radio(
    "Component", [*COMPONENTS, "credit"], horizontal=True,
    format_func=lambda c: COMPONENTS.get(c, "Credit balances"), label_visibility="collapsed",
)  # fmt: skip
order = ["0-30", "31-60", "61-90", "91-120", ">120"]
st.altair_chart(
    alt.Chart(ui.worded(aging.filter(pl.col(component) > 0)).to_pandas())
    .mark_bar()
    .encode(
        x=alt.X(f"sum({component}):Q", title=f"{COMPONENTS.get(component, 'credit').lower()} balance $"),
        y=alt.Y("payer_id:N", title="payer", axis=alt.Axis(labelLimit=260)),
        color=alt.Color("aging_bucket:N", sort=order, title="days"),
        order=alt.Order("aging_bucket:N"),
        tooltip=[
            alt.Tooltip("payer_id", title="payer"),
            alt.Tooltip("financial_class", title="financial class"),
            alt.Tooltip("aging_bucket", title="days"),
            alt.Tooltip(component, title="balance", format="$,.2f"),
            "claims",
        ],
    ),
    width="stretch",
)

if monthly_note:
    st.caption(
        "Cash, deposits, collection rates and days in A/R are kept by payer and month (kpi_collections_monthly, "
        f"kpi_deposits_monthly): the {', '.join(monthly_note)} filter does not apply to them."
    )

st.subheader("Deposits reconciled")
st.caption(
    "What the payers' 835s say reached the bank (Σ BPR02) = claim payments (Σ CLP04, reversals netted) + "
    "interest (PLB L6) + forward balances (PLB FB: carried, then taken back) + recoupments (other PLB)."
)
unbalanced = int(dep["unbalanced_payments"].sum()) if dep.height else 0
if unbalanced:
    st.warning(f"{unbalanced} payment(s) do not balance: their BPR02 differs from their claims and PLB.")
ui.table(
    dep.drop("unbalanced_payments"),
    column_config={c: st.column_config.NumberColumn(format="dollar")
                   for c in ("deposits", "claim_cash", "interest", "forward_balance", "recoupments")},
)  # fmt: skip

left, right = st.columns(2)
with left:
    st.subheader("Cash by month")
    cash = coll.group_by("month").agg(
        pl.col("insurance_cash").sum().alias("payers"),
        pl.col("patient_cash").sum().alias("patients"),
        pl.col("recoupments").sum().alias("recoupments"),
    )
    st.altair_chart(
        alt.Chart(cash.unpivot(index="month", variable_name="from", value_name="cash").to_pandas())
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=None),
            y=alt.Y("sum(cash):Q", title="cash $"),
            color=alt.Color("from:N", title=None),
            tooltip=ui.tooltips("month:T", "from", alt.Tooltip("sum(cash):Q", title="cash", format="$,.2f")),
        ),
        width="stretch",
    )
    if not (coll["patient_cash"] != 0).any():
        st.caption("No patient-payments extract loaded: cash is payer cash only (README, input contract).")
with right:
    st.subheader("Days to pay by payer")
    ui.table(queries.days_to_pay(version, flt))

pct = {
    "net_collection_rate_12m": ("NCR 12m", "Net collection rate"),
    "net_collection_rate_3m": ("NCR 3m", "Net collection rate"),
    "gross_collection_rate_12m": ("GCR 12m", "Gross collection rate"),
    "cohort_net_collection_rate": ("NCR by service month", "Service-month NCR"),
    "cash_pct_npsr_3m": ("cash % NPSR", "Cash % of NPSR"),
    "denial_write_off_pct_npsr_3m": ("denial write-offs % NPSR", "Denial write-offs % of NPSR"),
    "bad_debt_pct_gross_3m": ("bad debt %", None),
    "charity_pct_gross_3m": ("charity %", None),
    "pos_collection_rate": ("POS collections", "POS collections"),
}
st.subheader("Collection rates by month")
rate_keys = [] if one_row or not flt.payers else ["payer_id"]
ui.table(
    coll.select(
        "month",
        *([] if one_row or not flt.payers else ["payer_id"]),
        "gross_charges",
        "expected_allowed",
        "total_cash_collected",
        *pct,
    ),
    column_config={
        col: st.column_config.NumberColumn(label, format="percent", help=ui.DEFINITIONS.get(key or "", None))
        for col, (label, key) in pct.items()
    },
)

st.subheader("Days in A/R by month")
days = {"days_in_total_ar": "total", "days_in_insurance_ar": "insurance", "days_in_secondary_ar": "secondary",
        "days_in_patient_ar": "patient", "credit_balance_days": "credit balances", "days_in_ar_net": "net (HFMA)"}  # fmt: skip
dar = coll.select("month", "payer_id", *days).rename(days)
st.altair_chart(
    alt.Chart(
        ui.worded(
            dar.unpivot(index=["month", "payer_id"], variable_name="measure", value_name="days")
        ).to_pandas()
    )
    .mark_line(point=True)
    .encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y("days:Q", title="days"),
        color=alt.Color("measure:N", title=None),
        detail="payer_id:N",
        tooltip=[
            alt.Tooltip("month:T", format="%Y-%m"),
            alt.Tooltip("payer_id", title="payer"),
            "measure",
            alt.Tooltip("days:Q", format=".1f"),
        ],
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
ui.table(
    up["by_payer_code"],
    container=left,
    column_config={"underpayment_rate": st.column_config.NumberColumn("rate", format="percent")},
)
right.markdown("**Largest underpaid lines** (for recovery)")
ui.table(phi.protect(up["top"]), container=right)
