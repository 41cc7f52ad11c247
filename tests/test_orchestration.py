"""The Dagster code location: definitions load, keys line up, the instance config is valid."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from orchestration.definitions import load

REPO = Path(__file__).resolve().parent.parent


def test_definitions_load_and_asset_keys_line_up(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVPULSE_WAREHOUSE", str(tmp_path / "govpulse.duckdb"))
    defs = load()
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"raw/registry", "raw/tweets", "raw/users", "published/warehouse",
            "marts/account_scorecard", "marts/department_scorecard",
            "marts/fct_inbound_replies"} <= keys
    # dbt's source('raw', 'tweets') is the extraction asset, matched by name
    staging = graph.get(dg.AssetKey(["staging", "stg_x__tweets"]))
    assert dg.AssetKey(["raw", "tweets"]) in staging.parent_keys
    published = graph.get(dg.AssetKey(["published", "warehouse"]))
    assert dg.AssetKey(["marts", "department_scorecard"]) in published.parent_keys
    assert defs.resolve_job_def("daily_refresh") is not None
    # dbt tests arrive as asset checks
    assert any(check.asset_key == dg.AssetKey(["marts", "account_scorecard"])
               for check in graph.asset_check_keys)


def test_dagster_yaml_is_a_valid_instance_config(monkeypatch, tmp_path):
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
