"""The dbt project as assets: one integration point; sources ``raw.*`` match the raw assets."""

import json
import shutil
from datetime import UTC, datetime

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from govpulse.dbt_args import build_args
from govpulse.incremental_schema import outdated_incremental_tables
from govpulse.settings import format_as_of, parse_as_of
from orchestration.defs.raw_assets import DUCKDB_POOL
from orchestration.defs.resources import PipelineSettings
from orchestration.project import dbt_project


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds the incremental models from every raw row."""

    full_refresh: bool = False


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool=DUCKDB_POOL)
def govpulse_dbt_models(
    context: dg.AssetExecutionContext, config: DbtBuildConfig, dbt: DbtCliResource,
    pipeline: PipelineSettings, warehouse: DuckDBResource,
):
    as_of = parse_as_of(pipeline.as_of) if pipeline.as_of else datetime.now(UTC).replace(
        microsecond=0)
    context.log.info(f"dbt build with as_of {format_as_of(as_of)}")
    overrides = json.loads(pipeline.dbt_vars) if pipeline.dbt_vars else None
    full_refresh = config.full_refresh or pipeline.full_refresh
    if not full_refresh and pipeline.dbt_target == "duckdb":
        manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
        with warehouse.get_connection() as con:
            outdated = outdated_incremental_tables(con, manifest)
        if outdated:
            context.log.warning(
                f"{', '.join(outdated)}: built by an earlier govpulse, with other columns than "
                "the models now write; rebuilding the incremental models whole (--full-refresh)")
            full_refresh = True
    invocation = dbt.cli(build_args(as_of, overrides, full_refresh=full_refresh),
                         context=context)
    yield from invocation.stream()
    # each invocation writes its own target/ folder; a failed one is kept for inspection
    shutil.rmtree(invocation.target_path, ignore_errors=True)
