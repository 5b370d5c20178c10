"""revcycle dashboard entrypoint: a page router (st.navigation); pages live in app_pages/."""

import streamlit as st

pages = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/monitoring:", default=True),
]
pg = st.navigation(pages)
st.set_page_config(page_title="revcycle", page_icon=":material/payments:", layout="wide")
pg.run()
