"""League table: departments ranked by composite score for a period."""

from __future__ import annotations

import streamlit as st

from reports.formatting import duration, rank_arrow
from reports.views.common import header, period_filter, period_label
from reports.warehouse import query

LEAGUE_SQL = """
select
    rank,
    rank_change,
    department,
    composite_score,
    responsiveness_score,
    engagement_score,
    tone_score,
    response_rate,
    median_response_minutes,
    p90_response_minutes,
    engagement_rate,
    tone_flag_share,
    broadcaster_accounts,
    accounts,
    inbound_replies,
    eligible_inbound,
    answered_inbound
from marts.department_scorecard
where period = ?
order by rank nulls last, department
"""


def league_frame(period: str):
    frame = query(LEAGUE_SQL, (period,))
    table = frame.assign(
        movement=frame.rank_change.map(rank_arrow),
        median_response=frame.median_response_minutes.map(duration),
        p90_response=frame.p90_response_minutes.map(duration),
        response_rate_pct=frame.response_rate * 100,
        tone_flag_pct=frame.tone_flag_share * 100,
    )
    return table[[
        "rank", "movement", "department", "composite_score", "responsiveness_score",
        "engagement_score", "tone_score", "response_rate_pct", "median_response", "p90_response",
        "engagement_rate", "tone_flag_pct", "broadcaster_accounts", "accounts", "inbound_replies",
        "answered_inbound",
    ]]


def render() -> None:
    if not header():
        return
    st.title("Department league table")
    period = period_filter()
    table = league_frame(period)
    st.markdown(f"**{len(table)} departments** ranked by composite score, "
                f"{period_label(period).lower()}. ▲ moved up since the previous period.")
    st.dataframe(
        table,
        hide_index=True,
        use_container_width=True,
        column_config={
            "rank": st.column_config.NumberColumn("Rank", format="%d"),
            "movement": st.column_config.TextColumn("Change"),
            "department": st.column_config.TextColumn("Department", width="large"),
            "composite_score": st.column_config.ProgressColumn(
                "Composite", min_value=0, max_value=100, format="%.1f"),
            "responsiveness_score": st.column_config.NumberColumn("Responsiveness",
                                                                  format="%.1f"),
            "engagement_score": st.column_config.NumberColumn("Engagement", format="%.1f"),
            "tone_score": st.column_config.NumberColumn("Tone", format="%.1f"),
            "response_rate_pct": st.column_config.NumberColumn("Response rate",
                                                               format="%.1f%%"),
            "median_response": st.column_config.TextColumn("Median response"),
            "p90_response": st.column_config.TextColumn("p90 response"),
            "engagement_rate": st.column_config.NumberColumn("Engagement rate",
                                                             format="%.6f"),
            "tone_flag_pct": st.column_config.NumberColumn("Tone flags", format="%.1f%%"),
            "broadcaster_accounts": st.column_config.NumberColumn("Broadcasters"),
            "accounts": st.column_config.NumberColumn("Accounts"),
            "inbound_replies": st.column_config.NumberColumn("Inbound replies"),
            "answered_inbound": st.column_config.NumberColumn("Answered"),
        },
    )
    st.download_button("Download CSV", table.to_csv(index=False).encode("utf-8"),
                       file_name=f"league_table_{period}.csv", mime="text/csv")
