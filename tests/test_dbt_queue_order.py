"""dbt's queue hands out the longest chain first (govpulse/dbt_queue_order.py)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest
from dbt.graph.queue import GraphQueue
from dbt.task.runnable import GraphRunnableTask

from govpulse.dbt_node_times import NODE_TIMES_ENV
from govpulse.dbt_queue_order import hand_out_longest_chain_first, longest_chain_scores
from tests.conftest import run_tiny_dbt, tiny_dbt_project

# The start of a daily build's graph at 10 M inbound replies, with its nodes' times (s): two
# small tables whose names sort first, and stg_x__tweets heading the chain of the day.
DAY_START = {
    "model.govpulse.dim_metric_settings": 0.41,
    "model.govpulse.stg_pipeline__pseudonym_key": 0.21,
    "model.govpulse.stg_x__tweets": 1.59,
    "test.govpulse.unique_stg_x__tweets_tweet_id": 0.08,
    "model.govpulse.int_posts_classified": 0.85,
    "model.govpulse.fct_posts": 0.64,
}
DAY_EDGES = [
    ("model.govpulse.stg_x__tweets", "test.govpulse.unique_stg_x__tweets_tweet_id"),
    ("test.govpulse.unique_stg_x__tweets_tweet_id", "model.govpulse.int_posts_classified"),
    ("model.govpulse.int_posts_classified", "model.govpulse.fct_posts"),
    ("model.govpulse.stg_pipeline__pseudonym_key", "model.govpulse.fct_posts"),
]


def _day_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(DAY_START)
    graph.add_edges_from(DAY_EDGES)
    return graph


def test_a_node_scores_minus_the_longest_chain_from_it_its_own_time_included():
    scores = longest_chain_scores(_day_graph(), DAY_START)
    assert scores["model.govpulse.fct_posts"] == -640
    assert scores["model.govpulse.stg_x__tweets"] == -(1590 + 80 + 850 + 640)
    assert scores["model.govpulse.stg_pipeline__pseudonym_key"] == -(210 + 640)
    assert scores["model.govpulse.dim_metric_settings"] == -410
    # a node never timed weighs nothing, but the chain below it still counts
    untimed = longest_chain_scores(_day_graph(), {"model.govpulse.fct_posts": 0.64})
    assert untimed["model.govpulse.stg_x__tweets"] == -640
    assert untimed["model.govpulse.dim_metric_settings"] == 0


def _handed_out(graph: nx.DiGraph, threads: int) -> list[str]:
    """The nodes in the order dbt's own queue hands them out to ``threads`` free threads."""
    manifest = SimpleNamespace(expect=lambda node: SimpleNamespace(unique_id=node))
    queue = GraphQueue(graph, manifest, set(graph.nodes))
    return [queue.get().unique_id for _ in range(threads)]


def test_dbts_queue_hands_out_the_longest_chain_first(monkeypatch):
    # dbt's own order: the graph's first level, ties by name
    assert _handed_out(_day_graph(), 2) == ["model.govpulse.dim_metric_settings",
                                            "model.govpulse.stg_pipeline__pseudonym_key"]
    for name in ("_get_scores", "get"):  # dbt's own, restored after the test
        monkeypatch.setattr(GraphQueue, name, getattr(GraphQueue, name))
    monkeypatch.setattr(GraphRunnableTask, "run_queue", GraphRunnableTask.run_queue)
    hand_out_longest_chain_first(DAY_START)
    assert _handed_out(_day_graph(), 2) == ["model.govpulse.stg_x__tweets",
                                            "model.govpulse.stg_pipeline__pseudonym_key"]


def _run_order(project: Path, node_times: Path | None) -> list[str]:
    run_tiny_dbt(project, "run", **({NODE_TIMES_ENV: str(node_times)} if node_times else {}))
    results = json.loads((project / "target" / "run_results.json").read_text(
        encoding="utf-8"))["results"]
    return [result["unique_id"].split(".")[-1] for result in results]  # in the order they ran


@pytest.mark.e2e
def test_govpulse_dbt_runs_the_longest_chain_first_handing_out_a_node_when_a_thread_is_free(
        tmp_path):
    # three views: a_alone, and b_head with c_tail below it
    project = tiny_dbt_project(tmp_path / "tiny", {
        "a_alone": "select 1 as one", "b_head": "select 1 as one",
        "c_tail": "select * from {{ ref('b_head') }}"})
    # dbt's own order: the graph's first level by name, then the next
    assert _run_order(project, None) == ["a_alone", "b_head", "c_tail"]
    times = tmp_path / "node_times.json"
    times.write_text(json.dumps({"model.tiny.a_alone": 0.5, "model.tiny.b_head": 0.1,
                                 "model.tiny.c_tail": 2.0}), encoding="utf-8")
    # b_head's chain is the longest; on one thread, c_tail, ready once b_head is done, goes
    # before a_alone, which was ready all along (dbt alone would have queued a_alone first)
    assert _run_order(project, times) == ["b_head", "c_tail", "a_alone"]
