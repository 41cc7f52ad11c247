"""Publish the finished build as the warehouse readers open, with an atomic rename.

Readers (the dashboard, analysts' ``duckdb`` shells) open the published file;
the pipeline writes only the build copy. A reader therefore never blocks the
pipeline and never sees a half-built warehouse: it sees the previous complete
file until the rename, and the new complete file after it.

By default only the ``marts`` schema is published: citizens' ids and reply
texts stay in the private build copy (raw and staging). An authorised
deployment can publish everything with ``GOVPULSE_PUBLISH_RAW=true``.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from extractors.sql_text import sql_identifier, sql_literal
from govpulse.settings import STORAGE_VERSION

PUBLISH_RAW_ENV = "GOVPULSE_PUBLISH_RAW"
PUBLISHED_SCHEMAS = ("marts",)


def _attached_published(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    con.execute(f"attach {sql_literal(str(target))} as published "
                f"(storage_version '{STORAGE_VERSION}')")


def _copy_schemas(build_database: Path, target: Path, schemas: tuple[str, ...]) -> None:
    """Copy the tables of ``schemas``, with their comments, into a new file."""
    with duckdb.connect() as con:
        _attached_published(con, target)
        con.execute("use published")
        con.execute(f"attach {sql_literal(str(build_database))} as build (read_only)")
        tables = con.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "where database_name = 'build' and schema_name in (select unnest(?)) "
            "order by schema_name, table_name", [list(schemas)]).fetchall()
        for schema in schemas:
            con.execute(f"create schema if not exists {sql_identifier(schema)}")
        for schema, table, comment in tables:
            name = f"{sql_identifier(schema)}.{sql_identifier(table)}"
            con.execute(f"create table {name} as select * from build.{name}")
            if comment:
                con.execute(f"comment on table {name} is {sql_literal(comment)}")
            for column, column_comment in con.execute(
                    "select column_name, comment from duckdb_columns() where database_name = "
                    "'build' and schema_name = ? and table_name = ? and comment is not null",
                    [schema, table]).fetchall():
                con.execute(f"comment on column {name}.{sql_identifier(column)} is "
                            f"{sql_literal(column_comment)}")
        con.execute("detach build")
        con.execute("checkpoint published")
        con.execute("use memory")
        con.execute("detach published")


def _copy_database(build_database: Path, target: Path) -> None:
    """Copy the whole build (every schema, table, view and comment) into a new file."""
    with duckdb.connect() as con:
        _attached_published(con, target)
        con.execute(f"attach {sql_literal(str(build_database))} as build (read_only)")
        con.execute("copy from database build to published")
        con.execute("detach build")
        con.execute("checkpoint published")
        con.execute("detach published")


def publish(build_database: Path, warehouse: Path, *, include_raw: bool = False) -> Path:
    """Write the published copy beside ``warehouse`` and rename it into place."""
    if not build_database.exists():
        raise FileNotFoundError(f"nothing to publish: {build_database} does not exist")
    # Fold the write-ahead log into the file so the build is complete on disk.
    with duckdb.connect(str(build_database)) as con:
        con.execute("checkpoint")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    staging = warehouse.with_name(f".{warehouse.name}.publishing-{os.getpid()}")
    try:
        staging.unlink(missing_ok=True)
        if include_raw:
            # rewritten rather than copied byte for byte: the published file is in
            # STORAGE_VERSION's format whatever the build copy's (one created by an earlier
            # govpulse is in DuckDB 2's, which the `duckdb` shell, 1.x, cannot open)
            _copy_database(build_database, staging)
        else:
            _copy_schemas(build_database, staging, PUBLISHED_SCHEMAS)
        with staging.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, warehouse)
    finally:
        staging.unlink(missing_ok=True)
        staging.with_name(staging.name + ".wal").unlink(missing_ok=True)
    return warehouse


def include_raw_from_env() -> bool:
    return (os.environ.get(PUBLISH_RAW_ENV) or "").strip().lower() in ("1", "true", "yes")
