"""govpulse dashboard: `streamlit run reports/app.py` (or `govpulse dashboard`)."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts this file's folder on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from reports.views import account, department, league_table, methodology, training  # noqa: E402

st.set_page_config(page_title="govpulse", page_icon="📣", layout="wide")

navigation = st.navigation([
    st.Page(league_table.render, title="League table", default=True),
    st.Page(department.render, title="Department scorecard", url_path="department"),
    st.Page(account.render, title="Account drill-down", url_path="account"),
    st.Page(training.render, title="Training list", url_path="training"),
    st.Page(methodology.render, title="Methodology", url_path="methodology"),
])
navigation.run()
