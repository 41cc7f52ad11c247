"""govpulse benchmark: landing, dbt build, an incremental day and the dashboard's queries,
each against the floor (DuckDB alone) and the usual alternative (pandas).

    python bench/run.py --scales 4            # about 110 thousand inbound replies
    python bench/run.py --scales 4 36 357     # about 0.1, 1 and 10 million

Every stage reports wall time, peak RSS of the whole process tree, and throughput.
Results go to bench/results/<date>-<scales>.md (-2, -3... for a day's later runs). Targets
are printed PASS/FAIL; nothing here asserts (performance claims live here and in the README,
not in tests).

This file runs a scale from corpus to verdicts. The stages it times are in stages.py, how it
times them in measure.py, the targets and verdicts in targets.py, the results file in
report.py.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.measure import measure  # noqa: E402
from bench.report import new_results_path, write_report  # noqa: E402
from bench.stages import (  # noqa: E402
    dashboard_queries,
    dbt_build,
    export,
    folder_bytes,
    land,
    land_floor,
    pandas_alternative,
    transform_floor,
    warm,
)
from bench.targets import (  # noqa: E402
    DAY_BUILD,
    DAY_EXPORT,
    DAY_LANDING,
    DAY_PUBLISH,
    DAY_RUNS,
    EXPORT,
    FLOOR_LANDING,
    FLOOR_QUERY,
    FULL_BUILD,
    LANDING,
    incremental_day_seconds,
    median_day,
    verdicts,
)
from extractors.demo_corpus import CorpusSummary, generate_corpus  # noqa: E402
from govpulse.publish import publish  # noqa: E402
from govpulse.settings import raw_parquet_dir  # noqa: E402


def latest_weekday_midnight(now: datetime) -> datetime:
    """The latest midnight (UTC) at or before ``now`` that starts a weekday.

    A corpus ends there, so the incremental day that follows it is a working day: the demo's
    Saturdays and Sundays carry 0.45 of a weekday's posts and replies, and a weekend day
    would make the daily run look lighter than most days are."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    while midnight.weekday() >= 5:
        midnight -= timedelta(days=1)
    return midnight


# A new corpus ends at the latest weekday's midnight; a cached one keeps the as_of it was made
# for (in AS_OF_FILE), so every stage measures the figures of the corpus's own last day.
CORPUS_AS_OF = latest_weekday_midnight(datetime.now(UTC))
AS_OF_FILE = "as_of.txt"
# What a day's landing, export, dbt build and publish change in a work folder
DAY_STATE = (".govpulse-build", "govpulse_raw", "dbt-target-duckdb", "dbt-target-spark",
             "govpulse.duckdb")


def cached_corpus(folder: Path, as_of: datetime | None, scale: int,
                  **options) -> tuple[datetime, CorpusSummary | None]:
    """The corpus in ``folder`` if it was made for ``as_of`` (when None: for any midnight
    starting a weekday), else a new one ending at ``as_of`` (CORPUS_AS_OF, when None).
    Returns its as_of and, if new, its summary."""
    marker = folder / AS_OF_FILE
    if (folder / "registry.csv").exists() and marker.exists():
        made_for = datetime.fromisoformat(marker.read_text(encoding="utf-8").strip())
        if made_for == as_of or (as_of is None and made_for.weekday() < 5):
            return made_for, None
    if folder.exists():
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    as_of = as_of or CORPUS_AS_OF
    summary = generate_corpus(folder, as_of=as_of, scale=scale, **options)
    marker.write_text(as_of.isoformat(), encoding="utf-8")
    return as_of, summary


def bench_state(root: Path, scale: int) -> tuple[Path, datetime]:
    """What `bench/run.py --scales <scale>` left: its work folder (the full build and one more
    day, published) and its corpus's as_of. Exits saying what to run when there is none."""
    work = root / f"work-{scale}"
    if not (work / "govpulse.duckdb").exists():
        raise SystemExit(f"{work} has no published warehouse: run "
                         f"`python bench/run.py --scales {scale}` first")
    as_of, _ = cached_corpus(root / f"corpus-{scale}", None, scale)
    return work, as_of


def day_corpus(root: Path, scale: int, as_of: datetime, day: int) -> Path:
    """One day of files after a scale's corpus, which ends at ``as_of``: day ``day`` holds the
    24 hours up to ``as_of`` + ``day`` days. Day 1 is the bench's incremental day; days 2, 3...
    are those of bench/publish_days.py and bench/ab_day.py."""
    folder = root / (f"next-day-{scale}" if day == 1 else f"next-day-{scale}-{day}")
    cached_corpus(folder, as_of + timedelta(days=day), scale, days=1, seed=98 + day)
    return folder


def bench_scale(scale: int, root: Path, repeats: int, pandas_caps: tuple[int, int],
                spark: bool = False) -> dict:
    label = f"scale {scale}"
    print(f"\n== {label} ==", flush=True)
    corpus = root / f"corpus-{scale}"
    as_of, summary = cached_corpus(corpus, as_of=None, scale=scale)
    next_day = day_corpus(root, scale, as_of, 1)
    size = folder_bytes(corpus)
    work = root / f"work-{scale}"
    if work.exists():
        subprocess.run(["rm", "-rf", str(work)], check=True)
    warehouse = work / "govpulse.duckdb"
    build = work / ".govpulse-build" / "govpulse.duckdb"
    build.parent.mkdir(parents=True)
    warm(corpus)
    stages = [
        measure(LANDING, lambda: land(corpus, build, "bench-1"),
                input_bytes=size),
        measure(EXPORT, lambda: export(build, warehouse)),
    ]
    warm(corpus)
    stages += [
        measure(FLOOR_LANDING, lambda: land_floor(corpus, work / "floor.duckdb"),
                input_bytes=size),
        measure(FULL_BUILD, lambda: dbt_build(warehouse, True, as_of)),
        measure("publish (first: marts written)", lambda: publish_marts(build, warehouse)),
        measure(FLOOR_QUERY, lambda: transform_floor(build, as_of)),
    ]
    if spark:
        stages.append(measure("Spark local[2]: dbt build --target spark",
                              lambda: dbt_build(warehouse, True, as_of, target="spark")))
    days = incremental_days(work, root / f"before-day-{scale}", next_day,
                            as_of + timedelta(days=1))
    stages += [*median_day(days),
               measure(DAY_PUBLISH, lambda: publish_marts(build, warehouse))]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        inbound = con.execute("select count(*) from marts.fct_inbound_replies").fetchone()[0]
    stages.append(pandas_alternative(corpus, as_of, *pandas_caps))
    queries = dashboard_queries(warehouse, repeats)
    return {"scale": scale, "spark": spark, "inbound_replies": inbound, "as_of": as_of,
            "corpus_mb": round(size / 2**20),
            "day_totals": [incremental_day_seconds(day) for day in days],
            "day_peak_mb": max(stage["peak_rss_mb"] for day in days for stage in day),
            "tweets": summary.tweets if summary else None, "stages": stages,
            "dashboard": queries}


def copy_day_state(source: Path, target: Path) -> None:
    """The DAY_STATE entries of ``source`` into ``target``, replacing target's (times kept:
    the publish record compares the published file's), written to disk before it returns:
    otherwise the 7 GB a 10 M copy leaves to write back compete with the day for the disk
    (its landing took 5.2 to 6.9 s and its dbt build 13.7 to 13.9 s, `2026-12-06-36-357-3.md`)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in DAY_STATE:
        subprocess.run(["rm", "-rf", str(target / name)], check=True)
        if (source / name).exists():
            subprocess.run(["cp", "-a", str(source / name), str(target / name)], check=True)
    os.sync()


def incremental_days(work: Path, saved: Path, next_day: Path,
                     as_of: datetime) -> list[list[dict]]:
    """The next day's landing, export and incremental dbt build, DAY_RUNS times from the state
    ``work`` has now (kept in ``saved`` meanwhile); ``work`` keeps the last run's."""
    warehouse = work / "govpulse.duckdb"
    build = work / ".govpulse-build" / "govpulse.duckdb"
    runs = []
    try:
        copy_day_state(work, saved)
        for index in range(DAY_RUNS):
            if index:
                copy_day_state(saved, work)
            # what the day reads, which the floor query's 18 GB (and Spark's JVM) pushed out
            # of the cache: a daily run follows the last one on a machine that kept its files
            for folder in (next_day, build.parent, raw_parquet_dir(warehouse, {})):
                warm(folder)
            print(f"  (incremental day, run {index + 1} of {DAY_RUNS})", flush=True)
            runs.append([
                measure(DAY_LANDING, lambda: land(next_day, build, "bench-2"),
                        input_bytes=folder_bytes(next_day)),
                measure(DAY_EXPORT, lambda: export(build, warehouse)),
                # the next day's run computes its figures a day later, as a daily schedule
                # would
                measure(DAY_BUILD, lambda: dbt_build(warehouse, False, as_of)),
            ])
    finally:
        # the saved state is a copy of the whole build (7 GB at 10 M): not left behind when
        # a run fails or is interrupted
        subprocess.run(["rm", "-rf", str(saved)], check=True)
    return runs


def publish_marts(build: Path, warehouse: Path) -> int:
    """Publish the marts as a run does; the fact rows it wrote when it updated the last file."""
    report = publish(build, warehouse)
    print(f"    publish: {report.summary()}", flush=True)
    return sum(report.updated_rows.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[4, 36, 357])
    parser.add_argument("--work", default=str(REPO / "bench" / "corpora"))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--pandas-memory-gib", type=float, default=8)
    parser.add_argument("--pandas-seconds", type=int, default=900)
    parser.add_argument("--spark-scales", type=int, nargs="*", default=[],
                        help="also build these scales on the Spark target (needs Java 17)")
    args = parser.parse_args()
    results = [bench_scale(scale, Path(args.work), args.repeats,
                           (int(args.pandas_memory_gib * 2**30), args.pandas_seconds),
                           spark=scale in args.spark_scales)
               for scale in args.scales]
    for result in results:
        print(f"\nscale {result['scale']} ({result['inbound_replies']:,} inbound replies):")
        for verdict in verdicts(result):
            print(f"  {verdict}")
    label = f"{datetime.now(UTC):%Y-%m-%d}-{'-'.join(str(scale) for scale in args.scales)}"
    write_report(results, new_results_path(REPO / "bench" / "results", label))


if __name__ == "__main__":
    main()
