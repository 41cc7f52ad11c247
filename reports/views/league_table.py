"""League table: departments ranked by composite score for a period."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from reports import columns, queries
from reports.formatting import duration, rank_arrow
from reports.views.common import download, filters, header, period_label, table_height

COLUMNS = {
    "rank": st.column_config.NumberColumn("Rank", format="%d", pinned=True),
    "movement": st.column_config.TextColumn("Change", help="Rank change against the previous "
                                            "period of the same length (▲ moved up)"),
    "department": st.column_config.TextColumn("Department", width=270, pinned=True),
    "composite_score": columns.COMPOSITE,
    "responsiveness_score": st.column_config.NumberColumn("Responsiveness", format="%.1f"),
    "engagement_score": st.column_config.NumberColumn("Engagement", format="%.1f"),
    "tone_score": st.column_config.NumberColumn("Tone", format="%.1f"),
    "response_rate_pct": columns.RESPONSE_RATE,
    "median_response": columns.MEDIAN_RESPONSE,
    "p90_response": st.column_config.TextColumn("p90 response"),
    "engagement_rate_pct": st.column_config.NumberColumn(
        "Engagement rate", format="%.3f%%", help="Engagements per original post per follower"),
    "tone_flag_pct": columns.TONE_FLAGS,
    "broadcaster_accounts": st.column_config.NumberColumn("Broadcasters"),
    "accounts": st.column_config.NumberColumn("Accounts"),
    "inbound_replies": st.column_config.NumberColumn("Inbound replies"),
    "answered_inbound": st.column_config.NumberColumn("Answered"),
}


def league_frame(raw: pd.DataFrame) -> pd.DataFrame:
    table = raw.assign(
        movement=raw.rank_change.map(rank_arrow),
        median_response=raw.median_response_minutes.map(duration),
        p90_response=raw.p90_response_minutes.map(duration),
        response_rate_pct=raw.response_rate * 100,
        engagement_rate_pct=raw.engagement_rate * 100,
        tone_flag_pct=raw.tone_flag_share * 100,
    )
    return table[list(COLUMNS)]


def render() -> None:
    if not header():
        return
    chosen = filters(department=False)
    st.title("Department league table")
    table = league_frame(queries.league_table(chosen.period, chosen.level))
    st.markdown(f"**{len(table)} departments** ranked by composite score, "
                f"{period_label(chosen.period).lower()}. Click a column to sort.")
    st.dataframe(table, hide_index=True, width="stretch", column_config=COLUMNS,
                 height=table_height(len(table)))
    download(table, f"league_table_{chosen.period}", "league_csv")
