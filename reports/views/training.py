"""Training list: broadcasters and accounts with tone problems, with the figures behind it."""

from __future__ import annotations

import streamlit as st

from reports import queries
from reports.views.common import download, filters, header, period_label, table_height


def render() -> None:
    if not header():
        return
    chosen = filters()
    st.title("Training list")
    threshold = st.slider("Tone problem: share of original posts flagged caps or '!!' at least",
                          0.05, 1.0, 0.2, 0.05, key="tone_threshold")
    frame = queries.training_list(chosen.period, threshold, chosen.department, chosen.level,
                                  chosen.account_type)
    reasons = []
    for row in frame.itertuples():
        why = []
        if row.is_broadcaster:
            why.append(f"broadcaster: {row.posts_original} posts, answered "
                       f"{row.answered_inbound} of {row.eligible_inbound} replies")
        if row.has_tone_problem:
            why.append(f"tone: {row.tone_flag_share:.0%} of posts flagged")
        reasons.append("; ".join(why))
    frame.insert(2, "why", reasons)
    st.markdown(f"**{len(frame)} accounts** to coach, {period_label(chosen.period).lower()}.")
    st.dataframe(frame, hide_index=True, width="stretch",
                 height=table_height(len(frame)), column_config={
                     "why": st.column_config.TextColumn("Why", width="large"),
                     "response_rate": st.column_config.NumberColumn("Response rate",
                                                                    format="%.3f"),
                     "tone_flag_share": st.column_config.NumberColumn("Tone flag share",
                                                                      format="%.2f"),
                     "composite_score": st.column_config.NumberColumn("Composite",
                                                                      format="%.1f"),
                 })
    download(frame, f"training_list_{chosen.period}", "training_csv")
