"""dbt's unit tests run again only when what they check changed (govpulse/dbt_unit_tests.py).

The builds that leave them out are checked end to end in tests/test_incremental.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govpulse import dbt_unit_tests
from govpulse.dbt_args import build_args
from govpulse.settings import dbt_state_path

UNIT_TESTS = ("unit_test.govpulse.fct_posts.one", "unit_test.govpulse.fct_posts.two")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: govpulse\n", encoding="utf-8")
    (project / "models" / "fct_posts.sql").write_text("select 1 as one\n", encoding="utf-8")
    return project


def test_the_fingerprint_follows_files_vars_target_and_versions(project, monkeypatch):
    first = dbt_unit_tests.fingerprint(project, "duckdb", None)
    assert dbt_unit_tests.fingerprint(project, "duckdb", {}) == first
    # what dbt writes into the project folder is not an input
    for written in ("target/manifest.json", "logs/dbt.log", ".user.yml"):
        (project / written).parent.mkdir(exist_ok=True)
        (project / written).write_text("written by dbt", encoding="utf-8")
    assert dbt_unit_tests.fingerprint(project, "duckdb", None) == first

    assert dbt_unit_tests.fingerprint(project, "spark", None) != first
    assert dbt_unit_tests.fingerprint(project, "duckdb", {"exclaim_min_count": 3}) != first
    (project / "models" / "fct_posts.sql").write_text("select 2 as one\n", encoding="utf-8")
    changed_model = dbt_unit_tests.fingerprint(project, "duckdb", None)
    assert changed_model != first
    (project / "macros").mkdir()
    (project / "macros" / "rules.sql").write_text("{% macro x() %}1{% endmacro %}",
                                                  encoding="utf-8")
    with_macro = dbt_unit_tests.fingerprint(project, "duckdb", None)
    assert with_macro != changed_model
    versions = {"duckdb": "1.4.2"}
    monkeypatch.setattr(dbt_unit_tests, "installed_version",
                        lambda package: versions.get(package, "x"))
    upgraded_before = dbt_unit_tests.fingerprint(project, "duckdb", None)
    versions["duckdb"] = "1.5.0"
    assert dbt_unit_tests.fingerprint(project, "duckdb", None) != upgraded_before


def _run_results(folder: Path, statuses: dict[str, str]) -> Path:
    path = folder / "run_results.json"
    path.write_text(json.dumps({"results": [{"unique_id": unique_id, "status": status}
                                            for unique_id, status in statuses.items()]}),
                    encoding="utf-8")
    return path


def test_the_fingerprint_is_kept_only_when_every_unit_test_passed(tmp_path):
    state = dbt_state_path(tmp_path / "govpulse.duckdb", "duckdb", "unit_tests.json")
    assert state == tmp_path / ".govpulse-build" / "govpulse_dbt_duckdb_unit_tests.json"
    assert dbt_unit_tests.passed_at(state, "abc") is None  # nothing kept yet: they run
    one, two = UNIT_TESTS
    model = "model.govpulse.fct_posts"
    for statuses in ({one: "pass", two: "fail", model: "success"},  # one failed
                     {one: "pass", model: "success"},  # a subset ran
                     {model: "success"}):  # left out
        assert not dbt_unit_tests.record_passed(state, "abc", _run_results(tmp_path, statuses),
                                                UNIT_TESTS)
        assert not state.exists()
    assert not dbt_unit_tests.record_passed(state, "abc", tmp_path / "missing.json", UNIT_TESTS)

    assert dbt_unit_tests.record_passed(
        state, "abc", _run_results(tmp_path, {one: "pass", two: "pass", model: "success"}),
        UNIT_TESTS)
    assert dbt_unit_tests.passed_at(state, "abc")  # when, for the run's log
    assert dbt_unit_tests.left_out_since(state, "abc", full_refresh=False)
    assert dbt_unit_tests.left_out_since(state, "abc", full_refresh=True) is None
    assert dbt_unit_tests.passed_at(state, "abd") is None  # another project or version
    assert sorted(path.name for path in state.parent.iterdir()) == [state.name]  # no .tmp
    state.write_text("{half a file", encoding="utf-8")
    assert dbt_unit_tests.passed_at(state, "abc") is None  # unreadable: they run


def test_build_args_leave_unit_tests_out_only_when_asked():
    assert "--exclude-resource-type" not in build_args()
    assert build_args(without_unit_tests=True) == ["build", "--exclude-resource-type",
                                                   "unit_test"]
