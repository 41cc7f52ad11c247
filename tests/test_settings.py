"""Settings from the environment: a malformed value stops a run before anything runs, and
says which variable and what it expects."""

from __future__ import annotations

import pytest

from govpulse.settings import Settings, SettingsError
from tests.conftest import stopped_run_message


@pytest.mark.parametrize("name", ["GOVPULSE_DBT_MEMORY_LIMIT", "GOVPULSE_LANDING_MEMORY_LIMIT"])
def test_memory_budgets_are_sizes_duckdb_takes(name):
    for size in ("3GB", "1.5GB", "512MiB", "3 GB"):
        Settings.from_env({name: size})
    for size in ("lots", "3GB'; select 1; --"):
        with pytest.raises(SettingsError, match=f"{name}=.*: expected a size such as 3GB"):
            Settings.from_env({name: size})


def test_govpulse_run_stops_on_a_bad_memory_budget_before_anything_runs(tmp_path, capsys,
                                                                         monkeypatch):
    """dbt's budget is read by its profile only when the build starts: before this check, a
    run landed everything, then failed with a thousand lines of traceback."""
    monkeypatch.setenv("GOVPULSE_DBT_MEMORY_LIMIT", "lots")
    assert stopped_run_message(tmp_path, capsys) == (
        "govpulse run: GOVPULSE_DBT_MEMORY_LIMIT='lots': expected a size such as 3GB or 1.5GB")


@pytest.mark.parametrize(("name", "field", "default", "unit"), [
    ("GOVPULSE_X_LOOKBACK_DAYS", "x_lookback_days", 2.0, "days"),
    ("GOVPULSE_STALE_AFTER_HOURS", "stale_after_hours", 48.0, "hours"),
])
def test_days_and_hours_are_numbers_zero_or_more(name, field, default, unit):
    """A negative, infinite or NaN amount used to pass and fail later: 'nan' days of lookback
    raised from timedelta in the middle of an X extraction."""
    assert getattr(Settings.from_env({}), field) == default
    assert getattr(Settings.from_env({name: " 0 "}), field) == 0
    assert getattr(Settings.from_env({name: "1.5"}), field) == 1.5
    for text in ("abc", "-1", "nan", "inf"):
        with pytest.raises(SettingsError) as raised:
            Settings.from_env({name: text})
        assert str(raised.value) == f"{name}={text!r}: expected a number of {unit}, 0 or more"
