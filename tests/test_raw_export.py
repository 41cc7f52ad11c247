"""The Parquet raw layer: one folder per fetch day, rewritten only when its day changed,
repaired after a crash or a deleted folder, readable before anything is landed, and the
pseudonym key kept out of it."""

from __future__ import annotations

import stat
from pathlib import Path

import duckdb
import pytest

from extractors.landing import ensure_pseudonym_key, ensure_raw_schema
from extractors.raw_export import export_fetches, export_registry


def _insert_tweets(con: duckdb.DuckDBPyConnection, day: str, count: int, start: int = 0) -> None:
    con.executemany(
        "insert into raw.tweets values (?, 'a1', ?, ?, ?, 'files', 'f.jsonl', ?, 'run', now())",
        [[str(start + n), f"{day} 10:00:00+00", f'{{"id": "{start + n}", "text": "hi"}}',
          f"{day} 12:00:00+00", n + 1] for n in range(count)])


@pytest.fixture
def con(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        ensure_raw_schema(con)
        yield con


def _read(raw_dir: Path, table: str) -> list[tuple]:
    with duckdb.connect() as reader:
        return reader.execute(
            f"select fetch_date::varchar, count(*) "
            f"from read_parquet('{raw_dir}/{table}/**/*.parquet') group by all order by all"
        ).fetchall()


def test_days_are_partitions_and_only_changed_days_are_rewritten(con, tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    _insert_tweets(con, "2026-11-23", 3)
    _insert_tweets(con, "2026-11-24", 2, start=100)
    first = export_fetches(con, raw_dir)
    assert [str(day) for day in first.partitions_written["tweets"]] == [
        "2026-11-23", "2026-11-24"]
    assert _read(raw_dir, "tweets") == [("2026-11-23", 3), ("2026-11-24", 2)]
    kept = (raw_dir / "tweets" / "fetch_date=2026-11-23").stat().st_ino

    assert export_fetches(con, raw_dir).partitions_written == {}

    _insert_tweets(con, "2026-11-24", 1, start=200)
    _insert_tweets(con, "2026-11-25", 4, start=300)
    third = export_fetches(con, raw_dir)
    assert [str(day) for day in third.partitions_written["tweets"]] == [
        "2026-11-24", "2026-11-25"]
    assert third.rows_written == 3 + 4
    assert (raw_dir / "tweets" / "fetch_date=2026-11-23").stat().st_ino == kept
    assert _read(raw_dir, "tweets") == [("2026-11-23", 3), ("2026-11-24", 3), ("2026-11-25", 4)]
    assert not list(raw_dir.glob(".staging-*")) and not list(raw_dir.glob("**/.retired-*"))


def test_a_lost_folder_or_an_unrecorded_export_is_repaired(con, tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    _insert_tweets(con, "2026-11-23", 3)
    _insert_tweets(con, "2026-11-24", 2, start=100)
    export_fetches(con, raw_dir)
    # a folder deleted by hand, and a crash after the files moved but before the record
    for path in (raw_dir / "tweets" / "fetch_date=2026-11-23").iterdir():
        path.unlink()
    (raw_dir / "tweets" / "fetch_date=2026-11-23").rmdir()
    con.execute("delete from raw.parquet_exports where fetch_date = date '2026-11-24'")
    repaired = export_fetches(con, raw_dir)
    assert [str(day) for day in repaired.partitions_written["tweets"]] == [
        "2026-11-23", "2026-11-24"]
    assert _read(raw_dir, "tweets") == [("2026-11-23", 3), ("2026-11-24", 2)]


def test_an_empty_table_still_gives_readers_its_columns(con, tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    export_fetches(con, raw_dir)
    with duckdb.connect() as reader:
        columns = [row[0] for row in reader.execute(
            f"describe select * from read_parquet('{raw_dir}/tweets/**/*.parquet')").fetchall()]
        rows = reader.execute(
            f"select count(*) from read_parquet('{raw_dir}/users/**/*.parquet')").fetchone()
    assert {"tweet_id", "payload", "fetched_at", "landed_at", "fetch_date"} <= set(columns)
    assert rows == (0,)


def test_json_payloads_are_plain_text_columns_compressed_with_zstd(con, tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    _insert_tweets(con, "2026-11-23", 1)
    export_fetches(con, raw_dir)
    with duckdb.connect() as reader:
        kinds = dict(reader.execute(
            f"select name, converted_type from parquet_schema('{raw_dir}/tweets/*/*.parquet')"
        ).fetchall())
        codecs = reader.execute(
            f"select distinct compression from parquet_metadata('{raw_dir}/tweets/*/*.parquet')"
        ).fetchall()
    assert kinds["payload"] == "UTF8"
    assert codecs == [("ZSTD",)]


def test_the_pseudonym_key_stays_out_of_the_open_layer(con, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVPULSE_PSEUDONYM_KEY", "secret-key-for-this-test")
    ensure_pseudonym_key(con)
    con.execute("insert into raw.registry values (1, 'MoH', 'Health', null, null, null, null, "
                "null, null, 'registry.csv', 'run')")
    raw_dir, private = tmp_path / "raw", tmp_path / "build" / "private"
    export_registry(con, raw_dir, private)
    key_file = private / "pseudonym_key" / "pseudonym_key.parquet"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert sorted(path.name for path in raw_dir.iterdir()) == ["registry"]
    with duckdb.connect() as reader:
        assert reader.execute(
            f"select handle from read_parquet('{raw_dir}/registry/**/*.parquet')").fetchall() == [
            ("MoH",)]
