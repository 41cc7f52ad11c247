"""How long each dbt node took in the last builds on a warehouse, kept so that the next build
hands out first the nodes on its longest chain (``govpulse/dbt_queue_order.py``).

After a build passes, each node's ``execution_time`` in its ``run_results.json`` is merged into
``node_times.json`` beside the build copy (``govpulse.settings.dbt_state_path``): a node the
build left out keeps its earlier time. The next build's ``govpulse-dbt`` reads the file named by
``GOVPULSE_DBT_NODE_TIMES``. A file missing or unreadable leaves dbt's own order; it never
fails a build.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

NODE_TIMES_ENV = "GOVPULSE_DBT_NODE_TIMES"
# the record's name for ``dbt_state_path`` (not imported here: the launcher starts lean)
STATE_NAME = "node_times.json"


def load(state: Path) -> dict[str, float]:
    """Each node's seconds as last recorded; empty when there is no readable record."""
    try:
        kept = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {node: float(seconds) for node, seconds in kept.items()
            if isinstance(seconds, int | float) and seconds >= 0}


def load_from_environment(environment: Mapping[str, str] = os.environ) -> dict[str, float]:
    """The times in the file ``GOVPULSE_DBT_NODE_TIMES`` names; empty when it names none."""
    path = environment.get(NODE_TIMES_ENV, "")
    return load(Path(path)) if path else {}


def record(state: Path, run_results: Path) -> None:
    """Merge the ``execution_time`` of each node the build ran into ``state``."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    times = load(state)
    for result in results:
        seconds = result.get("execution_time")
        if result.get("status") != "skipped" and isinstance(seconds, int | float):
            times[result["unique_id"]] = round(float(seconds), 3)
    state.parent.mkdir(parents=True, exist_ok=True)
    written = state.with_name(state.name + ".new")
    written.write_text(json.dumps(times, indent=1, sort_keys=True), encoding="utf-8")
    written.replace(state)  # whole or not at all: a crash leaves the earlier record
