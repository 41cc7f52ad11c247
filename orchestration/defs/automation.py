"""Automation: the daily schedule and the sensor that notices registry changes."""

import hashlib
import json
import os

import dagster as dg

from extractors.registry import RegistryError, load_registry
from govpulse.settings import Settings
from orchestration.defs.jobs import backfill_account, daily_refresh

SCHEDULE_CRON_ENV = "GOVPULSE_SCHEDULE_CRON"
SCHEDULE_TIMEZONE_ENV = "GOVPULSE_SCHEDULE_TIMEZONE"

daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh_schedule",
    job=daily_refresh,
    cron_schedule=os.environ.get(SCHEDULE_CRON_ENV) or "0 6 * * *",
    execution_timezone=os.environ.get(SCHEDULE_TIMEZONE_ENV) or "Asia/Karachi",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 06:00 Asia/Karachi (GOVPULSE_SCHEDULE_CRON / "
                "GOVPULSE_SCHEDULE_TIMEZONE change it).",
)


@dg.sensor(
    name="registry_changed",
    jobs=[backfill_account, daily_refresh],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="When the registry file changes: a backfill for the accounts it adds, or a "
                "refresh when only other columns changed.",
)
def registry_changed(context: dg.SensorEvaluationContext):
    registry = Settings.from_env().registry
    if registry is None or not registry.is_file():
        return dg.SkipReason(f"no registry file to watch ({registry or 'GOVPULSE_REGISTRY unset'})")
    digest = hashlib.sha256(registry.read_bytes()).hexdigest()
    previous = json.loads(context.cursor) if context.cursor else None
    if previous and previous["digest"] == digest:
        return dg.SkipReason("registry unchanged")
    try:
        handles = sorted(account.handle_key for account in load_registry(registry))
    except RegistryError as error:
        return dg.SkipReason(f"registry changed but is not valid: {error}")
    context.update_cursor(json.dumps({"digest": digest, "handles": handles}))
    if previous is None:
        return dg.SkipReason(f"watching {registry} ({len(handles)} accounts)")
    added = sorted(set(handles) - set(previous["handles"]))
    if added:
        return dg.RunRequest(
            run_key=f"registry-{digest[:16]}",
            job_name=backfill_account.name,
            run_config={"ops": {"raw_tweets_and_users": {"config": {"backfill_accounts": added}}}},
            tags={"govpulse/new_accounts": ",".join(added)[:200]},
        )
    return dg.RunRequest(run_key=f"registry-{digest[:16]}", job_name=daily_refresh.name)
