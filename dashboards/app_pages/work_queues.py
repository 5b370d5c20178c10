"""Work queues: what the billing office should work today — open denials before their appeal deadline and
claims to chase before the payer's filing limit — ranked by money per day left (docs/worklists.md)."""

import streamlit as st

from dashboards import phi, queries, ui
from pipelines.privacy import csv_safe_frame, excel_bytes

version, flt = ui.page_header("Work queues")
st.caption(
    "Each row says why it is here and by when; the period filter does not apply (a queue is what is open "
    "today). Claim ids are masked unless you are a PHI viewer, who also gets a **chain** link to the claim's "
    "whole history."
)

MAX_SHOWN = 1_000  # rows a queue's table renders

SORTS = ("priority (money per day left)", "deadline", "amount")


AMOUNT_LABELS = {
    "expected_recovery": "Expected recovery",
    "amount": "Charges",
    "patient_balance": "Patients owe",
    "charge_amount": "Charges held",
}


def _totals(df, amount_col: str, deadline_col: str) -> None:
    a, b, c = st.columns(3)
    a.metric("Items", f"{df.height:,}")
    b.metric(AMOUNT_LABELS[amount_col], f"${df[amount_col].sum() or 0:,.0f}")
    if "severity" in df.columns:
        c.metric(
            "Errors",
            f"{df.filter(df['severity'] == 'error').height:,}",
            help="edits a payer would reject or deny",
        )
    elif "days_left" in df.columns:
        due = df.filter((df["days_left"] >= 0) & (df["days_left"] <= 7))
        c.metric("Due this week", f"{due.height:,}", help=f"{deadline_col.replace('_', ' ')} within 7 days")
    else:
        late = df.filter(df["statement_cycle"].is_in(["final_notice", "collections_review"]))
        c.metric(
            "Final notice or later",
            f"{late.height:,}",
            help="60 days or more since the patient's share was set",
        )


def _show(df, key: str, amount_col: str, deadline_col: str, columns: dict) -> None:
    sort = st.radio("Sort by", SORTS, horizontal=True, key=f"wq__{key}__sort")
    if sort == "deadline":
        df = df.sort(deadline_col, "priority_rank")
    elif sort == "amount":
        df = df.sort(amount_col, "priority_rank", descending=[True, False])
    _totals(df, amount_col, deadline_col)
    # the top of the queue on screen (nobody works row 50,000 from a table); the totals and downloads hold all
    top = df.head(MAX_SHOWN)
    if df.height > MAX_SHOWN:
        st.caption(f"The first {MAX_SHOWN:,} of {df.height:,} in this order; the downloads hold them all.")
    # codes in words (ui.table); for PHI viewers a link to each row's chain (it carries the claim id)
    shown = phi.protect(top).select(list(columns))
    if "chain_id" in df.columns:
        shown = ui.with_chain_links(shown, top["chain_id"])
    ui.table(shown, column_config=columns)
    # the files are made when a button is clicked (on its own thread), not on every render of the page
    protected = phi.protect(df)
    left, right = st.columns(2)
    left.download_button(
        "Download CSV",
        lambda: csv_safe_frame(protected).write_csv(),
        file_name=f"{key}_queue.csv",
        mime="text/csv",
        key=f"wq__{key}__csv",
    )
    right.download_button(
        "Download Excel",
        lambda: excel_bytes(protected, f"{key} queue"),
        file_name=f"{key}_queue.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"wq__{key}__xlsx",
    )


money = st.column_config.NumberColumn
tab_denials, tab_followup, tab_patients, tab_prebill = st.tabs(
    ["Denials to appeal or correct", "Claims to follow up", "Patient balances", "Pre-bill edits"]
)
with tab_denials:
    denials = queries.work_queue(version, "denials", flt)
    areas = sorted(a for a in denials["owner_area"].unique().to_list() if a)
    chosen = st.multiselect("Owner area", areas, key="wq__denials__areas")
    if chosen:
        denials = denials.filter(denials["owner_area"].is_in(chosen))
    _show(
        denials,
        "denials",
        "expected_recovery",
        "appeal_deadline",
        {
            "priority_rank": money("rank"),
            "claim_id": "claim",
            "payer_name": "payer",
            "root_cause": "root cause",
            "owner_area": "owner",
            "work_status": "status",
            "denied_amount": money("denied", format="dollar"),
            "overturn_rate": money("overturn rate", format="percent"),
            "expected_recovery": money("expected recovery", format="dollar"),
            "appeal_deadline": st.column_config.DateColumn("appeal by", format="YYYY-MM-DD"),
            "days_left": money("days left"),
            "reason": "what to do",
        },
    )
with tab_followup:
    followup = queries.work_queue(version, "followup", flt)
    _show(
        followup,
        "followup",
        "amount",
        "timely_filing_deadline",
        {
            "priority_rank": money("rank"),
            "queue_reason": "why",
            "claim_id": "claim",
            "payer_id": "payer",
            "amount": money("amount", format="dollar"),
            "days_waiting": money("days waiting"),
            "timely_filing_deadline": st.column_config.DateColumn("file by", format="YYYY-MM-DD"),
            "days_left": money("days left"),
            "reason": "detail",
        },
    )
with tab_patients:
    balances = queries.work_queue(version, "patients", flt)
    _show(
        balances,
        "patients",
        "patient_balance",
        "responsibility_date",
        {
            "priority_rank": money("rank"),
            "patient_last_name": "patient",
            "member_id": "member id",
            "claim_id": "claim",
            "payer_id": "payer",
            "patient_balance": money("owes", format="dollar"),
            "patient_total_balance": money("patient total", format="dollar"),
            "statement_cycle": "cycle",
            "days_since_responsibility": money("days since the payer decided"),
        },
    )
with tab_prebill:
    if flt.claim_types:
        st.caption("The claim-type filter does not apply here: an encounter has no claim yet.")
    st.caption("Encounters not billed yet, and claims sent but not answered, checked against NCCI, MUE, ICD-10-CM, "
               "modifier, sex and age rules: a coder fixes an encounter before the claim goes out; a biller sends a "
               "corrected claim before the payer denies. Sex and age come from the claim, so those edits apply to "
               "sent claims only. Patient and claim ids are masked unless you are a PHI viewer.")  # fmt: skip
    edits = queries.work_queue(version, "prebill", flt)
    _show(
        edits,
        "prebill",
        "charge_amount",
        "service_date",
        {
            "priority_rank": money("rank"),
            "source": "where",
            "edit": "edit",
            "severity": "severity",
            "evidence": "what the edit saw",
            "patient_id": "patient",
            "claim_id": "claim",
            "service_date": st.column_config.DateColumn("service", format="YYYY-MM-DD"),
            "procedure_code": "code",
            "payer_id": "payer",
            "charge_amount": money("charge", format="dollar"),
        },
    )
