"""Resources, configured from the environment (see govpulse/settings.py and .env.example)."""


import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from govpulse.settings import Settings
from orchestration.project import dbt_project


class PipelineSettings(dg.ConfigurableResource):
    """What a run reads and where it publishes; none of it is secret."""

    warehouse: str
    source: str = "files"
    registry: str | None = None
    input_dir: str | None = None
    as_of: str | None = None
    dbt_vars: str | None = None  # JSON object of dbt var overrides


def dbt_executable() -> str:
    """dbt on PATH, else the one installed beside this Python (a venv that is not activated)."""
    beside = Path(sys.executable).with_name("dbt")
    return shutil.which("dbt") or str(beside)


@dg.definitions
def resources() -> dg.Definitions:
    settings = Settings.from_env()
    return dg.Definitions(
        resources={
            # The pipeline writes the build copy; readers open the published file.
            "warehouse": DuckDBResource(database=str(settings.build_database)),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
            "pipeline": PipelineSettings(
                warehouse=str(settings.warehouse),
                source=settings.source,
                registry=str(settings.registry) if settings.registry else None,
                input_dir=str(settings.input_dir) if settings.input_dir else None,
                as_of=settings.as_of,
                dbt_vars=settings.dbt_vars,
            ),
        }
    )
