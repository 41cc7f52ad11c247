"""Whether the build copy's incremental tables still have the columns their models write.

An incremental run adds rows to the tables it finds. A table built by an earlier govpulse
may lack a column its model has gained since (``built_at``, for instance); dbt would fail
on it, so the pipeline rebuilds the incremental models whole instead (``--full-refresh``).
The columns a model writes are those of its schema.yml, which ``tests/test_dbt_docs.py``
holds equal to the built table's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb


def incremental_columns(manifest: Mapping[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(schema, table) of every incremental model, with the columns it documents."""
    return {
        (node["schema"], node["alias"]): {name.lower() for name in node["columns"]}
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }


def outdated_incremental_tables(con: duckdb.DuckDBPyConnection,
                                manifest: Mapping[str, Any]) -> list[str]:
    """The incremental tables in ``con``'s database whose columns differ from their model's
    (tables not built yet are not outdated: the run creates them)."""
    expected = incremental_columns(manifest)
    built = {
        (schema, table): {column.lower() for column in columns}
        for schema, table, columns in con.execute(
            "select schema_name, table_name, list(column_name) from duckdb_columns() "
            "where database_name = current_database() group by schema_name, table_name"
        ).fetchall()
    }
    return sorted(f"{schema}.{table}" for (schema, table), columns in expected.items()
                  if (schema, table) in built and built[(schema, table)] != columns)


def incremental_tables_built(con: duckdb.DuckDBPyConnection,
                             manifest: Mapping[str, Any]) -> bool:
    """Whether every incremental model's table is in ``con``'s database: a run then adds to
    them (a daily build); else it builds them whole."""
    built = set(con.execute("select schema_name, table_name from duckdb_tables() "
                            "where database_name = current_database()").fetchall())
    return set(incremental_columns(manifest)) <= built
