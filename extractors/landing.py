"""Land raw records in the DuckDB warehouse, idempotently.

Rows are staged in temporary tables while a source is read and enter the
``raw`` tables in one transaction at ``commit()``: a crash before it lands
nothing of what was staged (the next run reads the same input again), and a
record already landed with the same fetch time is never landed twice (of copies
staged together, the first by file, line and place in the line: a page's ``data``
before its ``includes``), nor is a record read again from the file and line it was
landed from, unchanged (a file that grew). The newest fetch of a tweet wins
downstream (staging), so the raw tables keep every distinct fetch.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd
import pyarrow as pa

from extractors.memory_limit import landing_memory_limit
from extractors.registry import RegistryAccount
from extractors.x_records import TweetRecord, UserRecord

BATCH_ROWS = 20_000

# The payloads are stored with zstd rather than the string compression DuckDB would pick per
# segment: on X payloads that writes in half the time and stores 2.5 times fewer bytes
# (docs/performance-history.md). Tables created before keep their compression; both read the same.
RAW_DDL = [
    "create schema if not exists raw",
    """create table if not exists raw.tweets (
        tweet_id varchar not null,
        author_id varchar not null,
        created_at timestamptz not null,
        payload json not null using compression zstd,
        fetched_at timestamptz not null,
        source varchar not null,
        source_file varchar,
        source_line bigint,
        run_id varchar not null,
        landed_at timestamptz not null
    )""",
    """create table if not exists raw.users (
        user_id varchar not null,
        username varchar not null,
        payload json not null using compression zstd,
        fetched_at timestamptz not null,
        source varchar not null,
        source_file varchar,
        source_line bigint,
        run_id varchar not null,
        landed_at timestamptz not null
    )""",
    """create table if not exists raw.registry (
        line_number integer not null,
        handle varchar not null,
        department varchar not null,
        account_id varchar,
        display_name varchar,
        ministry varchar,
        level varchar,
        account_type varchar,
        timezone varchar,
        registry_file varchar not null,
        run_id varchar not null
    )""",
    """create table if not exists raw.load_issues (
        run_id varchar not null,
        source varchar not null,
        source_file varchar,
        source_line bigint,
        issue_kind varchar not null,
        detail varchar not null,
        recorded_at timestamptz not null default current_timestamp
    )""",
    """create table if not exists raw.x_watermarks (
        account_id varchar not null,
        stream varchar not null,
        since_id varchar not null,
        updated_at timestamptz not null,
        run_id varchar not null
    )""",
    """create table if not exists raw.account_status (
        handle varchar not null,
        account_id varchar,
        status varchar not null,
        reason varchar,
        checked_at timestamptz not null,
        run_id varchar not null
    )""",
    """create table if not exists raw.pseudonym_key (
        pseudonym_key varchar not null
    )""",
    """create table if not exists raw.load_files (
        run_id varchar not null,
        source varchar not null,
        source_file varchar not null,
        file_kind varchar not null,
        tweets bigint not null,
        users bigint not null,
        skipped bigint not null,
        loaded_at timestamptz not null default current_timestamp,
        file_bytes bigint,
        file_modified_ns bigint,
        reader_version integer
    )""",
    # what the files source needs to know a file it landed is unchanged (build copies made
    # before these columns have none: their files are read once more)
    "alter table raw.load_files add column if not exists file_bytes bigint",
    "alter table raw.load_files add column if not exists file_modified_ns bigint",
    "alter table raw.load_files add column if not exists reader_version integer",
]

_STAGE_DDL = [
    """create or replace temp table stage_tweets (
        tweet_id varchar, author_id varchar, created_at timestamptz, payload json,
        fetched_at timestamptz, source_file varchar, source_line bigint,
        source_position bigint)""",
    """create or replace temp table stage_users (
        user_id varchar, username varchar, payload json,
        fetched_at timestamptz, source_file varchar, source_line bigint,
        source_position bigint)""",
]

# Of the copies of a record staged together, the first by file, line and place in the line
# (``source_position``: increasing in the order the line's records are read); none ``raw`` holds.
_LAND_STAGED = """
insert into raw.{table}
select {columns}, fetched_at, $source, source_file, source_line, $run_id, $landed_at
from stage_{table} as staged
where rowid in (
    select arg_min(rowid, {{'file': source_file, 'line': source_line,
                            'position': source_position}})
    from stage_{table}
    group by {key}, fetched_at
)
  and not exists (
    select 1 from raw.{table} as landed
    where landed.{key} = staged.{key}
      and landed.fetched_at = staged.fetched_at
      -- lets DuckDB skip the row groups fetched at other times (ruled out by min/max)
      and landed.fetched_at between (select min(fetched_at) from stage_{table})
                                and (select max(fetched_at) from stage_{table})
)
"""


# Of the records read again from files landed before (a file that grew, an archive whose
# account.js changed), those identical to one landed from the same line of the same file: the
# same record, not a newer fetch, though a record that does not say when it was fetched (no
# __twarc.retrieved_at) is dated by its file, whose time moved. (So a file written again whose
# record went back to what it was before a newer fetch elsewhere keeps that newer one.)
_DROP_READ_AGAIN = """
delete from stage_{table} as staged
using raw.{table} as landed
where landed.source = $source
  and landed.source_file in (select source_file from files_read)
  and landed.source_file = staged.source_file
  and landed.source_line = staged.source_line
  and landed.{key} = staged.{key}
  and landed.payload = staged.payload
"""


# A commit's landed_at: now, unless the clock was set back to or before rows already landed
# (the incremental models read on from the newest landed_at they saw: rows landed "earlier"
# would never be read); then just after those rows.
_LANDING_TIME = """
select greatest(current_timestamp,
                (select max(landed_at) from raw.tweets) + interval 1 microsecond,
                (select max(landed_at) from raw.users) + interval 1 microsecond)
"""


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: commit when the block ends, roll back if it raises."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, columns: list[str],
                rows: list[tuple]) -> None:
    """Insert many rows in one statement (``executemany`` goes row by row: 10 s for 15,000)."""
    if rows:
        con.register("landing_rows", pd.DataFrame(rows, columns=columns, dtype=object))
        con.execute(f"insert into {table} ({', '.join(columns)}) select * from landing_rows")
        con.unregister("landing_rows")


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in RAW_DDL:
        con.execute(statement)


@dataclass
class LandedCounts:
    tweets: int = 0
    users: int = 0


class RawLanding:
    """Collects records from one source run and lands them atomically."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, run_id: str, source: str) -> None:
        self.con = con
        self.run_id = run_id
        self.source = source
        con.execute(f"set memory_limit = '{landing_memory_limit()}'")
        con.execute("set enable_progress_bar = false")
        con.execute("set preserve_insertion_order = false")  # rows carry file and line
        ensure_raw_schema(con)
        for statement in _STAGE_DDL:
            con.execute(statement)
        self._tweets: list[tuple] = []
        self._users: list[tuple] = []
        self._issues: list[tuple] = []
        self._files: list[tuple] = []
        self._position = 0  # staging order of the records read in Python

    def _next_position(self) -> int:
        self._position += 1
        return self._position

    def add_tweets(self, records: Iterable[TweetRecord], fetched_at: datetime,
                   source_file: str | None, source_line: int | None) -> None:
        fetched = fetched_at.isoformat()
        for record in records:
            self._tweets.append((record.tweet_id, record.author_id, record.created_at.isoformat(),
                                 record.payload, fetched, source_file, source_line,
                                 self._next_position()))
        if len(self._tweets) >= BATCH_ROWS:
            self._flush_tweets()

    def add_users(self, records: Iterable[UserRecord], fetched_at: datetime,
                  source_file: str | None, source_line: int | None) -> None:
        fetched = fetched_at.isoformat()
        for record in records:
            self._users.append((record.user_id, record.username, record.payload, fetched,
                                source_file, source_line, self._next_position()))
        if len(self._users) >= BATCH_ROWS:
            self._flush_users()

    def add_issue(self, source_file: str | None, source_line: int | None, kind: str,
                  detail: str) -> None:
        self._issues.append((self.run_id, self.source, source_file, source_line, kind, detail))

    def add_file(self, source_file: str, file_kind: str, tweets: int, users: int,
                 skipped: int, file_bytes: int | None = None,
                 file_modified_ns: int | None = None,
                 reader_version: int | None = None) -> None:
        self._files.append((self.run_id, self.source, source_file, file_kind, tweets, users,
                            skipped, file_bytes, file_modified_ns, reader_version))

    def files_not_landed(self, listing: Iterable[tuple[list[str], list[int | None],
                                                       list[int | None]]],
                         reader_version: int
                         ) -> tuple[int, list[tuple[int, str, int | None, int | None]]]:
        """How many files were listed, and those of them not landed by a run that read them
        with the same size and modification time, by the same version of the reader: (place
        in the listing, name, bytes, modification time in ns), in order of name.

        ``listing`` comes in chunks of columns (names, bytes, times; None for a file gone):
        a folder of millions of landed files goes to DuckDB a chunk at a time and only the
        files to read come back, so Python holds a chunk, not the folder (and columns of text
        and numbers give its garbage collector nothing to walk, where a tuple a file did).
        The order of name is Python's: that of the names' UTF-8 bytes, which sort as their
        code points, whatever the connection's collation."""
        self.con.execute("create or replace temp table files_listed (position bigint, "
                         "source_file varchar, file_bytes bigint, file_modified_ns bigint)")
        try:
            listed = 0
            for names, sizes, modified in listing:
                self.con.register("files_listed_chunk", pa.table({
                    "position": pa.array(range(listed, listed + len(names)), pa.int64()),
                    "source_file": pa.array(names, pa.string()),
                    "file_bytes": pa.array(sizes, pa.int64()),
                    "file_modified_ns": pa.array(modified, pa.int64())}))
                self.con.execute("insert into files_listed select * from files_listed_chunk")
                self.con.unregister("files_listed_chunk")
                listed += len(names)
            return listed, self.con.execute(
                "select listed.position, listed.source_file, listed.file_bytes, "
                "listed.file_modified_ns "
                "from files_listed as listed "
                "anti join raw.load_files as landed "
                "on landed.source = ? and landed.reader_version = ? "
                "and landed.source_file = listed.source_file "
                "and landed.file_bytes = listed.file_bytes "
                "and landed.file_modified_ns = listed.file_modified_ns "
                "order by encode(listed.source_file), listed.position",
                [self.source, reader_version]).fetchall()
        finally:
            self.con.execute("drop table if exists files_listed")

    def stage_sql(self, *, tweets: str, users: str) -> None:
        """Stage rows selected by SQL on this connection (the stage tables' column order)."""
        self.con.execute(f"insert into stage_tweets {tweets}")
        self.con.execute(f"insert into stage_users {users}")

    def _flush_tweets(self) -> None:
        if self._tweets:
            frame = pd.DataFrame(self._tweets, columns=[
                "tweet_id", "author_id", "created_at", "payload", "fetched_at", "source_file",
                "source_line", "source_position"], dtype=object)
            self.con.register("tweet_batch", frame)
            self.con.execute("insert into stage_tweets select * from tweet_batch")
            self.con.unregister("tweet_batch")
            self._tweets.clear()

    def _flush_users(self) -> None:
        if self._users:
            frame = pd.DataFrame(self._users, columns=[
                "user_id", "username", "payload", "fetched_at", "source_file", "source_line",
                "source_position"], dtype=object)
            self.con.register("user_batch", frame)
            self.con.execute("insert into stage_users select * from user_batch")
            self.con.unregister("user_batch")
            self._users.clear()

    @contextmanager
    def _files_read(self) -> Iterator[None]:
        """The files recorded since the last commit, as the view ``files_read``, for the
        commit's two looks at them (records read again, a retry's earlier reads)."""
        self.con.register("files_read", pd.DataFrame(
            {"source_file": [row[2] for row in self._files]}, dtype=object))
        try:
            yield
        finally:
            self.con.unregister("files_read")

    def _drop_records_read_again(self) -> None:
        """Unstage the records of files landed before that are unchanged at their line
        (``_DROP_READ_AGAIN``): of a file that grew, only its new records land. Looked for
        only when a file read (``files_read``) was landed before under its name
        (``raw.load_files``): a file that grew, or a day's folder holding the names of the
        one before."""
        # fetched to the end: DuckDB keeps a view registered under an unfinished result
        if self.con.execute("select count(*) from raw.load_files where source = ? "
                            "and source_file in (select source_file from files_read)",
                            [self.source]).fetchall()[0][0]:
            for table, key in (("tweets", "tweet_id"), ("users", "user_id")):
                self.con.execute(_DROP_READ_AGAIN.format(table=table, key=key),
                                 {"source": self.source})

    def _forget_earlier_reads(self) -> None:
        """Drop what this run recorded before about the files read again (a retried
        extraction reads the committed batches again): each file is counted once a run."""
        for table in ("raw.load_issues", "raw.load_files"):
            self.con.execute(f"delete from {table} where run_id = ? and source = ? "
                             "and source_file in (select source_file from files_read)",
                             [self.run_id, self.source])

    def commit(self) -> LandedCounts:
        """Move everything staged into ``raw`` in one transaction; return the new rows."""
        self._flush_tweets()
        self._flush_users()
        counts = LandedCounts()
        with self._files_read() if self._files else nullcontext():
            if self._files:
                self._drop_records_read_again()
            with _transaction(self.con):
                params = {"source": self.source, "run_id": self.run_id,
                          "landed_at": self.con.execute(_LANDING_TIME).fetchone()[0]}
                counts.tweets = self.con.execute(_LAND_STAGED.format(
                    table="tweets", key="tweet_id",
                    columns="tweet_id, author_id, created_at, payload"), params).fetchone()[0]
                counts.users = self.con.execute(_LAND_STAGED.format(
                    table="users", key="user_id", columns="user_id, username, payload"),
                    params).fetchone()[0]
                if self._files:
                    self._forget_earlier_reads()
                insert_rows(self.con, "raw.load_issues", [
                    "run_id", "source", "source_file", "source_line", "issue_kind", "detail"],
                    self._issues)
                insert_rows(self.con, "raw.load_files", [
                    "run_id", "source", "source_file", "file_kind", "tweets", "users",
                    "skipped", "file_bytes", "file_modified_ns", "reader_version"], self._files)
        self.con.execute("delete from stage_tweets")
        self.con.execute("delete from stage_users")
        self._issues.clear()
        self._files.clear()
        return counts


def land_registry(con: duckdb.DuckDBPyConnection, accounts: list[RegistryAccount],
                  registry_file: str, run_id: str) -> int:
    """Replace ``raw.registry`` with the validated registry (it is current truth, not history)."""
    ensure_raw_schema(con)
    rows = [(account.line_number, account.handle, account.department, account.account_id,
             account.display_name, account.ministry, account.level, account.account_type,
             account.timezone, registry_file, run_id) for account in accounts]
    with _transaction(con):
        con.execute("delete from raw.registry")
        insert_rows(con, "raw.registry", [
            "line_number", "handle", "department", "account_id", "display_name", "ministry",
            "level", "account_type", "timezone", "registry_file", "run_id"], rows)
    return len(rows)


def read_watermarks(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, datetime]]:
    """(account_id, stream) -> (since_id, updated_at) for the X API source."""
    ensure_raw_schema(con)
    rows = con.execute("select account_id, stream, since_id, updated_at from raw.x_watermarks")
    return {(account, stream): (since_id, updated) for account, stream, since_id, updated
            in rows.fetchall()}


def save_watermark(con: duckdb.DuckDBPyConnection, account_id: str, stream: str, since_id: str,
                   run_id: str, updated_at: datetime) -> None:
    """Advance a watermark; called only once every page up to ``since_id`` is landed."""
    with _transaction(con):
        con.execute("delete from raw.x_watermarks where account_id = ? and stream = ?",
                    [account_id, stream])
        con.execute("insert into raw.x_watermarks values (?, ?, ?, ?, ?)",
                    [account_id, stream, since_id, updated_at, run_id])


def save_account_status(con: duckdb.DuckDBPyConnection,
                        statuses: list[tuple[str, str | None, str, str | None]],
                        run_id: str) -> None:
    """Replace the status of the handles checked: (handle, account_id, status, reason)."""
    ensure_raw_schema(con)
    with _transaction(con):
        con.execute("delete from raw.account_status")
        if statuses:
            con.executemany("insert into raw.account_status values "
                            "(?, ?, ?, ?, current_timestamp, ?)",
                            [(*status, run_id) for status in statuses])


PSEUDONYM_KEY_ENV = "GOVPULSE_PSEUDONYM_KEY"


def ensure_pseudonym_key(con: duckdb.DuckDBPyConnection) -> None:
    """The key citizens' ids are hashed with before they reach the marts.

    From ``GOVPULSE_PSEUDONYM_KEY`` when set, else a random key made once and kept in the
    private build copy only (the published warehouse holds pseudonyms, never the key).
    """
    ensure_raw_schema(con)
    wanted = (os.environ.get(PSEUDONYM_KEY_ENV) or "").strip()
    current = con.execute("select pseudonym_key from raw.pseudonym_key").fetchall()
    if current and (not wanted or current[0][0] == wanted):
        return
    with _transaction(con):
        con.execute("delete from raw.pseudonym_key")
        con.execute("insert into raw.pseudonym_key values (?)",
                    [wanted or secrets.token_hex(32)])
