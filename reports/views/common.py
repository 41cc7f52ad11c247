"""Pieces every page shares: the header, the empty state and the period filter."""

from __future__ import annotations

import streamlit as st

from reports.warehouse import is_ready, query, warehouse_path

TRAILING_PERIODS = {"last_7d": "Last 7 days", "last_28d": "Last 28 days",
                    "last_90d": "Last 90 days"}


def header() -> bool:
    """Show the data's as_of and build time; return False (with help) when there is no data."""
    if not is_ready():
        st.title("govpulse")
        st.info(
            f"No warehouse at `{warehouse_path()}` yet. Build the demo one with\n\n"
            "```\nmake demo-build\n```\n\nor your own with\n\n"
            "```\ngovpulse run --registry registry.csv --source files --input DIR "
            f"--warehouse {warehouse_path()}\n```"
        )
        return False
    settings = query("select setting_name, setting_value, built_at from marts.dim_metric_settings")
    as_of = settings.loc[settings.setting_name == "as_of", "setting_value"].iloc[0]
    built_at = settings.built_at.iloc[0]
    st.caption(f"Figures as of **{str(as_of)[:16]} UTC** · pipeline last ran "
               f"**{str(built_at)[:16]} UTC**")
    return True


def periods() -> list[str]:
    months = query(
        "select distinct period from marts.department_scorecard where period_kind = 'month' "
        "order by period desc"
    ).period.tolist()
    return list(TRAILING_PERIODS) + months


def period_label(period: str) -> str:
    return TRAILING_PERIODS.get(period, period)


def period_filter(key: str = "period") -> str:
    """A period selector whose value lives in the URL, so the view can be shared."""
    options = periods()
    wanted = st.query_params.get(key, "last_28d")
    index = options.index(wanted) if wanted in options else options.index("last_28d")
    chosen = st.selectbox("Period", options, index=index, format_func=period_label, key=key)
    st.query_params[key] = chosen
    return chosen
