"""What became of citizens' replies, from the scorecards' counts, the same way on every page.

An inbound reply is answered (within the window), answered late, unanswered (its window
closed without an answer) or pending (its window still open): eligible replies are the
first three, so unanswered = eligible - answered - late, and the four add up to the inbound
replies (METRICS.md).
"""

from __future__ import annotations

import pandas as pd

# In this order and in charts.py's colours on every page.
STATUSES = ["answered", "answered late", "unanswered", "pending"]


def reply_outcomes(counts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``keys``, status, replies: each row of scorecard counts (answered_inbound,
    late_inbound, pending_inbound, eligible_inbound) split four ways."""
    outcomes = counts.assign(**{
        "answered": counts.answered_inbound,
        "answered late": counts.late_inbound,
        "unanswered": counts.eligible_inbound - counts.answered_inbound - counts.late_inbound,
        "pending": counts.pending_inbound,
    })
    return outcomes.melt(id_vars=keys, value_vars=STATUSES, var_name="status",
                         value_name="replies")
