"""An incremental build gives exactly what a full refresh gives on the same raw data.

The incremental models (stg_x__tweets and the intermediate layer of int_posts_classified,
int_inbound_replies and int_inbound_first_responses) process only what was landed since the
last run, and a change of the registry's accounts rebuilds the intermediate layer whole. The
incremental facts (fct_posts, fct_inbound_replies) recompute what was landed since and what
as_of's move reached, and rebuild whole when as_of moves back or a setting changes.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from govpulse.dbt_args import DAILY_THREADS
from govpulse.incremental_schema import incremental_tables_built, outdated_incremental_tables
from govpulse.settings import dbt_state_path
from tests.conftest import (
    DBT_PROJECT,
    build_warehouse,
    copied_warehouse,
    marts_snapshot,
    run_dbt,
)
from tests.test_metrics_handcrafted import AS_OF, _write_corpus, tweet

pytestmark = pytest.mark.e2e

def _second_delivery(folder: Path) -> None:
    """Later fetches: newer counts for 101, an older (losing) copy of 300, new tweets."""
    folder.mkdir()
    newer_101 = tweet("101", "11", "2026-11-24T08:00:00.000Z", "Free vaccination camp today",
                      likes=50, retweets=9, replies=4, quotes=2)
    older_300 = tweet("300", "22", "2026-11-22T06:00:00.000Z", "stale copy", likes=0)
    fresh = [
        tweet("400", "11", "2026-11-25T07:00:00.000Z", "Camp reopens Friday"),
        tweet("401", "904", "2026-11-25T07:30:00.000Z", "Thanks!", conversation="400",
              reply_to_user="11", replied_to="400"),
        tweet("402", "11", "2026-11-25T08:00:00.000Z", "You're welcome", conversation="400",
              reply_to_user="904", replied_to="401"),
        # a late answer to 206 (sent 11-22), made after AS_OF
        tweet("403", "22", "2026-11-25T14:00:00.000Z", "Sorry, Sector 5 is next",
              conversation="300", reply_to_user="903", replied_to="206"),
    ]
    lines = [
        {"data": [newer_101] + fresh, "meta": {},
         "__twarc": {"retrieved_at": "2026-11-25T13:00:00+00:00"}},
        {"data": [older_300], "meta": {}, "__twarc": {"retrieved_at": "2026-11-22T07:00:00Z"}},
    ]
    (folder / "later.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n",
                                        encoding="utf-8")


def _snapshot(warehouse: Path) -> dict[str, list]:
    marts = marts_snapshot(warehouse)
    with duckdb.connect(str(warehouse.parent / ".govpulse-build" / warehouse.name),
                        read_only=True) as con:
        marts["stg_x__tweets"] = con.execute(
            "select * exclude (landed_at, source_file, built_at) from staging.stg_x__tweets "
            "order by all"
        ).fetchall()
        for model in INCREMENTAL_INTERMEDIATES:
            marts[model] = con.execute(f"select * exclude (landed_at, built_at) "
                                       f"from intermediate.{model} order by all").fetchall()
    return marts


def _unit_tests_passed_at(warehouse: Path) -> str:
    state = dbt_state_path(warehouse, "duckdb", "unit_tests.json")
    return json.loads(state.read_text(encoding="utf-8"))["passed_at"]


INCREMENTAL_INTERMEDIATES = ("int_posts_classified", "int_inbound_replies",
                             "int_inbound_first_responses")
LATER_AS_OF = "2026-11-26T09:00:00Z"


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> tuple[Path, Path, Path]:
    """The first delivery built at AS_OF from nothing (its corpus folder, the registry, the
    warehouse): where the tests that land more on top of it start, each from a copy."""
    root = tmp_path_factory.mktemp("first-build")
    registry = _write_corpus(root / "first")
    warehouse = root / "warehouse" / "govpulse.duckdb"
    assert build_warehouse(root / "first", registry, warehouse, AS_OF) == 0
    # a build from nothing runs dbt's unit tests, and they passed
    assert _unit_tests_passed_at(warehouse)
    return root / "first", registry, warehouse


@pytest.fixture(scope="module")
def full_build(tmp_path_factory) -> Callable[..., Path]:
    """Both deliveries in one folder (``corpus/``, its registry in it), built from nothing:
    ``full_build(as_of, *options)`` is the warehouse, built once per as_of and options in
    this module (tests only read it)."""
    root = tmp_path_factory.mktemp("full-builds")
    (root / "corpus").mkdir()
    registry = _write_corpus(root / "corpus" / "first")
    _second_delivery(root / "corpus" / "second")
    folders = itertools.count()

    @functools.cache
    def build(as_of: str, *options: str) -> Path:
        warehouse = root / f"build-{next(folders)}" / "govpulse.duckdb"
        assert build_warehouse(root / "corpus", registry, warehouse, as_of, *options) == 0
        return warehouse

    return build


@pytest.mark.parametrize("second_as_of", [AS_OF, LATER_AS_OF], ids=["same as_of", "a day later"])
def test_incremental_equals_full_refresh(tmp_path, first_build, full_build, second_as_of, capsys):
    _, registry, first_warehouse = first_build
    _second_delivery(tmp_path / "second")

    incremental = copied_warehouse(first_warehouse, tmp_path / "incremental")
    unit_tests_passed = _unit_tests_passed_at(incremental)
    assert build_warehouse(tmp_path / "second", registry, incremental, second_as_of) == 0
    # the next run left them out (nothing they check changed), and said so
    assert _unit_tests_passed_at(incremental) == unit_tests_passed
    err = capsys.readouterr().err
    assert "dbt unit tests left out: they passed at " in err
    # a daily build runs two dbt threads (its rows are compared with one thread's below)
    assert f"--threads {DAILY_THREADS}" in err

    full = full_build(second_as_of)

    refreshed = tmp_path / "refreshed" / "govpulse.duckdb"
    shutil.copytree(incremental.parent / ".govpulse-build", refreshed.parent / ".govpulse-build")
    assert build_warehouse(tmp_path / "second", registry, refreshed, second_as_of,
                           "--full-refresh") == 0
    # a full refresh runs the unit tests whatever was kept (and keeps when they passed again)
    assert _unit_tests_passed_at(refreshed) != unit_tests_passed
    err = capsys.readouterr().err
    assert "dbt unit tests left out" not in err
    assert "--threads" not in err  # whole builds keep profiles.yml's one thread

    # (source_file differs: the combined build reads first/ and second/ subfolders)
    got = _snapshot(incremental)
    assert got == _snapshot(full)
    assert got == _snapshot(refreshed)
    # and the increment really changed things: the newest fetch of 101 won, 300 kept its own
    with duckdb.connect(str(incremental), read_only=True) as con:
        likes = dict(con.execute("select tweet_id, like_count from marts.fct_posts "
                                 "where tweet_id in ('101', '300')").fetchall())
        answered = con.execute("select is_answered from marts.fct_inbound_replies "
                               "where inbound_tweet_id = '401'").fetchone()[0]
    assert likes == {"101": 50, "300": 5}
    assert answered is True


THREE_DAYS_LATER = "2026-11-27T12:00:00Z"


@pytest.fixture(scope="module")
def landed_at_a_later_as_of(tmp_path_factory, full_build
                            ) -> tuple[Path, Path, Path, dict[str, list]]:
    """Both deliveries landed and built incrementally up to LATER_AS_OF (the corpus, the
    registry, the build copy's folder, and the first build's tables: a full build at
    AS_OF)."""
    at_as_of = full_build(AS_OF)
    with duckdb.connect(str(at_as_of), read_only=True) as con:
        row_206 = con.execute("select is_late, first_response_tweet_id from "
                              "marts.fct_inbound_replies where inbound_tweet_id = '206'").fetchone()
    assert row_206 == (False, None)  # 403 is landed, but after AS_OF
    full_at_as_of = _snapshot(at_as_of)
    corpus = at_as_of.parent.parent / "corpus"
    registry = corpus / "registry.csv"
    warehouse = copied_warehouse(at_as_of, tmp_path_factory.mktemp("moving-as-of") / "base")
    assert build_warehouse(corpus, registry, warehouse, LATER_AS_OF) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select is_pending from marts.fct_inbound_replies "
                           "where inbound_tweet_id = '203'").fetchone() == (True,)
    return corpus, registry, warehouse.parent / ".govpulse-build", full_at_as_of


@pytest.mark.parametrize("as_of, settings", [
    (THREE_DAYS_LATER, ()),
    (AS_OF, ()),
    (THREE_DAYS_LATER, ("--var", "response_window_hours=24", "--var", "exclaim_min_count=1",
                        "--var", "latency_half_life_minutes=120")),
], ids=["as_of moves on, nothing landed", "as_of moves back", "settings change"])
def test_facts_follow_as_of_and_settings_without_new_data(tmp_path, landed_at_a_later_as_of,
                                                          full_build, as_of, settings):
    corpus, registry, base_build, full_at_as_of = landed_at_a_later_as_of
    incremental = tmp_path / "incremental" / "govpulse.duckdb"
    shutil.copytree(base_build, incremental.parent / ".govpulse-build")
    assert build_warehouse(corpus, registry, incremental, as_of, *settings) == 0
    if as_of == AS_OF and not settings:
        expected = full_at_as_of
    else:
        expected = _snapshot(full_build(as_of, *settings))

    got = _snapshot(incremental)
    assert got == expected
    if as_of == THREE_DAYS_LATER and not settings:
        with duckdb.connect(str(incremental), read_only=True) as con:
            rows = dict(con.execute(
                "select inbound_tweet_id, (is_eligible, is_late, first_response_tweet_id) "
                "from marts.fct_inbound_replies where inbound_tweet_id in ('206', '203')"
            ).fetchall())
        # 403 became visible; 203's window (48 h from 11-25 11:00) closed in between
        assert rows == {"206": (True, True, "403"), "203": (True, False, None)}
        # of the replies recomputed, only those whose values changed were written again
        before = _facts_with_built_at(base_build / incremental.name)
        after = _facts_with_built_at(incremental.parent / ".govpulse-build" / incremental.name)
        assert before.keys() == after.keys()
        changed = {key for key in after if after[key][0] != before[key][0]}
        rewritten = {key for key in after if after[key][1] != before[key][1]}
        assert "203" in changed  # (206 had its response at LATER_AS_OF already)
        assert rewritten == changed


def _facts_with_built_at(build: Path) -> dict[str, tuple[tuple, object]]:
    """fct_inbound_replies by key: (its other values, its built_at)."""
    with duckdb.connect(str(build), read_only=True) as con:
        rows = con.execute("select inbound_tweet_id, columns(* exclude (built_at)), built_at "
                           "from marts.fct_inbound_replies").fetchall()
    return {row[0]: (row[1:-1], row[-1]) for row in rows}


def test_registry_change_rebuilds_the_incremental_layer(tmp_path, first_build):
    """A citizen's account joins the registry and WaterBoard leaves it: the citizen's replies
    stop being inbound and become posts, WaterBoard's posts go and its reply to HealthDesk
    becomes inbound, and the next incremental run equals a full build with the new registry."""
    first, _, first_warehouse = first_build
    _second_delivery(tmp_path / "second")
    changed = tmp_path / "changed.csv"
    changed.write_text("handle,department,level\n@HealthDesk,Health,federal\n"
                       "c901,Citizens,local\n@silent_office,Water,provincial\n",
                       encoding="utf-8")

    incremental = copied_warehouse(first_warehouse, tmp_path / "incremental")
    before = _snapshot(incremental)
    assert build_warehouse(tmp_path / "second", changed, incremental, AS_OF) == 0

    together = tmp_path / "together"
    shutil.copytree(first, together / "first")
    shutil.copytree(tmp_path / "second", together / "second")
    full = tmp_path / "full" / "govpulse.duckdb"
    assert build_warehouse(together, changed, full, AS_OF) == 0

    got = _snapshot(incremental)
    assert got == _snapshot(full)
    with duckdb.connect(str(incremental), read_only=True) as con:
        authors = {row[0] for row in con.execute(
            "select distinct account_id from marts.fct_posts").fetchall()}
        inbound = {row[0] for row in con.execute(
            "select inbound_tweet_id from marts.fct_inbound_replies").fetchall()}
    assert "901" in authors and "22" not in authors
    # WaterBoard's reply 303 to HealthDesk was between two accounts; now it is inbound
    assert "303" in inbound
    assert got["int_inbound_replies"] != before["int_inbound_replies"]


def test_rows_of_older_rules_are_rebuilt(tmp_path, first_build):
    """A warehouse built before a rule changed: its incremental rows and the facts' build
    state carry no or another rules' version (macros/incremental_layer.sql::rules_version),
    and hold what the older rules computed (here no post is caps, and every tweet's language
    is another). The next run, with no new data, rebuilds those models whole: nothing keeps
    the older rules' figures."""
    corpus, registry, first_warehouse = first_build
    expected = _snapshot(first_warehouse)
    older = copied_warehouse(first_warehouse, tmp_path / "older")
    with duckdb.connect(str(older.parent / ".govpulse-build" / older.name)) as con:
        for table in (*INCREMENTAL_INTERMEDIATES, "landed_watermarks"):
            con.execute(f"update intermediate.{table} "
                        "set registry_fingerprint = split_part(registry_fingerprint, '/', 1)")
        for fact in ("fct_posts", "fct_inbound_replies"):
            con.execute(f"update intermediate.{fact}_build_state "
                        "set settings_fingerprint = 'older rules'")
        con.execute("update intermediate.int_posts_classified set upper_letters = 0")
        # (a later fetch time, too: without the reset, these copies would win over the raw rows)
        con.execute("update staging.stg_x__tweets set rules_version = 1, lang = 'older', "
                    "fetched_at = fetched_at + interval 1 day")
        assert con.execute("update marts.fct_posts set is_caps = false where is_caps"
                           ).fetchone()[0] > 0
    assert build_warehouse(corpus, registry, older, AS_OF) == 0
    assert _snapshot(older) == expected
    version = re.search(r"macro rules_version\(\) -%\}\s*(\d+)",
                        (DBT_PROJECT / "macros" / "incremental_layer.sql").read_text()).group(1)
    with duckdb.connect(str(older.parent / ".govpulse-build" / older.name),
                        read_only=True) as con:
        kept = {row[0] for table in (*INCREMENTAL_INTERMEDIATES, "landed_watermarks")
                for row in con.execute(f"select distinct registry_fingerprint "
                                       f"from intermediate.{table}").fetchall()}
        staged = con.execute("select distinct rules_version from staging.stg_x__tweets"
                             ).fetchall()
    assert kept and all(fingerprint.endswith(f"/rules-{version}") for fingerprint in kept)
    assert staged == [(int(version),)]


def test_the_intermediate_layer_reads_on_from_where_its_inputs_were(tmp_path, first_build):
    """A delivery with no citizen reply in it (an official post only): int_inbound_replies
    keeps nothing of it, yet its watermark moves past it, so the next run does not read it
    again, though the newest landed_at of its own rows stays behind."""
    _, registry, first_warehouse = first_build
    (tmp_path / "second").mkdir()
    post = tweet("400", "11", "2026-11-25T07:00:00.000Z", "Camp reopens Friday")
    (tmp_path / "second" / "posts.jsonl").write_text(
        json.dumps({"data": [post], "meta": {}}) + "\n", encoding="utf-8")
    warehouse = copied_warehouse(first_warehouse, tmp_path / "incremental")
    assert build_warehouse(tmp_path / "second", registry, warehouse, AS_OF) == 0

    build = warehouse.parent / ".govpulse-build" / warehouse.name
    with duckdb.connect(str(build), read_only=True) as con:
        newest, newest_text = con.execute("select max(landed_at), cast(max(landed_at) as varchar) "
                                          "from staging.stg_x__tweets").fetchone()
        own = con.execute("select max(landed_at), any_value(registry_fingerprint) "
                          "from intermediate.int_inbound_replies").fetchone()
        kept = {model: (through, fingerprint) for model, fingerprint, through in con.execute(
            "select * from intermediate.landed_watermarks").fetchall()}
    assert own[0] < newest
    assert kept == {model: (newest, own[1]) for model in INCREMENTAL_INTERMEDIATES}
    # and the next run's models read from there
    compiled = tmp_path / "target"
    result = run_dbt("compile", "--target", "duckdb", "--select", *INCREMENTAL_INTERMEDIATES,
                     warehouse=warehouse, target_path=compiled, GOVPULSE_AS_OF=AS_OF)
    assert result.returncode == 0, result.stdout[-2000:]
    for model in INCREMENTAL_INTERMEDIATES:
        sql = (compiled / "compiled" / "govpulse" / "models" / "intermediate" / f"{model}.sql"
               ).read_text(encoding="utf-8")
        assert f"landed_at > cast('{newest_text}' as timestamptz)" in sql, model


INCREMENTAL_MODELS = {"staging/stg_x__tweets": "tweet_id",
                      "intermediate/int_posts_classified": "tweet_id",
                      "intermediate/int_inbound_replies": "inbound_tweet_id",
                      "intermediate/int_inbound_first_responses": "inbound_tweet_id",
                      "marts/fct_posts": "tweet_id",
                      "marts/fct_inbound_replies": "inbound_tweet_id"}


def test_incremental_deletes_read_only_the_key_range_written(tmp_path, first_build):
    """Each incremental model's delete+insert bounds its delete by the smallest and largest
    key of the rows it writes (macros/delete_insert_key_range.sql), and a run that writes
    the same rows again leaves every table as it was."""
    _, _, first_warehouse = first_build
    warehouse = copied_warehouse(first_warehouse, tmp_path / "incremental")
    build = warehouse.parent / ".govpulse-build" / warehouse.name
    before = _snapshot(warehouse), marts_snapshot(build)
    target = tmp_path / "target"
    result = run_dbt("run", "--target", "duckdb", "--select",
                     *(model.split("/")[1] for model in INCREMENTAL_MODELS),
                     warehouse=warehouse, target_path=target, GOVPULSE_AS_OF=AS_OF)
    assert result.returncode == 0, result.stdout[-2000:]
    for model, key in INCREMENTAL_MODELS.items():
        sql = (target / "run" / "govpulse" / "models" / f"{model}.sql").read_text(
            encoding="utf-8")
        # delete from <table> where (key) in (select (key) from <new rows>) and <the bounds>
        delete = re.search(rf"delete from \S+\s+where \(\s*{key}\) in \(\s*"
                           rf"select \({key}\)\s+from (\S+)\s*\)\s*and ([^;]*);", sql)
        assert delete, model
        new_rows, bounds = delete.groups()
        assert " ".join(bounds.split()) == (f"{key} between (select min({key}) from {new_rows}) "
                                            f"and (select max({key}) from {new_rows})"), model
    assert (_snapshot(warehouse), marts_snapshot(build)) == before


def test_a_daily_build_creates_the_watermarks_table_before_its_models_run(
        tmp_path, first_build, capsys):
    """A build copy whose incremental tables predate landed_watermarks: the daily build's
    two dbt threads would run two models whose post-hooks write it side by side; the run's
    start creates it first (two creates at once conflict in DuckDB's catalog)."""
    _, registry, first_warehouse = first_build
    _second_delivery(tmp_path / "second")
    warehouse = copied_warehouse(first_warehouse, tmp_path / "incremental")
    build = warehouse.parent / ".govpulse-build" / warehouse.name
    with duckdb.connect(str(build)) as con:
        con.execute("drop table intermediate.landed_watermarks")
    assert build_warehouse(tmp_path / "second", registry, warehouse, AS_OF) == 0
    assert f"--threads {DAILY_THREADS}" in capsys.readouterr().err
    with duckdb.connect(str(build), read_only=True) as con:
        kept = {row[0] for row in con.execute(
            "select model from intermediate.landed_watermarks").fetchall()}
    assert kept == set(INCREMENTAL_INTERMEDIATES)


def _test_passed_through(build: Path, test_name: str) -> tuple | None:
    with duckdb.connect(str(build), read_only=True) as con:
        return con.execute("select passed_through from intermediate.data_test_watermarks "
                           "where data_test like ?", [f"test.govpulse.{test_name}.%"]).fetchone()


def test_daily_build_tests_the_rows_written_since_each_test_last_passed(
        tmp_path, landed_at_a_later_as_of, capsys):
    """Two duplicates planted in the build copy: one in rows written after the tests last
    passed (as if a failed run had left it), one in rows they already passed. A daily build
    reads only the first: it fails, and keeps failing until the rows are rebuilt, because a
    failed test's watermark stays where it was."""
    corpus, registry, base_build, _ = landed_at_a_later_as_of
    warehouse = tmp_path / "incremental" / "govpulse.duckdb"
    shutil.copytree(base_build, warehouse.parent / ".govpulse-build")
    build = warehouse.parent / ".govpulse-build" / warehouse.name
    replies_test = "unique_int_inbound_replies_inbound_tweet_id"
    posts_test = "unique_int_posts_classified_tweet_id"
    before = _test_passed_through(build, replies_test)
    assert before is not None and before == _test_passed_through(build, posts_test)
    with duckdb.connect(str(build)) as con:
        con.execute("update intermediate.int_inbound_replies set built_at = ? + interval 1 second "
                    "where inbound_tweet_id = '203'", [before[0]])
        con.execute("insert into intermediate.int_inbound_replies "
                    "select * from intermediate.int_inbound_replies where inbound_tweet_id = '203'")
        con.execute("insert into intermediate.int_posts_classified "
                    "select * from intermediate.int_posts_classified where tweet_id = '101'")

    assert build_warehouse(corpus, registry, warehouse, LATER_AS_OF) != 0
    # the failed build's dbt artifacts are kept, and the log says where
    kept = re.search(r"run_results.json of this failed build are kept in (.+)$",
                     capsys.readouterr().err, re.MULTILINE)
    assert kept, "the kept folder is not named"
    results = json.loads((Path(kept[1]) / "run_results.json").read_text(encoding="utf-8"))
    assert any(result["status"] == "fail" and replies_test in result["unique_id"]
               for result in results["results"])
    assert _test_passed_through(build, replies_test) == before
    assert _test_passed_through(build, posts_test) > before  # passed: old rows not re-read
    assert build_warehouse(corpus, registry, warehouse, LATER_AS_OF) != 0
    assert not warehouse.exists()  # never published

    # A table from an earlier govpulse, without a column its model now writes: the run
    # rebuilds the incremental models whole, which rewrites, and so tests, every row.
    with duckdb.connect(str(build)) as con:
        con.execute("alter table intermediate.int_inbound_first_responses drop built_at")
    assert build_warehouse(corpus, registry, warehouse, LATER_AS_OF) == 0
    assert _test_passed_through(build, replies_test) > before
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select count(*) - count(distinct inbound_tweet_id) "
                           "from intermediate.int_inbound_replies").fetchone() == (0,)


def test_outdated_incremental_tables_are_those_whose_columns_differ():
    manifest = {"nodes": {
        "model.govpulse.kept": {"resource_type": "model", "schema": "staging", "alias": "kept",
                                "config": {"materialized": "incremental"},
                                "columns": {"id": {}, "built_at": {}}},
        "model.govpulse.old": {"resource_type": "model", "schema": "staging", "alias": "old",
                               "config": {"materialized": "incremental"},
                               "columns": {"id": {}, "built_at": {}}},
        "model.govpulse.new": {"resource_type": "model", "schema": "staging", "alias": "new",
                               "config": {"materialized": "incremental"},
                               "columns": {"id": {}}},
        "model.govpulse.plain": {"resource_type": "model", "schema": "staging", "alias": "plain",
                                 "config": {"materialized": "table"}, "columns": {"id": {}}},
        "test.govpulse.unique_kept_id": {"resource_type": "test"},
    }}
    with duckdb.connect() as con:
        con.execute("create schema staging")
        con.execute("create table staging.kept (id varchar, BUILT_AT timestamp)")
        con.execute("create table staging.old (id varchar)")
        con.execute("create table staging.plain (id varchar, extra int)")
        assert outdated_incremental_tables(con, manifest) == ["staging.old"]
        # ...and a run adds to them (a daily build) only when every one of them is there
        assert not incremental_tables_built(con, manifest)
        con.execute("create table staging.new (id varchar)")
        assert incremental_tables_built(con, manifest)
