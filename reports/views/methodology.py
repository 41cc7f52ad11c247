"""Methodology: definitions and the thresholds and weights in force, read from the warehouse.

Definitions are the column comments dbt wrote from schema.yml; values are the
dbt vars the build used. Nothing here is copied text.
"""

from __future__ import annotations

import streamlit as st

from reports import queries
from reports.views.common import download, header

TABLES = {
    "account_scorecard": "Account metrics and scores",
    "department_scorecard": "Department metrics, scores and ranks",
    "fct_inbound_replies": "Inbound replies and responses",
}


def render() -> None:
    if not header():
        return
    st.title("Methodology")
    st.subheader("Settings in force")
    settings = queries.build_info()[["setting_name", "setting_value", "description"]]
    # a static table: every meaning is read whole, wrapped, never cut at the column's edge
    st.table(settings.rename(columns={"setting_name": "Setting", "setting_value": "Value",
                                      "description": "Meaning"}).set_index("Setting"))
    download(settings, "settings_in_force", "settings_csv")
    for table, title in TABLES.items():
        st.subheader(title)
        st.markdown(queries.table_definition(table))
        definitions = queries.column_definitions(table)
        for row in definitions.itertuples():
            if row.comment:
                st.markdown(f"- **`{row.column_name}`**: {row.comment}")
