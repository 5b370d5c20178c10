"""Global filters — period, payer, provider, location, claim type — kept across pages and in the URL.

The sidebar is drawn by the entrypoint (streamlit_app.py) before the page runs, so its widgets keep their
state when the user changes page, and the URL always carries the current selection (?from=2024-01&to=
2024-06&payer=MCR01,AETN1&npi=...&location=...&type=837P), so a link reproduces the view.  Pages ask
``current()`` for a ``Filters`` value (hashable: it is part of every cached query's key) and turn it into
SQL with ``Filters.where``.

Each KPI filters on its own month (docs/metrics.md "date basis"): denial rates on the first adjudication,
cash on the posting date, A/R on the month-end, claim counts on the first submission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import streamlit as st

# URL key -> session key.  "npi", not "provider": the Compliance page's own drill-down uses ?provider=.
KEYS = {"payer": "f_payer", "npi": "f_npi", "location": "f_location", "type": "f_type"}
PERIOD_KEY = "f_period"
STATE_KEY = "f_filters"
PERIOD_SAVED = "f_period_saved"


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # first day of the first month
    end: date | None = None  # first day of the last month (inclusive)
    payers: tuple[str, ...] = field(default=())
    providers: tuple[str, ...] = field(default=())
    locations: tuple[str, ...] = field(default=())
    claim_types: tuple[str, ...] = field(default=())

    @property
    def active(self) -> bool:
        return bool(
            self.start or self.end or self.payers or self.providers or self.locations or self.claim_types
        )

    def period(self, date_col: str | None) -> str:
        """The period as a SQL predicate on one date column (dates are ours, never user text: inlined)."""
        parts = []
        if date_col and self.start:
            parts.append(f"{date_col} >= date '{self.start:%Y-%m-%d}'")
        if date_col and self.end:
            parts.append(f"{date_col} < date '{self.end:%Y-%m-%d}' + interval 1 month")
        return " and ".join(parts) or "true"

    def dims(
        self,
        *,
        payer: str | None = "payer_id",
        provider: str | None = "rendering_npi",
        location: str | None = "location_id",
        claim_type: str | None = "claim_type",
    ) -> tuple[str, list]:
        """Payer / provider / location / claim type as a SQL predicate and its parameters; a column given
        as None is not filterable in that relation (see unsupported())."""
        parts, params = [], []
        for col, values in ((payer, self.payers), (provider, self.providers), (location, self.locations),
                            (claim_type, self.claim_types)):  # fmt: skip
            if col and values:
                parts.append(f"list_contains(?, {col})")
                params.append(list(values))
        return (" and ".join(parts) or "true"), params

    def where(self, date_col: str | None, **cols: str | None) -> tuple[str, list]:
        dims, params = self.dims(**cols)
        return f"{self.period(date_col)} and {dims}", params

    def unsupported(self, *, provider=True, location=True, claim_type=True, payer=True) -> list[str]:
        """Names of active filters a view cannot apply (shown to the user, never silently ignored)."""
        missing = []
        for name, ok, values in (("payer", payer, self.payers), ("provider", provider, self.providers),
                                 ("location", location, self.locations),
                                 ("claim type", claim_type, self.claim_types)):  # fmt: skip
            if values and not ok:
                missing.append(name)
        return missing

    def single_dimension(self) -> tuple[str, str] | None:
        """(dimension, value) when the selection is one value of one kpi_denial_rate_monthly dimension."""
        chosen = [(d, v) for d, v in (("payer", self.payers), ("provider", self.providers),
                                      ("location", self.locations)) if v]  # fmt: skip
        if self.claim_types or len(chosen) > 1:
            return None
        if not chosen:
            return ("all", "all")
        dim, values = chosen[0]
        return (dim, values[0]) if len(values) == 1 else None


def _month(text: str | None) -> date | None:
    try:
        y, m = (int(x) for x in (text or "").split("-")[:2])
        return date(y, m, 1)
    except ValueError:
        return None


def _from_url(key: str) -> list[str]:
    raw = st.query_params.get(key)
    return [v for v in raw.split(",") if v] if raw else []


def sidebar(options: dict[str, list[tuple[str, str]]], months: list[date]) -> Filters:
    """Draw the filters (first run: from the URL), write the selection back to the URL, return it."""
    labels = {k: dict(v) for k, v in options.items()}
    with st.sidebar:
        st.markdown("**Filters** (shared by every page and kept in the link)")
        if months:
            month_labels = [f"{m:%Y-%m}" for m in months]
            # The slider's default is its last value (kept by us: a default that changes would give a new
            # widget and lose the selection when navigation drops the URL), else the URL's (a shared link).
            default = st.session_state.get(PERIOD_SAVED)
            if default is None or not set(default) <= set(month_labels):
                lo = _month(st.query_params.get("from")) or months[0]
                hi = _month(st.query_params.get("to")) or months[-1]
                default = (f"{max(lo, months[0]):%Y-%m}", f"{min(max(hi, lo), months[-1]):%Y-%m}")
            st.select_slider("Period", month_labels, value=default, key=PERIOD_KEY)
            st.session_state[PERIOD_SAVED] = st.session_state[PERIOD_KEY]
        for url_key, title, kind in (("payer", "Payer", "payer"), ("npi", "Rendering provider", "provider"),
                                     ("location", "Location", "location"), ("type", "Claim type", "claim_type")):  # fmt: skip
            key = KEYS[url_key]
            choices = [v for v, _ in options.get(kind, [])]
            if key not in st.session_state:
                st.session_state[key] = [v for v in _from_url(url_key) if v in choices]
                # a link naming a value this data does not have says so (once) instead of dropping it silently
                if unknown := [v for v in _from_url(url_key) if v not in choices]:
                    shown = ", ".join(re.sub(r"[^0-9A-Za-z .-]", "?", v)[:40] for v in unknown[:5])
                    st.caption(f"{title}: the link asked for {shown}, which is not in this data; ignored.")
            st.multiselect(
                title,
                choices,
                key=key,
                format_func=lambda v, kind=kind: f"{v} · {labels[kind][v]}" if labels[kind].get(v) else v,
                placeholder="all",
            )
    f = current(months)
    _to_url(f, months)
    st.session_state[STATE_KEY] = f
    return f


def from_state() -> Filters:
    """What the sidebar selected on this run (no filter when a page runs without the app, as in tests)."""
    return st.session_state.get(STATE_KEY, Filters())


def describe(f: Filters, not_applied: list[str] | None = None) -> None:
    """One line under a page title saying what is filtered, and which filters a view cannot apply."""
    if not f.active:
        return
    parts = []
    if f.start or f.end:
        parts.append(f"{f.start:%Y-%m}" if f.start else "start")
        parts[-1] += " to " + (f"{f.end:%Y-%m}" if f.end else "latest")
    for name, values in (("payer", f.payers), ("provider", f.providers), ("location", f.locations),
                         ("claim type", f.claim_types)):  # fmt: skip
        if values:
            parts.append(f"{name} {', '.join(values)}")
    text = "Filtered: " + " · ".join(parts)
    if not_applied:
        text += f" (not applicable here: {', '.join(not_applied)})"
    st.caption(text)


def current(months: list[date] | None = None) -> Filters:
    period = st.session_state.get(PERIOD_KEY)
    start = end = None
    if period and months:
        start, end = _month(period[0]), _month(period[1])
        # the whole range selected is no filter at all (keeps links short and caches shared)
        if start == months[0]:
            start = None
        if end == months[-1]:
            end = None
    return Filters(
        start=start,
        end=end,
        payers=tuple(st.session_state.get(KEYS["payer"], ())),
        providers=tuple(st.session_state.get(KEYS["npi"], ())),
        locations=tuple(st.session_state.get(KEYS["location"], ())),
        claim_types=tuple(st.session_state.get(KEYS["type"], ())),
    )


def _to_url(f: Filters, months: list[date]) -> None:
    wanted = {
        "from": f"{f.start:%Y-%m}" if f.start else None,
        "to": f"{f.end:%Y-%m}" if f.end else None,
        "payer": ",".join(f.payers) or None,
        "npi": ",".join(f.providers) or None,
        "location": ",".join(f.locations) or None,
        "type": ",".join(f.claim_types) or None,
    }
    for key, value in wanted.items():  # only our keys: a page's own parameters (?claim=, ?rule=) stay
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value
