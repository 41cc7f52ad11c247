"""Jobs."""

from __future__ import annotations

import dagster as dg

daily_refresh = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all(),
    description="Extract every source, build the warehouse with dbt, publish it.",
)
