"""Extraction assets: the registry and each source's raw tables, keyed ``["raw", <table>]``
so dbt's ``source('raw', ...)`` picks them up by name."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from extractors import files_source
from extractors.landing import RawLanding, ensure_pseudonym_key, land_registry
from extractors.raw_export import export_fetches, export_registry
from extractors.registry import RegistryError, load_registry
from extractors.x_client import XApiError, XAuthError
from extractors.x_source import XSource
from govpulse.settings import parse_as_of
from orchestration.defs.extraction_log import (
    export_summary,
    files_summary,
    retry_notice,
    retry_wait_notice,
    x_summary,
)
from orchestration.defs.interrupts import interrupts_stop_the_run
from orchestration.defs.resources import PipelineSettings, XApiResource

DUCKDB_POOL = "duckdb_writes"
# Transient API trouble (5xx, dropped connections past the client's own retries) is retried
# with exponential backoff (1, 3 then 7 minutes); a bad registry or a refused token is not.
# Dagster tries the step again at once and the step waits out the delay itself
# (``_wait_before_trying_again``): Dagster's own wait, a RetryPolicy's delay, sleeps through a
# Ctrl-C or a termination, which then took effect only when the wait ended.
EXTRACTION_BACKOFF = dg.RetryPolicy(max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL)
EXTRACTION_RETRIES = dg.RetryPolicy(max_retries=EXTRACTION_BACKOFF.max_retries)
RAW_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=48),
                                               warn_window=timedelta(hours=26))


class ExtractionConfig(dg.Config):
    """Per-run choices: which accounts to fetch again from the start of their history."""

    backfill_accounts: list[str] = []


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", "registry"], group_name="raw",
                     description="The validated account registry (a bad registry stops the "
                                 "run here)."),
        dg.AssetSpec(["raw", "pseudonym_key"], group_name="raw",
                     description="The private key citizens' ids are hashed with before they "
                                 "reach the marts (made once, or GOVPULSE_PSEUDONYM_KEY)."),
    ],
    pool=DUCKDB_POOL,
)
def raw_registry(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource, pipeline: PipelineSettings
):
    if not pipeline.registry:
        raise dg.Failure("No registry file: set GOVPULSE_REGISTRY or pass --registry FILE.",
                         allow_retries=False)
    path = Path(pipeline.registry)
    try:
        accounts = load_registry(path)
    except RegistryError as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    Path(warehouse.database).parent.mkdir(parents=True, exist_ok=True)
    with warehouse.get_connection() as con:
        landed = land_registry(con, accounts, str(path), context.run_id)
        ensure_pseudonym_key(con)
        export_registry(con, pipeline.raw_parquet_dir(), pipeline.private_dir())
    context.log.info(f"registry {path}: {landed} accounts")
    yield dg.MaterializeResult(asset_key=["raw", "registry"], metadata={
        "accounts": landed,
        "departments": len({account.department for account in accounts}),
        "registry_file": str(path),
    })
    yield dg.MaterializeResult(asset_key=["raw", "pseudonym_key"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", "tweets"], group_name="raw", deps=[["raw", "registry"]],
                     freshness_policy=RAW_FRESHNESS,
                     description="Every fetch of every tweet, with its original JSON; "
                                 "also written as Parquet, one folder per fetch day "
                                 "(the raw layer dbt reads)."),
        dg.AssetSpec(["raw", "users"], group_name="raw", deps=[["raw", "registry"]],
                     freshness_policy=RAW_FRESHNESS,
                     description="Every fetch of every user profile (and its Parquet copy)."),
    ],
    pool=DUCKDB_POOL,
    retry_policy=EXTRACTION_RETRIES,
)
def raw_tweets_and_users(
    context: dg.AssetExecutionContext, config: ExtractionConfig, warehouse: DuckDBResource,
    pipeline: PipelineSettings, x_api: XApiResource,
):
    started = time.monotonic()
    with interrupts_stop_the_run("what was landed stays, and the next run lands the rest"):
        _wait_before_trying_again(context)
        if pipeline.source == "x":
            tweets_meta, users_meta = _extract_x(context, config, warehouse, pipeline, x_api)
        else:
            tweets_meta, users_meta = _extract_files(context, warehouse, pipeline)
        with warehouse.get_connection() as con:
            exported = export_fetches(con, pipeline.raw_parquet_dir())
    context.log.info(f"{export_summary(exported)} in {pipeline.raw_parquet_dir()}")
    tweets_meta["parquet_days_written"] = len(exported.partitions_written.get("tweets", []))
    tweets_meta["duration_seconds"] = round(time.monotonic() - started, 2)
    yield dg.MaterializeResult(asset_key=["raw", "tweets"], metadata=tweets_meta)
    yield dg.MaterializeResult(asset_key=["raw", "users"], metadata=users_meta)


def _wait_before_trying_again(context: dg.AssetExecutionContext) -> None:
    """On a retry, the backoff's delay, waited within the step, where an interrupt stops it."""
    if not context.retry_number:
        return
    delay = EXTRACTION_BACKOFF.calculate_delay(context.retry_number)
    context.log.info(retry_wait_notice(context.retry_number, EXTRACTION_BACKOFF, delay))
    time.sleep(delay)


def _extract_files(context: dg.AssetExecutionContext, warehouse: DuckDBResource,
                   pipeline: PipelineSettings) -> tuple[dict, dict]:
    if not pipeline.input_dir:
        raise dg.Failure("No input folder: set GOVPULSE_INPUT_DIR or pass --input DIR.",
                         allow_retries=False)
    with warehouse.get_connection() as con:
        landing = RawLanding(con, run_id=context.run_id, source=files_source.SOURCE)
        try:
            report = files_source.load_files(Path(pipeline.input_dir), landing,
                                             progress=context.log.info)
        except files_source.InputFolderError as error:
            raise dg.Failure(str(error), allow_retries=False) from None
    context.log.info(files_summary(report))
    return ({
        "source": "files",
        "files": len(report.files),
        "files_unchanged": report.unchanged_files,
        "tweets_read": report.tweets_read,
        "rows_landed": report.tweets_landed,
        "skipped_records": report.skipped,
        "unreadable_files": report.unreadable_files,
        "files_without_tweets": report.files_without_tweets,
    }, {"users_read": report.users_read, "rows_landed": report.users_landed})


def _extract_x(context: dg.AssetExecutionContext, config: ExtractionConfig,
               warehouse: DuckDBResource, pipeline: PipelineSettings,
               x_api: XApiResource) -> tuple[dict, dict]:
    try:
        accounts = load_registry(Path(pipeline.registry or ""))
        client = x_api.client()
    except (RegistryError, XAuthError) as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    as_of = parse_as_of(pipeline.as_of) if pipeline.as_of else datetime.now(UTC)
    with warehouse.get_connection() as con:
        source = XSource(client, con, run_id=context.run_id, as_of=as_of,
                         lookback_days=x_api.lookback_days, progress=context.log.info)
        try:
            report = source.run(accounts, backfill=set(config.backfill_accounts))
        except XAuthError as error:
            raise dg.Failure(str(error), allow_retries=False) from None
        except XApiError as error:
            context.log.warning(retry_notice(str(error), context.retry_number,
                                             EXTRACTION_BACKOFF))
            raise
    context.log.info(x_summary(report))
    if report.stopped:
        context.log.warning(report.stopped)
    return ({
        "source": "x",
        "api_calls": report.api_calls,
        "tweets_read": report.tweets_read,
        "rows_landed": report.tweets_landed,
        "accounts_active": report.accounts_active,
        "accounts_unavailable": len(report.accounts) - report.accounts_active,
        "coverage_gaps": sum(len(account.coverage) for account in report.accounts),
        "stopped_early": report.stopped or "",
    }, {"rows_landed": report.users_landed})
