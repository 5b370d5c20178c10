"""PHI on the dashboard: masked by default, shown only to configured viewers, behind sign-in when configured.

Sign-in, whichever is configured (checked in this order):
  * OIDC through Streamlit's st.login: an ``[auth]`` section in ``.streamlit/secrets.toml``;
  * a local password gate: ``REVCYCLE_DASHBOARD_PASSWORD_SHA256`` = sha256 hex of the shared password
    (the identity is then ``local``).
With neither, the dashboard is open (a laptop demo) and PHI stays masked for everyone.

``REVCYCLE_PHI_VIEWERS`` lists who may see member ids and patient names unmasked: OIDC e-mails and/or
``local``.  Nothing here logs identifiers; masking happens before a value reaches a widget.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import streamlit as st

SESSION_KEY = "revcycle_local_identity"


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, AttributeError, st.errors.StreamlitSecretNotFoundError):
        return False


def identity() -> str | None:
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        return st.user.get("email")
    return st.session_state.get(SESSION_KEY)


def require_sign_in() -> None:
    """Stop the page until the user has signed in, when sign-in is configured."""
    if _oidc_configured():
        if not st.user.is_logged_in:
            st.title("revcycle")
            st.button("Sign in", on_click=st.login, type="primary")
            st.stop()
        return
    expected = os.environ.get("REVCYCLE_DASHBOARD_PASSWORD_SHA256", "").strip().lower()
    if not expected or st.session_state.get(SESSION_KEY):
        return
    st.title("revcycle")
    with st.form("sign_in"):
        password = st.text_input("Password", type="password", key="phi__password")
        if st.form_submit_button("Sign in"):
            digest = hashlib.sha256(password.encode()).hexdigest()
            if hmac.compare_digest(digest, expected):
                st.session_state[SESSION_KEY] = "local"
                st.rerun()
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


def shown(value: object) -> str | None:
    return None if value is None else str(value)


def display_fn():
    """The function to pass identifiers through on this page: decided once, in the script thread (session
    state is not visible from the worker threads polars may call back on)."""
    return shown if can_view_phi() else mask
