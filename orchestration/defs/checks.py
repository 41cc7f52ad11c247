"""Operational checks on the raw layer (dbt's tests arrive as asset checks on their own)."""

from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from govpulse.settings import STALE_AFTER_DEFAULT_HOURS, STALE_AFTER_ENV
from orchestration.defs.raw_assets import DUCKDB_POOL
from orchestration.defs.resources import PipelineSettings

# Registry accounts matched to the latest profile with their username (or their account_id).
_RESOLVED_ACCOUNTS = """
    with users as (
        select user_id, lower(username) as username_key, fetched_at,
               row_number() over (partition by lower(username)
                                  order by fetched_at desc, user_id desc) as username_rank
        from raw.users
    )
    select registry.handle, coalesce(registry.account_id, users.user_id) as account_id,
           registry.account_id is not null or users.user_id is not null as is_resolved
    from raw.registry as registry
    left join users
        on registry.account_id is null
        and lower(registry.handle) = users.username_key
        and users.username_rank = 1
"""


@dg.asset_check(asset=dg.AssetKey(["raw", "users"]), name="registry_accounts_resolved",
                pool=DUCKDB_POOL,
                description="Every registry account resolves to an X profile; lists those that "
                            "do not (unknown, suspended, protected, mistyped handles).")
def registry_accounts_resolved(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        unresolved = [row[0] for row in con.execute(
            f"select handle from ({_RESOLVED_ACCOUNTS}) where not is_resolved order by handle"
        ).fetchall()]
        statuses = con.execute(
            "select handle, status, coalesce(reason, '') from raw.account_status "
            "where status <> 'active' order by handle"
        ).fetchall() if _has_table(con, "account_status") else []
    problems = sorted(set(unresolved) | {handle for handle, _, _ in statuses})
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "unresolved_accounts": len(problems),
            "accounts": ", ".join(problems[:100]) or "none",
            "api_statuses": "; ".join(f"{handle}: {status} {reason}".strip()
                                      for handle, status, reason in statuses[:50]) or "none",
        },
    )


@dg.asset_check(asset=dg.AssetKey(["raw", "tweets"]), name="accounts_have_recent_data",
                pool=DUCKDB_POOL,
                description="Warns when an account's newest fetched data is older than "
                            f"{STALE_AFTER_ENV} hours (default {STALE_AFTER_DEFAULT_HOURS:g}).")
def accounts_have_recent_data(warehouse: DuckDBResource,
                              pipeline: PipelineSettings) -> dg.AssetCheckResult:
    max_age = timedelta(hours=pipeline.stale_after_hours)
    cutoff = datetime.now(UTC) - max_age
    with warehouse.get_connection() as con:
        rows = con.execute(
            f"""
            select accounts.handle, max(tweets.fetched_at) as newest_fetch
            from ({_RESOLVED_ACCOUNTS}) as accounts
            left join raw.tweets as tweets on tweets.author_id = accounts.account_id
            group by accounts.handle
            having newest_fetch is null or newest_fetch < ?
            order by accounts.handle
            """,
            [cutoff],
        ).fetchall()
    stale = [f"{handle} ({'never' if newest is None else str(newest)[:16]})"
             for handle, newest in rows]
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"stale_accounts": len(stale), "max_age_hours": max_age.total_seconds() / 3600,
                  "accounts": ", ".join(stale[:100]) or "none"},
    )


def _has_table(con, name: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables "
                            "where table_schema = 'raw' and table_name = ?", [name]).fetchone()[0])
