"""The demo corpus: deterministic, realistic, in the shapes the files source reads."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from extractors.demo_accounts import demo_accounts
from extractors.demo_corpus import generate_corpus
from tests.conftest import AS_OF, AS_OF_TEXT, run_cli


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _tweets(folder: Path, kind: str) -> list[dict]:
    tweets = []
    for path in sorted((folder / kind).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            tweets.extend(json.loads(line)["data"])
    return tweets


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path, demo_corpus):
    again = generate_corpus(tmp_path / "again", as_of=AS_OF)
    assert _digest(again.out_dir) == _digest(demo_corpus.out_dir)
    other = generate_corpus(tmp_path / "other", as_of=AS_OF, seed=8)
    assert _digest(other.out_dir) != _digest(demo_corpus.out_dir)


def test_size_and_registry(demo_corpus):
    assert demo_corpus.departments >= 12
    assert demo_corpus.accounts >= 40
    lines = demo_corpus.registry.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("handle,department")
    assert len(lines) == demo_corpus.accounts + 1
    assert any(line.startswith("@") for line in lines[1:])  # handles typed with '@'
    levels = {account.level for account in demo_accounts()}
    assert levels == {"federal", "provincial", "district"}


def test_pages_have_the_twarc2_shape(demo_corpus):
    first = demo_corpus.out_dir / "timelines" / "DCLahore.jsonl"
    page = json.loads(first.read_text(encoding="utf-8").splitlines()[0])
    assert set(page) == {"data", "includes", "meta", "__twarc"}
    assert page["meta"]["result_count"] == len(page["data"]) <= 100
    assert page["includes"]["users"][0]["username"] == "DCLahore"
    assert "retrieved_at" in page["__twarc"]
    tweet = page["data"][0]
    for field in ("id", "text", "author_id", "created_at", "conversation_id", "public_metrics"):
        assert field in tweet


def test_nothing_after_as_of_and_ids_unique(demo_corpus):
    tweets = _tweets(demo_corpus.out_dir, "timelines") + _tweets(demo_corpus.out_dir, "replies")
    assert len(tweets) == demo_corpus.tweets
    ids = Counter(tweet["id"] for tweet in tweets)
    assert ids.most_common(1)[0][1] == 1
    assert all(int(tweet["id"]) < 2**63 for tweet in tweets)
    latest = max(datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))
                 for tweet in tweets)
    assert latest <= AS_OF


def _account_tweets(folder: Path, handle: str) -> list[dict]:
    tweets = []
    for line in (folder / "timelines" / f"{handle}.jsonl").read_text().splitlines():
        tweets.extend(json.loads(line)["data"])
    return tweets


def test_archetypes_behave_differently(demo_corpus):
    folder = demo_corpus.out_dir

    def responses(handle: str) -> int:
        return sum(1 for tweet in _account_tweets(folder, handle)
                   if tweet.get("in_reply_to_user_id", tweet["author_id"]) != tweet["author_id"])

    # responsive answers far more than the broadcaster, which posts far more
    assert responses("NDA_Alerts") > 20 * max(1, responses("IndusFloodCell"))
    posts = Counter(tweet["author_id"] for tweet in _account_tweets(folder, "IndusFloodCell"))
    quiet = _account_tweets(folder, "QuettaAdmin")
    assert sum(posts.values()) > 10 * len(quiet)
    shouty = [tweet["text"] for tweet in _account_tweets(folder, "PunjabHealthMin")]
    assert sum(1 for text in shouty if text.count("!") >= 2) > 10
    urdu = [tweet["text"] for tweet in _account_tweets(folder, "PolioFreeDesk")]
    assert sum(1 for text in urdu if re.search(r"[\u0600-\u06FF]", text)) > 10
    reposts = [tweet for tweet in _account_tweets(folder, "KarachiWater")
               if tweet.get("referenced_tweets", [{}])[0].get("type") == "retweeted"]
    assert len(reposts) > 10


def test_interagency_replies_point_at_official_accounts(demo_corpus):
    folder = demo_corpus.out_dir
    official_ids = set()
    for path in (folder / "timelines").glob("*.jsonl"):
        official_ids.add(json.loads(path.read_text().splitlines()[0])["includes"]["users"][0]["id"])
    replies = [tweet for tweet in _account_tweets(folder, "MonsoonDesk")
               if tweet.get("in_reply_to_user_id") in official_ids - {tweet["author_id"]}]
    assert len(replies) > 10


def test_crisis_week_spikes_inbound(demo_corpus):
    replies = _tweets(demo_corpus.out_dir, "replies")
    days_ago = Counter((AS_OF - datetime.fromisoformat(
        tweet["created_at"].replace("Z", "+00:00"))).days // 7 for tweet in replies)
    # the flood week (18-24 days before as_of) is busier than any ordinary week
    ordinary = [days_ago[week] for week in (5, 6, 7, 8)]
    assert days_ago[3] > 1.4 * max(ordinary)


def test_scale_multiplies_accounts(tmp_path):
    summary = generate_corpus(tmp_path / "scaled", as_of=AS_OF, scale=2)
    handles = [line.split(",")[0].lstrip("@").lower()
               for line in summary.registry.read_text().splitlines()[1:]]
    assert summary.accounts == 2 * len(demo_accounts())
    assert len(set(handles)) == len(handles)
    assert all(re.match(r"^[a-z0-9_]{1,15}$", handle) for handle in handles)


def test_the_demo_data_command_writes_the_corpus_or_says_what_is_wrong(tmp_path, capsys):
    assert run_cli("demo-data", "--out", str(tmp_path / "corpus"), "--as-of", AS_OF_TEXT) == 0
    out = capsys.readouterr().out
    assert f"demo corpus for {AS_OF_TEXT} in {tmp_path / 'corpus'}" in out
    assert f"registry: {tmp_path / 'corpus' / 'registry.csv'}" in out
    for scale in ("0", "-2", "two"):
        with pytest.raises(SystemExit) as stop:
            run_cli("demo-data", "--out", str(tmp_path / "other"), "--scale", scale)
        assert stop.value.code == 2
        assert (f"argument --scale: expected a whole number of 1 or more, got {scale!r}"
                in capsys.readouterr().err)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("kept", encoding="utf-8")
    assert run_cli("demo-data", "--out", str(a_file)) == 2
    assert capsys.readouterr().err.strip() == (
        f"govpulse demo-data: {a_file} is a file, not a folder: choose another --out")
    assert a_file.read_text(encoding="utf-8") == "kept"
    assert not (tmp_path / "other").exists()
