"""dbt's unit tests run again only when what they check has changed.

A unit test gives a model fixed input rows and compares its output with fixed expected rows:
the warehouse's data plays no part. What can change its outcome is the project's files
(models, macros, the tests themselves, ``dbt_project.yml``), the var overrides, the dbt
target and the versions of dbt, its adapter and the engine. Once every unit test has passed
in a build, govpulse keeps a fingerprint of those beside the build copy
(``govpulse.settings.dbt_state_path``, ``unit_tests.json``). A later build with the same
fingerprint leaves them out (``--exclude-resource-type unit_test``, as dbt's docs advise for
production runs; about 1.4 s per run). A changed file, var, target or version (an upgraded
DuckDB, say) makes the next build run them all again, and so does ``--full-refresh``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govpulse.installed_versions import installed_version

# What dbt writes into the project folder (.user.yml: its anonymous user id, written where
# profiles.yml is); none of it is an input of a unit test.
_WRITTEN_BY_DBT = frozenset({"target", "logs", "dbt_packages", ".user.yml"})
# dbt, its adapters and the engines the unit tests' SQL runs on.
ENGINE_PACKAGES = ("dbt-core", "dbt-adapters", "dbt-duckdb", "duckdb", "dbt-spark", "pyspark")


def fingerprint(project_dir: Path, target: str, overrides: Mapping[str, Any] | None) -> str:
    """One hash of everything a unit test's outcome depends on."""
    digest = hashlib.sha256()
    files = [path for top in project_dir.iterdir() if top.name not in _WRITTEN_BY_DBT
             for path in ([top] if top.is_file() else top.rglob("*")) if path.is_file()]
    for path in sorted(files):
        relative = path.relative_to(project_dir).as_posix()
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps({"target": target, "vars": dict(overrides or {}),
                              "versions": {package: installed_version(package)
                                           for package in ENGINE_PACKAGES}},
                             sort_keys=True).encode())
    return digest.hexdigest()


def passed_at(state: Path, current: str) -> str | None:
    """When every unit test last passed with the ``current`` fingerprint; None when they have
    not (or the state file is missing or unreadable: then they run)."""
    try:
        kept = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("fingerprint") != current:
        return None
    return str(kept.get("passed_at"))


def left_out_since(state: Path, current: str, full_refresh: bool) -> str | None:
    """When the unit tests a build may leave out last passed (``passed_at``); None when it
    must run them: a full refresh always does."""
    return None if full_refresh else passed_at(state, current)


def record_passed(state: Path, current: str, run_results: Path,
                  unit_tests: Iterable[str]) -> bool:
    """Keep ``current`` when the build whose ``run_results.json`` this is ran every one of
    ``unit_tests`` (the manifest's) and each passed; False (nothing kept) otherwise, e.g. when
    it left them out or ran a subset."""
    expected = set(unit_tests)
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return False
    passed = {result["unique_id"] for result in results if result.get("status") == "pass"}
    if not expected or not expected <= passed:
        return False
    state.parent.mkdir(parents=True, exist_ok=True)
    partial = state.with_name(state.name + ".tmp")
    partial.write_text(json.dumps({"fingerprint": current,
                                   "passed_at": datetime.now(UTC).isoformat(timespec="seconds")}),
                       encoding="utf-8")
    os.replace(partial, state)
    return True
