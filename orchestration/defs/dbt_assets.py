"""The dbt project as assets: one integration point; sources ``raw.*`` match the raw assets."""

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from govpulse import dbt_node_times, dbt_unit_tests
from govpulse.dbt_args import (
    DAILY_THREADS,
    build_args,
    build_environment,
    launcher_environment,
    node_times_path,
)
from govpulse.dbt_parse_state import keep_parse_state, restore_parse_state
from govpulse.dbt_target_folders import (
    describe_kept,
    invocation_folder,
    keep_failed,
    remove_abandoned,
)
from govpulse.incremental_schema import incremental_tables_built, outdated_incremental_tables
from govpulse.settings import (
    SettingsError,
    dbt_state_path,
    dbt_var_overrides,
    format_as_of,
    parse_as_of,
)
from orchestration.defs.raw_assets import DUCKDB_POOL
from orchestration.defs.resources import PipelineSettings
from orchestration.project import dbt_project


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds the incremental models from every raw row."""

    full_refresh: bool = False


# read once: the asset specs below and each run's schema check both use it
MANIFEST = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


@dbt_assets(manifest=MANIFEST, project=dbt_project, pool=DUCKDB_POOL)
def govpulse_dbt_models(
    context: dg.AssetExecutionContext, config: DbtBuildConfig, dbt: DbtCliResource,
    pipeline: PipelineSettings, warehouse: DuckDBResource,
):
    as_of = parse_as_of(pipeline.as_of) if pipeline.as_of else datetime.now(UTC).replace(
        microsecond=0)
    context.log.info(f"dbt build with as_of {format_as_of(as_of)}")
    try:
        # checked again here: resource config set in the launchpad bypasses Settings.from_env
        overrides = dbt_var_overrides(pipeline.dbt_vars, "the pipeline resource's dbt_vars")
    except SettingsError as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    full_refresh = config.full_refresh or pipeline.full_refresh
    daily = False
    if not full_refresh and pipeline.dbt_target == "duckdb":
        with warehouse.get_connection() as con:
            outdated = outdated_incremental_tables(con, MANIFEST)
            daily = incremental_tables_built(con, MANIFEST)
        if outdated:
            context.log.warning(
                f"{', '.join(outdated)}: built by an earlier govpulse, with other columns than "
                "the models now write; rebuilding the incremental models whole (--full-refresh)")
            full_refresh, daily = True, False
    warehouse_path = Path(pipeline.warehouse)
    unit_tests_state = dbt_state_path(warehouse_path, pipeline.dbt_target, "unit_tests.json")
    project = dbt_unit_tests.fingerprint(Path(dbt.project_dir), pipeline.dbt_target, overrides)
    unit_tests_passed_at = dbt_unit_tests.left_out_since(unit_tests_state, project, full_refresh)
    if unit_tests_passed_at:
        context.log.info(f"dbt unit tests left out: they passed at {unit_tests_passed_at} with "
                         "the same project files, vars and dbt/DuckDB versions")
    # each invocation gets its own target/ folder, which starts with the last run's parse
    target_dir, step = Path(dbt.project_dir) / "target", context.op_execution_context.op.name
    remove_abandoned(target_dir, step)
    target_path = invocation_folder(target_dir, step, context.run_id)
    kept_parse = dbt_state_path(warehouse_path, pipeline.dbt_target, "parse.msgpack")
    restore_parse_state(kept_parse, target_path)
    # the nodes' times in the last builds (the longest chain is handed out first), the
    # templates and JSON schemas they made
    launcher = launcher_environment(warehouse_path, pipeline.dbt_target)
    passed = False
    try:
        # dagster-dbt hands dbt a copy of this process's environment as cli() starts it
        with mock.patch.dict(os.environ, {**build_environment(as_of), **launcher}):
            invocation = dbt.cli(build_args(overrides, full_refresh=full_refresh,
                                            without_unit_tests=bool(unit_tests_passed_at),
                                            threads=DAILY_THREADS if daily else None),
                                 context=context, target_path=target_path)
        yield from invocation.stream()
        dbt_unit_tests.record_passed(unit_tests_state, project, target_path / "run_results.json",
                                     MANIFEST["unit_tests"])
        dbt_node_times.record(node_times_path(warehouse_path, pipeline.dbt_target),
                              target_path / "run_results.json")
        passed = True
    finally:
        keep_parse_state(target_path, kept_parse)
        if passed:
            shutil.rmtree(target_path, ignore_errors=True)
        else:
            failed = keep_failed(target_path)
            if failed:
                context.log.warning(describe_kept(failed))
