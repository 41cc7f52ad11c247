"""The columns the dashboard's tables share: label, format, and what a figure left empty means.

Streamlit shows a figure the warehouse leaves null (a rate without a denominator, METRICS.md)
as a grey "None"; the column's help says when that is, for those that can be.
"""

from __future__ import annotations

import streamlit as st

COMPOSITE = st.column_config.ProgressColumn(
    "Composite", min_value=0, max_value=100, format="%.1f",
    help="Weighted mean of the responsiveness, engagement and tone scores (0-100) over "
         "those that have a value; empty when none has")
RESPONSE_RATE = st.column_config.NumberColumn(
    "Response rate", format="%.1f%%",
    help="Eligible citizen replies answered within the response window; None when no reply "
         "was eligible (none received, or all still pending)")
MEDIAN_RESPONSE = st.column_config.TextColumn(
    "Median response", help="Median time to the first answer, over the replies answered "
                            "within the window; empty when none was")
TONE_FLAGS = st.column_config.NumberColumn(
    "Tone flags", format="%.1f%%",
    help="Original posts in capitals or with two or more '!'; None without an original post")
