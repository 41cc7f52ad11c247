"""A day's publish updates a copy of the last published file, and equals a new file whenever it
does; anything it cannot vouch for is copied whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from govpulse.incremental_publish import FACT_KEYS, state_file
from govpulse.publish import publish

DAY_1 = "2026-11-24 00:00:00"
DAY_2 = "2026-11-25 00:00:00"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A build copy with one fact (key, built_at, a figure) and one small mart."""
    path = tmp_path / ".govpulse-build" / "govpulse.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema raw")
        con.execute("create table raw.tweets as select 'citizen text' as tweet_text")
        con.execute(f"create table marts.fct_posts as select cast(i as varchar) as tweet_id, "
                    f"timestamp '{DAY_1}' as built_at, i * 10 as likes from range(1000) t(i)")
        con.execute("comment on table marts.fct_posts is 'one row per post'")
        con.execute("comment on column marts.fct_posts.likes is 'likes so far'")
        con.execute("create table marts.fct_inbound_replies as select cast(i as varchar) "
                    f"as inbound_tweet_id, timestamp '{DAY_1}' as built_at, false as is_answered "
                    "from range(500) t(i)")
        con.execute("create table marts.scores as select 1 as score")
    return path


def _rows(path: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select * from marts.{table} order by all").fetchall()


def _comments(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select table_name, column_name, comment from duckdb_columns() "
                           "where schema_name = 'marts' union all select table_name, null, "
                           "comment from duckdb_tables() order by all").fetchall()


def _tables(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select schema_name, table_name from duckdb_tables() "
                           "order by all").fetchall()


def _next_day(build: Path) -> None:
    """A daily run: 10 rows rewritten, 5 new ones, the small mart recomputed."""
    with duckdb.connect(str(build)) as con:
        con.execute("delete from marts.fct_posts where tweet_id in "
                    "(select cast(i as varchar) from range(990, 1000) t(i))")
        con.execute(f"insert into marts.fct_posts select cast(i as varchar), "
                    f"timestamp '{DAY_2}', i * 11 from range(990, 1005) t(i)")
        con.execute("update marts.fct_inbound_replies set is_answered = true, "
                    f"built_at = timestamp '{DAY_2}' where inbound_tweet_id = '3'")
        con.execute("create or replace table marts.scores as select 2 as score")


ALL_TABLES = ("fct_inbound_replies", "fct_posts", "scores")


def _assert_same_as_a_new_file(build: Path, published: Path, tmp_path: Path,
                               tables: tuple[str, ...] = ALL_TABLES) -> None:
    """``published`` holds what a new file of ``build`` holds: ``tables``, their rows and
    their comments."""
    fresh = publish(build, tmp_path / "fresh" / "govpulse.duckdb")
    assert fresh.mode == "rewritten"
    for table in tables:
        assert _rows(published, table) == _rows(fresh.path, table)
    assert _comments(published) == _comments(fresh.path)
    assert _tables(published) == _tables(fresh.path) == [("marts", table) for table in tables]


def test_a_day_updates_the_last_published_file(build, tmp_path):
    warehouse = tmp_path / "govpulse.duckdb"
    first = publish(build, warehouse)
    assert first.mode == "rewritten"
    assert first.copied_tables == ["fct_inbound_replies", "fct_posts", "scores"]
    _next_day(build)
    with duckdb.connect(str(build)) as con:  # the docs changed too
        con.execute("comment on column marts.fct_posts.likes is 'likes at the last fetch'")
    day = publish(build, warehouse)
    assert day.mode == "updated"
    assert day.updated_rows == {"fct_inbound_replies": 1, "fct_posts": 15}
    assert day.copied_tables == ["scores"]
    assert day.path == warehouse
    assert day.summary() == "updated the last published file: fct_inbound_replies +1 rows, " \
                            "fct_posts +15 rows; copied whole: scores"
    assert _rows(warehouse, "fct_posts")[-1] == ("999", _rows(build, "fct_posts")[-1][1], 10989)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".govpulse-build", "govpulse.duckdb"]  # no staging file left
    _assert_same_as_a_new_file(build, warehouse, tmp_path)


@pytest.mark.parametrize("change, because", [
    ("a row lost", "fct_posts's other rows differ from the build's"),
    ("a column added", "fct_posts's columns changed"),
    ("every row rewritten", "most of fct_posts's rows are new"),
    ("a fact no longer built", "fct_inbound_replies's columns changed"),
])
def test_facts_their_new_rows_do_not_make_the_builds_are_rewritten(build, tmp_path, change,
                                                                     because):
    warehouse = tmp_path / "govpulse.duckdb"
    publish(build, warehouse)
    _next_day(build)
    with duckdb.connect(str(build)) as con:
        if change == "a row lost":  # not by a run, so no row with a later built_at says so
            con.execute("delete from marts.fct_posts where tweet_id = '7'")
        elif change == "a column added":
            con.execute("alter table marts.fct_posts add column shares integer")
        elif change == "every row rewritten":  # as a full refresh does
            con.execute(f"update marts.fct_posts set built_at = timestamp '{DAY_2}'")
        else:
            con.execute("drop table marts.fct_inbound_replies")
    day = publish(build, warehouse)
    assert (day.mode, day.rewritten_because) == ("rewritten", because)
    _assert_same_as_a_new_file(build, warehouse, tmp_path, ALL_TABLES[1:]
                               if change == "a fact no longer built" else ALL_TABLES)


def test_a_fact_without_built_at_is_rewritten(build, tmp_path):
    warehouse = tmp_path / "govpulse.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("alter table marts.fct_posts drop column built_at")
    publish(build, warehouse)
    report = publish(build, warehouse)
    assert (report.mode, report.rewritten_because) == ("rewritten", "fct_posts has no built_at")


def test_a_table_no_longer_built_is_dropped(build, tmp_path):
    warehouse = tmp_path / "govpulse.duckdb"
    publish(build, warehouse)
    with duckdb.connect(str(build)) as con:
        con.execute("create table marts.old as select 1 as x")
    publish(build, warehouse)
    assert ("marts", "old") in _tables(warehouse)
    with duckdb.connect(str(build)) as con:
        con.execute("drop table marts.old")
    assert publish(build, warehouse).mode == "updated"
    _assert_same_as_a_new_file(build, warehouse, tmp_path)


@pytest.mark.parametrize("change, because", [
    ("written to", "the published file was written to since the last publish"),
    ("write-ahead log", "the published file was written to since the last publish"),
    ("no record", "no earlier publish recorded"),
    ("with raw", "no earlier publish recorded"),
    ("grown", "the published file grew by more than 25% since it was last written whole"),
])
def test_a_published_file_publish_cannot_vouch_for_is_rewritten(build, tmp_path, change,
                                                                 because):
    warehouse = tmp_path / "govpulse.duckdb"
    publish(build, warehouse)
    if change == "written to":  # someone opened it for writing
        with duckdb.connect(str(warehouse)) as con:
            con.execute("insert into marts.scores values (99)")
    elif change == "write-ahead log":
        warehouse.with_name(warehouse.name + ".wal").write_bytes(b"")
    elif change == "no record":
        state_file(build).unlink()
    elif change == "with raw":  # the next marts-only publish must not keep raw
        publish(build, warehouse, include_raw=True)
        assert ("raw", "tweets") in _tables(warehouse)
    else:  # as if deleted rows had made it 30% larger than when it was last written whole
        state = json.loads(state_file(build).read_text(encoding="utf-8"))
        state["rewritten_size"] = int(state["size"] / 1.3)
        state_file(build).write_text(json.dumps(state), encoding="utf-8")
    _next_day(build)
    report = publish(build, warehouse)
    assert (report.mode, report.rewritten_because) == ("rewritten", because)
    assert report.summary() == f"rewrote 3 tables ({because})"
    if change == "write-ahead log":
        warehouse.with_name(warehouse.name + ".wal").unlink()
    # the next publish updates the file just written, whose whole size is recorded
    state = json.loads(state_file(build).read_text(encoding="utf-8"))
    assert state["rewritten_size"] == state["size"] == warehouse.stat().st_size
    assert publish(build, warehouse).mode == "updated"
    _assert_same_as_a_new_file(build, warehouse, tmp_path)


def test_a_writer_holding_the_published_file_makes_it_rewritten(build, tmp_path):
    warehouse = tmp_path / "govpulse.duckdb"
    publish(build, warehouse)
    before = os.stat(warehouse)
    _next_day(build)
    # another process's read-write connection, holding the file's lock
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); sys.stdin.read()", str(warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        # the record still matches (DuckDB has not written the file yet): the lock decides
        assert os.stat(warehouse).st_mtime_ns == before.st_mtime_ns
        report = publish(build, warehouse)
        assert report.rewritten_because == "another process holds the published file for " \
                                           "writing"
    finally:
        writer.communicate("", timeout=30)
    _assert_same_as_a_new_file(build, warehouse, tmp_path)


def test_the_fact_keys_are_the_models_unique_keys():
    models = Path(__file__).resolve().parent.parent / "dbt_project" / "models" / "marts"
    for table, key in FACT_KEYS.items():
        sql = (models / f"{table}.sql").read_text(encoding="utf-8")
        assert f"unique_key='{key}'" in sql
        columns = yaml.safe_load((models / f"{table}.yml").read_text(encoding="utf-8"))
        names = [column["name"] for column in columns["models"][0]["columns"]]
        assert key in names and "built_at" in names
