"""The overrides a run accepts: the vars of dbt_project.yml, each a number of its default's
kind; anything else stops the run before it starts, naming the var."""

from __future__ import annotations

import pytest

from govpulse.dbt_vars import declared_vars, override_problems
from govpulse.settings import DBT_PROJECT_DIR, Settings, SettingsError
from tests.conftest import run_cli

DECLARED = {"as_of": "", "response_window_hours": 48, "weight_tone": 0.2,
            "exclaim_min_count": 2}


def test_the_project_declares_every_threshold_window_and_weight_with_a_number():
    declared = declared_vars(DBT_PROJECT_DIR)
    assert declared["response_window_hours"] == 48 and declared["weight_responsiveness"] == 0.5
    assert all(isinstance(default, int | float) for name, default in declared.items()
               if name != "as_of")


def test_known_vars_with_numbers_of_their_kind_pass():
    assert override_problems({"response_window_hours": 24, "weight_tone": 1,
                              "exclaim_min_count": 0}, DECLARED) == []
    assert override_problems({"weight_tone": 0.25}, DECLARED) == []


def test_a_misspelt_var_is_named_with_the_closest_known_one():
    assert override_problems({"respons_window_hours": 24}, DECLARED) == [
        "unknown var 'respons_window_hours': did you mean response_window_hours? the vars are "
        "exclaim_min_count, response_window_hours, weight_tone"]
    assert override_problems({"colour": 1}, DECLARED) == [
        "unknown var 'colour': the vars are exclaim_min_count, response_window_hours, "
        "weight_tone"]


def test_values_of_the_wrong_kind_or_negative_are_refused():
    assert override_problems({"response_window_hours": "abc", "weight_tone": "high",
                              "exclaim_min_count": 2.5}, DECLARED) == [
        "response_window_hours='abc': expected a whole number, like its default 48",
        "weight_tone='high': expected a number, like its default 0.2",
        "exclaim_min_count=2.5: expected a whole number, like its default 2"]
    assert override_problems({"exclaim_min_count": True}, DECLARED) == [
        "exclaim_min_count=True: expected a whole number, like its default 2"]
    assert override_problems({"response_window_hours": -1, "weight_tone": -0.5}, DECLARED) == [
        "response_window_hours=-1: expected 0 or more", "weight_tone=-0.5: expected 0 or more"]


def test_settings_refuse_bad_overrides_from_the_environment_too():
    with pytest.raises(SettingsError, match=r"GOVPULSE_DBT_VARS \(or --var\): unknown var "
                                            r"'respons_window_hours': did you mean"):
        Settings.from_env({"GOVPULSE_DBT_VARS": '{"respons_window_hours": 24}'})
    settings = Settings.from_env({"GOVPULSE_DBT_VARS": '{"response_window_hours": 24}'})
    assert settings.dbt_vars == '{"response_window_hours": 24}'


def test_govpulse_run_stops_on_a_bad_var_before_anything_runs(tmp_path, capsys):
    registry = tmp_path / "registry.csv"
    registry.write_text("handle,department\n@HealthDesk,Health\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    code = run_cli("run", "--registry", str(registry), "--input", str(tmp_path / "in"),
                   "--warehouse", str(tmp_path / "govpulse.duckdb"),
                   "--var", "response_window_hours=abc")
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "govpulse run: GOVPULSE_DBT_VARS (or --var): response_window_hours='abc': expected a "
        "whole number, like its default 48")
    assert not (tmp_path / ".govpulse-build").exists()
