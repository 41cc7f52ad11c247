"""The files source: every shape loads, bad input is counted with file and line, re-runs land
nothing twice."""

from __future__ import annotations

import gzip
import json
import os
import re
from datetime import UTC, datetime

import duckdb
import pytest

from extractors import files_source
from extractors.files_source import InputFolderError, load_files
from extractors.landing import RawLanding, land_registry
from extractors.registry import RegistryAccount
from extractors.x_records import tweet_record
from govpulse.summary import run_problems
from tests.test_x_records import TWEET, USER


def _load(con, folder, run_id="run-1"):
    return load_files(folder, RawLanding(con, run_id=run_id, source="files"))


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "govpulse.duckdb"))
    yield connection
    connection.close()


def _page(*tweets, retrieved_at="2026-11-02T00:00:00Z"):
    return json.dumps({"data": list(tweets), "includes": {"users": [USER]},
                       "meta": {"result_count": len(tweets)},
                       "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent",
                                   "version": "2.14.0", "retrieved_at": retrieved_at}})


def test_every_shape_loads_and_bad_lines_are_reported(tmp_path, con):
    folder = tmp_path / "in"
    (folder / "nested").mkdir(parents=True)
    (folder / "search.jsonl").write_text(
        _page(TWEET, dict(TWEET, id="1802")) + "\n"
        + "{not json\n"
        + _page(dict(TWEET, id="1803", created_at=None)) + "\n"
        + '{"data": [{"id": "18\tx"}]}\n', encoding="utf-8")  # a tab inside a string
    with gzip.open(folder / "nested" / "stream.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"data": dict(TWEET, id="1804"), "matching_rules": []}) + "\n")
        handle.write('{"data": {"id": "18')  # a stream cut off mid-line
    (folder / "flat.json").write_text(  # twarc2 writes JSONL whatever the extension
        json.dumps(dict(TWEET, id="1805", author=USER)) + "\n"
        + json.dumps(dict(TWEET, id="1806", author=USER)) + "\n", encoding="utf-8")
    (folder / "users.jsonl").write_text(json.dumps({"data": [USER]}) + "\n", encoding="utf-8")
    (folder / "empty.jsonl").write_text("", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    report = _load(con, folder)
    by_file = {file.path: file for file in report.files}
    assert set(by_file) == {"search.jsonl", "nested/stream.jsonl.gz", "flat.json",
                            "users.jsonl", "empty.jsonl"}
    assert by_file["search.jsonl"].tweets == 2 and by_file["search.jsonl"].skipped == 3
    assert by_file["nested/stream.jsonl.gz"].tweets == 1
    assert by_file["nested/stream.jsonl.gz"].skipped == 1
    assert by_file["flat.json"].tweets == 2
    assert by_file["users.jsonl"].kind == "users" and by_file["users.jsonl"].tweets == 0
    assert by_file["empty.jsonl"].kind == "empty"
    assert report.tweets_landed == 5
    issues = con.execute("select source_file, source_line, detail from raw.load_issues "
                         "order by source_file, source_line").fetchall()
    assert issues[0][:2] == ("nested/stream.jsonl.gz", 2)
    assert issues[1][:2] == ("search.jsonl", 2) and "not JSON" in issues[1][2]
    assert issues[2] == ("search.jsonl", 3, "tweet without 'created_at'")
    assert issues[3] == ("search.jsonl", 4, "not JSON (Invalid control character at column 21)")


def test_empty_files_are_counted_without_being_read(tmp_path, con, monkeypatch):
    """A day's timeline without posts is an empty file; thousands of them a day at national
    scale. An empty archive file is read all the same, to say what is wrong with it."""
    folder = tmp_path / "in"
    (folder / "archive" / "data").mkdir(parents=True)
    for name in ("quiet.jsonl", "quiet.json", "quiet.jsonl.gz"):
        (folder / name).write_bytes(b"")
    (folder / "archive" / "data" / "tweets.js").write_bytes(b"")
    read = []
    original = files_source.read_file
    monkeypatch.setattr(files_source, "read_file",
                        lambda path, *args, **kwargs: read.append(path.name)
                        or original(path, *args, **kwargs))
    report = _load(con, folder)
    assert read == ["tweets.js"]
    kinds = {file.path: file.kind for file in report.files}
    assert kinds == {"quiet.jsonl": "empty", "quiet.json": "empty", "quiet.jsonl.gz": "empty",
                     "archive/data/tweets.js": "x_archive"}
    issues = con.execute("select source_file, issue_kind from raw.load_issues").fetchall()
    assert issues == [("archive/data/tweets.js", "unreadable_file")]


def test_rows_land_after_every_row_landed_before_even_if_the_clock_went_back(tmp_path, con):
    """The incremental models read on from the newest landed_at they saw: a clock set back
    between two runs must not date the second run's rows before the first's."""
    first, second = tmp_path / "day1", tmp_path / "day2"
    first.mkdir()
    second.mkdir()
    (first / "a.jsonl").write_text(_page(TWEET) + "\n", encoding="utf-8")
    (second / "b.jsonl").write_text(_page(dict(TWEET, id="1900")) + "\n", encoding="utf-8")
    _load(con, first, "run-1")
    # the first run's clock was a day ahead of the second's
    for table in ("raw.tweets", "raw.users"):
        con.execute(f"update {table} set landed_at = landed_at + interval 1 day")
    before = con.execute("select max(landed_at) from raw.tweets").fetchone()[0]
    _load(con, second, "run-2")
    landed = con.execute("select distinct landed_at from raw.tweets where run_id = 'run-2' "
                         "union select distinct landed_at from raw.users where run_id = 'run-2'"
                         ).fetchall()
    assert len(landed) == 1 and landed[0][0] > before  # one landing time, after the first's


def test_loading_twice_lands_nothing_new(tmp_path, con):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(_page(TWEET) + "\n" + _page(TWEET) + "\n", encoding="utf-8")
    first = _load(con, folder, "run-1")
    second = _load(con, folder, "run-2")
    assert (first.tweets_landed, first.users_landed) == (1, 1)
    assert (second.tweets_landed, second.users_landed) == (0, 0)
    assert con.execute("select count(*) from raw.tweets").fetchone()[0] == 1


def _read_again(folder, name: str) -> None:
    """The file written again since it was read: the same bytes, a later modification time."""
    os.utime(folder / name, ns=(0, (folder / name).stat().st_mtime_ns + 10**9))


def test_a_file_landed_is_read_again_only_once_it_changed(tmp_path, con, monkeypatch):
    """A collector's folder grows by new files every day: the files a run landed are not read
    again while their size and modification time stay the same."""
    folder = tmp_path / "in"
    (folder / "day-1").mkdir(parents=True)
    (folder / "day-1" / "a.jsonl").write_text(_page(TWEET) + "\n", encoding="utf-8")
    (folder / "day-1" / "quiet.jsonl").write_text("", encoding="utf-8")
    first = _load(con, folder, "run-1")
    assert (len(first.files), first.unchanged_files, first.tweets_landed) == (2, 0, 1)
    # a new day's file: only it is read
    (folder / "day-2").mkdir()
    (folder / "day-2" / "b.jsonl").write_text(_page(dict(TWEET, id="1900")) + "\n",
                                              encoding="utf-8")
    second = _load(con, folder, "run-2")
    assert [file.path for file in second.files] == ["day-2/b.jsonl"]
    assert (second.unchanged_files, second.tweets_landed) == (2, 1)
    # nothing new: nothing read
    third = _load(con, folder, "run-3")
    assert (third.files, third.unchanged_files) == ([], 3)
    # a file that grew, or was written again with the same size, is read again whole
    with (folder / "day-1" / "a.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(_page(dict(TWEET, id="1901")) + "\n")
    _read_again(folder, "day-2/b.jsonl")
    fourth = _load(con, folder, "run-4")
    assert sorted(file.path for file in fourth.files) == ["day-1/a.jsonl", "day-2/b.jsonl"]
    assert (fourth.tweets_read, fourth.tweets_landed) == (3, 1)
    # a new version of the reader reads every file again
    monkeypatch.setattr(files_source, "READER_VERSION", files_source.READER_VERSION + 1)
    fifth = _load(con, folder, "run-5")
    assert (len(fifth.files), fifth.unchanged_files, fifth.tweets_landed) == (3, 0, 0)
    assert con.execute("select count(*) from raw.tweets").fetchone()[0] == 3


@pytest.mark.parametrize("use_duckdb", [True, False])
def test_a_file_that_grew_lands_only_its_new_and_changed_records(tmp_path, con, use_duckdb):
    """A stream a collector still appends to is read again whole, and its records that do not
    say when they were fetched are dated by the file's new time; those unchanged at their line
    are the records landed before, not a newer fetch: only the new and changed ones land."""
    folder = tmp_path / "in"
    folder.mkdir()
    stream = folder / "stream.jsonl"
    lines = [json.dumps(dict(TWEET, author=USER))]  # flattened: no __twarc.retrieved_at
    stream.write_text(lines[0] + "\n", encoding="utf-8")

    def load(run_id):
        return load_files(folder, RawLanding(con, run_id=run_id, source="files"),
                          use_duckdb=use_duckdb)

    def grown(*new_lines):
        lines.extend(new_lines)
        stream.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        _read_again(folder, "stream.jsonl")

    first = load("run-1")
    assert (first.tweets_landed, first.users_landed) == (1, 1)
    grown(json.dumps(dict(TWEET, id="1802", author=USER)))
    second = load("run-2")
    # line 2's author is a newer fetch of the user, at a line not landed before
    assert (second.tweets_read, second.tweets_landed, second.users_landed) == (2, 1, 1)
    # the first tweet fetched again, its likes changed, at the line the file had
    lines[0] = json.dumps(dict(TWEET, author=USER, public_metrics=dict(
        TWEET["public_metrics"], like_count=4)))
    grown()
    third = load("run-3")
    assert (third.tweets_read, third.tweets_landed, third.users_landed) == (2, 1, 0)
    rows = con.execute("select tweet_id, payload->>'$.public_metrics.like_count', source_line "
                       "from raw.tweets order by fetched_at, source_line").fetchall()
    assert rows == [("1801", "3", 1), ("1802", "3", 2), ("1801", "4", 1)]


def test_the_listing_is_checked_in_chunks_and_the_files_to_read_keep_their_order(
        tmp_path, con, monkeypatch):
    """A year of a collector's files is millions: the listing goes to DuckDB a chunk at a
    time and only the files to read come back, in order of name (Python's, whatever order
    the folder lists them in), with their size and time; a file gone since it was listed is
    read (its read says why)."""
    monkeypatch.setattr(files_source, "_LISTING_CHUNK", 2)
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["day-0.jsonl", "Day-1.jsonl", "day-2.jsonl", "d\u00e9j\u00e0-3.jsonl",
             "day-4.jsonl"]
    for number, name in enumerate(names):
        (folder / name).write_text(_page(dict(TWEET, id=f"19{number}")) + "\n",
                                   encoding="utf-8")
    assert _load(con, folder, "run-1").tweets_landed == 5
    for name in ("day-4.jsonl", "Day-1.jsonl", "d\u00e9j\u00e0-3.jsonl"):
        _read_again(folder, name)
    (folder / "day-5.jsonl").write_text(_page(dict(TWEET, id="195")) + "\n", encoding="utf-8")
    second = _load(con, folder, "run-2")
    assert ([file.path for file in second.files], second.unchanged_files) == (
        sorted(["Day-1.jsonl", "day-4.jsonl", "day-5.jsonl", "d\u00e9j\u00e0-3.jsonl"]), 2)
    status = os.stat(folder / "day-4.jsonl")
    assert (second.files[1].size, second.files[1].modified_ns) == (status.st_size,
                                                                    status.st_mtime_ns)
    size, modified = files_source._file_version(str(folder / "day-2.jsonl"))
    chunks = [(["z.jsonl", "gone.jsonl"], [None, None], [None, None]),
              (["day-2.jsonl", "Z.jsonl"], [size, 1], [modified, 1])]
    assert RawLanding(con, run_id="run-3", source="files").files_not_landed(
        chunks, files_source.READER_VERSION) == (
            4, [(3, "Z.jsonl", 1, 1), (1, "gone.jsonl", None, None), (0, "z.jsonl", None, None)])


def test_a_build_copy_landed_before_files_were_told_apart_reads_them_once_more(tmp_path):
    """raw.load_files of an older govpulse has no size or time: its next run reads every
    file once, and the run after passes them as unchanged."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(_page(TWEET) + "\n", encoding="utf-8")
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        con.execute("create schema raw")
        con.execute("create table raw.load_files (run_id varchar not null, source varchar not "
                    "null, source_file varchar not null, file_kind varchar not null, tweets "
                    "bigint not null, users bigint not null, skipped bigint not null, loaded_at "
                    "timestamptz not null default current_timestamp)")
        con.execute("insert into raw.load_files values ('run-0', 'files', 'a.jsonl', 'tweets', "
                    "1, 1, 0, now())")
        assert len(_load(con, folder, "run-1").files) == 1
        assert _load(con, folder, "run-2").unchanged_files == 1


def test_payloads_are_stored_zstd_compressed(tmp_path, con):
    # (why: the comment on RAW_DDL in extractors/landing.py)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(_page(TWEET) + "\n", encoding="utf-8")
    _load(con, folder)
    con.execute("checkpoint")
    for table in ("raw.tweets", "raw.users"):
        compressions = con.execute(
            f"select distinct compression from pragma_storage_info('{table}') "
            "where column_name = 'payload' and segment_type <> 'VALIDITY'").fetchall()
        assert compressions == [("ZSTD",)], table


def test_a_newer_fetch_is_kept_beside_the_older(tmp_path, con):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "old.jsonl").write_text(_page(TWEET) + "\n", encoding="utf-8")
    newer = dict(TWEET, public_metrics=dict(TWEET["public_metrics"], like_count=99))
    (folder / "new.jsonl").write_text(_page(newer, retrieved_at="2026-11-09T00:00:00Z") + "\n",
                                      encoding="utf-8")
    _load(con, folder)
    rows = con.execute("select fetched_at::varchar, payload->>'$.public_metrics.like_count' "
                       "from raw.tweets order by fetched_at").fetchall()
    assert [likes for _, likes in rows] == ["3", "99"]


def test_fetch_time_falls_back_to_the_file_modification_time(tmp_path, con):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "flat.jsonl"
    path.write_text(json.dumps(TWEET) + "\n", encoding="utf-8")
    os.utime(path, (1_780_000_000, 1_780_000_000))
    _load(con, folder)
    fetched = con.execute("select epoch(fetched_at) from raw.tweets").fetchone()[0]
    assert fetched == 1_780_000_000


def test_x_archive(tmp_path, con):
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [{"account": {"accountId": "42", "username": "DCLahore", '
        '"accountDisplayName": "DC Lahore"}}]', encoding="utf-8")
    (data / "tweets.js").write_text(
        "window.YTD.tweets.part0 = " + json.dumps([
            {"tweet": {"id_str": "1051", "full_text": "Road closed today",
                       "created_at": "Wed Oct 10 20:19:24 +0000 2018", "favorite_count": "4",
                       "retweet_count": "1", "entities": {}}},
            {"tweet": {"id_str": "1052", "full_text": "no date"}},
            {"not_a_tweet": {}},
        ]), encoding="utf-8")
    report = _load(con, tmp_path / "archive")
    assert report.files[0].kind == "x_archive"
    assert (report.tweets_read, report.users_read, report.skipped) == (1, 1, 2)
    row = con.execute("select tweet_id, author_id, created_at::varchar from raw.tweets").fetchone()
    assert row[:2] == ("1051", "42") and row[2].startswith("2018-10-10 20:19:24")


def test_an_archive_is_read_again_once_its_account_js_comes_or_changes(tmp_path, con):
    """Whose an archive's tweets are is in the account.js beside them: an archive landed
    without it is read again when it comes (even with an older time, as a copy may keep), and
    one landed with it when it changes."""
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps([
        {"tweet": {"id_str": "1051", "full_text": "Road closed today",
                   "created_at": "Wed Oct 10 20:19:24 +0000 2018", "entities": {}}}]),
        encoding="utf-8")
    assert _load(con, tmp_path / "archive", "run-1").unreadable_files == 1
    account_js = data / "account.js"
    account_js.write_text('window.YTD.account.part0 = [{"account": {"accountId": "42", '
                          '"username": "DCLahore"}}]', encoding="utf-8")
    older = (data / "tweets.js").stat().st_mtime_ns - 10**9
    os.utime(account_js, ns=(older, older))
    second = _load(con, tmp_path / "archive", "run-2")
    assert (second.tweets_landed, second.unreadable_files) == (1, 0)
    assert _load(con, tmp_path / "archive", "run-3").unchanged_files == 1
    account_js.write_text(account_js.read_text(encoding="utf-8").replace("DCLahore", "DC_Lahore"),
                          encoding="utf-8")
    os.utime(account_js, ns=(0, older + 10 * 10**9))
    fourth = _load(con, tmp_path / "archive", "run-4")
    assert [file.path for file in fourth.files] == ["data/tweets.js"]
    # the archive's records were fetched when it was last written: the renamed profile is
    # the newest fetch, not a copy of the first one dropped as already landed; the tweet,
    # unchanged, is the one landed before
    assert (fourth.users_landed, fourth.tweets_landed) == (1, 0)
    assert con.execute("select username from raw.users order by fetched_at desc limit 1"
                       ).fetchone()[0] == "DC_Lahore"


def test_archive_without_account_js_is_reported(tmp_path, con):
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = []", encoding="utf-8")
    report = _load(con, tmp_path / "archive")
    assert (report.skipped, report.unreadable_files) == (0, 1)
    detail = con.execute("select detail from raw.load_issues").fetchone()[0]
    assert "account.js" in detail


def test_an_archive_that_is_not_json_is_reported_with_its_line(tmp_path, con):
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [{"account": {"accountId": "42", "username": "DCLahore"}}]',
        encoding="utf-8")
    (data / "tweets.js").write_text(
        'window.YTD.tweets.part0 = [\n{"tweet": {"id_str": "1051",\n"full_text": "a\tb"}}]',
        encoding="utf-8")  # a raw tab inside a string, on the third line
    report = _load(con, tmp_path / "archive")
    assert (report.skipped, report.unreadable_files) == (0, 1)
    detail = con.execute("select detail from raw.load_issues").fetchone()[0]
    assert detail.endswith("line 3: not JSON (Invalid control character)")


def test_missing_input_folder(tmp_path, con):
    with pytest.raises(InputFolderError, match="does not exist"):
        _load(con, tmp_path / "nope")


def test_a_folder_that_cannot_be_listed_stops_the_landing_and_is_named(
        tmp_path, con, monkeypatch):
    # (tests run as root here, which chmod does not stop: the refusal is simulated)
    locked = tmp_path / "collected" / "locked"
    locked.mkdir(parents=True)
    (tmp_path / "collected" / "open.jsonl").write_text("", encoding="utf-8")
    scandir = os.scandir

    def refusing(path):
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(InputFolderError,
                       match=rf"cannot list folder {re.escape(str(locked))} \(Permission denied\)"):
        _load(con, tmp_path / "collected")
    assert con.execute("select count(*) from raw.load_files").fetchone()[0] == 0


def test_files_gone_since_they_were_listed_are_reported_and_the_rest_lands(
        tmp_path, con, monkeypatch):
    """A collector may move files away while govpulse reads the folder."""
    folder = tmp_path / "in"
    (folder / "tweets" / "data").mkdir(parents=True)
    (folder / "here.jsonl").write_text(_page(TWEET) + "\n", encoding="utf-8")
    listed = list(files_source.discover(folder))
    gone = [str(folder / "gone.jsonl"), str(folder / "gone.json"),
            str(folder / "tweets" / "data" / "tweets.js")]
    monkeypatch.setattr(files_source, "discover", lambda _: sorted(listed + gone))
    report = _load(con, folder)
    assert report.tweets_landed == 1
    assert {file.path: file.unreadable for file in report.files} == {
        "here.jsonl": False, "gone.jsonl": True, "gone.json": True,
        "tweets/data/tweets.js": True}
    assert (report.skipped, report.unreadable_files) == (0, 3)
    issues = con.execute("select source_file, issue_kind, detail from raw.load_issues "
                         "order by source_file").fetchall()
    assert [(name, kind) for name, kind, _ in issues] == [
        ("gone.json", "unreadable_file"), ("gone.jsonl", "unreadable_file"),
        ("tweets/data/tweets.js", "unreadable_file")]
    assert all("No such file" in detail for _, _, detail in issues)


@pytest.mark.parametrize("use_duckdb", [True, False])
def test_a_file_whose_name_is_not_utf8_is_reported_and_the_rest_lands(tmp_path, con,
                                                                       use_duckdb):
    """Linux names files with any bytes; DuckDB and raw take UTF-8 text only."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.jsonl").write_text(_page(TWEET) + "\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.jsonl"), "w", encoding="utf-8") as out:
        out.write(_page(dict(TWEET, id="1999")) + "\n")
    for run in ("run-1", "run-2"):  # read, and reported, at every run until renamed
        report = load_files(folder, RawLanding(con, run_id=run, source="files"),
                            use_duckdb=use_duckdb)
        assert {file.path: file.unreadable for file in report.files} == {
            "caf\ufffd.jsonl": True, **({"good.jsonl": False} if run == "run-1" else {})}
        assert (report.unreadable_files, report.skipped) == (1, 0)
    assert con.execute("select tweet_id from raw.tweets").fetchall() == [(TWEET["id"],)]
    assert con.execute("select distinct source_file, issue_kind, detail from raw.load_issues"
                       ).fetchall() == [("caf\ufffd.jsonl", "unreadable_file",
                                         "its name is not UTF-8 (shown with U+FFFD): rename it "
                                         "to read it")]


def test_a_read_that_fails_half_way_keeps_whole_batches_and_a_rerun_lands_the_rest(
        tmp_path, con, monkeypatch):
    from extractors import jsonl_pages
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(3):  # one file per batch: batches 1 and 2 land before 3 fails
        (folder / f"part-{number}.jsonl").write_text(
            _page(dict(TWEET, id=f"18{number}")) + "\n"
            + json.dumps(dict(TWEET, id=f"19{number}")) + "\n",  # a line read in Python
            encoding="utf-8")
    monkeypatch.setattr(files_source, "_BATCH_BYTES", 1)
    real_land_pages = jsonl_pages.land_pages

    def failing(landing, files):
        if files[0][1] == "part-2.jsonl":
            landing.add_tweets([tweet_record(dict(TWEET, id="182"))], datetime.now(UTC),
                               "part-2.jsonl", 1)  # staged, never committed
            raise OSError("disk gone")
        return real_land_pages(landing, files)

    monkeypatch.setattr(jsonl_pages, "land_pages", failing)
    with pytest.raises(OSError, match="disk gone"):
        _load(con, folder, "run-1")
    landed = "select tweet_id from raw.tweets order by tweet_id"
    assert con.execute(landed).fetchall() == [("180",), ("181",), ("190",), ("191",)]
    monkeypatch.setattr(jsonl_pages, "land_pages", real_land_pages)
    report = _load(con, folder, "run-2")
    # the files of the batches that landed are not read again: only part-2.jsonl is
    assert ([file.path for file in report.files], report.unchanged_files) == (
        ["part-2.jsonl"], 2)
    assert (report.tweets_read, report.tweets_landed) == (2, 2)
    assert [row[0] for row in con.execute(landed).fetchall()] == [
        "180", "181", "182", "190", "191", "192"]


def test_copies_across_batches_keep_the_first_by_file_and_line(tmp_path, con, monkeypatch):
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "b.jsonl").write_text(_page(dict(TWEET, text="first")) + "\n",
                                          encoding="utf-8")
    (folder / "a-c.jsonl").write_text(_page(dict(TWEET, text="second")) + "\n",
                                      encoding="utf-8")
    monkeypatch.setattr(files_source, "_BATCH_BYTES", 1)
    report = _load(con, folder)
    assert [file.path for file in report.files] == ["a-c.jsonl", "a/b.jsonl"]
    assert con.execute("select source_file, payload->>'$.text' from raw.tweets").fetchall() \
        == [("a-c.jsonl", "second")]


def test_a_run_that_reads_its_files_again_counts_their_problems_once(tmp_path, con,
                                                                     monkeypatch):
    """A retried extraction reads the files its first try landed again, in the same run, when
    they changed since: the summary's counts of skipped records and unreadable files stay
    those of one read, and count every skipped record, beyond the first ones a file lists in
    raw.load_issues."""
    monkeypatch.setattr(files_source, "_MAX_REPORTED_PROBLEMS", 2)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.jsonl").write_text("{not json\n" * 3 + _page(TWEET) + "\n", encoding="utf-8")
    (folder / "latin1.jsonl").write_bytes(b"\xff\xfe not utf-8\n")
    land_registry(con, [RegistryAccount(line_number=2, handle="DCLahore",
                                        department="Lahore")], "registry.csv", "run-1")
    for read in range(2):
        if read:
            _read_again(folder, "bad.jsonl")
            _read_again(folder, "latin1.jsonl")
        report = _load(con, folder)
        assert (report.skipped, report.unreadable_files, report.unchanged_files) == (3, 1, 0)
    assert con.execute("select source_file, skipped from raw.load_files order by 1").fetchall() \
        == [("bad.jsonl", 3), ("latin1.jsonl", 0)]
    problems = run_problems(con)
    assert (problems.skipped, problems.unreadable, problems.api_errors) == (3, 1, 0)
    assert problems.first == [
        "unreadable latin1.jsonl: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff "
        "in position 0: invalid start byte",
        "skipped bad.jsonl:1: not JSON (Expecting property name enclosed in double quotes "
        "at column 2)",
        "skipped bad.jsonl:2: not JSON (Expecting property name enclosed in double quotes "
        "at column 2)"]
