"""The stages the benchmark times, each as govpulse (or the reference it is held to) runs it:
landing and export, the full and daily dbt builds, the floor (DuckDB alone), the pandas
alternative and the dashboard's queries."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb

from bench.measure import TreeRss
from extractors.files_source import load_files
from extractors.landing import RawLanding, ensure_pseudonym_key, land_registry
from extractors.raw_export import export_fetches, export_registry
from extractors.registry import load_registry
from govpulse import dbt_node_times, dbt_unit_tests
from govpulse.dbt_args import (
    DAILY_THREADS,
    build_args,
    build_environment,
    launcher_environment,
    node_times_path,
)
from govpulse.dbt_launcher import installed_launcher
from govpulse.settings import (
    build_connection_config,
    dbt_state_path,
    private_dir,
    raw_parquet_dir,
    spark_dir,
)

REPO = Path(__file__).resolve().parent.parent
DBT_PROJECT = REPO / "dbt_project"


def folder_bytes(folder: Path) -> int:
    """The JSONL input under ``folder``, in bytes (the landings' MB/s)."""
    return sum(path.stat().st_size for path in folder.rglob("*.jsonl"))


def warm(folder: Path) -> None:
    """Read every file under ``folder`` once, untimed, so that a stage reading it starts with
    it in the page cache (input files its collector has just written; a build copy the last
    run left). Otherwise the cache holds whatever the stage before left: the next day's
    30,700 files, evicted by the floor query's 18 GB, took 7.2 to 7.4 s to land against 4.3
    to 5.8 s read once before (at 10 M inbound replies, into an empty file)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                while handle.read(2**24):
                    pass


def land(corpus: Path, build: Path, run_id: str) -> int:
    with duckdb.connect(str(build), config=build_connection_config()) as con:
        land_registry(con, load_registry(corpus / "registry.csv"), "registry.csv", run_id)
        ensure_pseudonym_key(con)
        report = load_files(corpus, RawLanding(con, run_id=run_id, source="files"))
    return report.tweets_read


def export(build: Path, warehouse: Path) -> int:
    """The Parquet raw layer dbt reads (only the days that changed are written)."""
    with duckdb.connect(str(build), config=build_connection_config()) as con:
        export_registry(con, raw_parquet_dir(warehouse, {}), private_dir(warehouse))
        return export_fetches(con, raw_parquet_dir(warehouse, {})).rows_written


def land_floor(corpus: Path, database: Path) -> int:
    with duckdb.connect(str(database), config=build_connection_config()) as con:
        con.execute(f"""
            create or replace table floor_tweets as
            select tweet->>'$.id' as tweet_id, tweet->>'$.author_id' as author_id,
                   (tweet->>'$.created_at')::timestamptz as created_at, tweet as payload
            from (select unnest(data) as tweet
                  from read_json('{corpus}/**/*.jsonl', format = 'newline_delimited',
                                 columns = {{data: 'JSON[]'}}, maximum_object_size = 268435456))
        """)
        return con.execute("select count(*) from floor_tweets").fetchone()[0]


def dbt_target_folder(warehouse: Path, target: str) -> Path:
    """dbt's target folder for ``warehouse``'s builds on ``target``, kept from run to run."""
    return warehouse.parent / f"dbt-target-{target}"


def dbt_command(warehouse: Path, as_of: datetime, arguments: list[str], target: str = "duckdb",
                project: Path = DBT_PROJECT) -> None:
    """``govpulse-dbt <arguments>`` as govpulse runs it: as_of from the environment, one target
    folder (so one parse of the project) kept from the full build to the next day's run,
    dbt's log in the target folder (dagster-dbt sets DBT_LOG_PATH to it), the nodes' times in
    the last builds to order the queue, the templates and schemas they made."""
    env = dict(os.environ, GOVPULSE_WAREHOUSE=str(warehouse),
               DBT_SEND_ANONYMOUS_USAGE_STATS="false", **build_environment(as_of),
               **launcher_environment(warehouse, target))
    target_path = dbt_target_folder(warehouse, target)
    subprocess.run([str(installed_launcher()), *arguments,
                    "--project-dir", str(project), "--profiles-dir", str(project),
                    "--target-path", str(target_path), "--log-path", str(target_path),
                    "--quiet", "--target", target], env=env, check=True)


def dbt_build(warehouse: Path, full_refresh: bool, as_of: datetime,
              target: str = "duckdb", project: Path = DBT_PROJECT,
              unit_tests: bool | None = None) -> int:
    """The build as govpulse runs it; its unit tests left out when they passed with the same
    project and versions (so in the next day's run), unless ``unit_tests`` says."""
    target_path = dbt_target_folder(warehouse, target)
    unit_tests_state = dbt_state_path(warehouse, target, "unit_tests.json")
    fingerprint = dbt_unit_tests.fingerprint(project, target, None)
    if unit_tests is None:
        unit_tests = not dbt_unit_tests.left_out_since(unit_tests_state, fingerprint,
                                                       full_refresh)
    dbt_command(warehouse, as_of, build_args(
        full_refresh=full_refresh, without_unit_tests=not unit_tests,
        threads=DAILY_THREADS if target == "duckdb" and not full_refresh else None),
        target, project)
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    dbt_unit_tests.record_passed(unit_tests_state, fingerprint, target_path / "run_results.json",
                                 manifest["unit_tests"])
    dbt_node_times.record(node_times_path(warehouse, target), target_path / "run_results.json")
    if target == "spark":
        marts = spark_dir(warehouse) / "warehouse" / "marts.db" / "fct_inbound_replies"
        with duckdb.connect() as con:
            return con.execute(
                f"select count(*) from read_parquet('{marts}/*.parquet')").fetchone()[0]
    with duckdb.connect(str(warehouse.parent / ".govpulse-build" / warehouse.name),
                        read_only=True) as con:
        return con.execute("select count(*) from marts.fct_inbound_replies").fetchone()[0]


FLOOR_SCORECARD = """
with tweets as (
    select * from raw.tweets
    qualify row_number() over (partition by tweet_id order by fetched_at desc) = 1
), users as (
    select * from raw.users qualify row_number() over (partition by user_id
                                                       order by fetched_at desc) = 1
), accounts as (
    select users.user_id as account_id, registry.department,
           (users.payload->>'$.public_metrics.followers_count')::bigint as followers
    from raw.registry as registry join users on lower(users.username) = lower(registry.handle)
), flat as (
    select tweet_id, author_id, created_at::timestamp as created_at,
           payload->>'$.conversation_id' as conversation_id,
           payload->>'$.in_reply_to_user_id' as reply_to,
           payload->>'$.referenced_tweets[0].type' as ref_type,
           payload->>'$.referenced_tweets[0].id' as ref_id,
           coalesce((payload->>'$.public_metrics.like_count')::bigint, 0)
           + coalesce((payload->>'$.public_metrics.retweet_count')::bigint, 0)
           + coalesce((payload->>'$.public_metrics.reply_count')::bigint, 0)
           + coalesce((payload->>'$.public_metrics.quote_count')::bigint, 0) as engagements
    from tweets where created_at <= $as_of
), posts as (
    select flat.*, case when ref_type = 'retweeted' then 'repost'
                        when reply_to is not null and reply_to <> author_id then 'reply'
                        else 'original' end as kind
    from flat join accounts on flat.author_id = accounts.account_id
), inbound as (
    select flat.* from flat join accounts on flat.reply_to = accounts.account_id
    where flat.author_id not in (select account_id from accounts)
), responses as (
    select inbound.tweet_id, min(posts.created_at) as first_at
    from inbound join posts on posts.author_id = inbound.reply_to
      and posts.created_at > inbound.created_at
      and ((posts.ref_type = 'replied_to' and posts.ref_id = inbound.tweet_id)
           or (posts.conversation_id = inbound.conversation_id
               and posts.reply_to = inbound.author_id))
    group by inbound.tweet_id
), facts as (
    select inbound.reply_to as account_id, inbound.created_at,
           date_diff('millisecond', inbound.created_at, first_at) / 60000.0 as minutes,
           coalesce(first_at <= inbound.created_at + interval 48 hours, false) as answered
    from inbound left join responses using (tweet_id)
    where inbound.created_at > $as_of - interval 28 days
)
select accounts.account_id,
       count(facts.account_id) as inbound_replies,
       count(*) filter (where answered or created_at + interval 48 hours <= $as_of) as eligible,
       count(*) filter (where answered) as answered,
       quantile_cont(minutes, 0.5) filter (where answered) as median_minutes,
       (select count(*) from posts where posts.author_id = accounts.account_id
          and kind = 'original' and created_at > $as_of - interval 28 days) as posts_original
from accounts left join facts using (account_id)
group by accounts.account_id
"""


def transform_floor(build: Path, as_of: datetime) -> None:
    with duckdb.connect(str(build), read_only=True) as con:
        con.execute(FLOOR_SCORECARD, {"as_of": as_of.replace(tzinfo=None)}).fetchall()


PANDAS_ALTERNATIVE = """
import json, sys, glob
import pandas as pd
corpus, as_of = sys.argv[1], pd.Timestamp(sys.argv[2])
tweets, users = [], []
for path in glob.glob(corpus + '/**/*.jsonl', recursive=True):
    for line in open(path, encoding='utf-8'):
        page = json.loads(line)
        tweets += page['data']
        users += page.get('includes', {}).get('users', [])
frame = pd.json_normalize(tweets)
frame['created_at'] = pd.to_datetime(frame['created_at']).dt.tz_localize(None)
registry = pd.read_csv(corpus + '/registry.csv')
registry['key'] = registry.handle.str.lstrip('@').str.lower()
people = pd.json_normalize(users).drop_duplicates('id')
people['key'] = people.username.str.lower()
accounts = registry.merge(people, on='key')[['id', 'department']]
accounts = accounts.rename(columns={'id': 'account_id'})
official = set(accounts.account_id)
inbound = frame[frame.in_reply_to_user_id.isin(official) & ~frame.author_id.isin(official)]
posts = frame[frame.author_id.isin(official)].copy()
posts['replied_to'] = posts.referenced_tweets.map(
    lambda refs: next((r['id'] for r in refs if r['type'] == 'replied_to'), None)
    if isinstance(refs, list) else None)
direct = inbound.merge(posts, left_on=['id', 'in_reply_to_user_id'],
                       right_on=['replied_to', 'author_id'], suffixes=('', '_r'))
threaded = inbound.merge(posts, left_on=['conversation_id', 'author_id', 'in_reply_to_user_id'],
                         right_on=['conversation_id', 'in_reply_to_user_id', 'author_id'],
                         suffixes=('', '_r'))
both = pd.concat([direct[['id', 'created_at', 'created_at_r']],
                  threaded[['id', 'created_at', 'created_at_r']]])
both = both[both.created_at_r > both.created_at]
first = both.groupby('id').created_at_r.min().rename('first_at')
facts = inbound.join(first, on='id')
facts = facts[facts.created_at > as_of - pd.Timedelta(days=28)]
facts['minutes'] = (facts.first_at - facts.created_at).dt.total_seconds() / 60
facts['answered'] = facts.minutes <= 48 * 60
facts['eligible'] = facts.answered | (facts.created_at + pd.Timedelta(hours=48) <= as_of)
card = facts.groupby('in_reply_to_user_id').agg(
    inbound=('id', 'size'), eligible=('eligible', 'sum'), answered=('answered', 'sum'),
    median=('minutes', lambda m: m[facts.loc[m.index, 'answered']].median()))
print(len(card))
"""


def pandas_alternative(corpus: Path, as_of: datetime, memory_cap: int, time_cap: int) -> dict:
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))

    with TreeRss() as memory:
        started = time.perf_counter()
        try:
            subprocess.run([sys.executable, "-c", PANDAS_ALTERNATIVE, str(corpus),
                            as_of.strftime("%Y-%m-%d %H:%M:%S")], preexec_fn=limit,
                           check=True, timeout=time_cap, capture_output=True)
            outcome = "finished"
        except subprocess.TimeoutExpired:
            outcome = f"stopped at the {time_cap} s cap"
        except subprocess.CalledProcessError as error:
            outcome = ("stopped at the memory cap" if b"MemoryError" in error.stderr
                       else f"failed: {error.stderr.decode()[-200:]}")
        wall = time.perf_counter() - started
    print(f"  {'pandas last_28d scorecard':<34} {wall:8.2f} s  {memory.peak // 2**20:>6} MB peak"
          f"  {outcome}", flush=True)
    return {"stage": "pandas last_28d account scorecard", "seconds": round(wall, 2),
            "peak_rss_mb": round(memory.peak / 2**20), "outcome": outcome}


def dashboard_queries(warehouse: Path, repeats: int) -> list[dict]:
    """Every query the dashboard's pages issue, timed on fresh read-only connections."""
    os.environ["GOVPULSE_WAREHOUSE"] = str(warehouse)
    from reports import queries

    captured: list[tuple[str, tuple]] = []

    def recording_query(sql: str, params: tuple = ()):
        captured.append((sql, tuple(params)))
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(sql, list(params)).df()

    queries.query = recording_query
    with duckdb.connect(str(warehouse), read_only=True) as con:
        department = con.execute("select department from marts.dim_departments limit 1"
                                 ).fetchone()[0]
        account = con.execute("select account_id from marts.dim_accounts limit 1").fetchone()[0]
    period = "last_28d"
    queries.build_info()
    queries.periods()
    queries.filter_options()
    queries.league_table(period, None)
    queries.accounts(period, department, None, None)
    queries.department_trend(department)
    queries.response_time_histogram(period, department=department)
    queries.account_list(None, None, None)
    queries.account_row(account, period)
    queries.posts_by_week(account)
    queries.oldest_unanswered(account, period)
    queries.tone_examples(account, period)
    queries.training_list(period, 0.2, None, None, None)
    queries.column_definitions("account_scorecard")
    results = []
    for sql, params in captured:
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            with duckdb.connect(str(warehouse), read_only=True) as con:
                con.execute(sql, list(params)).df()
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[int(0.95 * (len(timings) - 1))]
        results.append({"query": " ".join(sql.split())[:70],
                        "p50_ms": round(statistics.median(timings), 1), "p95_ms": round(p95, 1)})
    worst = max(results, key=lambda row: row["p95_ms"])
    print(f"  {'dashboard queries (' + str(len(results)) + ')':<34} worst p95 {worst['p95_ms']} ms",
          flush=True)
    return results
