"""The arguments the pipeline passes to dbt: small, pure and unit-tested."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from govpulse.settings import format_as_of


def dbt_vars(as_of: datetime, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The vars of a build: ``as_of`` always explicit, plus any threshold/weight overrides."""
    values: dict[str, Any] = dict(overrides or {})
    values["as_of"] = format_as_of(as_of)
    return values


def build_args(as_of: datetime, overrides: Mapping[str, Any] | None = None,
               full_refresh: bool = False) -> list[str]:
    args = ["build", "--vars", json.dumps(dbt_vars(as_of, overrides), sort_keys=True)]
    if full_refresh:
        args.append("--full-refresh")
    return args
