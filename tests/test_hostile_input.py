"""Property-based tests: hostile input gives a counted skip or a correct load, never a crash."""

from __future__ import annotations

import json
import string

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.files_source import load_files
from extractors.landing import RawLanding
from extractors.registry import RegistryError, load_registry
from extractors.x_records import RecordError, extract, tweet_record

ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                   max_size=300) | st.sampled_from([
    "\u202eRTL override", "مرحبا بالعالم", "👩‍👩‍👧‍👦" * 50, "zero\u200bwidth", "e\u0301\u0301",
    "x" * 20_000, "\x00nul", "！！", "",
])
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT
JSON_VALUES = st.recursive(JSON_SCALARS, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(ODD_TEXT, children, max_size=4), max_leaves=12)
IDS = st.one_of(st.integers(min_value=0, max_value=2**63), st.from_regex(r"\A[0-9]{1,19}\Z"),
                JSON_SCALARS)
TIMESTAMPS = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.sampled_from(["2026-11-01T10:00:00.000Z", "Wed Oct 10 20:19:24 +0000 2018",
                     "2026-11-01 15:00:00+05:00", "1900-01-01T00:00:00Z",
                     "9999-12-31T23:59:59Z", "2026-13-45T99:00:00Z", "yesterday"]),
    JSON_SCALARS)
TWEETS = st.fixed_dictionaries(
    {"id": IDS, "author_id": IDS, "created_at": TIMESTAMPS},
    optional={"text": ODD_TEXT | JSON_SCALARS, "in_reply_to_user_id": IDS,
              "conversation_id": IDS, "referenced_tweets": JSON_VALUES,
              "public_metrics": JSON_VALUES | st.dictionaries(
                  st.sampled_from(["like_count", "retweet_count"]), JSON_SCALARS)})

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@FAST
@given(JSON_VALUES)
def test_any_json_value_is_classified_never_crashes(value):
    out = extract(value)
    assert out.kind
    for tweet in out.tweets:
        assert tweet.tweet_id.isdigit() and tweet.author_id.isdigit()


@FAST
@given(st.lists(TWEETS, min_size=1, max_size=8))
def test_every_tweet_of_a_page_is_landed_or_counted(tweets):
    out = extract({"data": tweets, "meta": {}})
    assert len(out.tweets) + len(out.problems) == len(tweets)
    for record in out.tweets:
        assert 2006 <= record.created_at.year <= 2100
        assert json.loads(record.payload)["id"] in (record.tweet_id, int(record.tweet_id))


@FAST
@given(ODD_TEXT)
def test_texts_survive_exactly(text):
    record = tweet_record({"id": "1", "author_id": "2", "created_at": "2026-11-01T10:00:00Z",
                           "text": text})
    assert json.loads(record.payload)["text"] == text


@FAST
@given(st.lists(st.one_of(st.binary(max_size=200).map(lambda raw: raw.decode("utf-8", "replace")),
                          TWEETS.map(json.dumps),
                          st.lists(TWEETS, max_size=3).map(
                              lambda data: json.dumps({"data": data}))),
                max_size=12))
def test_files_source_counts_every_line(tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("hostile")
    text = "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines)
    (folder / "input.jsonl").write_text(text, encoding="utf-8")
    with duckdb.connect(str(folder / "w.duckdb")) as con:
        report = load_files(folder, RawLanding(con, run_id="r", source="files"))
        landed = con.execute("select count(*) from raw.tweets").fetchone()[0]
    assert report.tweets_landed == landed <= report.tweets_read


CELLS = st.text(alphabet=string.ascii_letters + string.digits + "_@ ,\"'\t\ufeffé؟",
                max_size=20)


@FAST
@given(st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=8), st.booleans(), st.booleans())
def test_registry_is_loaded_or_rejected_with_a_line(tmp_path_factory, rows, bom, crlf):
    newline = "\r\n" if crlf else "\n"
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"'
    text = ("\ufeff" if bom else "") + "handle,department" + newline + newline.join(
        f"{quote(handle)},{quote(department)}" for handle, department in rows) + newline
    path = tmp_path_factory.mktemp("registry") / "registry.csv"
    path.write_text(text, encoding="utf-8")
    try:
        accounts = load_registry(path)
    except RegistryError as error:
        assert str(path) in str(error)
        assert "line" in str(error) or "no accounts" in str(error)
        return
    keys = [account.handle_key for account in accounts]
    assert len(keys) == len(set(keys))
    assert all(account.department.strip() for account in accounts)


def test_duplicate_ids_with_conflicting_content_keep_one_deterministically(tmp_path):
    base = {"id": "7", "author_id": "2", "created_at": "2026-11-01T10:00:00Z",
            "__twarc": {"retrieved_at": "2026-11-02T00:00:00Z"}}
    (tmp_path / "a.jsonl").write_text(json.dumps(dict(base, text="first")) + "\n"
                                      + json.dumps(dict(base, text="second")) + "\n")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_files(tmp_path, RawLanding(con, run_id="r", source="files"))
        rows = con.execute("select payload->>'$.text' from raw.tweets").fetchall()
    assert rows == [("first",)]


def test_record_error_for_far_future():
    with pytest.raises(RecordError):
        tweet_record({"id": "1", "author_id": "2", "created_at": "2999-01-01T00:00:00Z"})
