"""Where the dbt project lives, for dagster-dbt (and `dagster-dbt project prepare-and-package`)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from govpulse.dbt_launcher import DBT_EXECUTABLE
from govpulse.settings import DBT_PROJECT_DIR, SettingsError

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


def ensure_dbt_on_path() -> None:
    """dagster-dbt runs dbt from PATH (``govpulse-dbt`` for builds, ``dbt`` to prepare the
    manifest): add this Python's scripts folder when they are only there (a virtualenv used
    without activating it, e.g. `.venv/bin/govpulse run`). When one is in neither place (an
    install older than the checkout, from before ``govpulse-dbt`` existed), say so and how to
    fix it, rather than let dagster-dbt fail on it."""
    scripts = Path(sys.executable).parent
    needed = ("dbt", DBT_EXECUTABLE)
    if any(shutil.which(name) is None and (scripts / name).exists() for name in needed):
        os.environ["PATH"] = f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"
    missing = [name for name in needed if shutil.which(name) is None]
    if missing:
        commands = " and ".join(f"`{name}`" for name in missing)
        raise SettingsError(
            f"{commands} {'is' if len(missing) == 1 else 'are'} neither on PATH nor in "
            f"{scripts}: govpulse's install is older than this checkout or incomplete; "
            "reinstall it (`make install`, or `pip install -e .` in the checkout)")


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing (fresh clone, pip install)."""
    ensure_dbt_on_path()
    if not dbt_project.manifest_path.exists():
        dbt_project.preparer.prepare(dbt_project)
    return dbt_project.manifest_path
