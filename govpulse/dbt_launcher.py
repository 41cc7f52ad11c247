"""`govpulse-dbt`: dbt's own command line, started with Python's garbage collector tuned for a
short process that allocates many small objects and keeps most of them.

dbt (1.11) leaves the collector at Python's defaults: a young collection every 700 new objects
and a full collection whenever the older generations have grown, each one walking dbt's whole
parsed project again. A daily build at 10 million inbound replies spent 0.56 to 0.64 s of its
10 s in the collector, some 850 collections (bench/, README: Performance). Here the objects the
imports created are frozen (never walked again) and the young generation is collected every
50,000 new objects: some ten collections in all. Reference cycles are still collected, only
less often; the memory they hold meanwhile is small beside DuckDB's.

When ``GOVPULSE_DBT_NODE_TIMES`` names a record of the nodes' times in the last builds
(``govpulse/dbt_node_times.py``), dbt's queue hands out first the ready node with the longest
chain of work below it rather than the one nearest the graph's top
(``govpulse/dbt_queue_order.py``). When ``GOVPULSE_DBT_TEMPLATE_CACHE`` names a folder, the
Jinja templates dbt compiles are kept there for the next process
(``govpulse/dbt_template_cache.py``); when ``GOVPULSE_DBT_JSON_SCHEMAS`` names a file, so are
the JSON schemas dbt validates its project, profile and flags against
(``govpulse/dbt_schema_cache.py``).

The pipeline (dagster-dbt's resource) and the benchmark start dbt through this command;
anything else `dbt` accepts works the same here."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from govpulse import dbt_node_times, dbt_schema_cache, dbt_template_cache

# the command's name (pyproject.toml's [project.scripts]), installed beside `dbt`
DBT_EXECUTABLE = "govpulse-dbt"

YOUNG_GENERATION_THRESHOLD = 50_000
OLDER_GENERATION_THRESHOLDS = (50, 1_000)


def installed_launcher() -> Path:
    """This Python's ``govpulse-dbt``, installed with govpulse beside its ``python``."""
    return Path(sys.executable).with_name(DBT_EXECUTABLE)


def collect_less_often() -> None:
    """Collect the young generation every 50,000 new objects rather than every 700."""
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *OLDER_GENERATION_THRESHOLDS)


def main() -> None:
    collect_less_often()  # before dbt's imports, which allocate most of what dbt keeps
    from dbt.cli.main import cli

    dbt_template_cache.keep_from_environment()
    dbt_schema_cache.keep_from_environment()
    node_times = dbt_node_times.load_from_environment()
    if node_times:
        from govpulse.dbt_queue_order import hand_out_longest_chain_first

        hand_out_longest_chain_first(node_times)
    gc.freeze()  # what the imports created is never walked again
    sys.exit(cli())


if __name__ == "__main__":
    main()
