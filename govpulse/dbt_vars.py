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

# What each var's meaning rules out beyond a negative value (METRICS.md):
# a rate or a share is at most 1;
SHARES = ("broadcaster_max_response_rate", "caps_min_upper_share")
# the responsiveness score's speed halves every latency_half_life_minutes, which divides the
# median (0 would make every answer infinitely slow);
POSITIVE = ("latency_half_life_minutes",)
# the composite score is the mean of the scores weighted by these, over the non-null ones.
WEIGHTS = ("weight_responsiveness", "weight_engagement", "weight_tone")


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
    value that is not a number of its default's kind, a negative one (every threshold,
    window and weight counts something), a share above 1 or a half-life of 0; and weights
    that would all be 0 with the overrides."""
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
        elif name in SHARES and value > 1:
            problems.append(f"{name}={value!r}: expected at most 1 (a share)")
        elif name in POSITIVE and value == 0:
            problems.append(f"{name}={value!r}: expected more than 0")
    weights = [overrides.get(name, declared.get(name)) for name in WEIGHTS]
    if any(name in overrides for name in WEIGHTS) and all(
            _is_number(weight) and weight == 0 for weight in weights):
        problems.append(f"{', '.join(WEIGHTS[:-1])} and {WEIGHTS[-1]} would all be 0: the "
                        "composite score needs one of them above 0")
    return problems
