"""The arguments and environment the pipeline passes to dbt: small, pure and unit-tested."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from govpulse import dbt_node_times, dbt_schema_cache, dbt_template_cache
from govpulse.settings import AS_OF_ENV, dbt_state_path, format_as_of

# dbt threads of a daily (incremental) build on DuckDB. profiles.yml keeps 1 for whole builds,
# whose heavy models each use every core and would share one memory_limit. A daily build is
# mostly small steps (dbt's work between queries, 63 data tests): two at a time, its dbt build
# took 21 to 24 s against 26 to 29 s at 10 M inbound replies (docs/performance-history.md).
DAILY_THREADS = 2


def build_args(overrides: Mapping[str, Any] | None = None, full_refresh: bool = False,
               without_unit_tests: bool = False, threads: int | None = None) -> list[str]:
    """``dbt build`` with the threshold/weight overrides as vars (as_of is not one: see
    ``build_environment``); ``without_unit_tests`` when they passed with the same project and
    versions (``govpulse/dbt_unit_tests.py``); ``threads`` over profiles.yml's."""
    args = ["build"]
    if overrides:
        args += ["--vars", json.dumps(dict(overrides), sort_keys=True)]
    if full_refresh:
        args.append("--full-refresh")
    if without_unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if threads:
        args += ["--threads", str(threads)]
    return args


def build_environment(as_of: datetime) -> dict[str, str]:
    """What a build reads from the environment: as_of, read by the ``as_of()`` macro when dbt
    executes. Passed as a var, a new as_of every day would make dbt parse the whole project
    again on every run (any change of ``--vars`` does); read from the environment at execution,
    it leaves the saved parse valid (``govpulse/dbt_parse_state.py``)."""
    return {AS_OF_ENV: format_as_of(as_of)}


def node_times_path(warehouse: Path, target: str) -> Path:
    """The record of the nodes' times in the last builds on ``warehouse`` and ``target``, which
    a passed build adds its own to (``dbt_node_times.record``)."""
    return dbt_state_path(warehouse, target, dbt_node_times.STATE_NAME)


def launcher_environment(warehouse: Path, target: str) -> dict[str, str]:
    """Where ``govpulse-dbt`` finds what the last builds on ``warehouse`` and ``target`` left
    beside the build copy for the next: the nodes' times, the compiled templates and the JSON
    schemas (``govpulse/dbt_launcher.py``)."""
    return {
        dbt_node_times.NODE_TIMES_ENV: str(node_times_path(warehouse, target)),
        dbt_template_cache.TEMPLATE_CACHE_ENV:
            str(dbt_state_path(warehouse, target, dbt_template_cache.STATE_NAME)),
        dbt_schema_cache.JSON_SCHEMAS_ENV:
            str(dbt_state_path(warehouse, target, dbt_schema_cache.STATE_NAME)),
    }
