"""Compliance: billing-integrity leads ranked by provider, each finding with its evidence rows.

Leads for review, never verdicts (docs/integrity.md).  The rule and provider selections live in the URL
(?rule=...&provider=...) so a link to a lead can be shared.
"""

import altair as alt
import polars as pl
import streamlit as st

from dashboards import filters, phi, queries, ui
from pipelines.privacy import csv_safe_frame

st.title("Compliance review")
version = queries.require_warehouse()
flt = filters.from_state()
ui.freshness_banner(version)
filters.describe(flt, flt.unsupported(payer=False, location=False, claim_type=False))
ui.definitions("Review lead")
st.caption(
    "Every row below is an **outlier / review candidate**: a pattern that breaks a payer edit or stands far "
    "from specialty peers. None is a finding of improper billing; documentation review decides."
)

summary = queries.integrity_summary(version, flt)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Review leads", f"{summary['findings']:,}")
c2.metric("Providers with leads", f"{summary['providers']:,}")
c3.metric(
    "Billed $ on leads",
    f"${summary['dollars_at_stake']:,.0f}",
    help="Billed charges on the flagged lines/claims; for peer-based rules, billed above the peer expectation.",
)
c4.metric("Critical (excluded provider)", f"{summary['critical']:,}")

by_rule = queries.integrity_by_rule(version, flt)
refs = queries.reference_status(version)
missing = refs.filter(pl.col("rows") == 0)["reference"].to_list()
if missing:
    st.warning(
        "No reference data loaded for: " + ", ".join(missing) + ". The rules that need it cannot fire. "
        "Load the CMS/OIG files with `revcycle reference PATH` (or drop them in landing/reference/)."
    )

left, right = st.columns([3, 2])
with left:
    st.subheader("Leads by rule")
    ui.table(
        by_rule.select("rule_label", "rule_kind", "severity", "findings", "providers", "dollars_at_stake"),
        column_config={
            "rule_label": "rule",
            "rule_kind": "kind",
            "dollars_at_stake": st.column_config.NumberColumn("billed $", format="dollar"),
        },
    )
with right:
    st.subheader("Leads per month")
    monthly = queries.integrity_monthly(version)
    if monthly.height:
        st.altair_chart(
            alt.Chart(monthly.to_pandas())
            .mark_bar()
            .encode(
                x=alt.X("yearmonth(finding_month):T", title=None),
                y=alt.Y("findings:Q", title="leads"),
                color=alt.Color(
                    "rule_label:N",
                    title="rule",
                    legend=alt.Legend(orient="bottom", columns=1, labelLimit=400),
                ),
                tooltip=ui.tooltips("rule_label", "finding_month:T", "findings", "providers"),
            )
            .properties(height=220),  # the bars, above a legend of one rule per line
            width="stretch",
        )
    # exact counts for the team's own review; small cells are suppressed only in what leaves the organisation
    shared = monthly.select(
        "rule_id", "rule_label", "finding_month",
        pl.col("shared_findings").alias("leads"), pl.col("shared_providers").alias("providers"),
        pl.col("shared_dollars_at_stake").alias("billed_dollars"),
    )  # fmt: skip
    st.download_button(
        "Download for sharing outside the organisation (CSV)",
        csv_safe_frame(shared).write_csv(),
        file_name="integrity_leads_by_month_shared.csv",
        mime="text/csv",
        help="Counts from 1 to 10 are suppressed (CMS small-cell rule): "
        f"{int(monthly['is_suppressed_when_shared'].sum())} rule-months blanked.",
    )

st.subheader("Providers ranked by risk score")
st.caption(
    "risk score = Σ over rules of weight × ln(1 + leads); weights per rule in docs/integrity.md "
    "(excluded provider 10, death 6, impossible day 6, edits and duplicates 2-3, peer outliers 1-4)."
)
risk = queries.provider_risk(version, flt)
st.caption("Click a provider's row to see their leads below.")
ranked = ui.table(
    risk,
    on_select="rerun",
    selection_mode="single-row",
    key="compliance__risk",
    column_config={
        "risk_rank": "rank",
        "dollars_at_stake": st.column_config.NumberColumn("billed $", format="dollar"),
        "risk_score": st.column_config.NumberColumn("risk score", format="%.2f"),
    },
)

# ---------------------------------------------------------------- drill-down, state in the URL
st.subheader("Leads and their evidence")
rules = ["all", *by_rule["rule_id"].to_list()]
providers = ["all", *risk["provider_npi"].to_list()]
params = st.query_params
rule_default = params.get("rule", "all")
provider_default = params.get("provider", "all")
clicked = ranked.selection.rows if ranked is not None else []
# a row clicked in the ranking opens that provider's leads (once per click: the picker stays free)
if clicked:
    chosen = risk["provider_npi"][clicked[0]]
    if st.session_state.get("compliance__clicked") != chosen:
        st.session_state["compliance__clicked"] = chosen
        st.session_state["compliance__provider"] = chosen
if st.session_state.get("compliance__provider", "all") not in providers:  # filtered out since it was picked
    del st.session_state["compliance__provider"]
f1, f2 = st.columns(2)
rule_label = queries.rule_labels()
rule = f1.selectbox(
    "Rule",
    rules,
    index=rules.index(rule_default) if rule_default in rules else 0,
    key="compliance__rule",
    format_func=lambda r: "all" if r == "all" else rule_label.get(r, r),
)
picker_default = (
    {}
    if "compliance__provider" in st.session_state
    else {"index": providers.index(provider_default) if provider_default in providers else 0}
)  # a value set through the session state (a click) must not meet a default index
provider = f2.selectbox("Provider (rendering NPI)", providers, key="compliance__provider", **picker_default)
st.query_params.update({"rule": rule, "provider": provider})

findings = queries.integrity_findings(
    version, None if rule == "all" else rule, None if provider == "all" else provider, flt
)
st.caption(f"{findings.height:,} lead(s) (at most 1,000 shown, largest billed $ first)")
shown_findings = phi.protect(findings)  # claim ids masked unless a PHI viewer (also inside evidence text)
event = ui.table(
    shown_findings.drop("finding_id", "evidence_claim_ids"),
    on_select="rerun",
    selection_mode="single-row",
    key="compliance__findings",
    column_config={
        "evidence": st.column_config.TextColumn("evidence", width="large"),
        "dollars_at_stake": st.column_config.NumberColumn("billed $", format="dollar"),
    },
)
selected = event.selection.rows if event is not None else []
if selected:
    row = findings.row(selected[0], named=True)
    shown = shown_findings.row(selected[0], named=True)
    st.markdown(
        f"**{ui.md_escape(rule_label.get(row['rule_id'], row['rule_id']))}** · provider {ui.md_escape(row['provider_npi'])} · "
        f"{ui.md_escape(shown['evidence'])}"
    )
    claim_ids = tuple(row["evidence_claim_ids"] or ())
    if claim_ids:
        ui.table(
            phi.protect(queries.evidence_lines(version, claim_ids)),
        )
    else:
        st.caption("A provider-level lead: its evidence is the peer comparison above.")
else:
    st.caption("Select a lead to see the claim lines it rests on.")

# ---------------------------------------------------------------- one provider: case file and E/M mix
if provider != "all":
    st.subheader(f"Provider {provider}")
    case = queries.integrity_findings(version, None, provider, flt)
    st.download_button(
        "Download case file (CSV)",
        data=csv_safe_frame(
            phi.protect(case).with_columns(
                pl.col("evidence_claim_ids").list.join(" "),
                pl.lit("lead for review, not a finding").alias("status"),
            )
        ).write_csv(),
        file_name=f"revcycle_case_{provider}.csv",
        mime="text/csv",
        key="compliance__case_file",
        help="Every lead for this provider with its evidence text and the claims it rests on.",
    )
    mix = queries.em_distribution(version, provider)
    if mix.height:
        st.markdown("**E/M level mix vs specialty peers** (share of visits per family)")
        long = mix.unpivot(
            index=["em_family", "em_level"],
            on=["provider_share", "peer_share"],
            variable_name="who",
            value_name="share",
        ).with_columns(pl.col("who").replace({"provider_share": "this provider", "peer_share": "peers"}))
        st.altair_chart(
            alt.Chart(long.to_pandas())
            .mark_bar()
            .encode(
                x=alt.X("em_level:O", title="E/M level"),
                xOffset="who:N",
                y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="share of visits"),
                color=alt.Color("who:N", title=None),
                column=alt.Column("em_family:N", title=None),
                tooltip=ui.tooltips("em_family", "em_level", "who", alt.Tooltip("share:Q", format=".1%")),
            ),
        )

# ---------------------------------------------------------------- LEIE screening log
with st.expander("LEIE screening log"):
    log = queries.leie_screening(version)
    st.write(
        f"{log['npis_screened']:,} billing, rendering and referring NPIs screened against {log['leie_rows']:,} LEIE "
        f"rows ({log['leie_rows_with_npi']:,} with an NPI; the rest matched by name and state, as possible "
        f"matches) from {log['leie_files']} snapshot file(s), the latest dated "
        f"{log['latest_snapshot_date'] or 'n/a'}; latest exclusion in the data "
        f"{log['latest_exclusion_date'] or 'n/a'}; {log['dropped_from_list']:,} exclusion(s) no longer listed in a "
        f"later snapshot, treated as reinstated from its date. NPI matches: {log['claims_matched']:,} claims from "
        f"{log['providers_matched']:,} provider(s); possible name matches to verify: {log['claims_possible']:,} "
        "claims. Each lead's evidence names the snapshot that last listed the match."
    )
