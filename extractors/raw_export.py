"""Export the landed raw tables as Parquet: the open raw layer every engine reads.

Layout (``GOVPULSE_RAW_DIR``, by default ``<warehouse dir>/<warehouse name>_raw``)::

    tweets/fetch_date=2026-11-24/data_0.parquet   one folder per UTC day of fetched_at
    users/fetch_date=2026-11-24/data_0.parquet
    registry/registry.parquet                     the latest registry, one file

DuckDB (``read_parquet(..., hive_partitioning = true)``) and Spark (a table over the
folder) read the same files as dbt's ``raw`` sources; so can pandas, Polars or Trino.
Landing stays insert-only, so a day's row count tells whether its partition changed:
only days whose count differs from the last export (or whose folder is missing) are
written again, each into a staging folder first and then moved into place. A crash
leaves either the old or the new folder, and the next export repairs what is missing.

The pseudonym key is not part of this open layer: it goes to a private folder beside
the build copy (``<build dir>/<warehouse name>_private``) with owner-only permissions.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from extractors.landing import insert_rows
from extractors.memory_limit import landing_memory_limit
from extractors.sql_text import sql_literal

PARTITIONED_TABLES = ("tweets", "users")
PARTITION_COLUMN = "fetch_date"
EMPTY_DAY = "1970-01-01"
# the UTC day of a fetch: the partition key, computed the same way everywhere below
FETCH_DAY = "cast(timezone('UTC', fetched_at) as date)"
# zstd's fastest level: at 10 M inbound replies, ten days of tweets took 22 s to write against
# 28 to 30 s at DuckDB's default level (3), and came out 7% smaller (docs/performance-history.md)
PARQUET_COMPRESSION = "compression zstd, compression_level 1"
# DuckDB hands a thread's rows to a partition's writer every 524,288 rows by default; with the
# payloads' text that is more than the export's memory limit holds, and the 10 M corpus's
# export took 74 s (50 s of it in the kernel) against 28 s handing them over every 131,072
# rows (26 s with a 4 GB limit instead; docs/performance-history.md)
PARTITION_FLUSH_ROWS = 131_072
EXPORTS_DDL = """create table if not exists raw.parquet_exports (
    table_name varchar not null,
    fetch_date date not null,
    row_count bigint not null,
    exported_at timestamptz not null default current_timestamp
)"""


@dataclass
class ExportReport:
    partitions_written: dict[str, list[date]] = field(default_factory=dict)
    rows_written: int = 0


def _select_columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Every column, JSON as text (a plain string column in Parquet) and the partition key."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position", [table]
    ).fetchall()
    parts = [f"cast({name} as varchar) as {name}" if kind == "JSON" else name
             for name, kind in columns]
    parts.append(f"{FETCH_DAY} as {PARTITION_COLUMN}")
    return ", ".join(parts)


def _stale_days(con: duckdb.DuckDBPyConnection, table: str, out_dir: Path) -> dict[date, int]:
    counts = dict(con.execute(
        f"select {FETCH_DAY}, count(*) from raw.{table} group by 1"
    ).fetchall())
    exported = dict(con.execute(
        "select fetch_date, row_count from raw.parquet_exports where table_name = ?", [table]
    ).fetchall())
    return {
        day: rows for day, rows in counts.items()
        if exported.get(day) != rows or not (out_dir / f"{PARTITION_COLUMN}={day}").is_dir()
    }


def _replace_dir(staged: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        retired = final.with_name(f".retired-{uuid.uuid4().hex}-{final.name}")
        os.replace(final, retired)
        os.replace(staged, final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staged, final)


def _export_partitioned(con: duckdb.DuckDBPyConnection, table: str, raw_dir: Path,
                        report: ExportReport) -> None:
    out_dir = raw_dir / table
    stale = _stale_days(con, table, out_dir)
    if not stale:
        if not any(out_dir.glob(f"{PARTITION_COLUMN}=*/*.parquet")):
            # readers need a schema even before anything is landed: an empty day
            _export_file(con, f"select {_select_columns(con, table)} from raw.{table} limit 0",
                         out_dir / f"{PARTITION_COLUMN}={EMPTY_DAY}" / "data_0.parquet")
        return
    staging = raw_dir / f".staging-{uuid.uuid4().hex}"
    days = sorted(stale)
    try:
        con.execute(
            f"copy (select {_select_columns(con, table)} from raw.{table} "
            # the range lets DuckDB skip the row groups of other days (landing appends in
            # fetch order, so their min/max rule them out); the day test alone reads them all
            f"where fetched_at >= cast($first_day as timestamp) at time zone 'UTC' "
            f"and fetched_at < cast($last_day + 1 as timestamp) at time zone 'UTC' "
            f"and {FETCH_DAY} in (select unnest($days))) "
            f"to {sql_literal(str(staging))} (format parquet, {PARQUET_COMPRESSION}, "
            f"partition_by ({PARTITION_COLUMN}), overwrite_or_ignore)",
            {"days": days, "first_day": days[0], "last_day": days[-1]}
        )
        for day in days:
            folder = f"{PARTITION_COLUMN}={day}"
            _replace_dir(staging / folder, out_dir / folder)
        con.execute("begin transaction")
        con.execute("delete from raw.parquet_exports where table_name = $table and fetch_date in "
                    "(select unnest($days))", {"table": table, "days": days})
        insert_rows(con, "raw.parquet_exports", ["table_name", "fetch_date", "row_count"],
                    [(table, day, rows) for day, rows in stale.items()])
        con.execute("commit")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.partitions_written[table] = days
    report.rows_written += sum(stale.values())


def _export_file(con: duckdb.DuckDBPyConnection, query: str, target: Path,
                 private: bool = False) -> None:
    """One table as one Parquet file, written aside and renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if private:
        os.chmod(target.parent, 0o700)
    staged = target.with_name(f".{uuid.uuid4().hex}.parquet")
    try:
        con.execute(f"copy ({query}) to {sql_literal(str(staged))} (format parquet)")
        if private:
            os.chmod(staged, 0o600)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)


def export_fetches(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> ExportReport:
    """Bring the Parquet copies of raw.tweets and raw.users up to date."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    # the same bounded memory as landing; row order within a day does not matter
    con.execute(f"set memory_limit = '{landing_memory_limit()}'")
    con.execute("set preserve_insertion_order = false")
    con.execute(f"set partitioned_write_flush_threshold = {PARTITION_FLUSH_ROWS}")
    con.execute(EXPORTS_DDL)
    report = ExportReport()
    for table in PARTITIONED_TABLES:
        _export_partitioned(con, table, raw_dir, report)
    return report


def export_registry(con: duckdb.DuckDBPyConnection, raw_dir: Path, private_dir: Path) -> None:
    """Write the registry (open layer) and the pseudonym key (private folder)."""
    _export_file(con, "select * from raw.registry order by line_number",
                 raw_dir / "registry" / "registry.parquet")
    _export_file(con, "select * from raw.pseudonym_key",
                 private_dir / "pseudonym_key" / "pseudonym_key.parquet", private=True)
