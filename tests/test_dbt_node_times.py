"""The nodes' times kept from one dbt build to the next (govpulse/dbt_node_times.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govpulse import dbt_node_times
from govpulse.settings import dbt_state_path


def _run_results(path: Path, *results: tuple[str, str, float]) -> Path:
    """A run_results.json as dbt writes it, trimmed to what is read."""
    path.write_text(json.dumps({"results": [
        {"unique_id": node, "status": status, "execution_time": seconds, "timing": []}
        for node, status, seconds in results]}), encoding="utf-8")
    return path


def test_a_build_keeps_each_node_it_ran_and_the_earlier_times_of_the_others(tmp_path):
    state = dbt_state_path(tmp_path / "govpulse.duckdb", "duckdb", dbt_node_times.STATE_NAME)
    assert state == tmp_path / ".govpulse-build" / "govpulse_dbt_duckdb_node_times.json"
    dbt_node_times.record(state, _run_results(
        tmp_path / "first.json", ("model.govpulse.stg_x__tweets", "success", 31.5),
        ("model.govpulse.dim_accounts", "success", 0.2)))
    dbt_node_times.record(state, _run_results(
        tmp_path / "second.json", ("model.govpulse.stg_x__tweets", "success", 1.6041),
        ("test.govpulse.unique_stg_x__tweets_tweet_id", "pass", 0.08),
        ("model.govpulse.fct_posts", "skipped", 0.0)))
    assert dbt_node_times.load(state) == {
        "model.govpulse.stg_x__tweets": 1.604,
        "model.govpulse.dim_accounts": 0.2,  # not in the second build: its earlier time
        "test.govpulse.unique_stg_x__tweets_tweet_id": 0.08,
    }  # a skipped node did not run: no time
    assert not state.with_name(state.name + ".new").exists()


def test_no_record_or_a_broken_one_leaves_dbts_own_order(tmp_path):
    state = tmp_path / "node_times.json"
    assert dbt_node_times.load(state) == {}
    state.write_text("{not json", encoding="utf-8")
    assert dbt_node_times.load(state) == {}
    state.write_text(json.dumps(["model.a"]), encoding="utf-8")
    assert dbt_node_times.load(state) == {}
    state.write_text(json.dumps({"model.a": "slow", "model.b": -1, "model.c": 2}),
                     encoding="utf-8")
    assert dbt_node_times.load(state) == {"model.c": 2.0}
    # a build without readable results changes nothing
    dbt_node_times.record(state, tmp_path / "missing.json")
    assert dbt_node_times.load(state) == {"model.c": 2.0}


def test_the_launcher_reads_the_file_its_environment_names(tmp_path):
    state = tmp_path / "node_times.json"
    state.write_text(json.dumps({"model.a": 1.5}), encoding="utf-8")
    assert dbt_node_times.load_from_environment(
        {dbt_node_times.NODE_TIMES_ENV: str(state)}) == {"model.a": 1.5}
    assert dbt_node_times.load_from_environment({}) == {}
    assert dbt_node_times.load_from_environment({dbt_node_times.NODE_TIMES_ENV: ""}) == {}


@pytest.mark.e2e
def test_a_pipeline_run_keeps_each_nodes_time_for_the_next(demo_warehouse):
    """`govpulse run` (Dagster's dbt asset) records the build's times where the next finds them."""
    times = dbt_node_times.load(dbt_state_path(demo_warehouse, "duckdb", dbt_node_times.STATE_NAME))
    assert times["model.govpulse.stg_x__tweets"] > 0
    assert times["model.govpulse.int_account_period_metrics"] > 0
    assert any(node.startswith("test.govpulse.") for node in times)
