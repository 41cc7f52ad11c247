"""A hand-written corpus whose every figure was worked out by hand, built end to end.

The expected values below come from METRICS.md applied with pencil and paper
(the arithmetic is spelled out), not from the code under test.

As of 2026-11-25 12:00 UTC. Registry: HealthDesk (Health, id 11, 1000
followers), waterboard (Water, id 22, 500 followers), silent_office (Water,
never seen). Citizens 901, 902, 903.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from govpulse import summary as summary_module
from govpulse.summary import warehouse_summary
from tests.conftest import build_warehouse

pytestmark = pytest.mark.e2e

AS_OF = "2026-11-25T12:00:00Z"
FETCHED = "2026-11-25T12:30:00+00:00"


def tweet(tweet_id, author, created, text="", conversation=None, reply_to_user=None,
          replied_to=None, retweeted=None, likes=0, retweets=0, replies=0, quotes=0):
    body = {"id": tweet_id, "author_id": author, "created_at": created, "text": text,
            "conversation_id": conversation or tweet_id,
            "public_metrics": {"like_count": likes, "retweet_count": retweets,
                               "reply_count": replies, "quote_count": quotes}}
    if reply_to_user:
        body["in_reply_to_user_id"] = reply_to_user
    references = []
    if replied_to:
        references.append({"type": "replied_to", "id": replied_to})
    if retweeted:
        references.append({"type": "retweeted", "id": retweeted})
    if references:
        body["referenced_tweets"] = references
    return body


def user(user_id, username, followers):
    return {"id": user_id, "username": username, "name": username,
            "public_metrics": {"followers_count": followers}}


HEALTH = [
    tweet("100", "11", "2026-11-21T11:00:00.000Z", "Camp schedule for the week"),
    tweet("101", "11", "2026-11-24T08:00:00.000Z", "Free vaccination camp today",
          likes=10, retweets=2, replies=3, quotes=1),
    tweet("102", "11", "2026-11-24T09:00:00.000Z", "CAMP CLOSED TOMORROW FOR ALL VISITORS!!",
          likes=4),
    # direct answer to 201 after 20 minutes
    tweet("103", "11", "2026-11-24T08:30:00.000Z", "Yes, from 9 am", conversation="101",
          reply_to_user="901", replied_to="201"),
    tweet("104", "11", "2026-11-24T10:00:00.000Z", "RT @waterboard: schedule",
          retweeted="300"),
    # threaded answer to 202: replies to the citizen's follow-up 212, 60 minutes after 202
    tweet("105", "11", "2026-11-24T10:10:00.000Z", "We will reopen Friday", conversation="102",
          reply_to_user="902", replied_to="212"),
    # late answer to 205: 49 hours after it
    tweet("106", "11", "2026-11-23T13:00:00.000Z", "Sorry for the delay", conversation="100",
          reply_to_user="901", replied_to="205"),
]
WATER = [
    tweet("299", "22", "2026-10-30T12:00:00.000Z", "October bulletin", likes=3),
    tweet("300", "22", "2026-11-22T06:00:00.000Z", "Water supply schedule for Sector 4",
          likes=5),
    tweet("301", "22", "2026-11-23T06:00:00.000Z", "پانی کی فراہمی کا نیا شیڈول", likes=1,
          retweets=1),
    # self-thread continuation: original
    tweet("302", "22", "2026-11-23T06:05:00.000Z", "(2/2) more details soon",
          conversation="301", reply_to_user="22", replied_to="301"),
    # an official account replying to another: a reply post, never inbound
    tweet("303", "22", "2026-11-24T09:00:00.000Z", "@HealthDesk coordinating with you",
          conversation="101", reply_to_user="11", replied_to="101"),
    # direct answer to 207 after 120 minutes
    tweet("304", "22", "2026-11-22T10:00:00.000Z", "Team dispatched", conversation="300",
          reply_to_user="901", replied_to="207"),
]
CITIZENS = [
    tweet("201", "901", "2026-11-24T08:10:00.000Z", "Which hours?", conversation="101",
          reply_to_user="11", replied_to="101"),
    tweet("202", "902", "2026-11-24T09:10:00.000Z", "Why closed?", conversation="102",
          reply_to_user="11", replied_to="102"),
    tweet("212", "902", "2026-11-24T09:20:00.000Z", "Please answer", conversation="102",
          reply_to_user="902", replied_to="202"),
    # one hour before as_of: pending
    tweet("203", "903", "2026-11-25T11:00:00.000Z", "Any news?", conversation="101",
          reply_to_user="11", replied_to="101"),
    tweet("205", "901", "2026-11-21T12:00:00.000Z", "And next week?", conversation="100",
          reply_to_user="11", replied_to="100"),
    # never answered
    tweet("206", "903", "2026-11-22T07:00:00.000Z", "Not in Sector 5?", conversation="300",
          reply_to_user="22", replied_to="300"),
    tweet("207", "901", "2026-11-22T08:00:00.000Z", "No water here", conversation="300",
          reply_to_user="22", replied_to="300"),
    # created after as_of: does not exist yet
    tweet("208", "902", "2026-11-25T12:00:01.000Z", "Hello?", conversation="300",
          reply_to_user="22", replied_to="300"),
]


def _write_corpus(folder: Path) -> Path:
    folder.mkdir()
    users = [user("11", "HealthDesk", 1000), user("22", "WaterBoard", 500),
             user("901", "c901", 3), user("902", "c902", 3), user("903", "c903", 3)]
    stale = dict(HEALTH[1], public_metrics={"like_count": 1, "retweet_count": 0,
                                            "reply_count": 0, "quote_count": 0})
    lines = [
        {"data": HEALTH + WATER, "includes": {"users": users[:2]}, "meta": {},
         "__twarc": {"retrieved_at": FETCHED}},
        {"data": CITIZENS, "includes": {"users": users[2:]}, "meta": {},
         "__twarc": {"retrieved_at": FETCHED}},
        # an older fetch of 101 with stale counts: the newest fetch wins
        {"data": [stale], "includes": {"users": [user("11", "HealthDesk", 10)]}, "meta": {},
         "__twarc": {"retrieved_at": "2026-11-24T08:05:00+00:00"}},
    ]
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    (folder / "collected.jsonl").write_text(text + "\n{broken line\n", encoding="utf-8")
    registry = folder.parent / "registry.csv"
    registry.write_text("handle,department,level\n@HealthDesk,Health,federal\n"
                        "waterboard,Water,provincial\n@silent_office,Water,provincial\n",
                        encoding="utf-8")
    return registry


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("handcrafted")
    registry = _write_corpus(root / "input")
    target = root / "govpulse.duckdb"
    assert build_warehouse(root / "input", registry, target, AS_OF) == 0
    return target


def _rows(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _matches(actual: dict, expected: dict) -> None:
    for column, value in expected.items():
        got = actual[column]
        if isinstance(value, float):
            assert got == pytest.approx(value, rel=1e-12), column
        else:
            assert got == value, column


def _responsiveness(rate: float, median: float) -> float:
    return 100 * (0.7 * rate + 0.3 * 0.5 ** (median / 240))


HEALTH_RESPONSIVENESS = _responsiveness(2 / 3, 40)          # answered 2 of 3 eligible
WATER_RESPONSIVENESS = _responsiveness(1 / 2, 120)          # answered 1 of 2 eligible
HEALTH_COMPOSITE = 0.5 * HEALTH_RESPONSIVENESS + 0.3 * 100 + 0.2 * (100 * (1 - 1 / 3))
WATER_COMPOSITE = 0.5 * WATER_RESPONSIVENESS + 0.3 * 0 + 0.2 * 100

HEALTH_LAST_7D = {
    "handle": "HealthDesk", "department": "Health", "level": "federal",
    "posts_original": 3, "posts_reply": 3, "posts_repost": 1,
    "inbound_replies": 4, "eligible_inbound": 3, "answered_inbound": 2, "late_inbound": 1,
    "pending_inbound": 1, "response_rate": 2 / 3,
    "median_response_minutes": 40.0,                       # of 20 and 60
    "p90_response_minutes": 20 + 0.9 * (60 - 20),          # 56
    "engagements": 0 + (10 + 2 + 3 + 1) + 4, "engagement_per_post": 20 / 3,
    "followers_count": 1000, "engagement_rate": 20 / 3 / 1000,
    "reply_share": 3 / 6, "caps_posts": 1, "exclaim_posts": 1, "tone_flagged_posts": 1,
    "tone_flag_share": 1 / 3, "is_broadcaster": False,
    "responsiveness_score": HEALTH_RESPONSIVENESS, "engagement_score": 100.0,
    "tone_score": 100 * (1 - 1 / 3), "composite_score": HEALTH_COMPOSITE,
}
WATER_LAST_7D = {
    "handle": "WaterBoard", "department": "Water", "level": "provincial",
    "posts_original": 3, "posts_reply": 2, "posts_repost": 0,
    "inbound_replies": 2, "eligible_inbound": 2, "answered_inbound": 1, "late_inbound": 0,
    "pending_inbound": 0, "response_rate": 0.5,
    "median_response_minutes": 120.0, "p90_response_minutes": 120.0,
    "engagements": 5 + (1 + 1) + 0, "engagement_per_post": 7 / 3,
    "followers_count": 500, "engagement_rate": 7 / 3 / 500,
    "reply_share": 2 / 5, "caps_posts": 0, "exclaim_posts": 0, "tone_flagged_posts": 0,
    "tone_flag_share": 0.0, "is_broadcaster": False,
    "responsiveness_score": WATER_RESPONSIVENESS, "engagement_score": 0.0,
    "tone_score": 100.0, "composite_score": WATER_COMPOSITE,
}
SILENT_LAST_7D = {
    "account_id": "unresolved:silent_office", "handle": "silent_office", "department": "Water",
    "posts_original": 0, "posts_reply": 0, "posts_repost": 0, "inbound_replies": 0,
    "eligible_inbound": 0, "answered_inbound": 0, "late_inbound": 0, "pending_inbound": 0,
    "response_rate": None, "median_response_minutes": None, "p90_response_minutes": None,
    "engagements": 0, "engagement_per_post": None, "followers_count": None,
    "engagement_rate": None, "reply_share": None, "caps_posts": 0, "exclaim_posts": 0,
    "tone_flagged_posts": 0, "tone_flag_share": None, "is_broadcaster": False,
    "responsiveness_score": None, "engagement_score": None, "tone_score": None,
    "composite_score": None,
}


def test_account_scorecard_last_7d(warehouse):
    rows = {row["account_id"]: row for row in _rows(
        warehouse, "select * from marts.account_scorecard where period = 'last_7d'")}
    assert set(rows) == {"11", "22", "unresolved:silent_office"}
    _matches(rows["11"], HEALTH_LAST_7D)
    _matches(rows["22"], WATER_LAST_7D)
    _matches(rows["unresolved:silent_office"], SILENT_LAST_7D)


def test_department_scorecard_last_7d(warehouse):
    rows = {row["department"]: row for row in _rows(
        warehouse, "select * from marts.department_scorecard where period = 'last_7d'")}
    shared = ("posts_original", "posts_reply", "posts_repost", "inbound_replies",
              "eligible_inbound", "answered_inbound", "late_inbound", "pending_inbound",
              "response_rate", "median_response_minutes", "p90_response_minutes", "engagements",
              "engagement_per_post", "engagement_rate", "reply_share", "caps_posts",
              "exclaim_posts", "tone_flagged_posts", "tone_flag_share", "responsiveness_score",
              "engagement_score", "tone_score", "composite_score")
    _matches(rows["Health"], {name: HEALTH_LAST_7D[name] for name in shared}
             | {"accounts": 1, "broadcaster_accounts": 0, "rank": 1, "previous_rank": None,
                "rank_change": None})
    # silent_office adds an account but no rows, and no followers to the reach
    _matches(rows["Water"], {name: WATER_LAST_7D[name] for name in shared}
             | {"accounts": 2, "broadcaster_accounts": 0, "rank": 2, "previous_rank": None,
                "rank_change": None})
    assert HEALTH_COMPOSITE > WATER_COMPOSITE


def test_periods_months_and_rank_change(warehouse):
    periods = [row["period"] for row in _rows(
        warehouse, "select distinct period from marts.account_scorecard order by period")]
    assert periods == ["2026-10", "2026-11", "last_28d", "last_7d", "last_90d"]
    water = {row["period"]: row for row in _rows(
        warehouse, "select * from marts.account_scorecard where account_id = '22'")}
    assert water["2026-10"]["posts_original"] == 1       # the October bulletin only
    assert water["last_28d"]["posts_original"] == 4      # 30 Oct 12:00 > as_of - 28 days
    assert water["last_7d"]["posts_original"] == 3
    october = {row["department"]: row for row in _rows(
        warehouse, "select * from marts.department_scorecard where period = '2026-10'")}
    # Water alone has a score in October: engagement 100 (n = 1), tone 100, no responsiveness
    assert october["Water"]["composite_score"] == pytest.approx((0.3 * 100 + 0.2 * 100) / 0.5)
    assert october["Water"]["rank"] == 1 and october["Health"]["rank"] is None
    november = {row["department"]: row for row in _rows(
        warehouse, "select * from marts.department_scorecard where period = '2026-11'")}
    assert november["Health"]["rank"] == 1 and november["Health"]["rank_change"] is None
    assert november["Water"]["rank"] == 2 and november["Water"]["previous_rank"] == 1
    assert november["Water"]["rank_change"] == -1


def test_inbound_facts(warehouse):
    rows = {row["inbound_tweet_id"]: row for row in _rows(
        warehouse, "select * from marts.fct_inbound_replies")}
    assert set(rows) == {"201", "202", "203", "205", "206", "207"}
    expected = {
        "201": (True, True, False, False, "103", "direct", 20.0),
        "202": (True, True, False, False, "105", "threaded", 60.0),
        "203": (False, False, True, False, None, None, None),
        "205": (True, False, False, True, "106", "direct", 49 * 60.0),
        "206": (True, False, False, False, None, None, None),
        "207": (True, True, False, False, "304", "direct", 120.0),
    }
    for tweet_id, (eligible, answered, pending, late, response, match, minutes) in \
            expected.items():
        row = rows[tweet_id]
        assert (row["is_eligible"], row["is_answered"], row["is_pending"], row["is_late"]) == \
            (eligible, answered, pending, late), tweet_id
        assert row["first_response_tweet_id"] == response, tweet_id
        assert row["first_response_match"] == match, tweet_id
        if minutes is None:
            assert row["response_minutes"] is None
        else:
            assert math.isclose(row["response_minutes"], minutes), tweet_id


def test_posts_and_the_newest_fetch(warehouse):
    rows = {row["tweet_id"]: row for row in _rows(warehouse, "select * from marts.fct_posts")}
    assert rows["101"]["like_count"] == 10 and rows["101"]["engagements"] == 16
    assert rows["302"]["post_kind"] == "original"
    assert rows["303"]["post_kind"] == "reply"
    assert rows["104"]["post_kind"] == "repost"
    assert rows["102"]["is_caps"] and rows["102"]["is_exclaim"]
    assert not rows["301"]["is_caps"]
    # a citizen is a pseudonym in the marts; an official account keeps its id
    assert rows["103"]["in_reply_to_user"].startswith("citizen:")
    assert rows["103"]["in_reply_to_user"] == rows["106"]["in_reply_to_user"]  # both to 901
    assert rows["105"]["in_reply_to_user"] != rows["103"]["in_reply_to_user"]
    assert rows["303"]["in_reply_to_user"] == "11"
    assert "901" not in rows["103"]["in_reply_to_user"]
    # bad input is reported in the private build copy, which alone keeps the raw layer
    build = warehouse.parent / ".govpulse-build" / warehouse.name
    issues = _rows(build, "select source_file, source_line from raw.load_issues")
    assert issues == [{"source_file": "collected.jsonl", "source_line": 4}]


def test_the_run_summary_names_each_skipped_record(warehouse, monkeypatch):
    summary = warehouse_summary(warehouse)
    assert "1 input record skipped" in summary
    # the duckdb shell installed beside this Python, whatever PATH holds
    assert f"query it: {Path(sys.executable).with_name('duckdb')} -readonly {warehouse}" in summary
    assert "    skipped collected.jsonl:4: " in summary and "more" not in summary
    monkeypatch.setattr(summary_module, "SKIPPED_SHOWN", 0)
    assert "    ...and 1 more" in warehouse_summary(warehouse)


def test_the_duckdb_shell_opens_the_build_copy_the_summary_names(warehouse):
    """The summary sends the reader to raw.load_issues in the build copy: the shell installed
    with govpulse (duckdb-cli, 1.x) opens it, as it opens the published file."""
    build = warehouse.parent / ".govpulse-build" / warehouse.name
    assert f"(see raw.load_issues in {build})" in warehouse_summary(warehouse)
    shell = Path(sys.executable).with_name("duckdb")
    answer = subprocess.run([str(shell), "-readonly", "-csv", str(build), "-c",
                             "select source_file, source_line from raw.load_issues"],
                            capture_output=True, text=True)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == ["source_file,source_line", "collected.jsonl,4"]


def test_only_the_marts_are_published(warehouse):
    schemas = {row["schema_name"] for row in _rows(
        warehouse, "select distinct schema_name from duckdb_tables()")}
    assert schemas == {"marts"}
    comment = _rows(warehouse, "select comment from duckdb_columns() where schema_name = 'marts' "
                               "and table_name = 'account_scorecard' and column_name = "
                               "'response_rate'")[0]["comment"]
    assert comment.startswith("answered_inbound / eligible_inbound")
