"""The dbt vars a run may override (``--var NAME=VALUE``, ``GOVPULSE_DBT_VARS``): the
thresholds, windows and weights declared with their defaults in ``dbt_project.yml``.

dbt takes any var it is given and ignores the names no model reads, so a misspelt name would
leave its default in force without a word, and a value of the wrong kind would fail deep in
a model's compilation. Both are refused here, naming the var, before anything runs.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml

# set by the pipeline for every asset of a run (--as-of), never as an override
RUN_VARS = ("as_of",)


def declared_vars(project_dir: Path) -> dict[str, Any]:
    """``vars:`` of the project's ``dbt_project.yml``: name -> default."""
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(config.get("vars") or {})


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # (True is an int)


def _is_number(value: Any) -> bool:
    return _is_whole(value) or isinstance(value, float)


def override_problems(overrides: dict[str, Any], declared: dict[str, Any]) -> list[str]:
    """What is wrong with each override: an unknown name (with the closest known one), a
    value that is not a number of its default's kind, or a negative one (every threshold,
    window and weight counts something)."""
    known = sorted(name for name in declared if name not in RUN_VARS)
    problems = []
    for name, value in overrides.items():
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            problems.append(f"unknown var {name!r}: {hint}the vars are {', '.join(known)}")
        elif isinstance(declared[name], int) and not _is_whole(value):
            problems.append(f"{name}={value!r}: expected a whole number, "
                            f"like its default {declared[name]}")
        elif isinstance(declared[name], float) and not _is_number(value):
            problems.append(f"{name}={value!r}: expected a number, "
                            f"like its default {declared[name]}")
        elif _is_number(value) and value < 0:
            problems.append(f"{name}={value!r}: expected 0 or more")
    return problems
