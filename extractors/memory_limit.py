"""DuckDB memory budgets from the environment: landing's, and whether a value is a size.

Light to import (DuckDB is loaded only to judge a size): ``govpulse/settings.py`` checks
the budgets with it before a run, and the ``govpulse`` command starts without pandas.
"""

from __future__ import annotations

import os

from extractors.sql_text import sql_literal

# What one landing may hold in memory before DuckDB spills its staging tables to disk.
MEMORY_LIMIT_ENV = "GOVPULSE_LANDING_MEMORY_LIMIT"


def is_memory_size(value: str) -> bool:
    """A size DuckDB's memory_limit takes, such as 1.5GB or 512MiB (DuckDB decides)."""
    import duckdb  # here, not at the top (see above)

    with duckdb.connect() as con:
        try:
            con.execute(f"set memory_limit = {sql_literal(value)}")
        except duckdb.Error:
            return False
    return True


def landing_memory_limit() -> str:
    value = (os.environ.get(MEMORY_LIMIT_ENV) or "1.5GB").strip()
    if not is_memory_size(value):
        raise ValueError(f"{MEMORY_LIMIT_ENV}={value!r}: expected a size such as 1.5GB")
    return value
