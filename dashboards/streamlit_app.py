"""revcycle dashboard entrypoint: a page router (st.navigation); pages live in app_pages/."""

from pathlib import Path

import streamlit as st

from dashboards import filters, queries
from dashboards.phi import require_sign_in

pages = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/monitoring:", default=True),
    st.Page("app_pages/denials.py", title="Denials", icon=":material/block:"),
    st.Page("app_pages/claim_chain.py", title="Claim chain", icon=":material/timeline:"),
    st.Page("app_pages/work_queues.py", title="Work queues", icon=":material/checklist:"),
    st.Page("app_pages/front_end.py", title="Front end", icon=":material/mark_email_read:"),
    st.Page("app_pages/collections.py", title="Collections", icon=":material/payments:"),
    st.Page("app_pages/compliance.py", title="Compliance", icon=":material/policy:"),
    st.Page("app_pages/data_quality.py", title="Data quality", icon=":material/fact_check:"),
]
# a local icon: no request leaves the machine from the page
st.set_page_config(
    page_title="revcycle", page_icon=str(Path(__file__).parent / "static" / "icon.png"), layout="wide"
)
require_sign_in()  # OIDC (st.login) or the local password gate, when configured (dashboards/phi.py)
pg = st.navigation(pages)
version = queries.warehouse_version()
if version is not None:  # global filters, drawn here so they survive page changes (dashboards/filters.py)
    options, months = queries.filter_options(version)
    filters.sidebar(options, months)
pg.run()
