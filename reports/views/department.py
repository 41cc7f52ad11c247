"""Department scorecard: its accounts ranked, trends, response times, inbound volume."""

from __future__ import annotations

import streamlit as st

from reports import charts, columns, queries
from reports.formatting import duration
from reports.reply_outcomes import reply_outcomes
from reports.views.common import download, filters, header, period_label, table_height

ACCOUNT_COLUMNS = {
    "handle": st.column_config.TextColumn("Account", pinned=True),
    "display_name": st.column_config.TextColumn("Name", width="medium"),
    "composite_score": columns.COMPOSITE,
    "response_rate_pct": columns.RESPONSE_RATE,
    "median_response": columns.MEDIAN_RESPONSE,
    "posts_original": st.column_config.NumberColumn("Original posts"),
    "inbound_replies": st.column_config.NumberColumn("Inbound"),
    "answered_inbound": st.column_config.NumberColumn("Answered"),
    "tone_flag_pct": columns.TONE_FLAGS,
    "is_broadcaster": st.column_config.CheckboxColumn("Broadcaster"),
}


def render() -> None:
    if not header():
        return
    chosen = filters(all_departments=False)
    department = chosen.department
    st.title(department)
    accounts = queries.accounts(chosen.period, department, chosen.level, chosen.account_type)
    table = accounts.assign(
        response_rate_pct=accounts.response_rate * 100,
        median_response=accounts.median_response_minutes.map(duration),
        tone_flag_pct=accounts.tone_flag_share * 100,
    )[list(ACCOUNT_COLUMNS)]
    st.subheader(f"Accounts, {period_label(chosen.period).lower()}")
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config=ACCOUNT_COLUMNS, height=table_height(len(table)))
    download(table, f"accounts_{department}_{chosen.period}", "department_accounts_csv")

    trend = queries.department_trend(department)
    if not trend.inbound_replies.sum():
        st.info("No citizen replied to this department's accounts in any month of the "
                "warehouse: there is no response rate, response time or outcome to chart.")
        return
    left, right = st.columns(2)
    left.altair_chart(charts.monthly_lines(trend, "response_rate", "Response rate by month",
                                           "Response rate", percent=True),
                      width="stretch")
    right.altair_chart(charts.monthly_lines(trend, "median_response_minutes",
                                            "Median response time by month", "Minutes"),
                       width="stretch")
    histogram = queries.response_time_histogram(chosen.period, department=department)
    times_title = f"Response times, {period_label(chosen.period).lower()}"
    left, right = st.columns(2)
    if histogram.empty:
        left.info(f"{times_title}: no reply was answered in this period.")
    else:
        left.altair_chart(charts.histogram(histogram, times_title), width="stretch")
    right.altair_chart(charts.status_by_month(
        reply_outcomes(trend, ["month"]), "What became of citizens' replies, by month"),
        width="stretch")
    st.caption(f"Inbound replies by month: {int(trend.inbound_replies.sum()):,} in all.")
