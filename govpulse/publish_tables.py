"""The steps both ways of publishing share (a new file, govpulse/publish.py; an updated copy
of the last one, govpulse/incremental_publish.py): the file being written opened beside the
build copy, and tables with their comments copied from the build."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from extractors.sql_text import sql_identifier, sql_literal


def attach_published(con: duckdb.DuckDBPyConnection, path: Path,
                     storage_version: str | None = None) -> None:
    """Attach ``path`` as ``published`` (a new file in ``storage_version``'s format)."""
    options = f" (storage_version '{storage_version}')" if storage_version else ""
    con.execute(f"attach {sql_literal(str(path))} as published{options}")


@contextmanager
def published_beside_build(path: Path, build_database: Path,
                           storage_version: str | None = None,
                           ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection whose current database is ``path`` (as ``published``), with the build
    copy attached read-only as ``build``; on leaving, ``path`` is checkpointed and detached."""
    with duckdb.connect() as con:
        attach_published(con, path, storage_version)
        con.execute("use published")
        con.execute(f"attach {sql_literal(str(build_database))} as build (read_only)")
        yield con
        con.execute("detach build")
        con.execute("checkpoint published")
        con.execute("use memory")
        con.execute("detach published")


def tables_in(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> list[str]:
    """The tables of ``database.schema``, by name."""
    return [row[0] for row in con.execute(
        "select table_name from duckdb_tables() where database_name = ? "
        "and schema_name = ? order by table_name", [database, schema]).fetchall()]


def copy_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """Copy ``build.<schema>.<table>`` whole into the current database."""
    name = f"{sql_identifier(schema)}.{sql_identifier(table)}"
    con.execute(f"create or replace table {name} as select * from build.{name}")


def copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """Write the build's table and column comments onto the current database's table."""
    name = f"{sql_identifier(schema)}.{sql_identifier(table)}"
    comment = con.execute("select comment from duckdb_tables() where database_name = 'build' "
                          "and schema_name = ? and table_name = ?", [schema, table]).fetchone()
    if comment and comment[0]:
        con.execute(f"comment on table {name} is {sql_literal(comment[0])}")
    for column, column_comment in con.execute(
            "select column_name, comment from duckdb_columns() where database_name = "
            "'build' and schema_name = ? and table_name = ? and comment is not null",
            [schema, table]).fetchall():
        con.execute(f"comment on column {name}.{sql_identifier(column)} is "
                    f"{sql_literal(column_comment)}")
