"""Pieces every page shares: the header, the empty state, the filters and CSV downloads."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from govpulse.settings import WAREHOUSE_ENV
from reports import queries
from reports.warehouse import unreadable_reason, warehouse_path, warehouse_version

TRAILING_PERIODS = {"last_7d": "Last 7 days", "last_28d": "Last 28 days",
                    "last_90d": "Last 90 days"}
ALL = "All"


@dataclass(frozen=True)
class Filters:
    period: str
    department: str | None
    level: str | None
    account_type: str | None


def header() -> bool:
    """Show the data's as_of and build time; return False (with help) when there is no data."""
    path = warehouse_path()
    version = warehouse_version(path)
    if version is None:
        st.title("govpulse")
        st.info(f"No warehouse at `{path}` yet. Build the demo one with\n\n"
                "```\nmake demo-build\n```\n\nor your own with\n\n"
                "```\ngovpulse run --registry registry.csv --source files --input DIR "
                f"--warehouse {path}\n```")
        return False
    reason = unreadable_reason(version)
    if reason is not None:
        st.title("govpulse")
        st.error(f"`{path}` cannot be read as a govpulse warehouse: {reason}\n\n"
                 f"Point the dashboard (`--warehouse`, or `{WAREHOUSE_ENV}`) at the file that "
                 "`govpulse run --warehouse` published.")
        return False
    info = queries.build_info()
    as_of = info.loc[info.setting_name == "as_of", "setting_value"].iloc[0]
    st.caption(f"Figures as of **{str(as_of)[:16]} UTC** · pipeline last ran "
               f"**{str(info.built_at.iloc[0])[:16]} UTC**")
    return True


def period_label(period: str) -> str:
    return TRAILING_PERIODS.get(period, period)


def _choice(label: str, options: list[str], key: str, default: str,
            format_func=str) -> str:
    """A sidebar select box whose value lives in the URL, so a view can be shared."""
    wanted = st.query_params.get(key, default)
    index = options.index(wanted) if wanted in options else options.index(default)
    chosen = st.sidebar.selectbox(label, options, index=index, key=key,
                                  format_func=format_func)
    if chosen == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = chosen
    return chosen


def filters(department: bool = True, all_departments: bool = True) -> Filters:
    """The sidebar's filters. `department=False` leaves the department out; with
    `all_departments=False` one department must be chosen (the first by default)."""
    options = queries.filter_options()
    period = _choice("Period", list(TRAILING_PERIODS) + queries.periods(), "period",
                     "last_28d", period_label)
    chosen_department = ALL
    if department:
        departments = sorted(options.department.unique())
        if all_departments:
            departments = [ALL] + departments
        chosen_department = _choice("Department", departments, "department", departments[0])
    level = _choice("Level", [ALL] + sorted(options.level.dropna().unique()), "level", ALL)
    account_type = _choice("Account type", [ALL] + sorted(options.account_type.dropna().unique()),
                           "account_type", ALL)
    return Filters(
        period=period,
        department=None if chosen_department == ALL else chosen_department,
        level=None if level == ALL else level,
        account_type=None if account_type == ALL else account_type,
    )


def download(frame: pd.DataFrame, name: str, key: str) -> None:
    st.download_button("Download CSV", frame.to_csv(index=False).encode("utf-8"),
                       file_name=f"{name}.csv", mime="text/csv", key=key)


def table_height(rows: int) -> int:
    """Tall enough to show every row (up to 25) without an inner scroll bar."""
    return 38 + 35 * max(1, min(rows, 25))
