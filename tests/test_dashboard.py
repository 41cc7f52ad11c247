"""Every dashboard page through Streamlit's AppTest, against the demo warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from govpulse.settings import WAREHOUSE_ENV
from reports import queries
from reports.charts import stacked_bars
from reports.formatting import duration, figure
from reports.reply_outcomes import reply_outcomes
from tests.conftest import build_warehouse

APP = str(Path(__file__).resolve().parent.parent / "reports" / "app.py")
PAGES = ["league_table", "department", "account", "training", "methodology"]
pytestmark = pytest.mark.e2e


def _page(monkeypatch, warehouse, page: str, **params: str) -> AppTest:
    monkeypatch.setenv(WAREHOUSE_ENV, str(warehouse))
    app = AppTest.from_string(f"from reports.views import {page}\n{page}.render()\n",
                              default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def _sql(warehouse, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _param(app: AppTest, key: str):
    value = app.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def test_a_missing_figure_shows_a_dash():
    assert [figure(value, ".0%") for value in (0.49, None, float("nan"), pd.NA)] == [
        "49%", "–", "–", "–"]
    assert figure(58.44, ".1f") == "58.4"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_a_friendly_empty_state(monkeypatch, tmp_path, page):
    app = _page(monkeypatch, tmp_path / "none.duckdb", page)
    assert not app.exception
    assert "make demo-build" in app.info[0].value and "govpulse run" in app.info[0].value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_names_a_file_that_is_not_a_warehouse(monkeypatch, tmp_path, page):
    not_duckdb = tmp_path / "notes.duckdb"
    not_duckdb.write_text("not a database", encoding="utf-8")
    app = _page(monkeypatch, not_duckdb, page)
    assert not app.exception and not app.info
    message = app.error[0].value
    assert f"`{not_duckdb}` cannot be read as a govpulse warehouse: " in message
    assert "not a valid DuckDB database file" in message and "govpulse run --warehouse" in message
    no_marts = tmp_path / "other.duckdb"
    duckdb.connect(str(no_marts)).close()
    message = _page(monkeypatch, no_marts, page).error[0].value
    assert "marts.department_scorecard\" does not exist" in message


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_the_data_header(monkeypatch, demo_warehouse, page):
    app = _page(monkeypatch, demo_warehouse, page)
    assert not app.exception
    assert "Figures as of" in app.caption[0].value
    assert "pipeline last ran" in app.caption[0].value


@pytest.mark.parametrize("page", ["league_table", "department", "account", "training"])
def test_every_period_renders(monkeypatch, demo_warehouse, page):
    """Every period the sidebar offers, months included: the oldest month and last_90d have
    departments without a rank change (NULL, which pandas 3 holds as NA, not NaN)."""
    app = _page(monkeypatch, demo_warehouse, page)
    periods = [row[0] for row in _sql(demo_warehouse, "select distinct period from "
                                                      "marts.department_scorecard order by 1")]
    assert len(app.selectbox(key="period").options) == len(periods) == 7
    movements = {}
    for period in periods:
        app.selectbox(key="period").set_value(period).run()
        assert not app.exception, (period, app.exception)
        if page == "league_table":
            movements[period] = set(app.dataframe[0].value.movement)
    if page == "league_table":
        assert movements[periods[0]] == {"–"}  # the oldest month has none before it
        assert "–" in movements["last_90d"] and "–" not in movements["last_28d"]


def test_the_app_navigates_to_the_league_table(monkeypatch, demo_warehouse):
    monkeypatch.setenv(WAREHOUSE_ENV, str(demo_warehouse))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value == "Department league table"


def _ranked_departments(warehouse, period: str, level: str | None = None) -> list[str]:
    return [row[0] for row in _sql(
        warehouse,
        "select department from marts.department_scorecard join marts.dim_departments "
        "using (department) where period = ? and (? is null or level = ?) "
        "order by rank nulls last, department", period, level, level)]


def test_league_table_follows_the_marts_and_the_filters(monkeypatch, demo_warehouse):
    app = _page(monkeypatch, demo_warehouse, "league_table")
    table = app.dataframe[0].value
    assert table.department.tolist() == _ranked_departments(demo_warehouse, "last_28d")
    assert table["rank"].iloc[0] == 1
    assert set(table.movement) <= {"–", "= 0"} | {f"{arrow} {n}" for arrow in "▲▼"
                                                  for n in range(1, 20)}
    app.selectbox(key="period").set_value("last_7d").run()
    assert _param(app, "period") == "last_7d"
    assert app.dataframe[0].value.department.tolist() == \
        _ranked_departments(demo_warehouse, "last_7d")
    app.selectbox(key="level").set_value("district").run()
    districts = app.dataframe[0].value.department.tolist()
    assert districts == _ranked_departments(demo_warehouse, "last_7d", "district")
    assert 0 < len(districts) < len(_ranked_departments(demo_warehouse, "last_7d"))
    assert app.get("download_button")


def test_a_shared_link_opens_the_same_view(monkeypatch, demo_warehouse):
    app = _page(monkeypatch, demo_warehouse, "league_table", period="2026-10")
    assert app.selectbox(key="period").value == "2026-10"
    assert app.dataframe[0].value.department.tolist() == \
        _ranked_departments(demo_warehouse, "2026-10")


def test_department_scorecard(monkeypatch, demo_warehouse):
    department = "Ministry of Health Services"
    app = _page(monkeypatch, demo_warehouse, "department", department=department)
    assert app.title[0].value == department
    expected = [row[0] for row in _sql(
        demo_warehouse, "select handle from marts.account_scorecard where period = 'last_28d' "
        "and department = ? order by composite_score desc nulls last, handle", department)]
    assert app.dataframe[0].value.handle.tolist() == expected
    # the monthly outcomes add up to each month's inbound replies, none negative
    trend = queries.department_trend(department)  # (the warehouse _page set)
    outcomes = reply_outcomes(trend, ["month"])
    assert (outcomes.replies >= 0).all() and set(outcomes.status) == {
        "answered", "answered late", "unanswered", "pending"}
    totals = outcomes.groupby("month").replies.sum()
    assert totals.to_dict() == dict(zip(trend.month, trend.inbound_replies, strict=True))


def test_the_department_scorecard_is_always_of_one_department(monkeypatch, demo_warehouse):
    departments = [row[0] for row in _sql(
        demo_warehouse, "select distinct department from marts.dim_accounts order by 1")]
    # no department in the link: the first one, named in the sidebar, not "All"
    app = _page(monkeypatch, demo_warehouse, "department")
    assert app.title[0].value == departments[0]
    assert app.selectbox(key="department").value == departments[0]
    assert app.selectbox(key="department").options == departments
    # the pages that list accounts still offer every department
    app = _page(monkeypatch, demo_warehouse, "training")
    assert app.selectbox(key="department").options == ["All"] + departments
    # a department chosen on another page carries over
    app = _page(monkeypatch, demo_warehouse, "department", department=departments[3])
    assert app.title[0].value == departments[3]


def test_account_drill_down(monkeypatch, demo_warehouse):
    account_id, handle = _sql(demo_warehouse, "select account_id, handle from marts.dim_accounts "
                                              "where handle = 'DCQuetta'")[0]
    app = _page(monkeypatch, demo_warehouse, "account", account=account_id)
    assert app.title[0].value == "@DCQuetta"
    assert any("Broadcaster" in warning.value for warning in app.warning)
    unanswered = app.dataframe[0].value
    assert unanswered.link.str.startswith("https://x.com/i/web/status/").all()
    start = _sql(demo_warehouse, "select period_start_at from marts.department_scorecard "
                                 "where period = 'last_28d' limit 1")[0][0]
    oldest = _sql(demo_warehouse,
                  "select min(inbound_created_at) from marts.fct_inbound_replies "
                  "where account_id = ? and is_eligible and first_response_tweet_id is null "
                  "and inbound_created_at > ? ", account_id, start)[0][0]
    # the chart's outcomes, from the scorecard's counts, are those of the account's replies
    outcomes = reply_outcomes(queries.account_row(account_id, "last_28d"), [])
    assert {status: replies for status, replies in zip(outcomes.status, outcomes.replies,
                                                       strict=True) if replies} == dict(_sql(
        demo_warehouse,
        "select case when is_answered then 'answered' when is_late then 'answered late' "
        "when is_pending then 'pending' else 'unanswered' end, count(*) "
        "from marts.fct_inbound_replies where account_id = ? and inbound_created_at > ? "
        "group by all", account_id, start))
    assert unanswered.inbound_created_at.iloc[0] == oldest
    # how long each has waited at as_of, the oldest longest
    as_of = _sql(demo_warehouse, "select cast(setting_value as timestamp) from "
                                 "marts.dim_metric_settings where setting_name = 'as_of'")[0][0]
    assert unanswered.waiting.iloc[0] == duration((as_of - oldest).total_seconds() / 60)
    assert unanswered.waiting_minutes.is_monotonic_decreasing
    never = _sql(demo_warehouse,
                 "select eligible_inbound - answered_inbound - late_inbound "
                 "from marts.account_scorecard where account_id = ? and period = 'last_28d'",
                 account_id)[0][0]
    assert never > len(unanswered) == 20
    assert f"The 20 oldest of {never:,} replies never answered, last 28 days" in \
        " ".join(caption.value for caption in app.caption)
    shouty = _sql(demo_warehouse, "select account_id from marts.dim_accounts "
                                  "where handle = 'PunjabHealthMin'")[0][0]
    app = _page(monkeypatch, demo_warehouse, "account", account=shouty)
    examples = app.dataframe[-1].value
    assert (examples.is_caps | examples.is_exclaim).all() and len(examples) > 0
    # a shared link may name the account by its handle, with or without @, in any case
    app = _page(monkeypatch, demo_warehouse, "account", account="@dcquetta")
    assert app.title[0].value == "@DCQuetta"
    assert app.query_params["account"] == account_id


def test_weekly_bars_label_every_week_alike():
    # Vega labels a month's first tick with the month's name ("November") unless told
    frame = pd.DataFrame({"week": pd.to_datetime(["2026-10-25", "2026-11-01"]),
                          "post_kind": ["original", "reply"], "posts": [3, 4]})
    x = stacked_bars(frame, "week", "Week", "posts", "Posts", "post_kind", "Kind",
                     "Posts by kind, per week", time_axis=True).to_dict()["encoding"]["x"]
    assert (x["type"], x["axis"]["format"]) == ("temporal", "%b %d")


def test_training_list(monkeypatch, demo_warehouse):
    app = _page(monkeypatch, demo_warehouse, "training")
    table = app.dataframe[0].value
    broadcasters = {row[0] for row in _sql(
        demo_warehouse, "select handle from marts.account_scorecard "
        "where period = 'last_28d' and is_broadcaster")}
    assert broadcasters and broadcasters <= set(table.handle)
    assert table.why.str.len().gt(0).all()
    assert {"PunjabHealthMin", "LahoreDistAdmin", "EnergyMinister"} <= set(table.handle)
    quetta = table.set_index("handle").loc["DCQuetta"]
    assert quetta.why == (
        f"broadcaster: {quetta.posts_original} original posts, answered "
        f"{quetta.answered_inbound} of {quetta.eligible_inbound} eligible replies")
    assert quetta.response_rate_pct == pytest.approx(
        100 * quetta.answered_inbound / quetta.eligible_inbound)
    # every column shown has a label of the dashboard's words, none a warehouse name
    labels = {name: config.get("label") for name, config in
              json.loads(app.dataframe[0].proto.columns).items() if name != "_index"}
    assert set(labels) == set(table.columns) and all(labels.values()), labels
    assert labels["handle"] == "Account" and labels["response_rate_pct"] == "Response rate"
    app.slider(key="tone_threshold").set_value(1.0).run()
    assert set(app.dataframe[0].value.handle) == broadcasters


def test_methodology_reads_the_settings_in_force(monkeypatch, demo_warehouse):
    app = _page(monkeypatch, demo_warehouse, "methodology")
    settings = app.table[0].value
    expected = dict(_sql(demo_warehouse,
                         "select setting_name, setting_value from marts.dim_metric_settings"))
    assert dict(zip(settings.index, settings.Value, strict=True)) == expected
    assert expected["response_window_hours"] == "48"
    # the table is listed by name: no setting's meaning may lean on the row above it
    assert not settings.Meaning.str.contains(r"\.\.\.").any()
    text = " ".join(markdown.value for markdown in app.markdown)
    assert "answered_inbound / eligible_inbound" in text
    assert "re-normalised" in text


INJECTIONS = ["x' or 1=1 --", "'; drop table marts.account_scorecard; --", "\" or \"\"=\""]


@pytest.mark.parametrize("value", INJECTIONS)
def test_hostile_url_parameters_are_harmless(monkeypatch, demo_warehouse, value):
    for page in PAGES:
        app = _page(monkeypatch, demo_warehouse, page, period=value, department=value,
                    level=value, account_type=value, account=value)
        assert not app.exception, page
    assert _sql(demo_warehouse, "select count(*) from marts.account_scorecard")[0][0] > 0


@pytest.fixture(scope="module")
def quiet_warehouse(tmp_path_factory) -> Path:
    """A warehouse of one registry account that nothing was collected for: no profile, no
    post, no reply (its registry line is 3)."""
    root = tmp_path_factory.mktemp("quiet")
    registry = root / "registry.csv"
    registry.write_text("handle,department\n\n@nobody_here,Quiet Office\n", encoding="utf-8")
    (root / "in").mkdir()
    assert build_warehouse(root / "in", registry, root / "govpulse.duckdb") == 0
    return root / "govpulse.duckdb"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_a_warehouse_without_data(monkeypatch, quiet_warehouse, page):
    app = _page(monkeypatch, quiet_warehouse, page)
    assert not app.exception and "Figures as of" in app.caption[0].value


def test_what_a_drill_down_or_a_department_lacks_is_said_not_charted(
        monkeypatch, quiet_warehouse, demo_warehouse):
    app = _page(monkeypatch, quiet_warehouse, "account", account="@nobody_here")
    assert app.title[0].value == "@nobody_here"
    assert [info.value for info in app.info] == [
        "No profile of @nobody_here was fetched: the handle matched no X user in the data "
        "collected. Check it on line 3 of the registry, or collect the account's timeline.",
        "Posts by kind, per week: no post by this account in the warehouse.",
        "What became of citizens' replies: no citizen replied to this account in this period.",
    ]
    assert not app.get("vega_lite_chart")
    app = _page(monkeypatch, quiet_warehouse, "department", department="Quiet Office")
    assert app.dataframe[0].value.handle.tolist() == ["nobody_here"]
    assert [info.value for info in app.info] == [
        "No citizen replied to this department's accounts in any month of the warehouse: "
        "there is no response rate, response time or outcome to chart."]
    assert not app.get("vega_lite_chart")
    # where there is data, it is charted
    app = _page(monkeypatch, demo_warehouse, "account", account="@DCQuetta")
    assert not app.info and len(app.get("vega_lite_chart")) == 2
    app = _page(monkeypatch, demo_warehouse, "department", department="Ministry of Health Services")
    assert not app.info and len(app.get("vega_lite_chart")) == 4
    # a department with replies but none answered in the period: its histogram is said
    monkeypatch.setattr(queries, "response_time_histogram",
                        lambda *args, **kwargs: pd.DataFrame(columns=["bucket", "replies"]))
    app = _page(monkeypatch, demo_warehouse, "department", department="Ministry of Health Services")
    assert [info.value for info in app.info] == [
        "Response times, last 28 days: no reply was answered in this period."]
    assert len(app.get("vega_lite_chart")) == 3
