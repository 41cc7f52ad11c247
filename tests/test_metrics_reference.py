"""The marts against METRICS.md computed a second way (tests/metrics_reference.py): every
count, rate, quantile, score, rank and rank change of every account, department and period,
and every inbound reply's first response, for the demo corpus and for a corpus made to land
on the contract's edges (tests/edge_corpus.py)."""

from __future__ import annotations

import functools
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.conftest import AS_OF, build_warehouse, copied_warehouse, same_figure
from tests.edge_corpus import AS_OF as AS_OF_EDGES
from tests.edge_corpus import EARLY_AS_OF, write_edge_corpus
from tests.metrics_reference import WINDOW_HOURS, Account, Reference, newest_fetches

pytestmark = pytest.mark.e2e

ACCOUNT_COLUMNS = (
    "posts_original", "posts_reply", "posts_repost", "inbound_replies", "eligible_inbound",
    "answered_inbound", "response_rate", "median_response_minutes", "p90_response_minutes",
    "engagements", "engagement_per_post", "engagement_rate", "reply_share", "caps_posts",
    "exclaim_posts", "tone_flag_share", "is_broadcaster", "responsiveness_score",
    "engagement_score", "tone_score", "composite_score")
DEPARTMENT_COLUMNS = (*(column for column in ACCOUNT_COLUMNS if column != "is_broadcaster"),
                      "accounts", "broadcaster_accounts", "rank", "rank_change")


def landed_accounts(con: duckdb.DuckDBPyConnection) -> list[Account]:
    """The registry's accounts with the profile each resolves to: its account_id, else the
    most recently fetched holder of its handle (case-insensitive, with or without '@')."""
    users = newest_fetches((json.loads(payload), fetched_at) for payload, fetched_at
                           in con.execute("select payload, fetched_at from raw.users").fetchall())
    by_id = {user["id"]: user for user in users}
    by_name = {user["username"].lower(): user for user in users}
    accounts = []
    for handle, department, account_id in con.execute(
            "select handle, department, account_id from raw.registry").fetchall():
        handle_key = handle.removeprefix("@").lower()
        profile = by_id.get(account_id) if account_id else by_name.get(handle_key)
        if profile is None:  # never seen: still scored, with zeros and nulls
            accounts.append(Account(account_id or f"unresolved:{handle_key}", department, None))
            continue
        followers = (profile.get("public_metrics") or {}).get("followers_count")
        accounts.append(Account(profile["id"], department, followers))
    return accounts


def landed(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``warehouse``'s build copy, which keeps the raw tables."""
    return duckdb.connect(str(warehouse.parent / ".govpulse-build" / warehouse.name),
                          read_only=True)


@functools.cache
def reference_for(warehouse: Path, as_of: datetime) -> Reference:
    """The contract's figures from what ``warehouse``'s build copy landed (read once per
    warehouse and as_of: the tests only read it)."""
    with landed(warehouse) as con:
        tweets = newest_fetches((json.loads(payload), fetched_at) for payload, fetched_at
                                in con.execute("select payload, fetched_at from raw.tweets"
                                               ).fetchall())
        return Reference(landed_accounts(con), tweets, as_of)


@pytest.fixture(scope="module")
def edge_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, datetime]]:
    """The edge corpus's two runs (tests/edge_corpus.py), the next one incremental on the
    first: each run's warehouse (the first's copied aside before the next) and as_of."""
    folder = tmp_path_factory.mktemp("edges")
    registry = write_edge_corpus(folder / "corpus", seed=1)
    inbox = folder / "inbox"
    shutil.copytree(folder / "corpus" / "early", inbox / "early")
    warehouse = folder / "runs" / "govpulse.duckdb"
    warehouse.parent.mkdir()
    assert build_warehouse(inbox, registry, warehouse, EARLY_AS_OF.isoformat()) == 0
    first = copied_warehouse(warehouse, folder / "first-run")
    shutil.copytree(folder / "corpus" / "later", inbox / "later")
    assert build_warehouse(inbox, registry, warehouse, AS_OF_EDGES.isoformat()) == 0
    return {"first run": (first, EARLY_AS_OF), "next run": (warehouse, AS_OF_EDGES)}


@pytest.fixture(scope="module", params=["demo corpus", "edge corpus, first run",
                                        "edge corpus, next run (incremental)"])
def built(request: pytest.FixtureRequest) -> tuple[Path, Reference]:
    """A warehouse and the contract's figures for it: the demo corpus's, and those of each
    run of a corpus made to land on the contract's edges."""
    if request.param == "demo corpus":
        warehouse, as_of = request.getfixturevalue("demo_warehouse"), AS_OF
    else:
        run = request.param.removeprefix("edge corpus, ").removesuffix(" (incremental)")
        warehouse, as_of = request.getfixturevalue("edge_runs")[run]
    return warehouse, reference_for(warehouse, as_of)


def mart_rows(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        result = con.execute(sql)
        names = [column[0] for column in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def differences(expected: dict, actual: dict, columns: tuple[str, ...]) -> list[str]:
    found = []
    for column in columns:
        want, got = expected[column], actual[column]
        if not same_figure(want, got):
            found.append(f"{column}: expected {want!r}, the mart has {got!r}")
    return found


def test_the_corpora_exercise_every_rule(built: tuple[Path, Reference]):
    """Otherwise the comparisons below would say little."""
    _, reference = built
    kinds = {post.kind for post in reference.posts}
    assert kinds == {"original", "reply", "repost"}
    assert any(inbound.is_answered for inbound in reference.inbound)
    assert any(inbound.first_response and not inbound.is_answered
               for inbound in reference.inbound)
    assert any(not inbound.is_eligible for inbound in reference.inbound)
    assert len(reference.months) >= 3


def test_every_account_figure_matches_the_contract(built: tuple[Path, Reference]):
    warehouse, reference = built
    expected = reference.account_scorecard()
    actual = {(row["account_id"], row["period"]): row for row in mart_rows(
        warehouse, "select * from marts.account_scorecard")}
    assert sorted(actual) == sorted(expected)
    wrong = [f"{key}: {problem}" for key, row in expected.items()
             for problem in differences(row, actual[key], ACCOUNT_COLUMNS)]
    assert not wrong, f"{len(wrong)} figures differ, the first: {wrong[:10]}"


def test_every_department_figure_matches_the_contract(built: tuple[Path, Reference]):
    warehouse, reference = built
    expected = reference.department_scorecard()
    actual = {(row["department"], row["period"]): row for row in mart_rows(
        warehouse, "select * from marts.department_scorecard")}
    assert sorted(actual) == sorted(expected)
    wrong = [f"{key}: {problem}" for key, row in expected.items()
             for problem in differences(row, actual[key], DEPARTMENT_COLUMNS)]
    assert not wrong, f"{len(wrong)} figures differ, the first: {wrong[:10]}"


def test_every_inbound_reply_and_its_first_response(built: tuple[Path, Reference]):
    warehouse, reference = built
    actual = {row["inbound_tweet_id"]: row for row in mart_rows(
        warehouse, "select * from marts.fct_inbound_replies")}
    assert sorted(actual) == sorted(inbound.tweet.tweet_id for inbound in reference.inbound)
    wrong = []
    for inbound in reference.inbound:
        row = actual[inbound.tweet.tweet_id]
        first = inbound.first_response
        expected = {
            "account_id": inbound.account_id, "is_eligible": inbound.is_eligible,
            "is_answered": inbound.is_answered,
            "first_response_tweet_id": first and first.tweet_id,
            "first_response_at": first and first.created_at.replace(tzinfo=None),
            "response_minutes": inbound.response_minutes}
        for column, want in expected.items():
            got = row[column]
            if not same_figure(want, got):
                wrong.append(f"{inbound.tweet.tweet_id} {column}: expected {want!r}, "
                             f"the mart has {got!r}")
    assert not wrong, f"{len(wrong)} values differ, the first: {wrong[:10]}"


@pytest.mark.parametrize("run", ["first run", "next run"])
def test_the_edge_corpus_lands_on_the_edges(edge_runs: dict[str, tuple[Path, datetime]],
                                            run: str):
    """What tests/edge_corpus.py is for, so that a change to it cannot quietly lose an edge."""
    warehouse, as_of = edge_runs[run]
    window = timedelta(hours=WINDOW_HOURS)
    reference = reference_for(warehouse, as_of)
    inbound = reference.inbound
    assert any(reply.response_minutes == window.total_seconds() / 60 and reply.is_answered
               for reply in inbound)
    assert any(reply.tweet.created_at + window == as_of and reply.is_eligible
               and not reply.is_answered for reply in inbound)
    same_instant = [reply for reply in inbound if any(
        post.replied_to == reply.tweet.tweet_id and post.created_at == reply.tweet.created_at
        for post in reference.posts)]
    assert same_instant and all(reply.first_response is None
                                or reply.first_response.created_at > reply.tweet.created_at
                                for reply in same_instant)
    created = {reply.tweet.created_at for reply in inbound} | {
        post.created_at for post in reference.posts}
    for days in (0, 7, 28, 90):  # as_of, and each trailing window's excluded start
        assert as_of - timedelta(days=days) in created
    assert any(moment.day == 1 and moment.hour == 0 for moment in created)
    departments = reference.department_scorecard()
    assert all(departments[("North", period)]["rank"] == departments[("South", period)]["rank"]
               for period in reference.periods())
    assert {account.followers_count for account in reference.accounts.values()} >= {0, None}
    with landed(warehouse) as con:
        later = con.execute("select count(*) from raw.tweets where created_at > $as_of",
                            {"as_of": as_of}).fetchone()[0]
    assert later > 0


def test_the_next_run_changes_what_the_first_left_open(edge_runs: dict[str, tuple[Path, datetime]]):
    """Between the edge corpus's runs a pending reply is answered, an old reply gets a late
    answer, and tweets are fetched again with new counts: the next run's comparison with the
    contract covers these only if they happen."""
    first, first_as_of = edge_runs["first run"]
    following, as_of = edge_runs["next run"]
    before = {reply.tweet.tweet_id: reply for reply in reference_for(first, first_as_of).inbound}
    after = {reply.tweet.tweet_id: reply for reply in reference_for(following, as_of).inbound}
    assert any(not before[key].is_eligible and after[key].is_answered for key in before)
    assert any(before[key].first_response is None and after[key].first_response is not None
               and not after[key].is_answered for key in before)
    with landed(following) as con:
        assert con.execute("select count(*) - count(distinct tweet_id) from raw.tweets"
                           ).fetchone()[0] > 0
