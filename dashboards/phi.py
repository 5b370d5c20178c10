"""PHI on the dashboard: masked by default, shown only to configured viewers, behind sign-in when configured.

Sign-in, whichever is configured (checked in this order):
  * OIDC through Streamlit's st.login: an ``[auth]`` section in ``.streamlit/secrets.toml`` (read through the
    settings module, so it is found whatever directory the server starts in).  Only a provider-verified
    e-mail (``email_verified``) signs in;
  * a local password gate: ``REVCYCLE_DASHBOARD_PASSWORD_HASH`` = the line ``revcycle dashboard-password``
    prints (scrypt, salted; the identity is then ``local``).  Repeated wrong passwords lock the gate for a
    growing time, for every visitor; a session expires after ``REVCYCLE_DASHBOARD_SESSION_MINUTES`` (480) or
    30 idle minutes, and the sidebar has a sign-out button.
With neither, the dashboard is open (a laptop demo) and PHI stays masked for everyone.

``REVCYCLE_PHI_VIEWERS`` lists who may see member ids and patient names unmasked: OIDC e-mails and/or
``local``.  Nothing here logs identifiers; masking happens before a value reaches a widget.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time

import streamlit as st

SESSION_KEY = "revcycle_local_identity"
SIGNED_IN_AT = "revcycle_signed_in_at"
LAST_SEEN = "revcycle_last_seen"
IDLE_SECONDS = 30 * 60

# scrypt: a memory-hard, salted key derivation from the standard library (RFC 7914); n=2**15, r=8 takes ~0.1 s
# and 32 MiB here, so a stolen hash cannot be tried at speed
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
PREFIX = "scrypt"


def hash_password(password: str, salt: bytes | None = None, **params) -> str:
    """The line to put in REVCYCLE_DASHBOARD_PASSWORD_HASH: scrypt$n$r$p$salt$hash (base64)."""
    p = {**SCRYPT, **params}
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=p["n"], r=p["r"], p=p["p"], maxmem=2**26, dklen=32
    )
    b64 = base64.urlsafe_b64encode
    return f"{PREFIX}${p['n']}${p['r']}${p['p']}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        name, n, r, p, salt, digest = stored.strip().split("$")
        if name != PREFIX:
            return False
        salt_b, want = base64.urlsafe_b64decode(salt), base64.urlsafe_b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=salt_b, n=int(n), r=int(r), p=int(p), maxmem=2**26,
                             dklen=len(want))  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


class Lockout:
    """Wrong passwords, counted for the whole server: after ``free`` failures each new one locks the gate for
    twice as long as the last (from ``base`` seconds, at most ``cap``); a right password resets it.  Shared by
    every visitor, so trying from new sessions does not reset it."""

    def __init__(self, free: int = 5, base: float = 30.0, cap: float = 900.0):
        self.free, self.base, self.cap = free, base, cap
        self.failures = 0
        self.locked_until = 0.0
        self._lock = threading.Lock()

    def wait_seconds(self, now: float | None = None) -> float:
        return max(0.0, self.locked_until - (now if now is not None else time.monotonic()))

    def failed(self, now: float | None = None) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.free:
                delay = min(self.cap, self.base * 2 ** (self.failures - self.free))
                self.locked_until = (now if now is not None else time.monotonic()) + delay

    def succeeded(self) -> None:
        with self._lock:
            self.failures, self.locked_until = 0, 0.0


@st.cache_resource
def lockout() -> Lockout:
    return Lockout()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, AttributeError, st.errors.StreamlitSecretNotFoundError):
        return False


def identity() -> str | None:
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        return st.user.get("email") if st.user.get("email_verified") is True else None
    return st.session_state.get(SESSION_KEY)


def _expired(now: float) -> bool:
    from pipelines.settings import get_settings

    started = st.session_state.get(SIGNED_IN_AT, now)
    seen = st.session_state.get(LAST_SEEN, now)
    return now - started > get_settings().dashboard_session_minutes * 60 or now - seen > IDLE_SECONDS


def sign_out() -> None:
    for key in (SESSION_KEY, SIGNED_IN_AT, LAST_SEEN):
        st.session_state.pop(key, None)
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def require_sign_in() -> None:
    """Stop the page until the user has signed in, when sign-in is configured."""
    if _oidc_configured():
        if not st.user.is_logged_in:
            st.title("revcycle")
            st.button("Sign in", on_click=st.login, type="primary")
            st.stop()
        if st.user.get("email_verified") is not True:
            st.title("revcycle")
            st.error(
                "Your identity provider has not verified this e-mail address, so it cannot sign in here."
            )
            st.button("Sign out", on_click=st.logout)
            st.stop()
        st.sidebar.button("Sign out", on_click=sign_out, key="phi__sign_out")
        return
    if os.environ.get("REVCYCLE_DASHBOARD_PASSWORD_SHA256"):
        st.title("revcycle")
        st.error("REVCYCLE_DASHBOARD_PASSWORD_SHA256 is no longer accepted (an unsalted hash): make a new "
                 "one with `revcycle dashboard-password` and set REVCYCLE_DASHBOARD_PASSWORD_HASH.")  # fmt: skip
        st.stop()
    expected = os.environ.get("REVCYCLE_DASHBOARD_PASSWORD_HASH", "").strip()
    if not expected:
        return
    now = time.time()
    if st.session_state.get(SESSION_KEY):
        if not _expired(now):
            st.session_state[LAST_SEEN] = now
            st.sidebar.button("Sign out", on_click=sign_out, key="phi__sign_out")
            return
        sign_out()
        st.info("Your session has expired; sign in again.")
    st.title("revcycle")
    gate = lockout()
    with st.form("sign_in"):
        password = st.text_input("Password", type="password", key="phi__password")
        if st.form_submit_button("Sign in"):
            wait = gate.wait_seconds()
            if wait > 0:
                st.error(f"Too many wrong passwords: try again in {wait:.0f} s.")
            elif verify_password(password, expected):
                gate.succeeded()
                st.session_state.update({SESSION_KEY: "local", SIGNED_IN_AT: now, LAST_SEEN: now})
                st.rerun()
            else:
                gate.failed()
                st.error("Wrong password.")
    st.stop()


def can_view_phi() -> bool:
    viewers = {v.strip().lower() for v in os.environ.get("REVCYCLE_PHI_VIEWERS", "").split(",") if v.strip()}
    who = identity()
    return bool(who) and who.lower() in viewers


def mask(value: object, keep: int = 2) -> str | None:
    """'123456789A' -> '••••••••9A': enough to tell two members apart on screen, not to identify one."""
    if value is None:
        return None
    text = str(value)
    return "•" * max(len(text) - keep, 1) + text[-keep:] if len(text) > keep else "•" * len(text)


def mask_expr(column: str, keep: int = 2):
    """mask() as a polars expression: a whole column at once (a work queue of 100,000 rows masks in
    milliseconds instead of a Python call per value)."""
    import polars as pl

    text = pl.col(column).cast(pl.String)
    n = text.str.len_chars()
    return (
        pl.when(n > keep)
        .then(text.str.slice(-keep).str.pad_start(n, "•"))
        .when(n > 0)
        .then(pl.lit("").str.pad_start(n, "•"))
        .otherwise(text)
        .alias(column)
    )


def shown(value: object) -> str | None:
    return None if value is None else str(value)


# Columns that identify a patient or their claim: masked on every page for anyone who is not a PHI viewer.
# A claim id (CLM01, the patient control number) is an account number in HIPAA's sense.
IDENTIFIERS = ("claim_id", "chain_id", "original_claim_id", "member_id", "subscriber_member_id", "patient_id",
               "patient_last_name", "patient_first_name", "payer_claim_control_number")  # fmt: skip


def protect(df, viewer: bool | None = None):
    """A polars frame fit for this viewer: identifier columns masked (and claim ids inside evidence text and
    the evidence id lists) unless the viewer may see PHI.  ``viewer``: decided already (a download made on
    its own thread, away from the session)."""
    import polars as pl

    if can_view_phi() if viewer is None else viewer:
        return df
    masked = df.with_columns(mask_expr(c) for c in IDENTIFIERS if c in df.columns)
    if "evidence_claim_ids" in df.columns:
        masked = masked.with_columns(
            pl.col("evidence_claim_ids").list.eval(pl.element().map_elements(mask, return_dtype=pl.String))
        )
        if "evidence" in df.columns:
            masked = masked.with_columns(
                pl.struct("evidence", ids=df["evidence_claim_ids"])
                .map_elements(lambda r: _mask_in_text(r["evidence"], r["ids"]), return_dtype=pl.String)
                .alias("evidence")
            )
    return masked


def _mask_in_text(text: str | None, ids: list[str] | None) -> str | None:
    if text is None:
        return None
    for claim_id in sorted(ids or [], key=len, reverse=True):
        if claim_id:
            text = text.replace(claim_id, mask(claim_id))
    return text


def display_fn():
    """The function to pass identifiers through on this page: decided once, in the script thread (session
    state is not visible from the worker threads polars may call back on)."""
    return shown if can_view_phi() else mask
