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


@pytest.mark.parametrize("use_duckdb", [True, False])
def test_a_tweet_in_a_pages_data_and_includes_keeps_the_data_copy(tmp_path, use_duckdb):
    tweet = {"id": "7", "author_id": "2", "created_at": "2026-11-01T10:00:00Z"}
    page = {"data": [dict(tweet, text="data")],
            "includes": {"tweets": [dict(tweet, text="included")]}}
    (tmp_path / "a.jsonl").write_text(json.dumps(page) + "\n")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_files(tmp_path, RawLanding(con, run_id="r", source="files"), use_duckdb=use_duckdb)
        rows = con.execute("select payload->>'$.text' from raw.tweets").fetchall()
    assert rows == [("data",)]


def test_record_error_for_far_future():
    with pytest.raises(RecordError):
        tweet_record({"id": "1", "author_id": "2", "created_at": "2999-01-01T00:00:00Z"})


# What X can send: numbers within 64 bits (jsonl_pages' one accepted difference is beyond).
X_SCALARS = st.none() | st.booleans() | st.integers(min_value=-2**63, max_value=2**64 - 1) \
    | st.floats(allow_nan=False, allow_infinity=False) | ODD_TEXT
X_VALUES = st.recursive(X_SCALARS, lambda children: st.lists(children, max_size=4)
                        | st.dictionaries(ODD_TEXT, children, max_size=4), max_leaves=12)
X_TWEETS = st.fixed_dictionaries(
    {"id": IDS, "author_id": IDS, "created_at": TIMESTAMPS},
    optional={"text": ODD_TEXT | X_SCALARS, "in_reply_to_user_id": IDS,
              "conversation_id": IDS, "referenced_tweets": X_VALUES,
              "public_metrics": X_VALUES | st.dictionaries(
                  st.sampled_from(["like_count", "retweet_count"]), X_SCALARS)})
VALID_IDS = st.from_regex(r"\A[1-9][0-9]{0,18}\Z") | st.integers(min_value=0, max_value=2**63)
VALID_TWEETS = st.fixed_dictionaries(
    {"id": VALID_IDS, "author_id": VALID_IDS,
     "created_at": st.sampled_from(["2026-11-01T10:00:00.000Z", "2026-11-01T15:00:00+05:00",
                                    "2026-11-01T10:00:00.123456-03:30", "2026-11-24T23:59:59Z",
                                    "2006-01-01T00:00:00Z", "2100-12-31T23:59:59Z"])},
    optional={"text": ODD_TEXT, "conversation_id": VALID_IDS,
              "referenced_tweets": st.lists(st.fixed_dictionaries(
                  {"type": st.sampled_from(["replied_to", "quoted"])},
                  optional={"id": VALID_IDS, "extra": X_VALUES}), max_size=2),
              "public_metrics": st.dictionaries(st.sampled_from(["like_count", "reply_count"]),
                                                st.integers(min_value=0, max_value=2**40)),
              "lang": X_VALUES})
VALID_USERS = st.fixed_dictionaries({"id": VALID_IDS, "username": ODD_TEXT},
                                    optional={"name": ODD_TEXT, "public_metrics": X_VALUES})
RETRIEVED = st.sampled_from([None, "2026-11-02T00:00:00Z", "2026-11-02T00:00:00.000+00:00",
                             "2026-11-02T00:00:00", "1999-01-01T00:00:00Z", "", "garbage", 7])


def _page_line(tweets, users, included, retrieved, errors):
    page = {"data": tweets, "meta": {"result_count": len(tweets)}}
    if users is not None or included is not None:
        page["includes"] = {key: value for key, value in (("users", users),
                                                          ("tweets", included)) if value}
    if retrieved is not None:
        page["__twarc"] = {"retrieved_at": retrieved}
    if errors:
        page["errors"] = [{"resource_type": "tweet", "resource_id": "1", "detail": "gone"}]
    return json.dumps(page, ensure_ascii=False)


PAGE_LINES = st.builds(_page_line, st.lists(VALID_TWEETS | X_TWEETS, min_size=1, max_size=4),
                       st.none() | st.lists(VALID_USERS | X_VALUES, max_size=2),
                       st.none() | st.lists(VALID_TWEETS, max_size=2), RETRIEVED, st.booleans())
ANY_LINES = st.lists(PAGE_LINES | X_TWEETS.map(json.dumps) | st.sampled_from(
    ["", "   ", "{not json", '{"data": [], "meta": {}}', '{"data": [{"id": "1",}]}',
     '{"data": [{"id": "1", "author_id": "2", "created_at": "2026-11-01T10:00:00Z", '
     '"x": NaN}]}']), max_size=10)


def _landed(folder, use_duckdb):
    with duckdb.connect(str(folder.parent / f"{folder.name}-{use_duckdb}.duckdb")) as con:
        report = load_files(folder, RawLanding(con, run_id="r", source="files"),
                            use_duckdb=use_duckdb)
        tweets = con.execute("select tweet_id, author_id, created_at, fetched_at, source_file, "
                             "source_line, payload from raw.tweets").fetchall()
        users = con.execute("select user_id, username, fetched_at, source_file, source_line, "
                            "payload from raw.users").fetchall()
        issues = con.execute("select source_file, source_line, issue_kind, detail "
                             "from raw.load_issues order by all").fetchall()
        files = con.execute("select source_file, file_kind, tweets, users, skipped "
                            "from raw.load_files order by all").fetchall()
    def decoded(rows):
        return sorted((*row[:-1], json.dumps(json.loads(row[-1]), sort_keys=True))
                      for row in rows)
    return (decoded(tweets), decoded(users), issues, files,
            (report.tweets_landed, report.users_landed, report.skipped))


@FAST
@given(st.lists(ANY_LINES, min_size=1, max_size=3))
def test_duckdb_and_python_land_the_same_rows_and_report_the_same_problems(tmp_path_factory,
                                                                           files):
    folder = tmp_path_factory.mktemp("pages")
    for number, lines in enumerate(files):
        (folder / f"part-{number}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _landed(folder, use_duckdb=True) == _landed(folder, use_duckdb=False)


CLEAN = {"id": "11", "author_id": "22", "created_at": "2026-11-01T10:00:00Z",
         "public_metrics": {"like_count": 1}}
NEARLY_CLEAN_PAGES = {
    "trailing comma": json.dumps({"data": [CLEAN]})[:-2] + ",]}",
    "NaN": json.dumps({"data": [dict(CLEAN, lang=float("nan"))]}),
    "Infinity": json.dumps({"data": [dict(CLEAN, x=float("inf"))]}),
    "count beyond 64 bits": json.dumps({"data": [dict(CLEAN, public_metrics={"x": 2**70})]}),
    "id beyond 64 bits": json.dumps({"data": [dict(CLEAN, id=2**70)]}),
    "year 1900": json.dumps({"data": [dict(CLEAN, created_at="1900-01-01T00:00:00Z")]}),
    "hour 24": json.dumps({"data": [dict(CLEAN, created_at="2026-11-01T24:00:00Z")]}),
    "31 November": json.dumps({"data": [dict(CLEAN, created_at="2026-11-31T10:00:00Z")]}),
    "fetched in 1999": json.dumps({"data": [CLEAN],
                                   "__twarc": {"retrieved_at": "1999-01-01T00:00:00Z"}}),
    "naive fetch time": json.dumps({"data": [CLEAN],
                                    "__twarc": {"retrieved_at": "2026-11-02T00:00:00"}}),
    "id with spaces": json.dumps({"data": [dict(CLEAN, id=" 11 ")]}),
    "boolean count": json.dumps({"data": [dict(CLEAN, public_metrics={"like_count": True})]}),
    "users not a list": json.dumps({"data": [CLEAN], "includes": {"users": {"id": "1"}}}),
    "user without username": json.dumps({"data": [CLEAN], "includes": {"users": [{"id": "1"}]}}),
    "reference without type": json.dumps({"data": [dict(CLEAN, referenced_tweets=[{"id": "1"}])]}),
    "clean": json.dumps({"data": [CLEAN], "includes": {"users": [{"id": "22", "username": "a"}]}}),
    # the same tweet and user twice in one line, differently: the first read is kept
    "tweet in data and includes": json.dumps({"data": [CLEAN], "includes": {
        "tweets": [dict(CLEAN, text="included copy")]}}),
    "tweet twice in data": json.dumps({"data": [dict(CLEAN, text="first"),
                                                dict(CLEAN, text="second")]}),
    "user twice in includes": json.dumps({"data": [CLEAN], "includes": {
        "users": [{"id": "22", "username": "a"}, {"id": "22", "username": "b"}]}}),
}


@pytest.mark.parametrize("line", NEARLY_CLEAN_PAGES.values(), ids=NEARLY_CLEAN_PAGES.keys())
def test_lines_duckdb_reads_more_leniently_are_landed_as_python_lands_them(tmp_path, line):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.jsonl").write_text(line + "\n", encoding="utf-8")
    assert _landed(folder, use_duckdb=True) == _landed(folder, use_duckdb=False)
