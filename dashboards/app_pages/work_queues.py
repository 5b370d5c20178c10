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

MAX_SHOWN = 1_000  # rows a queue's table renders (nobody works row 50,000 from a table)

SORT_LABELS = {"priority": "priority (money per day left)"}  # the others (queries.QUEUE_SORTS) by their name

AMOUNT_LABELS = {
    "expected_recovery": "Expected recovery",
    "amount": "Charges",
    "patient_balance": "Patients owe",
    "charge_amount": "Charges held",
}


def _show(queue: str, columns: dict, owner_areas: tuple[str, ...] = ()) -> None:
    """A queue's headline, its top rows in the chosen order and its downloads.  The warehouse counts, sorts
    and cuts (queries.work_queue*): a health system's queue holds far more rows than a page should carry."""
    q = queries.QUEUES[queue]
    sort = st.radio("Sort by", list(queries.QUEUE_SORTS), format_func=lambda k: SORT_LABELS.get(k, k),
                    horizontal=True, key=f"wq__{queue}__sort")  # fmt: skip
    totals = queries.work_queue_totals(version, queue, flt, owner_areas)
    a, b, c = st.columns(3)
    a.metric("Items", f"{totals['items']:,}")
    b.metric(AMOUNT_LABELS[q.amount], f"${totals['amount']:,.0f}")
    label, _, counts = q.flag
    c.metric(label, f"{totals['flagged']:,}", help=counts)
    top = queries.work_queue(version, queue, flt, owner_areas, sort, limit=MAX_SHOWN)
    if totals["items"] > MAX_SHOWN:
        st.caption(
            f"The first {MAX_SHOWN:,} of {totals['items']:,} in this order; the downloads hold them all."
        )
    # codes in words (ui.table); for PHI viewers a link to each row's chain (it carries the claim id)
    shown = phi.protect(top).select(list(columns))
    if "chain_id" in top.columns:
        shown = ui.with_chain_links(shown, top["chain_id"])
    ui.table(shown, column_config=columns)
    # the whole queue is read, masked and written only when a button is clicked (on its own thread); who
    # may see PHI is decided here, on the page's own run
    viewer = phi.can_view_phi()

    def whole():
        return phi.protect(queries.work_queue_rows(queue, flt, owner_areas, sort), viewer=viewer)

    left, right = st.columns(2)
    left.download_button(
        "Download CSV",
        lambda: csv_safe_frame(whole()).write_csv(),
        file_name=f"{queue}_queue.csv",
        mime="text/csv",
        key=f"wq__{queue}__csv",
    )
    right.download_button(
        "Download Excel",
        lambda: excel_bytes(whole(), f"{queue} queue"),
        file_name=f"{queue}_queue.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"wq__{queue}__xlsx",
    )


money = st.column_config.NumberColumn
tab_denials, tab_followup, tab_patients, tab_prebill = st.tabs(
    ["Denials to appeal or correct", "Claims to follow up", "Patient balances", "Pre-bill edits"]
)
with tab_denials:
    chosen = st.multiselect("Owner area", queries.work_queue_areas(version, flt), key="wq__denials__areas")
    _show(
        "denials",
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
        tuple(chosen),
    )
with tab_followup:
    _show(
        "followup",
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
    _show(
        "patients",
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
    _show(
        "prebill",
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
