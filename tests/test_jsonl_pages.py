"""The DuckDB path for JSONL pages: clean pages land in SQL, every other line is handed back
to Python with its number (equality with the Python path: tests/test_hostile_input.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from extractors import jsonl_pages
from extractors.landing import RawLanding
from tests.test_x_records import TWEET, USER

FETCHED = datetime(2026, 11, 2, tzinfo=UTC)


def _page(*tweets, **extra):
    return json.dumps({"data": list(tweets), "includes": {"users": [USER]},
                       "meta": {"result_count": len(tweets)}, **extra})


def _land(tmp_path, text, name="a.jsonl", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    landing = RawLanding(con, run_id="r", source="files")
    result = jsonl_pages.land_pages(landing, [(path, name, FETCHED)])[name]
    return result, landing


def test_clean_pages_land_in_sql_and_the_rest_is_handed_back_by_line(tmp_path):
    lines = [
        _page(TWEET, dict(TWEET, id="1802"),
              __twarc={"retrieved_at": "2026-11-09T00:00:00.000+00:00"}),  # 1: clean
        "",  # 2: blank, nobody's business
        "{not json",  # 3
        _page(TWEET, errors=[{"detail": "gone"}]),  # 4: API errors are reported in Python
        _page(TWEET).replace("}]}", "},]}", 1),  # 5: trailing comma, which Python refuses
        json.dumps({"data": TWEET, "matching_rules": []}),  # 6: a streamed tweet
        _page(dict(TWEET, created_at="2026-11-01 10:00:00")),  # 7: a form left to Python
        _page(dict(TWEET, id="1803", public_metrics={"like_count": 1.5})),  # 8: not a count
        _page(dict(TWEET, id="1804")),  # 9: clean, fetch time from the file
    ]
    result, landing = _land(tmp_path, "\n".join(lines) + "\n")
    assert (result.tweets, result.users) == (3, 2)
    assert result.python_lines == [3, 4, 5, 6, 7, 8]
    assert not result.whole_file_to_python
    staged = landing.con.execute("select tweet_id, created_at, fetched_at, source_line "
                                 "from stage_tweets order by tweet_id").fetchall()
    assert staged == [
        ("1801", datetime(2026, 11, 1, 10, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC), 1),
        ("1802", datetime(2026, 11, 1, 10, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC), 1),
        ("1804", datetime(2026, 11, 1, 10, tzinfo=UTC), FETCHED, 9),
    ]


def test_files_python_would_split_or_decode_differently_go_to_python_whole(tmp_path):
    for name, text in (("bom.jsonl", "\ufeff" + _page(TWEET)),
                       ("crlf.jsonl", _page(TWEET) + "\r\n" + _page(TWEET))):
        result, _ = _land(tmp_path, text, name)
        assert result.whole_file_to_python and result.tweets == 0
    (tmp_path / "latin1.jsonl").write_bytes(_page(TWEET).replace("hello", "caf\xe9")
                                            .encode("latin-1"))
    con = duckdb.connect(str(tmp_path / "w2.duckdb"))
    landed = jsonl_pages.land_pages(RawLanding(con, run_id="r", source="files"),
                                    [(tmp_path / "latin1.jsonl", "latin1.jsonl", FETCHED)])
    assert landed["latin1.jsonl"].whole_file_to_python


def test_plain_jsonl_files_are_eligible_whatever_their_name(tmp_path):
    assert jsonl_pages.eligible(tmp_path / "a.jsonl", 10)
    assert not jsonl_pages.eligible(tmp_path / "a.jsonl.gz", 10)
    assert not jsonl_pages.eligible(tmp_path / "a.jsonl", jsonl_pages.MAX_FILE_BYTES + 1)
    # names a glob would read as patterns land like any other
    for name in ("week[1].jsonl", "a*b?{c}.jsonl"):
        assert jsonl_pages.eligible(tmp_path / name, 10)
        result, _ = _land(tmp_path, _page(TWEET) + "\n", name)
        assert (result.tweets, result.users, result.whole_file_to_python) == (1, 1, False)


def test_a_file_that_cannot_be_read_is_handed_to_python_whole(tmp_path):
    (tmp_path / "here.jsonl").write_text(_page(TWEET) + "\n", encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    landed = jsonl_pages.land_pages(RawLanding(con, run_id="r", source="files"), [
        (tmp_path / "here.jsonl", "here.jsonl", FETCHED),
        (tmp_path / "gone.jsonl", "gone.jsonl", FETCHED),  # deleted since it was listed
    ])
    assert (landed["here.jsonl"].tweets, landed["here.jsonl"].whole_file_to_python) == (1, False)
    assert (landed["gone.jsonl"].tweets, landed["gone.jsonl"].whole_file_to_python) == (0, True)
