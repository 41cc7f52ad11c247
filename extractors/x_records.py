"""Recognise X API v2 records in every shape twarc2 writes, and validate the tweets in them.

Pure functions: a decoded JSON value goes in, tweets, users and problems come
out. Nothing here touches files, the network or the warehouse, so the files
source and the X API source share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from extractors import json_codec

_ID = re.compile(r"^[0-9]{1,25}$")
_OPTIONAL_ID_FIELDS = ("conversation_id", "in_reply_to_user_id")


@dataclass(frozen=True)
class TweetRecord:
    tweet_id: str
    author_id: str
    created_at: datetime
    payload: str


@dataclass(frozen=True)
class UserRecord:
    user_id: str
    username: str
    payload: str


@dataclass
class Extracted:
    """What one record (a line, or one document) held."""

    kind: str
    tweets: list[TweetRecord] = field(default_factory=list)
    users: list[UserRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    api_errors: list[str] = field(default_factory=list)


class RecordError(ValueError):
    """A tweet or user that cannot be landed; the message names the field."""


def parse_timestamp(value: Any, field_name: str = "created_at") -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"field '{field_name}' must be an ISO-8601 text, got {_kind(value)}")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:  # the v1.1 / archive form: "Wed Oct 10 20:19:24 +0000 2018"
            parsed = datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
        except ValueError as exc:
            raise RecordError(f"field '{field_name}' is not a timestamp: {text[:40]!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    if not 2006 <= parsed.year <= 2100:
        raise RecordError(f"field '{field_name}' is outside 2006-2100: {text[:40]!r}")
    return parsed


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _id(value: Any, field_name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(
            f"field '{field_name}' must be an id (text of digits), got {_kind(value)}"
        )
    text = str(value).strip()
    if not _ID.match(text):
        raise RecordError(f"field '{field_name}' is not an id: {text[:40]!r}")
    return text


def tweet_record(obj: Any) -> TweetRecord:
    """Validate one v2 tweet object; raise ``RecordError`` naming the faulty field."""
    if not isinstance(obj, dict):
        raise RecordError(f"a tweet must be an object, got {_kind(obj)}")
    for required in ("id", "created_at", "author_id"):
        if obj.get(required) is None:
            raise RecordError(f"tweet without '{required}'")
    tweet_id = _id(obj["id"], "id")
    author_id = _id(obj["author_id"], "author_id")
    created_at = parse_timestamp(obj["created_at"])
    text = obj.get("text")
    if text is not None and not isinstance(text, str):
        raise RecordError(f"tweet {tweet_id}: field 'text' must be text, got {_kind(text)}")
    for name in _OPTIONAL_ID_FIELDS:
        if obj.get(name) is not None:
            _id(obj[name], name)
    references = obj.get("referenced_tweets")
    if references is not None:
        if not isinstance(references, list):
            raise RecordError(f"tweet {tweet_id}: field 'referenced_tweets' must be a list")
        for reference in references:
            if not isinstance(reference, dict) or not isinstance(reference.get("type"), str):
                raise RecordError(f"tweet {tweet_id}: a referenced tweet without a 'type'")
            if reference.get("id") is not None:
                _id(reference["id"], "referenced_tweets.id")
    metrics = obj.get("public_metrics")
    if metrics is not None:
        if not isinstance(metrics, dict):
            raise RecordError(f"tweet {tweet_id}: field 'public_metrics' must be an object")
        for name, count in metrics.items():
            if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
                raise RecordError(f"tweet {tweet_id}: field 'public_metrics.{name}' must be a "
                                  f"whole number, got {_kind(count)}")
    return TweetRecord(tweet_id, author_id, created_at,
                       json_codec.dumps(obj))


def user_record(obj: Any) -> UserRecord:
    if not isinstance(obj, dict):
        raise RecordError(f"a user must be an object, got {_kind(obj)}")
    if obj.get("id") is None or not isinstance(obj.get("username"), str):
        raise RecordError("user without 'id' or 'username'")
    user_id = _id(obj["id"], "id")
    metrics = obj.get("public_metrics")
    if metrics is not None and not isinstance(metrics, dict):
        raise RecordError(f"user {user_id}: field 'public_metrics' must be an object")
    return UserRecord(user_id, obj["username"],
                      json_codec.dumps(obj))


def _looks_like_tweet(obj: Any) -> bool:
    return isinstance(obj, dict) and ("text" in obj or "author_id" in obj) and "id" in obj


def _looks_like_user(obj: Any) -> bool:
    return isinstance(obj, dict) and "username" in obj and "id" in obj


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _add_tweet(out: Extracted, obj: Any) -> None:
    try:
        out.tweets.append(tweet_record(obj))
    except RecordError as exc:
        out.problems.append(str(exc))


def _add_user(out: Extracted, obj: Any) -> None:
    try:
        out.users.append(user_record(obj))
    except RecordError as exc:
        out.problems.append(str(exc))


def _add_includes(out: Extracted, includes: Any) -> None:
    if not isinstance(includes, dict):
        return
    for user in _list(includes.get("users")):
        _add_user(out, user)
    # Included tweets are real tweets (often the post a citizen replied to).
    for tweet in _list(includes.get("tweets")):
        _add_tweet(out, tweet)


def _add_errors(out: Extracted, errors: Any) -> None:
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict):
            detail = error.get("detail") or error.get("title") or "error"
            out.api_errors.append(f"{error.get('resource_type', 'resource')} "
                                  f"{error.get('resource_id', error.get('value', '?'))}: {detail}")


def extract(obj: Any) -> Extracted:
    """Classify one decoded record and pull its tweets and users out of it.

    Shapes: a v2 response page (``data`` a list), a streamed tweet (``data`` one
    tweet, ``matching_rules`` beside it), a flattened tweet (the tweet itself
    with ``author`` inlined), user lookups, counts, compliance results.
    """
    if not isinstance(obj, dict):
        return Extracted("unknown", problems=[f"expected a JSON object, got {_kind(obj)}"])
    data = obj.get("data")
    if "data" in obj and isinstance(data, list):
        if any(_looks_like_tweet(item) for item in data):
            out = Extracted("tweets")
            for item in data:
                _add_tweet(out, item)
        elif data and all(_looks_like_user(item) for item in data):
            out = Extracted("users")
            for item in data:
                _add_user(out, item)
        elif data and all(isinstance(item, dict) and "tweet_count" in item for item in data):
            out = Extracted("counts")
        elif not data:
            out = Extracted("empty")
        else:
            out = Extracted("other")
        _add_includes(out, obj.get("includes"))
        _add_errors(out, obj.get("errors"))
        return out
    if "data" in obj and isinstance(data, dict):
        out = Extracted("tweets" if _looks_like_tweet(data) else "users")
        if _looks_like_tweet(data):
            _add_tweet(out, data)
        elif _looks_like_user(data):
            _add_user(out, data)
        else:
            out.kind = "other"
        _add_includes(out, obj.get("includes"))
        _add_errors(out, obj.get("errors"))
        return out
    if "data" not in obj and "errors" in obj:
        out = Extracted("errors")
        _add_errors(out, obj.get("errors"))
        return out
    if "action" in obj and "reason" in obj:
        return Extracted("compliance")
    if _looks_like_tweet(obj) or ("id" in obj and "created_at" in obj and "username" not in obj):
        out = Extracted("tweets")  # a flattened tweet
        _add_tweet(out, obj)
        for inline in ("author", "in_reply_to_user"):
            if isinstance(obj.get(inline), dict):
                _add_user(out, obj[inline])
        for reference in _list(obj.get("referenced_tweets")):
            if isinstance(reference, dict) and all(
                reference.get(name) is not None for name in ("id", "created_at", "author_id")
            ):
                body = {key: value for key, value in reference.items() if key != "type"}
                _add_tweet(out, body)
        return out
    if _looks_like_user(obj):
        out = Extracted("users")
        _add_user(out, obj)
        return out
    if "tweet_count" in obj or "totalCount" in obj or "meta" in obj:
        return Extracted("counts" if "tweet_count" in obj else "other")
    return Extracted("unknown", problems=["not a tweet, a page of tweets or users"])
