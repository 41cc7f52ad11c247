"""The order in which dbt hands out the nodes that are ready to run: the longest chain first.

dbt (1.11) gives each node the level it sits at in the graph and hands out the ready node of
the lowest level, ties broken by name (``dbt/graph/queue.py``, ``GraphQueue._get_scores``).
That holds back the chain that sets a daily build's length: at 10 million inbound replies,
``stg_x__tweets`` started 0.43 s into the build, behind ``dim_metric_settings`` and
``stg_pipeline__pseudonym_key``, and ``fct_inbound_replies`` waited 0.4 s after its input for
that input's tests, queued behind tests nothing needed yet (docs/performance-history.md).

Here a node's score is minus the seconds of the longest chain of nodes from it to the end of
the build, itself included, each node weighed by its time in the last builds
(``govpulse/dbt_node_times.py``). A node never timed weighs nothing. Only the order among
ready nodes changes: no node starts before its parents (and, in ``dbt build``, their tests)
have passed. On a daily build at 10 M, ``stg_x__tweets`` then starts at 0.04 s rather than
0.3 to 0.4 s; eleven A/B pairs, 0.35 s less on average, within the machine's spread.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx


def longest_chain_scores(graph: nx.DiGraph, seconds: Mapping[str, float]) -> dict[str, int]:
    """Each node's score for dbt's queue (the lowest is handed out first): minus the
    milliseconds of the longest chain from it to the graph's end, its own time included."""
    remaining: dict[str, float] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        below = max((remaining[child] for child in graph.successors(node)), default=0.0)
        remaining[node] = seconds.get(node, 0.0) + below
    return {node: -round(chain * 1000) for node, chain in remaining.items()}


def hand_out_longest_chain_first(seconds: Mapping[str, float]) -> None:
    """Make dbt's queue, in this process, score nodes by ``longest_chain_scores`` and hand one
    out only when a thread is free to run it.

    dbt's main loop takes every node off the queue as soon as it is ready and submits it to
    its thread pool, whose own queue runs them first come, first served: a node that became
    ready while both threads were busy then runs before one that becomes ready later, however
    long the chain below the latter. So the queue waits, before handing out a node, until
    fewer nodes are in progress than the pool has threads."""
    from dbt.graph.queue import GraphQueue
    from dbt.task.runnable import GraphRunnableTask

    if not (hasattr(GraphQueue, "_get_scores") and hasattr(GraphQueue, "get")
            and hasattr(GraphRunnableTask, "run_queue")):
        return  # another dbt than 1.11's: its own order (tests/test_dbt_queue_order.py fails)

    def scores(queue: GraphQueue, graph: nx.DiGraph) -> dict[str, int]:
        return longest_chain_scores(graph, seconds)

    dbts_get = GraphQueue.get

    def get(queue: GraphQueue, block: bool = True, timeout: float | None = None):
        threads = getattr(queue, "govpulse_threads", None)
        in_progress = getattr(queue, "in_progress", None)
        task_done = getattr(queue, "some_task_done", None)  # a condition on the queue's lock
        if threads and in_progress is not None and task_done is not None:
            with task_done:
                while len(in_progress) >= threads:
                    task_done.wait()
        return dbts_get(queue, block, timeout)

    dbts_run_queue = GraphRunnableTask.run_queue

    def run_queue(task: GraphRunnableTask, pool) -> None:
        if getattr(task, "job_queue", None) is not None:
            task.job_queue.govpulse_threads = getattr(pool, "max_threads", None)
        dbts_run_queue(task, pool)

    GraphQueue._get_scores = scores
    GraphQueue.get = get
    GraphRunnableTask.run_queue = run_queue
