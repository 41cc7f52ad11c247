"""Read-only access to the published warehouse.

Each query opens a short-lived read-only connection and closes it at once, so
the dashboard never holds a lock that would block the pipeline. Results are
cached per (query, parameters, file version): a new publish is a new file,
so the cache refreshes by itself.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from govpulse.settings import Settings


def warehouse_path() -> Path:
    return Settings.from_env().warehouse


def warehouse_version(path: Path) -> tuple[str, float, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (str(path), stat.st_mtime, stat.st_size)


@st.cache_data(show_spinner=False, max_entries=256)
def _query(sql: str, params: tuple, version: tuple[str, float, int]) -> pd.DataFrame:
    with duckdb.connect(version[0], read_only=True) as con:
        return con.execute(sql, list(params)).df()


def query(sql: str, params: tuple = ()) -> pd.DataFrame:
    """Run a parameterised query against the published warehouse."""
    version = warehouse_version(warehouse_path())
    if version is None:
        raise FileNotFoundError(str(warehouse_path()))
    return _query(sql, tuple(params), version)


def unreadable_reason(version: tuple[str, float, int]) -> str | None:
    """Why the published warehouse file of ``version`` (``warehouse_version``'s) cannot be read
    by the dashboard (the first line of DuckDB's error: not a DuckDB file, no marts...); None
    when it can be."""
    try:
        _query("select 1 from marts.department_scorecard limit 1", (), version)
    except duckdb.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None
