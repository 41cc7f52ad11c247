"""The X API v2 source against a loopback stand-in and intercepted tweepy traffic: no network."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import duckdb
import pytest
import responses

from extractors.registry import RegistryAccount
from extractors.x_client import RateLimited, XApi, XApiError, XApiSettings, XAuthError
from extractors.x_source import XSource
from orchestration.defs.extraction_log import x_summary
from tests.x_standin import Corpus, StandIn

TOKEN = "AAAAgovpulseFAKEtoken0000secret"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _tweet(tweet_id: int, author: str, created: str, **extra) -> dict:
    return {"id": str(tweet_id), "author_id": author, "text": f"tweet {tweet_id}",
            "created_at": created, "conversation_id": extra.pop("conversation", str(tweet_id)),
            "edit_history_tweet_ids": [str(tweet_id)],
            "public_metrics": {"like_count": 1, "retweet_count": 0, "reply_count": 0,
                               "quote_count": 0}, **extra}


def _corpus(posts: int = 250, replies: int = 30) -> Corpus:
    users = [{"id": "11", "username": "HealthDesk", "name": "Health",
              "public_metrics": {"followers_count": 100}},
             {"id": "12", "username": "LockedDesk", "name": "Locked", "protected": True,
              "public_metrics": {"followers_count": 5}},
             {"id": "901", "username": "citizen", "name": "C",
              "public_metrics": {"followers_count": 1}}]
    tweets = [_tweet(1000 + number, "11", f"2026-11-{20 + number % 5:02d}T10:00:00.000Z")
              for number in range(posts)]
    tweets += [_tweet(5000 + number, "901", "2026-11-24T11:00:00.000Z",
                      in_reply_to_user_id="11", conversation="1000",
                      referenced_tweets=[{"type": "replied_to", "id": "1000"}])
               for number in range(replies)]
    return Corpus(tweets, users)


def _registry(*handles: str) -> list[RegistryAccount]:
    return [RegistryAccount(line_number=number + 2, handle=handle, department="Health")
            for number, handle in enumerate(handles)]


def _api(url: str, token: str = TOKEN, **overrides) -> tuple[XApi, list[float]]:
    slept: list[float] = []
    settings = XApiSettings(bearer_token=token, base_url=url,
                            **{"access_level": "pro", "backoff_seconds": 0.01, **overrides})
    return XApi(settings, sleep=slept.append, clock=lambda: NOW.timestamp()), slept


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "govpulse.duckdb"))
    yield connection
    connection.close()


def _run(api: XApi, con, run_id: str = "run-1", *handles: str):
    handles = handles or ("HealthDesk", "ghost", "LockedDesk", "bad handle!", "Suspended1")
    # no look-back: conversation searches have their own test
    source = XSource(api, con, run_id=run_id, as_of=NOW, lookback_days=0, now=lambda: NOW)
    return source.run(_registry(*handles))


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def test_first_run_pages_resolves_and_records_status(con):
    with StandIn(_corpus(), TOKEN, now=NOW, suspended=["Suspended1"]) as standin:
        api, _ = _api(standin.url)
        report = _run(api, con)
    statuses = dict(con.execute("select handle, status from raw.account_status").fetchall())
    assert statuses == {"HealthDesk": "active", "ghost": "not_found", "LockedDesk": "protected",
                        "bad handle!": "invalid_handle", "Suspended1": "suspended"}
    reason = con.execute("select reason from raw.account_status "
                         "where handle = 'Suspended1'").fetchone()[0]
    assert "suspended" in reason
    assert _count(con, "select count(*) from raw.tweets") == 280
    assert _count(con, "select count(*) from raw.users where username = 'citizen'") >= 1
    # 1 lookup, 3 timeline pages (250 posts), 1 search page; nothing for the others
    assert report.api_calls == 5
    timeline_calls = [path for path in standin.requests if "/tweets?" in path]
    assert len(timeline_calls) == 3 and "start_time=2026-08-27T12" in timeline_calls[0]
    marks = dict(con.execute("select stream, since_id from raw.x_watermarks").fetchall())
    assert marks == {"timeline": "1249", "to": "5029"}


def test_watermarks_make_the_next_run_cheap(con):
    corpus = _corpus()
    with StandIn(corpus, TOKEN, now=NOW) as standin:
        api, _ = _api(standin.url)
        _run(api, con, "run-1", "HealthDesk")
        corpus.tweets["5100"] = _tweet(5100, "901", "2026-11-25T11:00:00.000Z",
                                       in_reply_to_user_id="11",
                                       referenced_tweets=[{"type": "replied_to", "id": "1000"}])
        api, _ = _api(standin.url)
        later = XSource(api, con, run_id="run-2", as_of=NOW, lookback_days=0,
                        now=lambda: NOW).run(_registry("HealthDesk"))
    assert later.api_calls == 3  # lookup, one timeline page, one search page
    assert "since_id=1249" in standin.requests[-2] and "since_id=5029" in standin.requests[-1]
    assert later.tweets_landed == 1
    assert dict(con.execute("select stream, since_id from raw.x_watermarks").fetchall()) == \
        {"timeline": "1249", "to": "5100"}


def test_rate_limit_stop_keeps_what_was_landed_and_the_next_run_resumes(con):
    with StandIn(_corpus(), TOKEN, now=NOW) as standin:
        standin.page_limit = 100
        api, _ = _api(standin.url, on_rate_limit="stop")
        # let the first timeline page through, then refuse the second with a 429
        original = standin._page
        served = []

        def page_then_limit(tweets, params, token_name):
            served.append(params.get(token_name))
            if len(served) == 2:
                standin.fail_next("/2/users/11/tweets", 429)
            return original(tweets, params, token_name)
        standin._page = page_then_limit
        report = _run(api, con, "run-1", "HealthDesk")
        assert report.stopped and "rate limit" in report.stopped
        landed_first = _count(con, "select count(*) from raw.tweets")
        assert landed_first == 200  # two pages landed before the refusal
        assert _count(con, "select count(*) from raw.x_watermarks") == 0  # nothing skipped later
        standin._page = original
        api, _ = _api(standin.url)
        resumed = _run(api, con, "run-2", "HealthDesk")
    assert resumed.stopped is None
    assert _count(con, "select count(distinct tweet_id) from raw.tweets") == 280
    assert _count(con, "select count(*) from raw.x_watermarks") == 2


def test_rate_limit_wait_sleeps_until_the_reset(con):
    with StandIn(_corpus(posts=5, replies=0), TOKEN, now=NOW) as standin:
        standin.fail_next("/2/users/11/tweets", 429)
        api, slept = _api(standin.url)
        report = _run(api, con, "run-1", "HealthDesk")
    assert report.stopped is None
    assert slept and 0 < slept[0] <= 3  # the stand-in's reset is 2 s ahead
    assert _count(con, "select count(*) from raw.tweets") == 5


def test_server_errors_and_dropped_connections_are_retried(con):
    with StandIn(_corpus(posts=5, replies=0), TOKEN, now=NOW) as standin:
        standin.fail_next("/2/users/11/tweets", 503)
        standin.fail_next("/2/tweets/search", 0)
        api, slept = _api(standin.url)
        report = _run(api, con, "run-1", "HealthDesk")
    assert report.stopped is None and len(slept) == 2
    assert _count(con, "select count(*) from raw.tweets") == 5


def test_persistent_server_errors_give_up_with_a_clear_message(con):
    with StandIn(_corpus(posts=150, replies=0), TOKEN, now=NOW) as standin:
        api, _ = _api(standin.url, max_retries=2)
        original = standin._page

        def first_page_then_down(tweets, params, token_name):
            if not params.get(token_name):
                for _ in range(5):
                    standin.fail_next("/2/users/11/tweets", 503)
            return original(tweets, params, token_name)
        standin._page = first_page_then_down
        with pytest.raises(XApiError, match=r"X API 503 on users/:id/tweets, 3 attempts"):
            _run(api, con, "run-1", "HealthDesk")
    assert _count(con, "select count(*) from raw.tweets") == 100  # the first page is kept
    assert _count(con, "select count(*) from raw.x_watermarks") == 0


def test_a_refused_token_stops_with_advice_and_never_shows_the_token(con, caplog):
    caplog.set_level(logging.DEBUG)
    with StandIn(_corpus(), "the-right-token", now=NOW) as standin:
        api, _ = _api(standin.url)
        with pytest.raises(XAuthError) as error:
            _run(api, con)
    message = str(error.value)
    assert "401" in message and "X_BEARER_TOKEN" in message
    assert TOKEN not in message and TOKEN not in repr(error.value)
    assert error.value.__cause__ is None and error.value.__context__ is None or \
        TOKEN not in str(error.value.__context__)
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(api.settings)


def test_missing_token_is_explained():
    with pytest.raises(XAuthError, match="X_BEARER_TOKEN is not set"):
        XApiSettings.from_env({})
    with pytest.raises(XApiError, match="expected basic or pro"):
        XApiSettings.from_env({"X_BEARER_TOKEN": "x", "GOVPULSE_X_ACCESS_LEVEL": "gold"})


def test_basic_access_says_what_it_cannot_see(con):
    with StandIn(_corpus(), TOKEN, now=NOW) as standin:
        api, _ = _api(standin.url)
        api.settings = XApiSettings(bearer_token=TOKEN, base_url=standin.url,
                                    access_level="basic", backoff_seconds=0.01)
        report = _run(api, con, "run-1", "HealthDesk")
    assert any("not visible with basic access" in note for note in report.accounts[0].coverage)
    assert any("/2/tweets/search/recent" in path for path in standin.requests)
    gaps = _count(con, "select count(*) from raw.load_issues where issue_kind = 'coverage_gap'")
    assert gaps == 1
    assert "not visible with basic access" in x_summary(report)


@responses.activate
def test_default_base_url_traffic_is_intercepted_and_parsed(con):
    """tweepy's own requests to the official host, answered by `responses`."""
    responses.get("https://api.twitter.com/2/users/by", json={
        "data": [{"id": "11", "username": "HealthDesk", "name": "H",
                  "public_metrics": {"followers_count": 3}}],
        "errors": [{"value": "ghost", "detail": "Could not find user with usernames: [ghost].",
                    "title": "Not Found Error", "resource_type": "user",
                    "parameter": "usernames", "resource_id": "ghost",
                    "type": "https://api.twitter.com/2/problems/resource-not-found"}]},
        headers={"x-rate-limit-remaining": "299", "x-rate-limit-reset": "1790000000"})
    responses.get("https://api.twitter.com/2/users/11/tweets", json={
        "data": [_tweet(1000, "11", "2026-11-24T10:00:00.000Z")],
        "includes": {"users": [{"id": "11", "username": "HealthDesk", "name": "H"}]},
        "meta": {"result_count": 1, "newest_id": "1000", "oldest_id": "1000"}})
    responses.get("https://api.twitter.com/2/tweets/search/all",
                  json={"meta": {"result_count": 0}})
    api = XApi(XApiSettings(bearer_token=TOKEN, access_level="pro"), sleep=lambda _: None)
    report = _run(api, con, "run-1", "HealthDesk", "ghost")
    assert report.api_calls == 3
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert _count(con, "select count(*) from raw.tweets") == 1
    assert dict(con.execute("select handle, status from raw.account_status").fetchall()) == \
        {"HealthDesk": "active", "ghost": "not_found"}


def test_rate_limited_error_reads_like_advice():
    error = RateLimited("tweets/search/recent", NOW.timestamp())
    assert "resets at 12:00:00 UTC" in str(error) and "next run resumes" in str(error)


def test_conversation_search_batches_the_recent_posts(con):
    corpus = _corpus(posts=60, replies=0)
    # a citizen's reply to another citizen deep in the thread of post 1000
    corpus.tweets["7000"] = _tweet(7000, "901", "2026-11-24T12:00:00.000Z",
                                   in_reply_to_user_id="902", conversation="1000")
    with StandIn(corpus, TOKEN, now=NOW) as standin:
        api, _ = _api(standin.url, access_level="basic")
        source = XSource(api, con, run_id="run-1", as_of=NOW, lookback_days=7, now=lambda: NOW)
        report = source.run(_registry("HealthDesk"))
    searches = [path for path in standin.requests if "query=conversation_id" in path]
    # 60 posts of the last 7 days, about 28 per 512-character query
    assert len(searches) == 3
    assert report.api_calls == 1 + 1 + 1 + 3
    assert _count(con, "select count(*) from raw.tweets where tweet_id = '7000'") == 1
