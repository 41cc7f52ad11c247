"""Several more days on top of a bench run: how a day's publish (an updated copy of the last
published file) holds up, against writing the marts into a new file.

    python bench/publish_days.py --scale 357 --days 5

It starts from a copy of what `bench/run.py --scales <scale>` left in
bench/corpora/work-<scale> (its full build and one more day, published), so run that first.
Each further day has its own corpus (one day, generated like the bench's next day) and goes
through the daily path: landing, export, the incremental `dbt build`, publish. At the end
the same build is published into a new file, which must hold the same rows; the report gives
each day's publish time and the published file's size against the new file's.
Results go to bench/results/<date>-publish-days-<scale>.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import new_results_path  # noqa: E402
from bench.run import REPO, bench_state, copy_day_state, day_corpus  # noqa: E402
from bench.stages import dbt_build, export, land, warm  # noqa: E402
from govpulse.publish import publish  # noqa: E402


def _megabytes(path: Path) -> int:
    return round(path.stat().st_size / 1e6)


def _differing_rows(published: Path, fresh: Path) -> dict[str, int]:
    """Rows in one file's marts and not the other's, both ways, per table."""
    with duckdb.connect() as con:
        con.execute(f"attach '{published}' as published (read_only)")
        con.execute(f"attach '{fresh}' as fresh (read_only)")
        tables = [row[0] for row in con.execute(
            "select table_name from duckdb_tables() where database_name = 'fresh' "
            "order by table_name").fetchall()]
        return {table: sum(con.execute(
            f"select count(*) from (select * from {one}.marts.{table} "
            f"except all select * from {other}.marts.{table})").fetchone()[0]
            for one, other in (("published", "fresh"), ("fresh", "published")))
            for table in tables}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=357)
    parser.add_argument("--days", type=int, default=5)
    args = parser.parse_args()
    root = REPO / "bench" / "corpora"
    source, as_of = bench_state(root, args.scale)
    work = root / f"publish-days-{args.scale}"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    copy_day_state(source, work)  # the warehouse without the floor's file
    warehouse = work / "govpulse.duckdb"
    build = work / ".govpulse-build" / "govpulse.duckdb"
    start_mb = _megabytes(warehouse)
    rows = []
    # the bench's run made day 1 (next-day-<scale>); these are days 2, 3, ...
    for day in range(2, args.days + 2):
        corpus = day_corpus(root, args.scale, as_of, day)
        warm(corpus)
        started = time.perf_counter()
        land(corpus, build, f"publish-days-{day}")
        export(build, warehouse)
        dbt_build(warehouse, False, as_of + timedelta(days=day))
        built = time.perf_counter()
        report = publish(build, warehouse)
        published = time.perf_counter()
        rows.append((day, built - started, published - built, report.summary(),
                     _megabytes(warehouse)))
        print(f"  day {day}: landing to build {built - started:.1f} s, publish "
              f"{published - built:.1f} s ({report.summary()}), {rows[-1][-1]} MB", flush=True)
    fresh = work / "fresh.duckdb"
    started = time.perf_counter()
    publish(build, fresh)
    fresh_seconds = time.perf_counter() - started
    differing = _differing_rows(warehouse, fresh)
    lines = [f"# Publishing day after day, scale {args.scale}", "",
             f"Reproduce: `python bench/publish_days.py --scale {args.scale} --days {args.days}` "
             f"(after `python bench/run.py --scales {args.scale}`).", "",
             f"Published file before day 2: {start_mb} MB.", "",
             "| day | landing, export, dbt build (s) | publish (s) | published file (MB) | "
             "what the publish did |", "|---:|---:|---:|---:|---|"]
    lines += [f"| {day} | {build_s:.1f} | {publish_s:.1f} | {size} | {summary} |"
              for day, build_s, publish_s, summary, size in rows]
    lines += ["", f"The same build published into a new file: {fresh_seconds:.1f} s, "
              f"{_megabytes(fresh)} MB; the updated file is "
              f"{_megabytes(warehouse) / _megabytes(fresh) - 1:.1%} larger.", "",
              "Rows in one file's marts and not the other's (both ways): "
              + ", ".join(f"{table} {count}" for table, count in differing.items()) + "."]
    path = new_results_path(REPO / "bench" / "results",
                            f"{datetime.now(UTC):%Y-%m-%d}-publish-days-{args.scale}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\n{path}")
    if any(differing.values()):
        raise SystemExit("the updated file differs from a new one")


if __name__ == "__main__":
    main()
