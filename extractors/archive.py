"""The X account archive (``data/tweets.js``): the v1.1 shape mapped onto v2 tweets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from extractors import json_codec

_PREFIX = re.compile(r"^\s*window\.YTD\.[A-Za-z0-9_]+\.part\d+\s*=\s*", re.ASCII)
ARCHIVE_TWEET_FILES = ("tweets.js", "tweet.js")


def is_archive_tweet_file(name: str) -> bool:
    """Whether a file's name (without its folder) is an X archive's tweets file."""
    return name.lower() in ARCHIVE_TWEET_FILES


class ArchiveError(ValueError):
    pass


def read_ytd(path: Path) -> list[Any]:
    """Decode a ``window.YTD.<name>.partN = [...]`` file."""
    text = path.read_text(encoding="utf-8-sig")
    match = _PREFIX.match(text)
    if not match:
        raise ArchiveError("does not start with 'window.YTD.<name>.part0 = '")
    try:
        value = json.loads(text[match.end():])
    except json.JSONDecodeError as exc:
        raise ArchiveError(f"line {exc.lineno}: not JSON ({json_codec.problem(exc)})") from exc
    if not isinstance(value, list):
        raise ArchiveError("expected a JSON list after the '=' sign")
    return value


def archive_account(tweets_js: Path) -> dict[str, Any] | None:
    """The archive owner's id and username, from ``account.js`` beside ``tweets.js``."""
    account_js = tweets_js.with_name("account.js")
    if not account_js.exists():
        return None
    for item in read_ytd(account_js):
        account = item.get("account") if isinstance(item, dict) else None
        if isinstance(account, dict) and account.get("accountId"):
            return {
                "id": str(account["accountId"]),
                "username": account.get("username", ""),
                "name": account.get("accountDisplayName", account.get("username", "")),
            }
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def v2_tweet(v1: dict[str, Any], author_id: str) -> dict[str, Any]:
    """Map one archive tweet (v1.1 field names) onto the v2 fields the warehouse reads."""
    tweet_id = v1.get("id_str") or (str(v1["id"]) if v1.get("id") is not None else None)
    text = v1.get("full_text", v1.get("text"))
    tweet: dict[str, Any] = {
        "id": tweet_id,
        "text": text,
        "author_id": author_id,
        "created_at": v1.get("created_at"),
        "lang": v1.get("lang"),
        "public_metrics": {
            "like_count": _int(v1.get("favorite_count")),
            "retweet_count": _int(v1.get("retweet_count")),
        },
        "source_shape": "x_archive",
    }
    references = []
    if isinstance(text, str) and text.startswith("RT @"):
        references.append({"type": "retweeted", "id": None})
    if v1.get("in_reply_to_status_id_str"):
        references.append({"type": "replied_to", "id": v1["in_reply_to_status_id_str"]})
    if v1.get("quoted_status_id_str"):
        references.append({"type": "quoted", "id": v1["quoted_status_id_str"]})
    if references:
        tweet["referenced_tweets"] = references
    if v1.get("in_reply_to_user_id_str"):
        tweet["in_reply_to_user_id"] = v1["in_reply_to_user_id_str"]
    return tweet
