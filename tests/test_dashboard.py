"""The dashboard pages through Streamlit's AppTest, against the demo warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from govpulse.settings import WAREHOUSE_ENV

APP = str(Path(__file__).resolve().parent.parent / "reports" / "app.py")
pytestmark = pytest.mark.e2e


def _app(monkeypatch, warehouse) -> AppTest:
    monkeypatch.setenv(WAREHOUSE_ENV, str(warehouse))
    app = AppTest.from_file(APP, default_timeout=60)
    return app


def test_empty_state_tells_what_to_run(monkeypatch, tmp_path):
    app = _app(monkeypatch, tmp_path / "none.duckdb").run()
    assert not app.exception
    assert "make demo-build" in app.info[0].value
    assert "govpulse run" in app.info[0].value


def test_league_table_ranks_departments_as_the_marts_do(monkeypatch, demo_warehouse):
    app = _app(monkeypatch, demo_warehouse).run()
    assert not app.exception
    assert "Figures as of" in app.caption[0].value
    table = app.dataframe[0].value
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        expected = [row[0] for row in con.execute(
            "select department from marts.department_scorecard where period = 'last_28d' "
            "order by rank nulls last, department").fetchall()]
    assert table.department.tolist() == expected
    assert table["rank"].tolist()[0] == 1


def test_period_filter_changes_the_table_and_the_url(monkeypatch, demo_warehouse):
    app = _app(monkeypatch, demo_warehouse).run()
    before = app.dataframe[0].value.department.tolist()
    app.selectbox(key="period").set_value("last_7d").run()
    assert not app.exception
    assert app.query_params["period"] == ["last_7d"] or app.query_params["period"] == "last_7d"
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        expected = [row[0] for row in con.execute(
            "select department from marts.department_scorecard where period = 'last_7d' "
            "order by rank nulls last, department").fetchall()]
    after = app.dataframe[0].value.department.tolist()
    assert after == expected
    assert after != before
