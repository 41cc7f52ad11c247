"""The Dagster code location: definitions, keys, automation, checks and the webserver."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from extractors.landing import ensure_raw_schema
from extractors.x_client import XApi, XApiSettings
from govpulse.settings import Settings, SettingsError
from orchestration.definitions import load
from orchestration.defs import raw_assets
from orchestration.defs.automation import daily_refresh_schedule, registry_changed
from orchestration.defs.checks import accounts_have_recent_data, registry_accounts_resolved
from orchestration.defs.extraction_log import retry_notice
from orchestration.defs.raw_assets import EXTRACTION_BACKOFF, raw_registry, raw_tweets_and_users
from orchestration.defs.resources import PipelineSettings, XApiResource
from tests.conftest import free_port, stopped_run_message
from tests.test_x_source import TOKEN, _corpus
from tests.x_standin import StandIn

REPO = Path(__file__).resolve().parent.parent

EXPECTED_NON_DBT_KEYS = ["published/warehouse", "raw/pseudonym_key", "raw/registry", "raw/tweets",
                         "raw/users"]
EXPECTED_DBT_KEYS = [
    "intermediate/int_account_period_metrics", "intermediate/int_inbound_first_responses",
    "intermediate/int_inbound_in_periods", "intermediate/int_inbound_replies",
    "intermediate/int_official_accounts", "intermediate/int_periods",
    "intermediate/int_posts_classified",
    "marts/account_scorecard", "marts/department_scorecard", "marts/dim_accounts",
    "marts/dim_departments", "marts/dim_metric_settings", "marts/fct_inbound_replies",
    "marts/fct_posts", "staging/stg_pipeline__pseudonym_key", "staging/stg_registry__accounts",
    "staging/stg_x__tweets",
    "staging/stg_x__users",
]


@pytest.fixture
def defs(monkeypatch, tmp_path) -> dg.Definitions:
    monkeypatch.setenv("GOVPULSE_WAREHOUSE", str(tmp_path / "govpulse.duckdb"))
    return load()


def test_snapshot_of_every_asset_job_schedule_and_sensor(defs):
    graph = defs.resolve_asset_graph()
    keys = sorted(key.to_user_string() for key in graph.get_all_asset_keys())
    assert keys == sorted(EXPECTED_NON_DBT_KEYS + EXPECTED_DBT_KEYS)
    jobs = sorted(job.name for job in defs.resolve_all_job_defs() if job.name != "__ASSET_JOB")
    assert jobs == ["backfill_account", "daily_refresh", "rebuild_warehouse"]
    assert [schedule.name for schedule in defs.schedules] == ["daily_refresh_schedule"]
    assert [sensor.name for sensor in defs.sensors] == ["registry_changed"]
    checks = {(check.asset_key.to_user_string(), check.name) for check in graph.asset_check_keys}
    assert ("raw/users", "registry_accounts_resolved") in checks
    assert ("raw/tweets", "accounts_have_recent_data") in checks
    # dbt tests arrive as asset checks, on the models they test
    assert any(key == "marts/account_scorecard" for key, _ in checks)
    # dbt's source('raw', 'tweets') is the extraction asset, matched by name
    staging = graph.get(dg.AssetKey(["staging", "stg_x__tweets"]))
    assert dg.AssetKey(["raw", "tweets"]) in staging.parent_keys
    published = graph.get(dg.AssetKey(["published", "warehouse"]))
    assert dg.AssetKey(["marts", "department_scorecard"]) in published.parent_keys
    # dbt starts through govpulse's launcher (its garbage collector tuned)
    assert defs.resources["dbt"].dbt_executable == "govpulse-dbt"


def test_dagster_yaml_is_a_valid_instance_config(monkeypatch, tmp_path):
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
        assert config.run_queue_config.max_concurrent_runs == 1
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2


def test_daily_schedule_runs_at_six_in_karachi():
    assert daily_refresh_schedule.cron_schedule == "0 6 * * *"
    assert daily_refresh_schedule.execution_timezone == "Asia/Karachi"
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    requests = list(daily_refresh_schedule.evaluate_tick(context).run_requests or [])
    assert len(requests) == 1 and requests[0].job_name in (None, "daily_refresh")


def test_registry_sensor_requests_a_backfill_for_new_accounts(monkeypatch, tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text("handle,department\nDCLahore,Lahore\n", encoding="utf-8")
    monkeypatch.setenv("GOVPULSE_REGISTRY", str(registry))
    with dg.instance_for_test() as instance:
        first = dg.build_sensor_context(instance=instance)
        result = registry_changed.evaluate_tick(first)
        assert not result.run_requests and "watching" in result.skip_message
        cursor = result.cursor
        assert json.loads(cursor)["handles"] == ["dclahore"]
        same = registry_changed.evaluate_tick(dg.build_sensor_context(instance=instance,
                                                                      cursor=cursor))
        assert same.skip_message == "registry unchanged"
        registry.write_text("handle,department\nDCLahore,Lahore\n@NewDesk,Water\n",
                            encoding="utf-8")
        added = registry_changed.evaluate_tick(dg.build_sensor_context(instance=instance,
                                                                       cursor=cursor))
        [request] = added.run_requests
        assert request.job_name == "backfill_account"
        assert request.run_config["ops"]["raw_tweets_and_users"]["config"] == \
            {"backfill_accounts": ["newdesk"]}
        cursor = added.cursor
        registry.write_text("handle,department\nDCLahore,Lahore\n@NewDesk,Irrigation\n",
                            encoding="utf-8")
        moved = registry_changed.evaluate_tick(dg.build_sensor_context(instance=instance,
                                                                       cursor=cursor))
        assert [request.job_name for request in moved.run_requests] == ["daily_refresh"]
        registry.write_text("handle,department\nDCLahore,\n", encoding="utf-8")
        broken = registry_changed.evaluate_tick(dg.build_sensor_context(
            instance=instance, cursor=moved.cursor))
        assert "not valid" in broken.skip_message and "line 2" in broken.skip_message


class FixtureXApi(XApiResource):
    """The fixture implementation: the same client, pointed at the loopback stand-in."""

    url: str

    def client(self) -> XApi:
        return XApi(XApiSettings(bearer_token=TOKEN, base_url=self.url, access_level="pro"),
                    sleep=lambda _: None)


def test_a_scheduled_run_with_a_bad_registry_fails_at_the_registry_naming_the_line(tmp_path):
    # (`govpulse run` checks the registry before starting Dagster; a schedule or the UI does not)
    registry = tmp_path / "registry.csv"
    registry.write_text("handle,department,colour\nHealthDesk,Health,red\n", encoding="utf-8")
    database = tmp_path / "build.duckdb"
    result = dg.materialize(
        [raw_registry],
        resources={
            "warehouse": DuckDBResource(database=str(database)),
            "pipeline": PipelineSettings(warehouse=str(tmp_path / "govpulse.duckdb"),
                                         registry=str(registry)),
        },
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    assert f"{registry}, line 1: unknown column 'colour'" in \
        failure.step_failure_data.error.message
    assert not database.exists()


def test_a_run_with_a_bad_var_in_its_resource_config_fails_before_dbt_starts(tmp_path):
    # (Settings.from_env checks GOVPULSE_DBT_VARS; config set in the launchpad bypasses it)
    from orchestration.defs.dbt_assets import govpulse_dbt_models
    from orchestration.defs.resources import DbtCli
    from orchestration.project import dbt_project

    database = tmp_path / "build.duckdb"
    result = dg.materialize(
        [govpulse_dbt_models],
        resources={
            "warehouse": DuckDBResource(database=str(database)),
            "dbt": DbtCli(project_dir=dbt_project, dbt_executable="/usr/bin/false"),
            "pipeline": PipelineSettings(warehouse=str(tmp_path / "govpulse.duckdb"),
                                         dbt_vars='{"latency_half_life_minutes": 0}'),
        },
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_failure_data.error.message.startswith(
        "dagster._core.definitions.events.Failure: the pipeline resource's dbt_vars: "
        "latency_half_life_minutes=0: expected more than 0")
    assert not database.exists()


def test_materialize_extraction_with_the_fixture_client(tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text("handle,department\nHealthDesk,Health\nghost,Health\n", encoding="utf-8")
    database = tmp_path / "build.duckdb"
    with StandIn(_corpus(posts=120, replies=7), TOKEN) as standin:
        result = dg.materialize(
            [raw_registry, raw_tweets_and_users, registry_accounts_resolved,
             accounts_have_recent_data],
            resources={
                "warehouse": DuckDBResource(database=str(database)),
                "pipeline": PipelineSettings(warehouse=str(tmp_path / "govpulse.duckdb"),
                                             source="x", registry=str(registry),
                                             as_of="2026-11-25T12:00:00Z"),
                "x_api": FixtureXApi(url=standin.url, lookback_days=0),
            },
        )
    assert result.success
    [tweets] = [event for event in result.get_asset_materialization_events()
                if event.asset_key == dg.AssetKey(["raw", "tweets"])]
    metadata = tweets.materialization.metadata
    assert metadata["api_calls"].value == 4  # lookup, 2 timeline pages, 1 search page
    assert metadata["rows_landed"].value == 127
    assert metadata["accounts_unavailable"].value == 1
    checks = {evaluation.check_name: evaluation for evaluation in
              result.get_asset_check_evaluations()}
    assert not checks["registry_accounts_resolved"].passed
    assert "ghost" in checks["registry_accounts_resolved"].metadata["accounts"].value
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from raw.tweets").fetchone()[0] == 127


def _interrupted_statement() -> None:
    """A DuckDB statement interrupted by a SIGINT, as a Ctrl-C in the middle of the landing:
    DuckDB drops the exception Dagster's handler raises and raises its own."""
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    duckdb.connect().execute("select count(*) from range(10_000_000_000)")


def _keyboard_interrupt() -> None:
    raise KeyboardInterrupt


def _materialize_files_extraction(tmp_path: Path) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    """The registry and the files extraction, materialized (load_files patched by the test);
    and the run's log messages."""
    registry = tmp_path / "registry.csv"
    registry.write_text("handle,department\nHealthDesk,Health\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [raw_registry, raw_tweets_and_users],
        resources={
            "warehouse": DuckDBResource(database=str(tmp_path / "build.duckdb")),
            "pipeline": PipelineSettings(warehouse=str(tmp_path / "govpulse.duckdb"),
                                         registry=str(registry), input_dir=str(tmp_path / "in")),
            "x_api": XApiResource(),
        },
        instance=instance,
        raise_on_error=False,
    )
    return result, [entry.user_message for entry in instance.all_logs(result.run_id)]


def _interrupted_failure(result: dg.ExecuteInProcessResult) -> None:
    """The run failed, on an interrupt (its one step failure)."""
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_failure_data.error.message.endswith(
        "interrupted: what was landed stays, and the next run lands the rest\n")


@pytest.mark.parametrize("interrupt", [_interrupted_statement, _keyboard_interrupt])
def test_an_interrupted_extraction_stops_the_run_instead_of_being_retried(tmp_path,
                                                                          monkeypatch, interrupt):
    """Dagster retries an interrupted step that has a retry policy, after a minute and without
    a word at the console's level: a Ctrl-C or a termination during the landing was swallowed
    and the run went on."""
    calls = []

    def interrupted_landing(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:  # (a retry, had there been one: end the run at once)
            raise dg.Failure("retried", allow_retries=False)
        interrupt()

    monkeypatch.setattr(raw_assets.files_source, "load_files", interrupted_landing)
    result, _ = _materialize_files_extraction(tmp_path)
    assert len(calls) == 1
    assert not [event for event in result.all_events if event.is_step_up_for_retry]
    _interrupted_failure(result)


def _wait_notices(messages: list[str]) -> list[str]:
    return [message for message in messages if "before extracting again" in message]


def test_transient_trouble_is_tried_again_after_the_backoff(tmp_path, monkeypatch):
    calls: list[float] = []

    def landing_failing_once(*args, **kwargs):
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise OSError("the input's network share went away")
        return raw_assets.files_source.FilesReport()

    monkeypatch.setattr(raw_assets.files_source, "load_files", landing_failing_once)
    monkeypatch.setattr(raw_assets, "EXTRACTION_BACKOFF", dg.RetryPolicy(max_retries=3, delay=2))
    result, messages = _materialize_files_extraction(tmp_path)
    assert result.success and len(calls) == 2
    assert calls[1] - calls[0] >= 2
    assert _wait_notices(messages) == [
        "try 2 of 4: waiting 2 s before extracting again (an interrupt stops the run)"]


def test_an_interrupt_while_waiting_to_try_again_stops_the_run_at_once(tmp_path, monkeypatch):
    """Dagster's wait between tries (a RetryPolicy's delay) sleeps through a Ctrl-C: a run
    interrupted then went on waiting for up to 7 minutes. The step waits itself now."""
    calls = []
    sleep = time.sleep

    def landing_failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the input's network share went away")
        raise dg.Failure("tried again", allow_retries=False)

    def sleep_interrupted(seconds: float) -> None:
        if seconds == 600:  # the retry's wait: a Ctrl-C comes half a second into it
            threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
        sleep(seconds)

    monkeypatch.setattr(raw_assets.files_source, "load_files", landing_failing_once)
    monkeypatch.setattr(time, "sleep", sleep_interrupted)
    monkeypatch.setattr(raw_assets, "EXTRACTION_BACKOFF", dg.RetryPolicy(max_retries=3,
                                                                          delay=600))
    started = time.monotonic()
    result, messages = _materialize_files_extraction(tmp_path)
    assert time.monotonic() - started < 60
    assert len(calls) == 1
    assert _wait_notices(messages) == [
        "try 2 of 4: waiting 600 s before extracting again (an interrupt stops the run)"]
    _interrupted_failure(result)


def test_transient_api_trouble_says_when_the_extraction_is_tried_again():
    problem = "connection to the X API failed on users/by (ConnectionError), 5 attempts"
    assert [retry_notice(problem, retry, EXTRACTION_BACKOFF) for retry in range(4)] == [
        f"{problem}; the extraction is tried again in 60 s (3 retries left)",
        f"{problem}; the extraction is tried again in 180 s (2 retries left)",
        f"{problem}; the extraction is tried again in 420 s (1 retry left)",
        f"{problem}; no retry left: the run stops here",
    ]


@pytest.mark.e2e
def test_webserver_serves_the_asset_graph(tmp_path):
    port = free_port()
    env = dict(os.environ, DAGSTER_HOME=str(tmp_path),
               GOVPULSE_WAREHOUSE=str(tmp_path / "govpulse.duckdb"))
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-webserver")), "-m",
         "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        query = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()
        deadline = time.monotonic() + 120
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=query,
                                                 headers={"content-type": "application/json"})
                with urllib.request.urlopen(request, timeout=5) as answer:
                    body = json.loads(answer.read())
                if body.get("data", {}).get("assetNodes"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the webserver did not answer in time"
            time.sleep(1)
        keys = sorted("/".join(node["assetKey"]["path"]) for node in body["data"]["assetNodes"])
        assert keys == sorted(EXPECTED_NON_DBT_KEYS + EXPECTED_DBT_KEYS)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_dbt_resource_skips_the_start_up_work_govpulse_does_not_use(monkeypatch):
    """DbtCli overrides two private methods of the pinned dagster-dbt: if an upgrade renames
    them, this fails instead of the overrides silently doing nothing."""
    from importlib.metadata import version as installed_version

    import dagster_dbt.core.resource as dagster_dbt_resource
    from dagster_dbt import DbtCliResource
    from packaging import version

    from orchestration.defs.resources import DbtCli
    from orchestration.project import dbt_project, ensure_dbt_on_path

    assert "_cli_version" in vars(DbtCliResource)
    assert "_initialize_dbt_core_adapter" in vars(DbtCliResource)

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"dagster-dbt started {args}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess)
    ensure_dbt_on_path()
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    dbt = DbtCli(project_dir=dbt_project)
    assert dbt._cli_version == version.parse(installed_version("dbt-core"))
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
    # a dbt elsewhere on PATH is asked its version, as dagster-dbt does
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(AssertionError, match="--version"):
        _ = DbtCli(project_dir=dbt_project, dbt_executable="/usr/bin/true")._cli_version


def test_govpulse_run_names_a_missing_govpulse_dbt_and_how_to_install_it(tmp_path, monkeypatch,
                                                                          capsys):
    """An install older than the checkout lacks `govpulse-dbt`: one line saying so and how to
    reinstall, before Dagster starts, not dagster-dbt's validation error in a traceback."""
    scripts = tmp_path / "venv" / "bin"
    scripts.mkdir(parents=True)
    (scripts / "dbt").write_text("#!/bin/sh\n", encoding="utf-8")
    (scripts / "dbt").chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(scripts / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert stopped_run_message(tmp_path, capsys) == (
        f"govpulse run: `govpulse-dbt` is neither on PATH nor in {scripts}: govpulse's install "
        "is older than this checkout or incomplete; reinstall it (`make install`, or "
        "`pip install -e .` in the checkout)")


def test_recent_data_check_reports_accounts_older_than_the_setting(tmp_path):
    database = tmp_path / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_raw_schema(con)
        con.execute("insert into raw.registry values (1, 'HealthDesk', 'Health', '11', null, "
                    "null, null, null, null, 'registry.csv', 'run-1')")
        con.execute("insert into raw.tweets values ('1', '11', now() - interval 3 hour, '{}', "
                    "now() - interval 3 hour, 'files', 'a.jsonl', 1, 'run-1', now())")

    def check(stale_after: str) -> dg.AssetCheckResult:
        hours = Settings.from_env({"GOVPULSE_STALE_AFTER_HOURS": stale_after}).stale_after_hours
        return accounts_have_recent_data(
            warehouse=DuckDBResource(database=str(database)),
            pipeline=PipelineSettings(warehouse=str(tmp_path / "govpulse.duckdb"),
                                      stale_after_hours=hours))

    stale = check("2")
    assert not stale.passed and stale.metadata["accounts"].text.startswith("HealthDesk (")
    assert check("4").passed
    with pytest.raises(SettingsError, match="GOVPULSE_STALE_AFTER_HOURS='two days': expected a "
                                            "number of hours"):
        check("two days")
