"""The whole pipeline through Dagster and dbt on a real DuckDB file, via `govpulse run`."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from extractors.demo_accounts import ARCHETYPES, demo_accounts
from tests.conftest import build_warehouse, marts_snapshot, restored_environment

pytestmark = pytest.mark.e2e

MARTS = {"fct_inbound_replies", "fct_posts", "dim_accounts", "dim_departments",
         "account_scorecard", "department_scorecard", "dim_metric_settings"}


def test_demo_warehouse_holds_the_marts(demo_warehouse, demo_corpus):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()}
        assert tables >= MARTS
        periods = con.execute(
            "select period, count(*) from marts.account_scorecard group by 1 order by 1"
        ).fetchall()
        assert {"last_7d", "last_28d", "last_90d"} <= {period for period, _ in periods}
        assert {count for _, count in periods} == {demo_corpus.accounts}
        inbound = con.execute("select count(*) from marts.fct_inbound_replies").fetchone()[0]
        assert inbound == demo_corpus.inbound_replies
        departments = con.execute(
            "select count(*) from marts.department_scorecard where period = 'last_28d'"
        ).fetchone()[0]
        assert departments == demo_corpus.departments
        broadcasters = {row[0].lower() for row in con.execute(
            "select handle from marts.account_scorecard "
            "where period = 'last_90d' and is_broadcaster").fetchall()}
    expected = {account.handle.lower() for account in demo_accounts()
                if ARCHETYPES[account.archetype].name == "broadcaster"}
    assert broadcasters == expected


def test_counts_in_the_marts_are_integers_every_client_reads_as_such(demo_warehouse):
    # DuckDB's sum() of bigints is a HUGEINT, which pandas (the dashboard's CSV downloads,
    # analysts' notebooks) reads as float64: 241.0 posts
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        wide = con.execute(
            "select table_name || '.' || column_name from duckdb_columns() "
            "where schema_name = 'marts' and data_type in ('HUGEINT', 'UHUGEINT')").fetchall()
        frame = con.execute("select * from marts.department_scorecard").df()
    assert wide == []
    assert str(frame.posts_original.dtype) == "int64"
    assert str(frame.broadcaster_accounts.dtype) == "int64"


def test_the_build_copy_is_separate_from_the_published_file(demo_warehouse):
    build = demo_warehouse.parent / ".govpulse-build" / demo_warehouse.name
    assert build.exists() and demo_warehouse.exists()
    assert build.stat().st_ino != demo_warehouse.stat().st_ino


def test_a_full_build_stores_the_replies_as_daily_runs_append_them(demo_warehouse):
    # by day first: a daily run then finds the recent replies it recomputes, and their kept
    # copies, in the last row groups, right after a full refresh as after daily runs
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        out_of_order = con.execute("""
            select count(*) from (
                select stored_key, lag(stored_key) over (order by rowid) as previous_key
                from (select rowid, row(inbound_created_at::date, department, account_id,
                                        inbound_created_at) as stored_key
                      from marts.fct_inbound_replies)
            ) where previous_key > stored_key
        """).fetchone()[0]
        days = con.execute("select count(distinct inbound_created_at::date) "
                           "from marts.fct_inbound_replies").fetchone()[0]
    assert days > 30
    assert out_of_order == 0


def test_running_twice_gives_the_same_marts(demo_warehouse, demo_corpus, tmp_path, capsys):
    warehouse = tmp_path / "govpulse.duckdb"
    shutil.copytree(demo_warehouse.parent / ".govpulse-build", tmp_path / ".govpulse-build")
    assert build_warehouse(demo_corpus.out_dir, demo_corpus.registry, warehouse) == 0
    out = capsys.readouterr().out
    assert f"warehouse: {warehouse}" in out
    assert f"{demo_corpus.accounts} accounts" in out
    assert marts_snapshot(warehouse, tuple(MARTS)) == marts_snapshot(demo_warehouse, tuple(MARTS))


def test_a_bad_registry_stops_the_run_and_publishes_nothing(demo_corpus, tmp_path, capsys):
    registry = tmp_path / "registry.csv"
    registry.write_text("handle,department\nDCLahore,Lahore\n@dclahore,Lahore\n",
                        encoding="utf-8")
    warehouse = tmp_path / "govpulse.duckdb"
    assert build_warehouse(demo_corpus.out_dir, registry, warehouse) == 2
    err = capsys.readouterr().err
    # one line, before Dagster starts: no run, no stack trace
    assert err.strip() == \
        f"govpulse run: {registry}, line 3: duplicate handle 'dclahore' (already on line 2)"
    assert not warehouse.exists()


def test_missing_input_is_a_clear_usage_error(tmp_path, capsys):
    registry = tmp_path / "registry.csv"
    registry.write_text("handle,department\nDCLahore,Lahore\n", encoding="utf-8")
    from tests.conftest import run_cli
    assert run_cli("run", "--registry", str(registry), "--source", "files",
                   "--warehouse", str(tmp_path / "w.duckdb")) == 2
    assert "--source files needs --input DIR" in capsys.readouterr().err
    assert run_cli("run", "--registry", str(tmp_path / "nope.csv"), "--input", str(tmp_path),
                   "--warehouse", str(tmp_path / "w.duckdb")) == 2
    assert "does not exist" in capsys.readouterr().err
    assert run_cli("run", "--registry", str(registry), "--input", str(tmp_path / "nowhere"),
                   "--warehouse", str(tmp_path / "w.duckdb")) == 2
    assert capsys.readouterr().err.strip() == (
        f"govpulse run: input folder {tmp_path / 'nowhere'} does not exist or is not a folder")
    assert run_cli("run", "--registry", str(registry), "--input", str(tmp_path),
                   "--warehouse", str(tmp_path / "w.duckdb"), "--as-of", "yesterday") == 2
    assert "not an ISO-8601 timestamp" in capsys.readouterr().err
    with restored_environment():
        os.environ.pop("X_BEARER_TOKEN", None)
        assert run_cli("run", "--registry", str(registry), "--source", "x",
                       "--warehouse", str(tmp_path / "w.duckdb")) == 2
    assert capsys.readouterr().err.startswith("govpulse run: X_BEARER_TOKEN is not set")
    with restored_environment():
        os.environ["GOVPULSE_DBT_TARGET"] = "bigquery"
        assert run_cli("run", "--registry", str(registry), "--input", str(tmp_path),
                       "--warehouse", str(tmp_path / "w.duckdb")) == 2
    assert "GOVPULSE_DBT_TARGET='bigquery': expected one of duckdb, spark" in \
        capsys.readouterr().err
