"""Account drill-down: posts over time, what became of citizens' replies, tone examples."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from govpulse.wording import counted
from reports import charts, queries
from reports.formatting import duration, figure
from reports.reply_outcomes import reply_outcomes
from reports.views.common import download, filters, header, period_label, table_height


def _account_choice(options: pd.DataFrame) -> str | None:
    if options.empty:
        return None
    ids = options.account_id.tolist()
    labels = dict(zip(options.account_id, options.handle + " · " + options.department,
                      strict=True))
    wanted = st.query_params.get("account", ids[0])
    if wanted not in ids:  # a link may name the account by its handle: ?account=@DCLahore
        by_handle = dict(zip(options.handle.str.lower(), options.account_id, strict=True))
        wanted = by_handle.get(wanted.strip().lstrip("@").lower(), ids[0])
    chosen = st.sidebar.selectbox("Account", ids, index=ids.index(wanted),
                                  format_func=labels.get, key="account")
    st.query_params["account"] = chosen
    return chosen


def render() -> None:
    if not header():
        return
    chosen = filters()
    options = queries.account_list(chosen.department, chosen.level, chosen.account_type)
    account_id = _account_choice(options)
    if account_id is None:
        st.warning("No account matches these filters.")
        return
    account = options.set_index("account_id").loc[account_id]
    scorecard = queries.account_row(account_id, chosen.period)
    row = scorecard.iloc[0]
    st.title(f"@{row.handle}")
    st.caption(f"{row.display_name} · {row.department} · {period_label(chosen.period)}")
    metrics = st.columns(5)
    metrics[0].metric("Composite score", figure(row.composite_score, ".1f"))
    metrics[1].metric("Response rate", figure(row.response_rate, ".0%"))
    metrics[2].metric("Median response", duration(row.median_response_minutes) or "–")
    metrics[3].metric("Original posts", f"{int(row.posts_original):,}")
    metrics[4].metric("Inbound replies", f"{int(row.inbound_replies):,}")
    if row.is_broadcaster:
        st.warning("Broadcaster: posts a lot and almost never answers citizens.")
    if not account.has_profile:
        st.info(f"No profile of @{row.handle} was fetched: the handle matched no X user in the "
                f"data collected. Check it on line {account.registry_line} of the registry, or "
                "collect the account's timeline.")

    left, right = st.columns(2)
    posts = queries.posts_by_week(account_id)
    if posts.empty:
        left.info("Posts by kind, per week: no post by this account in the warehouse.")
    else:
        left.altair_chart(charts.stacked_bars(posts, "week", "Week", "posts", "Posts",
                                              "post_kind", "Kind", "Posts by kind, per week",
                                              time_axis=True),
                          width="stretch")
    status = reply_outcomes(scorecard, [])
    if not row.inbound_replies:
        right.info("What became of citizens' replies: no citizen replied to this account in "
                   "this period.")
    else:
        right.altair_chart(charts.status_bars(status, "What became of citizens' replies"),
                           width="stretch")

    st.subheader("Oldest unanswered citizen replies")
    unanswered = queries.oldest_unanswered(account_id, chosen.period)
    if unanswered.empty:
        st.success("No unanswered eligible reply in this period.")
    else:
        never = int(status.loc[status.status == "unanswered", "replies"].sum())
        shown = "All" if never == len(unanswered) else f"The {len(unanswered)} oldest of"
        st.caption(f"{shown} {counted(never, 'reply', 'replies')} never answered, "
                   f"{period_label(chosen.period).lower()} (pending ones left out).")
        shown_rows = unanswered.assign(waiting=unanswered.waiting_minutes.map(duration))
        st.dataframe(shown_rows, hide_index=True, width="stretch",
                     height=table_height(len(unanswered)),
                     column_order=["inbound_tweet_id", "inbound_created_at", "waiting", "link"],
                     column_config={
                         "inbound_tweet_id": st.column_config.TextColumn("Reply"),
                         "inbound_created_at": st.column_config.DatetimeColumn("Sent (UTC)"),
                         "waiting": st.column_config.TextColumn(
                             "Waiting", help="From the reply to the figures' as_of"),
                         "link": st.column_config.LinkColumn("Open on X",
                                                             display_text="open"),
                     })
        download(unanswered, f"unanswered_{row.handle}_{chosen.period}", "unanswered_csv")

    st.subheader("Tone flags")
    examples = queries.tone_examples(account_id, chosen.period)
    if examples.empty:
        st.success("No original post flagged for caps or exclamation marks in this period.")
    else:
        st.dataframe(examples, hide_index=True, width="stretch",
                     height=table_height(len(examples)), column_config={
                         "created_at": st.column_config.DatetimeColumn("Posted (UTC)"),
                         "is_caps": st.column_config.CheckboxColumn("Caps"),
                         "is_exclaim": st.column_config.CheckboxColumn("!!"),
                         "tweet_text": st.column_config.TextColumn("Text", width="large"),
                         "link": st.column_config.LinkColumn("Open on X", display_text="open"),
                     })
        download(examples, f"tone_{row.handle}_{chosen.period}", "tone_csv")
