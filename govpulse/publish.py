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
from govpulse.incremental_publish import (
    NotTheBuilds,
    PublishReport,
    copy_last_published,
    record_published,
    state_file,
    update_copy,
)
from govpulse.publish_tables import (
    attach_published,
    copy_comments,
    copy_table,
    published_beside_build,
    tables_in,
)
from govpulse.settings import STORAGE_VERSION, WAREHOUSE_ENV

PUBLISH_RAW_ENV = "GOVPULSE_PUBLISH_RAW"
PUBLISHED_SCHEMAS = ("marts",)
# a DuckDB file's main header: an 8-byte checksum, then these bytes
DUCKDB_MAGIC_BYTES = b"DUCK"


class NotReplaceable(ValueError):
    """The warehouse path holds something that publishing would destroy."""


def check_replaceable(warehouse: Path) -> None:
    """Refuse a warehouse path that publishing could not or should not replace: a folder, or a
    file with content that is not a DuckDB database (a mistyped path onto a document, say).
    A DuckDB file there is taken to be the warehouse published before; an empty file holds
    nothing to lose."""
    where = f"choose another --warehouse (or {WAREHOUSE_ENV})"
    if warehouse.is_dir():
        raise NotReplaceable(f"{warehouse} is a folder; the warehouse is the .duckdb file to "
                             f"publish: {where}")
    try:
        with warehouse.open("rb") as handle:
            header = handle.read(12)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise NotReplaceable(f"{warehouse} cannot be read to check that it is a DuckDB database "
                             f"({exc.strerror}): {where}") from exc
    if header and header[8:12] != DUCKDB_MAGIC_BYTES:
        raise NotReplaceable(f"{warehouse} exists and is not a DuckDB database; publishing "
                             f"would replace it: {where}, or move the file away")


def _copy_schemas(build_database: Path, target: Path, schemas: tuple[str, ...]) -> list[str]:
    """Copy the tables of ``schemas``, with their comments, into a new file."""
    copied = []
    with published_beside_build(target, build_database, STORAGE_VERSION) as con:
        for schema in schemas:
            con.execute(f"create schema if not exists {sql_identifier(schema)}")
            for table in tables_in(con, "build", schema):
                copy_table(con, schema, table)
                copy_comments(con, schema, table)
                copied.append(table)
    return copied


def _copy_database(build_database: Path, target: Path) -> None:
    """Copy the whole build (every schema, table, view and comment) into a new file."""
    with duckdb.connect() as con:
        attach_published(con, target, STORAGE_VERSION)
        con.execute(f"attach {sql_literal(str(build_database))} as build (read_only)")
        con.execute("copy from database build to published")
        con.execute("detach build")
        con.execute("checkpoint published")
        con.execute("detach published")


def _remove(database: Path) -> None:
    """Remove a DuckDB file and its write-ahead log, if there."""
    database.unlink(missing_ok=True)
    database.with_name(database.name + ".wal").unlink(missing_ok=True)


def publish(build_database: Path, warehouse: Path, *,
            include_raw: bool = False) -> PublishReport:
    """Write the published copy beside ``warehouse`` and rename it into place.

    The marts are written into a copy of the last published file when it is unchanged since
    (govpulse/incremental_publish.py), else into a new file."""
    if not build_database.exists():
        raise FileNotFoundError(f"nothing to publish: {build_database} does not exist")
    check_replaceable(warehouse)
    # Fold the write-ahead log into the file so the build is complete on disk.
    with duckdb.connect(str(build_database)) as con:
        con.execute("checkpoint")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    staging = warehouse.with_name(f".{warehouse.name}.publishing-{os.getpid()}")
    try:
        staging.unlink(missing_ok=True)
        report = None
        if include_raw:
            # a publish with raw leaves no record, so the next marts-only publish starts
            # afresh rather than keeping the raw schemas of this file
            state_file(build_database).unlink(missing_ok=True)
            # rewritten rather than copied byte for byte: the published file is in
            # STORAGE_VERSION's format whatever the build copy's (one created by an earlier
            # govpulse is in DuckDB 2's, which the `duckdb` shell, 1.x, cannot open)
            _copy_database(build_database, staging)
            report = PublishReport(path=warehouse, mode="rewritten", copied_tables=["*"],
                                   rewritten_because="everything published")
        elif (why_not := copy_last_published(build_database, warehouse, staging,
                                             PUBLISHED_SCHEMAS[0])) is None:
            try:
                report = update_copy(build_database, staging, PUBLISHED_SCHEMAS[0])
            except (NotTheBuilds, duckdb.Error) as error:
                # whatever went wrong in the copy, a new file is the way that always works
                why_not = str(error) if isinstance(error, NotTheBuilds) else \
                    f"updating a copy of it failed: {error}"
                _remove(staging)
        if report is None:
            report = PublishReport(path=warehouse, mode="rewritten", copied_tables=_copy_schemas(
                build_database, staging, PUBLISHED_SCHEMAS), rewritten_because=why_not)
        with staging.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, warehouse)
        if not include_raw:
            record_published(build_database, warehouse, rewritten=report.mode == "rewritten")
    finally:
        _remove(staging)
    report.path = warehouse
    return report


def include_raw_from_env() -> bool:
    return (os.environ.get(PUBLISH_RAW_ENV) or "").strip().lower() in ("1", "true", "yes")
