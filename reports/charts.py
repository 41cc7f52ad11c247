"""Altair charts with titles, axis labels and a colour-blind-safe palette (Okabe-Ito)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from reports.reply_outcomes import STATUSES

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000"]


def monthly_lines(frame: pd.DataFrame, value: str, title: str, axis: str,
                  percent: bool = False) -> alt.Chart:
    return alt.Chart(frame, title=title).mark_line(point=True, color=OKABE_ITO[0]).encode(
        x=alt.X("month:O", title="Month"),
        y=alt.Y(f"{value}:Q", title=axis, axis=alt.Axis(format="%" if percent else ",.0f")),
        tooltip=["month", alt.Tooltip(f"{value}:Q", format=".1%" if percent else ",.1f")],
    )


DATE_LABEL = "%b %d"


def stacked_bars(frame: pd.DataFrame, x: str, x_title: str, value: str, value_title: str,
                 color: str, color_title: str, title: str, time_axis: bool = False) -> alt.Chart:
    kinds = sorted(frame[color].unique().tolist()) if not frame.empty else []
    return alt.Chart(frame, title=title).mark_bar().encode(
        # every date labelled alike ("Nov 01", not Vega's "November" at a month's start)
        x=(alt.X(f"{x}:T", title=x_title, axis=alt.Axis(format=DATE_LABEL)) if time_axis
           else alt.X(f"{x}:O", title=x_title)),
        y=alt.Y(f"{value}:Q", title=value_title, stack="zero"),
        color=alt.Color(f"{color}:N", title=color_title,
                        scale=alt.Scale(domain=kinds, range=OKABE_ITO[:max(1, len(kinds))])),
        tooltip=[x, color, value],
    )


def histogram(frame: pd.DataFrame, title: str) -> alt.Chart:
    order = frame.sort_values("bucket_order").bucket.tolist()
    return alt.Chart(frame, title=title).mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X("bucket:N", title="Time to first response", sort=order),
        y=alt.Y("replies:Q", title="Answered inbound replies"),
        tooltip=["bucket", "replies"],
    )


# What became of citizens' replies, in these colours on every page.
_STATUS_COLOURS = alt.Scale(domain=STATUSES, range=[OKABE_ITO[2], OKABE_ITO[1], OKABE_ITO[5],
                                                    OKABE_ITO[4]])


def status_bars(frame: pd.DataFrame, title: str) -> alt.Chart:
    return alt.Chart(frame, title=title).mark_bar().encode(
        x=alt.X("replies:Q", title="Inbound replies"),
        y=alt.Y("status:N", title="Status", sort=STATUSES),
        color=alt.Color("status:N", title="Status", scale=_STATUS_COLOURS),
        tooltip=["status", "replies"],
    )


def status_by_month(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Columns month, status (one of STATUSES), replies: one bar per month, stacked."""
    ranked = frame.assign(status_rank=frame.status.map(STATUSES.index))
    return alt.Chart(ranked, title=title).mark_bar().encode(
        x=alt.X("month:O", title="Month"),
        y=alt.Y("replies:Q", title="Inbound replies", stack="zero"),
        color=alt.Color("status:N", title="Status", scale=_STATUS_COLOURS, sort=STATUSES),
        order=alt.Order("status_rank:Q"),
        tooltip=["month", "status", "replies"],
    )
