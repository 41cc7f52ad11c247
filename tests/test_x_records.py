"""Every shape twarc2 writes is recognised; bad tweets are rejected with the field named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.archive import v2_tweet
from extractors.x_records import RecordError, extract, tweet_record

TWEET = {"id": "1801", "text": "hello", "author_id": "42",
         "created_at": "2026-11-01T10:00:00.000Z", "conversation_id": "1801",
         "public_metrics": {"like_count": 3, "retweet_count": 1, "reply_count": 0,
                            "quote_count": 0}}
USER = {"id": "42", "username": "DCLahore", "name": "DC Lahore",
        "public_metrics": {"followers_count": 1000}}


def test_page_with_includes_and_partial_errors():
    included = dict(TWEET, id="1700", author_id="43")
    page = {"data": [TWEET], "includes": {"users": [USER], "tweets": [included]},
            "errors": [{"resource_type": "user", "resource_id": "99", "title": "Not Found Error",
                        "detail": "Could not find user with id: [99]."}],
            "meta": {"result_count": 1}, "__twarc": {"retrieved_at": "2026-11-02T00:00:00Z"}}
    out = extract(page)
    assert out.kind == "tweets"
    assert [tweet.tweet_id for tweet in out.tweets] == ["1801", "1700"]
    assert [user.username for user in out.users] == ["DCLahore"]
    assert out.api_errors == ["user 99: Could not find user with id: [99]."]
    assert out.problems == []


def test_streaming_line_and_flattened_line():
    streamed = extract({"data": TWEET, "includes": {"users": [USER]},
                        "matching_rules": [{"id": "1", "tag": "gov"}]})
    assert streamed.kind == "tweets" and streamed.tweets[0].tweet_id == "1801"
    flattened = extract(dict(TWEET, author=USER, in_reply_to_user=dict(USER, id="7", username="x"),
                             referenced_tweets=[dict(TWEET, id="1700", type="replied_to")],
                             __twarc={"retrieved_at": "2026-11-02T00:00:00Z"}))
    assert [tweet.tweet_id for tweet in flattened.tweets] == ["1801", "1700"]
    assert {user.user_id for user in flattened.users} == {"42", "7"}


@pytest.mark.parametrize(("record", "kind"), [
    ({"data": [USER]}, "users"),
    ({"data": [{"end": "x", "start": "y", "tweet_count": 4}], "meta": {}}, "counts"),
    ({"id": "1801", "action": "delete", "reason": "deleted", "created_at": "x"}, "compliance"),
    ({"data": [], "meta": {"result_count": 0}}, "empty"),
    ({"data": [{"id": "5", "name": "A list"}]}, "other"),
    ({"errors": [{"title": "x", "detail": "y"}]}, "errors"),
])
def test_files_without_tweets_are_recognised(record, kind):
    out = extract(record)
    assert out.kind == kind
    assert out.tweets == []


@pytest.mark.parametrize(("change", "message"), [
    ({"id": None}, "tweet without 'id'"),
    ({"created_at": None}, "tweet without 'created_at'"),
    ({"author_id": None}, "tweet without 'author_id'"),
    ({"id": 1.5}, "field 'id' must be an id"),
    ({"id": "12a"}, "field 'id' is not an id"),
    ({"created_at": "yesterday"}, "field 'created_at' is not a timestamp"),
    ({"created_at": "3026-01-01T00:00:00Z"}, "outside 2006-2100"),
    ({"text": 5}, "field 'text' must be text"),
    ({"public_metrics": {"like_count": "many"}}, "public_metrics.like_count"),
    ({"referenced_tweets": "1700"}, "'referenced_tweets' must be a list"),
    ({"in_reply_to_user_id": True}, "field 'in_reply_to_user_id' must be an id"),
])
def test_bad_tweets_name_the_field(change, message):
    with pytest.raises(RecordError, match=message):
        tweet_record(dict(TWEET, **change))
    out = extract({"data": [dict(TWEET, **change), dict(TWEET, id="1802")]})
    assert [tweet.tweet_id for tweet in out.tweets] == ["1802"]
    assert len(out.problems) == 1


def test_integer_ids_and_odd_timestamps_are_normalised():
    record = tweet_record(dict(TWEET, id=1801, author_id=42,
                               created_at="2026-11-01 15:00:00+05:00"))
    assert record.tweet_id == "1801" and record.author_id == "42"
    assert record.created_at == datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def test_archive_tweet_maps_onto_v2():
    v1 = {"id_str": "1051", "full_text": "@citizen we are on it", "favorite_count": "4",
          "retweet_count": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018",
          "in_reply_to_status_id_str": "1050", "in_reply_to_user_id_str": "77",
          "in_reply_to_screen_name": "citizen"}
    record = tweet_record(v2_tweet(v1, "42"))
    assert record.created_at == datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)
    mapped = v2_tweet(v1, "42")
    assert mapped["in_reply_to_user_id"] == "77"
    assert mapped["referenced_tweets"] == [{"type": "replied_to", "id": "1050"}]
    assert mapped["public_metrics"]["like_count"] == 4
    retweet = v2_tweet(dict(v1, full_text="RT @x: hi", in_reply_to_status_id_str=None), "42")
    assert retweet["referenced_tweets"][0]["type"] == "retweeted"
