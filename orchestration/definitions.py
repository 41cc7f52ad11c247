"""The code location: every definition under ``orchestration/defs`` is loaded from there."""

from __future__ import annotations

import dagster as dg

from orchestration import defs as defs_package


def load() -> dg.Definitions:
    return dg.load_defs(defs_package)


defs = load()
