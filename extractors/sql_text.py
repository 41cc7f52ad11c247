"""Texts and names quoted for DuckDB SQL, where a statement can't take them as parameters
(ATTACH, COPY ... TO, COMMENT ON)."""

from __future__ import annotations


def sql_literal(text: str) -> str:
    """A text as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(text: str) -> str:
    """A name as a quoted SQL identifier."""
    return '"' + text.replace('"', '""') + '"'
