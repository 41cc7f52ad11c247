"""Human units for the figures the marts hold."""

from __future__ import annotations

import pandas as pd


def duration(minutes: float | None) -> str:
    """``95.0`` -> ``'1 h 35 min'``; empty for a missing value (None, NaN or pandas' NA)."""
    if pd.isna(minutes):
        return ""
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 60:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        hours, rest = divmod(round(minutes), 60)
        return f"{hours} h {rest:02d} min"
    return f"{minutes / (24 * 60):.1f} days"


def figure(value: float | None, spec: str) -> str:
    """``value`` in the format ``spec`` (``'.0%'``: ``0.49`` -> ``'49%'``); a dash when it is
    missing (None, NaN or pandas' NA: a ratio with nothing to divide, a score without data)."""
    return "–" if pd.isna(value) else format(value, spec)


def rank_arrow(change: float | None) -> str:
    """Rank change as an arrow: positive means the department moved up; a dash when there is
    none (None, NaN, or pandas' NA: DuckDB hands a nullable integer column to pandas 3 as
    ``Int64``)."""
    if pd.isna(change):
        return "–"
    change = int(change)
    if change > 0:
        return f"▲ {change}"
    if change < 0:
        return f"▼ {-change}"
    return "= 0"
