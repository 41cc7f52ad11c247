"""Jobs: the daily refresh, a full rebuild, and one account's history."""

import dagster as dg

# Transient failures are retried as whole runs too (needs the daemon; see dagster.yaml).
RETRY_TAGS = {"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"}

daily_refresh = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all(),
    description="Extract every source, build the warehouse with dbt, publish it.",
    tags=RETRY_TAGS,
)

rebuild_warehouse = dg.define_asset_job(
    "rebuild_warehouse",
    selection=dg.AssetSelection.all(),
    description="Extract, then rebuild every dbt model from all raw rows (dbt --full-refresh), "
                "publish.",
    config={"ops": {"govpulse_dbt_models": {"config": {"full_refresh": True}}}},
    tags=RETRY_TAGS,
)

backfill_account = dg.define_asset_job(
    "backfill_account",
    selection=dg.AssetSelection.all(),
    description="Fetch the listed accounts' history again from the start (e.g. accounts just "
                "added to the registry), then build and publish. Set "
                "ops.raw_tweets_and_users.config.backfill_accounts to their handles.",
    tags=RETRY_TAGS,
)
