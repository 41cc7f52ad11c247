"""Bring the marts a Spark build wrote (Parquet tables) into the DuckDB build copy.

With ``--target spark`` the models run on Spark, which writes each mart as a Parquet
table under its warehouse folder (``<spark warehouse>/marts.db/<table>/``). Readers
(the dashboard, analysts' ``duckdb`` shells) keep opening one published DuckDB file, so
the publish step first copies those tables into the build copy's ``marts`` schema,
with the descriptions of ``schema.yml`` as comments, exactly where a DuckDB build puts
them; then the usual atomic publish follows.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from extractors.sql_text import sql_identifier, sql_literal

SCHEMA = "marts"


def mart_descriptions(manifest_path: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """Each mart's description and column descriptions, from dbt's manifest."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {
        node["name"]: (node.get("description") or "",
                       {name: column.get("description") or ""
                        for name, column in node.get("columns", {}).items()})
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == SCHEMA
    }


def import_spark_marts(build_database: Path, spark_warehouse: Path, tables: tuple[str, ...],
                       descriptions: dict[str, tuple[str, dict[str, str]]]) -> dict[str, int]:
    """Replace ``marts.<table>`` in the build copy with Spark's; returns rows per table."""
    rows: dict[str, int] = {}
    with duckdb.connect(str(build_database)) as con:
        con.execute(f"create schema if not exists {SCHEMA}")
        con.execute("begin transaction")
        try:
            for table in tables:
                folder = spark_warehouse / f"{SCHEMA}.db" / table
                if not any(folder.glob("*.parquet")):
                    raise FileNotFoundError(f"Spark wrote no Parquet files for {SCHEMA}.{table} "
                                            f"in {folder}")
                source = f"read_parquet({sql_literal(str(folder / '*.parquet'))})"
                columns = con.execute(f"describe select * from {source}").fetchall()
                # Spark's timestamps are instants; the DuckDB build keeps naive UTC ones.
                select = ", ".join(
                    f"timezone('UTC', {sql_identifier(name)}) as {sql_identifier(name)}"
                    if kind == "TIMESTAMP WITH TIME ZONE" else sql_identifier(name)
                    for name, kind, *_ in columns)
                name = f"{SCHEMA}.{sql_identifier(table)}"
                con.execute(f"create or replace table {name} as select {select} from {source}")
                description, column_docs = descriptions.get(table, ("", {}))
                if description:
                    con.execute(f"comment on table {name} is {sql_literal(description)}")
                present = {column_name for column_name, *_ in columns}
                for column, text in column_docs.items():
                    if text and column in present:
                        con.execute(f"comment on column {name}.{sql_identifier(column)} is "
                                    f"{sql_literal(text)}")
                rows[table] = con.execute(f"select count(*) from {name}").fetchone()[0]
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return rows
