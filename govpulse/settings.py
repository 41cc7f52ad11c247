"""One source of settings: the environment (and a `.env` file the user may keep).

Every layer (the CLI, Dagster, dbt's profile and the dashboard) reads the
warehouse location from ``GOVPULSE_WAREHOUSE``. The pipeline never writes that
file in place: it builds into a working copy beside it (see
``build_database_path``) and publishes the finished file with an atomic
rename, so readers never see a half-built warehouse.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extractors.memory_limit import MEMORY_LIMIT_ENV, is_memory_size
from govpulse.dbt_vars import declared_vars, override_problems

WAREHOUSE_ENV = "GOVPULSE_WAREHOUSE"
REGISTRY_ENV = "GOVPULSE_REGISTRY"
SOURCE_ENV = "GOVPULSE_SOURCE"
INPUT_DIR_ENV = "GOVPULSE_INPUT_DIR"
AS_OF_ENV = "GOVPULSE_AS_OF"
DBT_VARS_ENV = "GOVPULSE_DBT_VARS"
FULL_REFRESH_ENV = "GOVPULSE_FULL_REFRESH"
X_LOOKBACK_ENV = "GOVPULSE_X_LOOKBACK_DAYS"
# days of an account's own posts searched again each run (0: none), for their new replies
X_LOOKBACK_DEFAULT_DAYS = 2.0
RAW_DIR_ENV = "GOVPULSE_RAW_DIR"
DBT_TARGET_ENV = "GOVPULSE_DBT_TARGET"
STALE_AFTER_ENV = "GOVPULSE_STALE_AFTER_HOURS"
STALE_AFTER_DEFAULT_HOURS = 48.0
# DuckDB's budget for dbt, read by dbt_project/profiles.yml (landing's is MEMORY_LIMIT_ENV)
DBT_MEMORY_LIMIT_ENV = "GOVPULSE_DBT_MEMORY_LIMIT"
DBT_TARGETS = ("duckdb", "spark")
DEFAULT_WAREHOUSE = Path("data") / "govpulse.duckdb"
DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
BUILD_DIR_NAME = ".govpulse-build"
SOURCES = ("files", "x")
# The storage format of every DuckDB file the pipeline writes, the build copy and the
# published warehouse: one DuckDB 1.4 and later read, so the `duckdb` shell installed with
# govpulse (duckdb-cli, 1.x) and other 1.x tools open both. A file keeps the format it was
# created in.
STORAGE_VERSION = "v1.4.0"


class SettingsError(ValueError):
    """A setting, or a command the run needs installed (``govpulse-dbt``), is missing or
    malformed; the message says which and how to fix it."""


def build_database_path(warehouse: Path) -> Path:
    """The working file the pipeline lands raw data in and runs dbt on.

    It keeps the published file's name (DuckDB names the catalog after the
    file stem, and dbt's views refer to it), in a hidden folder beside it.
    ``dbt_project/profiles.yml`` derives the same path from the same variable.
    """
    return warehouse.parent / BUILD_DIR_NAME / warehouse.name


def build_connection_config() -> dict[str, str]:
    """What a connection to the build copy is opened with (it creates the file in
    ``STORAGE_VERSION``'s format when it does not exist yet)."""
    return {"storage_compatibility_version": STORAGE_VERSION}


def raw_parquet_dir(warehouse: Path, environ: dict[str, str] | None = None) -> Path:
    """The open Parquet raw layer (``extractors/raw_export.py``): ``GOVPULSE_RAW_DIR``, else
    ``<warehouse dir>/<warehouse name>_raw``. ``dbt_project/models/staging/_sources.yml``
    derives the same folder from the same variables."""
    env = os.environ if environ is None else environ
    if env.get(RAW_DIR_ENV):
        return Path(env[RAW_DIR_ENV]).expanduser().resolve()
    return warehouse.parent / f"{warehouse.stem}_raw"


def _beside_build_copy(warehouse: Path, suffix: str) -> Path:
    """``<warehouse dir>/.govpulse-build/<warehouse stem>_<suffix>``."""
    return build_database_path(warehouse).with_name(f"{warehouse.stem}_{suffix}")


def private_dir(warehouse: Path) -> Path:
    """Owner-only files beside the build copy (the pseudonym key as Parquet, for Spark)."""
    return _beside_build_copy(warehouse, "private")


def spark_dir(warehouse: Path) -> Path:
    """The Spark target's warehouse and Derby metastore (``dbt_project/profiles.yml``)."""
    return _beside_build_copy(warehouse, "spark")


def dbt_state_path(warehouse: Path, target: str, name: str) -> Path:
    """What govpulse keeps of dbt's runs on ``warehouse`` for ``target`` between runs, beside
    the build copy: ``parse.msgpack`` (dbt_parse_state.py), ``unit_tests.json``
    (dbt_unit_tests.py), ``node_times.json`` (dbt_node_times.py), ``templates/``
    (dbt_template_cache.py), ``json_schemas.json`` (dbt_schema_cache.py)."""
    return _beside_build_copy(warehouse, f"dbt_{target}_{name}")


def parse_as_of(value: str | None) -> datetime:
    """Parse an ISO-8601 ``as_of``; naive values are taken as UTC. ``None`` means now."""
    if value is None or not value.strip():
        return datetime.now(UTC).replace(microsecond=0)
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SettingsError(
            f"as_of {text!r} is not an ISO-8601 timestamp (e.g. 2026-11-25T06:00:00Z)"
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_as_of(value: datetime) -> str:
    """The canonical text form passed to dbt: UTC, seconds precision."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dbt_var_overrides(dbt_vars: str | None,
                      source: str = f"{DBT_VARS_ENV} (or --var)") -> dict[str, Any] | None:
    """The dbt var overrides of ``dbt_vars`` (a JSON object, as ``--var`` writes it into
    ``GOVPULSE_DBT_VARS``), checked against the project's vars (``govpulse/dbt_vars.py``);
    SettingsError naming ``source`` and each bad one."""
    if not dbt_vars:
        return None
    try:
        overrides = json.loads(dbt_vars)
    except ValueError:
        overrides = None
    if not isinstance(overrides, dict):
        raise SettingsError(f"{source} must be a JSON object such as "
                            '{"response_window_hours": 24}')
    if "as_of" in overrides:
        # every asset of a run computes for the one as_of the pipeline passes to dbt
        raise SettingsError(f"{source} sets as_of: set {AS_OF_ENV} (or "
                            "`govpulse run --as-of`) instead")
    problems = override_problems(overrides, declared_vars(DBT_PROJECT_DIR))
    if problems:
        raise SettingsError(f"{source}: {'; '.join(problems)}")
    return overrides


def _amount(env: os._Environ[str] | dict[str, str], name: str, default: float,
            unit: str) -> float:
    """The number of days or hours a variable sets (0 or more), else ``default``."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise SettingsError(f"{name}={text!r}: expected a number of {unit}, 0 or more")
    return value


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    registry: Path | None
    source: str
    input_dir: Path | None
    as_of: str | None
    dbt_vars: str | None = None
    full_refresh: bool = False
    x_lookback_days: float = X_LOOKBACK_DEFAULT_DAYS
    # an account whose newest data is older than this is reported stale
    stale_after_hours: float = STALE_AFTER_DEFAULT_HOURS
    raw_dir: Path | None = None  # the Parquet raw layer; from_env always sets it
    dbt_target: str = "duckdb"

    @property
    def build_database(self) -> Path:
        return build_database_path(self.warehouse)

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        warehouse = Path(env.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE).expanduser().resolve()
        source = (env.get(SOURCE_ENV) or "files").strip().lower()
        if source not in SOURCES:
            raise SettingsError(f"{SOURCE_ENV}={source!r}: expected one of {', '.join(SOURCES)}")
        registry = env.get(REGISTRY_ENV)
        input_dir = env.get(INPUT_DIR_ENV)
        as_of = env.get(AS_OF_ENV) or None
        if as_of:
            parse_as_of(as_of)  # fail early on a malformed value
        dbt_vars = env.get(DBT_VARS_ENV) or None
        dbt_var_overrides(dbt_vars)  # fail early on a bad override
        lookback = _amount(env, X_LOOKBACK_ENV, X_LOOKBACK_DEFAULT_DAYS, "days")
        stale_after = _amount(env, STALE_AFTER_ENV, STALE_AFTER_DEFAULT_HOURS, "hours")
        for name in (DBT_MEMORY_LIMIT_ENV, MEMORY_LIMIT_ENV):
            size = env.get(name) or ""
            if size and not is_memory_size(size):
                raise SettingsError(f"{name}={size!r}: expected a size such as 3GB or 1.5GB")
        dbt_target = (env.get(DBT_TARGET_ENV) or "duckdb").strip().lower()
        if dbt_target not in DBT_TARGETS:
            raise SettingsError(f"{DBT_TARGET_ENV}={dbt_target!r}: expected one of "
                                f"{', '.join(DBT_TARGETS)}")
        return cls(
            warehouse=warehouse,
            raw_dir=raw_parquet_dir(warehouse, dict(env)),
            dbt_target=dbt_target,
            registry=Path(registry).expanduser().resolve() if registry else None,
            source=source,
            input_dir=Path(input_dir).expanduser().resolve() if input_dir else None,
            as_of=as_of,
            dbt_vars=dbt_vars,
            full_refresh=(env.get(FULL_REFRESH_ENV) or "").strip().lower() in ("1", "true", "yes"),
            x_lookback_days=lookback,
            stale_after_hours=stale_after,
        )
