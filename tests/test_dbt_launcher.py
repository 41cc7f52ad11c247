"""govpulse-dbt: dbt's command line with Python's garbage collector tuned."""

from __future__ import annotations

import gc
import subprocess
from collections.abc import Iterator

import pytest

from govpulse.dbt_launcher import (
    DBT_EXECUTABLE,
    OLDER_GENERATION_THRESHOLDS,
    YOUNG_GENERATION_THRESHOLD,
    installed_launcher,
    main,
)


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_launcher_collects_less_often_and_freezes_what_dbts_imports_made(
        restored_collector, monkeypatch):
    import dbt.cli.main

    started = []
    monkeypatch.setattr(dbt.cli.main, "cli", lambda: started.append(gc.get_freeze_count()) or 0)
    gc.unfreeze()
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 0
    assert started and started[0] > 0  # dbt starts with the objects of its imports frozen
    assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *OLDER_GENERATION_THRESHOLDS)


def test_govpulse_dbt_is_dbts_command_line():
    """Installed beside dbt by `pip install` (pyproject.toml); every dbt build of the tests
    runs through it too (tests/conftest.py::run_dbt). Not `--version`, which asks PyPI."""
    launcher = installed_launcher()
    completed = subprocess.run([str(launcher), "build", "--help"], capture_output=True,
                               text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(f"Usage: {DBT_EXECUTABLE} build [OPTIONS]")
    assert "--full-refresh" in completed.stdout
