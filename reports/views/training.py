"""Training list: broadcasters and accounts with tone problems, with the figures behind it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from reports import columns, queries
from reports.views.common import download, filters, header, period_label, table_height

# The table as shown, in order; the CSV download keeps the warehouse's names and fractions.
COLUMNS = {
    "handle": st.column_config.TextColumn("Account", pinned=True),
    "department": st.column_config.TextColumn("Department", width="medium"),
    "why": st.column_config.TextColumn("Why", width="large"),
    "level": st.column_config.TextColumn("Level"),
    "account_type": st.column_config.TextColumn("Type"),
    "is_broadcaster": st.column_config.CheckboxColumn("Broadcaster"),
    "has_tone_problem": st.column_config.CheckboxColumn("Tone problem"),
    "posts_original": st.column_config.NumberColumn("Original posts"),
    "eligible_inbound": st.column_config.NumberColumn("Eligible inbound"),
    "answered_inbound": st.column_config.NumberColumn("Answered"),
    "response_rate_pct": columns.RESPONSE_RATE,
    "tone_flag_pct": columns.TONE_FLAGS,
    "caps_posts": st.column_config.NumberColumn("Caps posts"),
    "exclaim_posts": st.column_config.NumberColumn("'!!' posts"),
    "composite_score": st.column_config.NumberColumn("Composite", format="%.1f"),
}


def reasons(frame: pd.DataFrame) -> list[str]:
    """Why each account is on the list, in words, from its figures."""
    out = []
    for row in frame.itertuples():
        why = []
        if row.is_broadcaster:
            why.append(f"broadcaster: {row.posts_original} original posts, answered "
                       f"{row.answered_inbound} of {row.eligible_inbound} eligible replies")
        if row.has_tone_problem:
            why.append(f"tone: {row.tone_flag_share:.0%} of original posts flagged")
        out.append("; ".join(why))
    return out


def render() -> None:
    if not header():
        return
    chosen = filters()
    st.title("Training list")
    threshold = st.slider("Tone problem: share of original posts flagged caps or '!!' at least",
                          0.05, 1.0, 0.2, 0.05, key="tone_threshold")
    frame = queries.training_list(chosen.period, threshold, chosen.department, chosen.level,
                                  chosen.account_type)
    frame.insert(2, "why", reasons(frame))
    table = frame.assign(response_rate_pct=frame.response_rate * 100,
                         tone_flag_pct=frame.tone_flag_share * 100)[list(COLUMNS)]
    st.markdown(f"**{len(frame)} accounts** to coach, {period_label(chosen.period).lower()}.")
    st.dataframe(table, hide_index=True, width="stretch", height=table_height(len(table)),
                 column_config=COLUMNS)
    download(frame, f"training_list_{chosen.period}", "training_csv")
