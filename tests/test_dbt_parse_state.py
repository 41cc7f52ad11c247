"""dbt's parse of the project is kept per warehouse, and a later as_of leaves it valid.

A govpulse run passes as_of through the environment (``govpulse/dbt_args.py``) and keeps
dbt's ``partial_parse.msgpack`` beside the build copy (``govpulse/dbt_parse_state.py``), so
the next day's run starts from it instead of parsing the whole project again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from govpulse.dbt_args import build_args, build_environment, launcher_environment
from govpulse.dbt_parse_state import PARTIAL_PARSE_FILE, keep_parse_state, restore_parse_state
from govpulse.settings import Settings, SettingsError, dbt_state_path
from tests.conftest import run_dbt


def test_build_args_carry_overrides_only_and_as_of_goes_to_the_environment():
    assert build_args() == ["build"]
    assert build_args(threads=2) == ["build", "--threads", "2"]
    assert build_args({"response_window_hours": 24, "exclaim_min_count": 3},
                      full_refresh=True) == [
        "build", "--vars", '{"exclaim_min_count": 3, "response_window_hours": 24}',
        "--full-refresh"]
    as_of = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert build_environment(as_of) == {"GOVPULSE_AS_OF": "2026-11-26T06:00:00Z"}
    # so as_of is not a var the pipeline's overrides may set
    with pytest.raises(SettingsError,
                       match=r"GOVPULSE_DBT_VARS \(or --var\) sets as_of: set GOVPULSE_AS_OF"):
        Settings.from_env({"GOVPULSE_DBT_VARS": '{"as_of": "2026-11-26T06:00:00Z"}'})


def test_govpulse_dbt_finds_what_the_last_builds_left_beside_the_build_copy(tmp_path):
    warehouse = tmp_path / "govpulse.duckdb"
    build_copy = tmp_path / ".govpulse-build"
    assert launcher_environment(warehouse, "duckdb") == {
        "GOVPULSE_DBT_NODE_TIMES": str(build_copy / "govpulse_dbt_duckdb_node_times.json"),
        "GOVPULSE_DBT_TEMPLATE_CACHE": str(build_copy / "govpulse_dbt_duckdb_templates"),
        "GOVPULSE_DBT_JSON_SCHEMAS": str(build_copy / "govpulse_dbt_duckdb_json_schemas.json"),
    }
    assert launcher_environment(warehouse, "spark")["GOVPULSE_DBT_TEMPLATE_CACHE"] == str(
        build_copy / "govpulse_dbt_spark_templates")


def test_parse_state_is_restored_and_kept_whole(tmp_path):
    kept = dbt_state_path(tmp_path / "govpulse.duckdb", "duckdb", "parse.msgpack")
    assert kept == tmp_path / ".govpulse-build" / "govpulse_dbt_duckdb_parse.msgpack"
    first, second = tmp_path / "target-1", tmp_path / "target-2"
    assert restore_parse_state(kept, first) is False  # nothing kept yet
    assert keep_parse_state(first, kept) is False  # dbt wrote nothing (failed before parsing)
    assert not kept.exists()

    first.mkdir()
    (first / PARTIAL_PARSE_FILE).write_bytes(b"parse one")
    assert keep_parse_state(first, kept) is True
    assert restore_parse_state(kept, second) is True
    assert (second / PARTIAL_PARSE_FILE).read_bytes() == b"parse one"
    (second / PARTIAL_PARSE_FILE).write_bytes(b"parse two")
    assert keep_parse_state(second, kept) is True
    assert kept.read_bytes() == b"parse two"
    assert sorted(path.name for path in kept.parent.iterdir()) == [kept.name]  # no .tmp left


def test_a_parse_that_cannot_be_kept_is_left_out_without_an_error(tmp_path, monkeypatch):
    kept = dbt_state_path(tmp_path / "govpulse.duckdb", "duckdb", "parse.msgpack")
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / PARTIAL_PARSE_FILE).write_bytes(b"parse one")

    def full_disk(source: Path, destination: Path) -> None:
        Path(destination).write_bytes(b"par")  # part written, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("govpulse.dbt_parse_state.shutil.copyfile", full_disk)
    assert keep_parse_state(tmp_path / "target", kept) is False
    assert list(kept.parent.iterdir()) == []  # neither the parse nor a part of it


def _dbt_events(target_path: Path, warehouse: Path, as_of: str) -> list[str]:
    result = run_dbt("parse", "--target", "duckdb", "--log-format", "json", "--log-level",
                     "debug", warehouse=warehouse, target_path=target_path, GOVPULSE_AS_OF=as_of)
    assert result.returncode == 0, result.stdout[-2000:]
    return [json.loads(line)["info"]["name"] for line in result.stdout.splitlines()
            if line.startswith("{")]


@pytest.mark.e2e
def test_a_run_keeps_a_parse_that_a_later_as_of_reuses(demo_warehouse, tmp_path):
    kept = dbt_state_path(demo_warehouse, "duckdb", "parse.msgpack")
    assert kept.is_file()  # the fixture's `govpulse run` kept it
    assert restore_parse_state(kept, tmp_path / "next-day")
    events = _dbt_events(tmp_path / "next-day", demo_warehouse, "2026-11-26T06:00:00Z")
    assert "PartialParsingSkipParsing" in events
    assert "UnableToPartialParse" not in events
    # and without it, dbt parses the whole project (so the check above can fail)
    assert "PartialParsingSkipParsing" not in _dbt_events(
        tmp_path / "fresh", demo_warehouse, "2026-11-26T06:00:00Z")
