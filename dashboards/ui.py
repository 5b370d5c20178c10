"""Page furniture shared by every page: the page header (title, warehouse, filters, freshness), the freshness
banner and the KPI definitions popover."""

from __future__ import annotations

import re

import streamlit as st

from dashboards import filters, queries

# One place for the formulas the pages show (docs/metrics.md-§3); the marts' yml carries the same text.
DEFINITIONS = {
    "Initial denial rate (simple)": "claims whose first decision by the primary payer was a full or partial "
    "denial ÷ claims first decided in the month (corrections under new claim ids, reversals, pends, secondary "
    "payers and duplicate denials never add a claim; voided claims are left out).",
    "Initial denial rate (HFMA)": "initial denials in the month ÷ average monthly claims submitted over the three "
    "months before (HFMA Claim Integrity Task Force).",
    "Avoidable share": "denials whose root cause a step before submission could have prevented ÷ all initial "
    "denials (carc_root_cause seed).",
    "Overturned": "initially denied chains the primary payer now pays ÷ resolved denials (overturned, or written "
    "off: no rework 120 days after the denial). A secondary payer's answer never overturns a primary denial; "
    "voided claims and duplicate denials (CARC 18/B13) are left out.",
    "Net collection rate": "payer and patient cash, net of reversals, refunds and recoupments, over the "
    "trailing 12 (or 3) months ÷ the expected allowed (contract) of the services in those months (MGMA adjusted "
    "FFS collection %). An underpayment lowers it instead of hiding in a posted contractual adjustment.",
    "Gross collection rate": "the same cash ÷ gross charges of the same months.",
    "Service-month NCR": "everything collected so far on the claims served in the month ÷ their expected "
    "allowed: the cohort view, which keeps rising while the month's claims are still being paid (run-out).",
    "Cash % of NPSR": "cash over the trailing 3 months ÷ net patient service revenue (expected allowed less "
    "charity) of the same months (HFMA MAP key).",
    "Denial write-offs % of NPSR": "provider-liable denials written off under the write-off rule (no rework "
    "120 days after the denial, dbt var ar_denial_open_days) over the trailing 3 months ÷ NPSR (HFMA MAP key).",
    "POS collections": "patient payments taken on or before the date of service ÷ the patient responsibility of "
    "the month's claims (net of what secondary payers paid).",
    "A/R components": "insurance (the primary payer's: unadjudicated charges, and provider-liable denials while "
    "worked or inside the write-off window), secondary (the patient share while a second payer or a crossover "
    "has not answered), patient (what the patient still owes), and credit balances (owed back), never netted.",
    "Days in total A/R": "insurance + secondary + patient A/R at the month-end ÷ average daily gross charges "
    "over the trailing 3 months (HFMA MAP key); each component and credit balances likewise.",
    "Deposits": "Σ BPR02 of the 835s by payment date = claim payments + PLB interest + forward balances + "
    "recoupments: what the bank statement should show.",
    "Days in A/R (net)": "net A/R (open balance × expected allowed ÷ charge) at month end ÷ average daily expected "
    "allowed over the trailing 3 months (HFMA net days; expected allowed from the contract seed, else the payer's "
    "observed allowed-to-charge ratio).",
    "Underpayment": "a paid line whose allowed amount (AMT*B6, else paid + patient share) is below the contract's "
    "(lesser of charge and rate × units) by more than max($5, 2%); denied, capitated and secondary lines excluded.",
    "Insurance A/R": "charge while unadjudicated; after a denial the provider-liable denied amount while reworked "
    "or for 120 days (dbt var ar_denial_open_days); patient shares leave insurance A/R.",
    "Clean-claim rate": "first claims to the primary payer that the clearinghouse's 999 and the payer's 277CA "
    "accepted ÷ first claims with a front-end verdict (claims still awaiting one are shown apart, never counted "
    "as failures).",
    "Front-end rejection rate": "first claims rejected by a 999 (the file) or a 277CA (the claim) ÷ the same "
    "denominator. A rejection never reached the payer: it is corrected and re-sent, not appealed.",
    "First-pass yield": "claims whose first submission passed the front end and whose primary payer's first "
    "decision was no denial ÷ claims with a first answer (a front-end rejection or a first decision).",
    "Overdue acknowledgment": "a claim with no 277CA acceptance or rejection more than 7 days (dbt var "
    "ack_overdue_days) after it was sent, counted to the latest file loaded: chase it with the clearinghouse.",
    "Review lead": "a line, claim, provider-day or provider that breaks a payer edit or stands far from specialty "
    "peers — a candidate for documentation review, never a finding (docs/integrity.md).",
}


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=])")


def md_escape(text: object) -> str:
    """Text from the data or the URL, made inert for st.markdown / st.info: every character markdown (or
    Streamlit's :colour[...] and $math$ directives) could act on is backslash-escaped, so a value can never
    become a link, an image or formatting."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text)).replace("\n", " ")


def page_header(title: str) -> tuple[float, filters.Filters]:
    """Every filtered page's top: its title, the warehouse version (or a hint and a stop when none is built),
    the sidebar's filters, when the data was loaded, and what the filters select."""
    st.title(title)
    version = queries.require_warehouse()
    flt = filters.from_state()
    freshness_banner(version)
    filters.describe(flt)
    return version, flt


def freshness_banner(version: float) -> None:
    fresh = queries.freshness(version)
    loaded = fresh["last_loaded_at"]
    st.caption(
        f"Data loaded {loaded:%Y-%m-%d %H:%M} UTC · last 837 submission {fresh['last_submission_date'] or 'n/a'} · "
        f"last 835 adjudication {fresh['last_remit_date'] or 'n/a'}"
        if loaded
        else "No files loaded yet."
    )


def definitions(*names: str) -> None:
    with st.popover("Definitions", icon=":material/info:"):
        for name in names:
            st.markdown(f"**{name}** — {DEFINITIONS[name]}")


# Columns whose values are codes a person reads as words (MEDICAL_NECESSITY -> Medical necessity,
# no_payer_answer -> No payer answer); ids, CARC/RARC and procedure codes stay as they are.
WORDED_COLUMNS = frozenset({
    "root_cause", "initial_root_cause", "primary_root_cause", "top_root_cause", "work_status", "queue_reason",
    "statement_cycle", "front_end_status", "denial_type", "initial_denial_type", "denial_status", "rule_kind",
    "severity", "owner_area", "source", "adjustment_level", "remark_level", "match_reason", "status",
    "dimension", "aging_bucket_label",
})  # fmt: skip


# money columns by name: amounts, charges, payments, balances (not rates, counts or days)
MONEY = re.compile(r"amount|charges?$|paid|balance|recovery|cash|deposits|recoupments|interest|allowed|variance"
                   r"|dollars")  # fmt: skip
NOT_MONEY = re.compile(r"rate|pct|share|count|days|lines$|claims$|chains$|^claims_|^n_")


# short all-capital words in a code are acronyms (UM, COB, PTP...), not shouting; so are these longer ones
_SMALL_WORDS = frozenset(
    {"OF", "AND", "OR", "TO", "BY", "IN", "ON", "NOT", "NO", "FOR", "THE", "A", "AN", "AT"}
)
_ACRONYMS = frozenset({"NCCI", "CARC", "RARC", "HFMA", "LEIE", "NPSR"})


def humanize(code: object) -> str:
    """A snake_case or SCREAMING_SNAKE code as words: 'MEDICAL_NECESSITY' -> 'Medical necessity',
    'PATIENT_ACCESS / UM' -> 'Patient access / UM'."""
    words = str(code).replace("_", " ").split()
    text = " ".join(w if w.isupper() and ((len(w) <= 3 and w not in _SMALL_WORDS) or w in _ACRONYMS)
                    else w.lower() for w in words)  # fmt: skip
    return text[:1].upper() + text[1:]


# Codes whose words are chosen, not derived (column -> code -> label); the downloads keep the codes
VALUE_LABELS = {
    "edit": {  # the claim scrubber's rule ids (wq_prebill_edits)
        "ncci_ptp": "NCCI pair billed together",
        "mue_units": "Units over the MUE",
        "dx_missing": "No diagnosis",
        "icd10_invalid": "Not an ICD-10-CM code",
        "icd10_not_billable": "ICD-10-CM category, not billable",
        "icd10_unspecified": "Unspecified diagnosis",
        "modifier_25_without_em": "Modifier 25 without E/M",
        "bilateral_conflict": "Bilateral / side modifiers conflict",
        "sex_conflict": "Code for the other sex",
        "age_conflict": "Code outside the age range",
    },
}


def worded(df):
    """The frame with its code columns in words (VALUE_LABELS, else WORDED_COLUMNS humanized), integrity rule
    ids as their labels and payer ids as "name (id)", for a table or a chart."""
    import polars as pl

    cols = [c for c in df.columns if c in WORDED_COLUMNS | VALUE_LABELS.keys() and df.schema[c] == pl.String]
    # each distinct code worded once, not each row
    df = df.with_columns(
        pl.col(c).replace(
            {v: VALUE_LABELS.get(c, {}).get(v) or humanize(v) for v in df[c].unique().drop_nulls()}
        )
        for c in cols
    )
    rules = [c for c in ("rule_id", "top_rule") if c in df.columns and df.schema[c] == pl.String]
    if rules:  # integrity rule ids as their labels (seed integrity_rules)
        labels = queries.rule_labels()
        df = df.with_columns(pl.col(c).replace(labels) for c in rules)
    if "payer_id" in df.columns and df.schema["payer_id"] == pl.String:
        names = queries.payer_names()
        df = df.with_columns(
            pl.col("payer_id").replace(
                {i: f"{names[i]} ({i})" for i in df["payer_id"].unique().drop_nulls() if names.get(i, i) != i}
            )
        )
    return df


def tooltips(*fields) -> list:
    """A chart's tooltip with every field titled in words: 'claims_adjudicated' -> 'Claims adjudicated' (an
    alt.Tooltip given with its own title is kept; dates show as months unless it says otherwise)."""
    import altair as alt

    out = []
    for f in fields:
        if isinstance(f, str):
            name, _, kind = f.partition(":")
            f = alt.Tooltip(f, title=humanize(name), **({"format": "%Y-%m"} if kind == "T" else {}))
        elif f._get("title") is alt.Undefined:
            name = f._get("shorthand")
            f = f.copy()
            f.title = humanize(str(name if name is not alt.Undefined else f._get("field")).split(":")[0])
        out.append(f)
    return out


def with_chain_links(shown, chain_ids):
    """``shown`` with a first column ``chain`` linking each row to its Claim chain page — for PHI viewers only:
    the link carries the claim id.  ``chain_ids``: the rows' unmasked chain ids (``shown`` may be masked)."""
    from dashboards import phi

    if not phi.can_view_phi():
        return shown
    return shown.with_columns(("/claim_chain?claim=" + chain_ids).alias("chain")).select(
        "chain", *shown.columns
    )


def table(df, column_config: dict | None = None, container=None, **kwargs):
    """st.dataframe with every header in words (a page's own column_config wins) and code columns worded
    (WORDED_COLUMNS); hidden index and full width unless told otherwise."""
    import polars as pl

    config = {}
    if isinstance(df, pl.DataFrame):
        df = worded(df)
        for c, dtype in df.schema.items():  # dates as dates, money with separators (a page's config wins)
            if dtype == pl.Date:
                config[c] = st.column_config.DateColumn(humanize(c), format="YYYY-MM-DD")
            elif isinstance(dtype, pl.Datetime):
                config[c] = st.column_config.DatetimeColumn(humanize(c), format="YYYY-MM-DD HH:mm")
            elif dtype.is_numeric() and MONEY.search(c) and not NOT_MONEY.search(c):
                config[c] = st.column_config.NumberColumn(humanize(c), format="dollar")
        columns = df.columns
    else:
        columns = list(getattr(df, "columns", []))
    # payer ids are shown as "name (id)" (worded): the column is the payer
    config = {c: {"payer_id": "Payer", "rule_id": "Rule"}.get(c) or humanize(c) for c in columns} | config
    if "chain" in columns:  # a link to the Claim chain page (with_chain_links)
        config["chain"] = st.column_config.LinkColumn("chain", display_text="open")
    for column, value in (column_config or {}).items():
        # a NumberColumn/DateColumn given without a label would show the raw column name
        config[column] = (
            {**value, "label": humanize(column)}
            if isinstance(value, dict) and not value.get("label")
            else value
        )

    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return (container or st).dataframe(df, column_config=config, **kwargs)
