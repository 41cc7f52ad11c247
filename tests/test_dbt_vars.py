"""The overrides a run accepts: the vars of dbt_project.yml, each a number of its default's
kind; anything else stops the run before it starts, naming the var."""

from __future__ import annotations

import pytest

from govpulse.dbt_vars import declared_vars, override_problems
from govpulse.settings import DBT_PROJECT_DIR, Settings, SettingsError
from tests.conftest import stopped_run_message

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


def test_values_their_meaning_rules_out_are_refused():
    declared = declared_vars(DBT_PROJECT_DIR)
    assert override_problems({"broadcaster_max_response_rate": 1.5, "caps_min_upper_share": 2,
                              "latency_half_life_minutes": 0}, declared) == [
        "broadcaster_max_response_rate=1.5: expected at most 1 (a share)",
        "caps_min_upper_share=2: expected at most 1 (a share)",
        "latency_half_life_minutes=0: expected more than 0"]
    assert override_problems({"broadcaster_max_response_rate": 1, "caps_min_upper_share": 0,
                              "latency_half_life_minutes": 1}, declared) == []


def test_weights_that_would_all_be_zero_are_refused():
    declared = declared_vars(DBT_PROJECT_DIR)
    assert override_problems({"weight_responsiveness": 0, "weight_engagement": 0.0,
                              "weight_tone": 0}, declared) == [
        "weight_responsiveness, weight_engagement and weight_tone would all be 0: the composite "
        "score needs one of them above 0"]
    # one weight left at its default (0.2) is enough
    assert override_problems({"weight_responsiveness": 0, "weight_engagement": 0}, declared) == []


def test_settings_refuse_bad_overrides_from_the_environment_too():
    with pytest.raises(SettingsError, match=r"GOVPULSE_DBT_VARS \(or --var\): unknown var "
                                            r"'respons_window_hours': did you mean"):
        Settings.from_env({"GOVPULSE_DBT_VARS": '{"respons_window_hours": 24}'})
    settings = Settings.from_env({"GOVPULSE_DBT_VARS": '{"response_window_hours": 24}'})
    assert settings.dbt_vars == '{"response_window_hours": 24}'


def test_govpulse_run_stops_on_a_bad_var_before_anything_runs(tmp_path, capsys):
    assert stopped_run_message(tmp_path, capsys, "--var", "response_window_hours=abc") == (
        "govpulse run: GOVPULSE_DBT_VARS (or --var): response_window_hours='abc': expected a "
        "whole number, like its default 48")
