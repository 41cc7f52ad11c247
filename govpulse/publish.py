"""Publish the build copy of the warehouse with an atomic rename.

Readers (the dashboard, analysts' ``duckdb`` shells) open the published file;
the pipeline writes only the build copy. A reader therefore never blocks the
pipeline and never sees a half-built warehouse: it sees the previous complete
file until the rename, and the new complete file after it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb


def publish(build_database: Path, warehouse: Path) -> Path:
    """Copy ``build_database`` beside ``warehouse`` and rename it into place."""
    if not build_database.exists():
        raise FileNotFoundError(f"nothing to publish: {build_database} does not exist")
    # Fold the write-ahead log into the file so the copy is complete on its own.
    with duckdb.connect(str(build_database)) as con:
        con.execute("checkpoint")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    staging = warehouse.with_name(f".{warehouse.name}.publishing-{os.getpid()}")
    try:
        shutil.copyfile(build_database, staging)
        with staging.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, warehouse)
    finally:
        staging.unlink(missing_ok=True)
    stale_wal = warehouse.with_name(warehouse.name + ".wal")
    stale_wal.unlink(missing_ok=True)
    return warehouse
