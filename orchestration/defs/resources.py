"""Resources, configured from the environment (see govpulse/settings.py and .env.example)."""

import os
import shutil
import sys
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging import version

from extractors.x_client import XApi, XApiSettings
from govpulse.dbt_launcher import DBT_EXECUTABLE
from govpulse.settings import (
    STALE_AFTER_DEFAULT_HOURS,
    X_LOOKBACK_DEFAULT_DAYS,
    Settings,
    build_connection_config,
    private_dir,
    raw_parquet_dir,
)
from orchestration.project import dbt_project, ensure_dbt_on_path

if TYPE_CHECKING:
    from dbt.adapters.base import BaseAdapter


class PipelineSettings(dg.ConfigurableResource):
    """What a run reads and where it publishes; none of it is secret."""

    warehouse: str
    source: str = "files"
    registry: str | None = None
    input_dir: str | None = None
    as_of: str | None = None
    dbt_vars: str | None = None  # JSON object of dbt var overrides
    full_refresh: bool = False  # rebuild incremental models from all raw rows
    raw_dir: str | None = None  # the Parquet raw layer (default: beside the warehouse)
    dbt_target: str = "duckdb"  # the dbt target the models are built on: duckdb or spark
    stale_after_hours: float = STALE_AFTER_DEFAULT_HOURS  # accounts_have_recent_data's limit

    def raw_parquet_dir(self) -> Path:
        return Path(self.raw_dir) if self.raw_dir else raw_parquet_dir(Path(self.warehouse))

    def private_dir(self) -> Path:
        return private_dir(Path(self.warehouse))


class XApiResource(dg.ConfigurableResource):
    """The X API v2 client. The bearer token is read from X_BEARER_TOKEN when a run needs it:
    it is never resource config, so it never reaches run config or the event log."""

    lookback_days: float = X_LOOKBACK_DEFAULT_DAYS

    def settings(self) -> XApiSettings:
        return XApiSettings.from_env()

    def client(self) -> XApi:
        return XApi(self.settings())


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without two start-up costs (about 3 s per run) that
    buy govpulse nothing. dagster-dbt 0.29 runs `dbt --version` to learn which dbt it will
    start, and loads dbt's project, profile, adapter and macros into this process for
    `fetch_row_counts()`/`fetch_column_metadata()`, which govpulse does not call. Both are
    private methods of the pinned dagster-dbt; tests/test_orchestration.py fails if an upgrade
    renames them."""

    @cached_property
    def _cli_version(self) -> version.Version:
        found = shutil.which(self.dbt_executable)
        if found and Path(found).parent == Path(sys.executable).parent:
            # the dbt installed beside this Python, with govpulse: its dbt-core is this one
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> "BaseAdapter | None":
        # (dagster-dbt's caller takes None: it then starts dbt without an adapter handle)
        return None


@dg.definitions
def resources() -> dg.Definitions:
    settings = Settings.from_env()
    ensure_dbt_on_path()
    if settings.dbt_target == "spark":
        # pyspark (inside the dbt process) binds to loopback, as the profile's driver does
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return dg.Definitions(
        resources={
            # The pipeline writes the build copy; readers open the published file.
            "warehouse": DuckDBResource(database=str(settings.build_database),
                                        connection_config=build_connection_config()),
            "dbt": DbtCli(project_dir=dbt_project, target=settings.dbt_target,
                          dbt_executable=DBT_EXECUTABLE),
            "x_api": XApiResource(lookback_days=settings.x_lookback_days),
            "pipeline": PipelineSettings(
                warehouse=str(settings.warehouse),
                source=settings.source,
                registry=str(settings.registry) if settings.registry else None,
                input_dir=str(settings.input_dir) if settings.input_dir else None,
                as_of=settings.as_of,
                dbt_vars=settings.dbt_vars,
                full_refresh=settings.full_refresh,
                raw_dir=str(settings.raw_dir),
                dbt_target=settings.dbt_target,
                stale_after_hours=settings.stale_after_hours,
            ),
        }
    )
