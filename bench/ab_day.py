"""A/B of a working day's incremental `dbt build`: the dbt projects of two checkouts, each
timed on fresh copies of one snapshot, each first in half of the pairs.

    python bench/ab_day.py --b ../govpulse-candidate --pairs 4            # 10 M (scale 357)
    python bench/ab_day.py --a ../before --b . --scale 4 --pairs 3
    python bench/ab_day.py --b ../govpulse-candidate --after-full-refresh

The snapshot (bench/corpora/ab-<scale>) is made once from what `bench/run.py --scales <scale>`
left in bench/corpora/work-<scale> (its full build and one more day): the days after it are
built up to the first working day, which is landed and exported. Each run copies it, parses
its checkout's project (untimed: a daily run starts from the last run's parse), and times the
`dbt build` of that day as the bench's day stage does, with dbt's unit tests left out (they
run only when what they check changed). A run's place in its pair can move it by a few tenths
of a second on this project's machine (docs/performance-history.md), so the order alternates.

With --after-full-refresh, each checkout gets a snapshot of its own: the days before the
first working day built, then a full refresh with its project, then that day landed and
exported. The bench's own day follows a full refresh, and the layout a full build leaves
is not the one daily runs leave, so a change to it shows there and not in three days' time.

Only the dbt project (models, macros, profiles.yml) comes from each checkout; the Python
that starts dbt is this one's. Prints every run and each checkout's median.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import REPO, bench_state, copy_day_state, day_corpus  # noqa: E402
from bench.stages import dbt_build, dbt_command, export, land, warm  # noqa: E402
from govpulse.settings import raw_parquet_dir  # noqa: E402

DAY_FILE = "day.txt"


def pair_orders(pairs: int) -> list[tuple[str, str]]:
    """("a", "b"), ("b", "a"), ("a", "b")...: each checkout first in half of the pairs."""
    return [("a", "b") if index % 2 == 0 else ("b", "a") for index in range(pairs)]


def first_working_day(as_of: datetime) -> int:
    """The first day after the bench's (day 1) whose data falls on a weekday: day ``k``
    holds the tweets of the 24 hours from ``as_of`` + k - 1 days, built as of ``as_of`` + k."""
    day = 2
    while (as_of + timedelta(days=day - 1)).weekday() >= 5:
        day += 1
    return day


def land_day(root: Path, scale: int, as_of: datetime, snapshot: Path, day: int) -> None:
    """Day ``day`` after the bench's corpus landed and exported into ``snapshot``."""
    warehouse = snapshot / "govpulse.duckdb"
    build = warehouse.parent / ".govpulse-build" / warehouse.name
    corpus = day_corpus(root, scale, as_of, day)
    print(f"  {snapshot.name}: day {day} ({corpus.name})", flush=True)
    land(corpus, build, f"ab-{day}")
    export(build, warehouse)


def days_before_working_day(root: Path, scale: int, snapshot: Path, source: Path,
                            as_of: datetime, built: bool = True) -> int:
    """``snapshot``: a copy of what the bench left in ``source``, with the days after its own
    landed (and built, unless a full refresh follows) up to the first working day, which it
    returns."""
    day = first_working_day(as_of)
    subprocess.run(["rm", "-rf", str(snapshot)], check=True)
    copy_day_state(source, snapshot)
    for earlier in range(2, day):
        land_day(root, scale, as_of, snapshot, earlier)
        if built:
            dbt_build(snapshot / "govpulse.duckdb", False, as_of + timedelta(days=earlier))
    return day


def prepared_snapshot(root: Path, scale: int) -> tuple[Path, datetime]:
    """The snapshot, made (with this checkout's project) if missing or older than
    work-<scale>; and the as_of it builds."""
    source, as_of = bench_state(root, scale)
    snapshot = root / f"ab-{scale}"
    marker = snapshot / DAY_FILE
    if marker.exists() and marker.stat().st_mtime > (source / "govpulse.duckdb").stat().st_mtime:
        return snapshot, as_of + timedelta(days=int(marker.read_text(encoding="utf-8")))
    day = days_before_working_day(root, scale, snapshot, source, as_of)
    land_day(root, scale, as_of, snapshot, day)
    marker.write_text(str(day), encoding="utf-8")
    return snapshot, as_of + timedelta(days=day)


def full_refresh_folder(root: Path, scale: int, name: str) -> Path:
    """Where checkout ``name``'s snapshot after a full refresh is made (and removed after)."""
    return root / f"ab-full-{name}-{scale}"


def full_refresh_snapshot(root: Path, scale: int, name: str,
                          project: Path) -> tuple[Path, datetime]:
    """A snapshot for one checkout: the days before the first working day built, a full
    refresh with ``project``, then the working day landed and exported; and its as_of."""
    snapshot = full_refresh_folder(root, scale, name)
    source, as_of = bench_state(root, scale)
    day = days_before_working_day(root, scale, snapshot, source, as_of, built=False)
    print(f"  {snapshot.name}: full refresh", flush=True)
    dbt_build(snapshot / "govpulse.duckdb", True, as_of + timedelta(days=day - 1),
              project=project, unit_tests=False)
    land_day(root, scale, as_of, snapshot, day)
    return snapshot, as_of + timedelta(days=day)


def print_medians(seconds: dict[str, list[float]], checkouts: dict[str, Path]) -> None:
    """Each checkout's median, its runs and what it was."""
    for name, checkout in checkouts.items():
        print(f"{name}: median {statistics.median(seconds[name]):.2f} s "
              f"({', '.join(f'{value:.2f}' for value in seconds[name])}) {checkout}")


def timed_build(snapshot: Path, work: Path, project: Path, as_of: datetime) -> float:
    """One run: a fresh copy of the snapshot, the project parsed, the day's build timed."""
    copy_day_state(snapshot, work)
    warehouse = work / "govpulse.duckdb"
    dbt_command(warehouse, as_of, ["parse"], project=project)
    for folder in (warehouse.parent / ".govpulse-build", raw_parquet_dir(warehouse, {})):
        warm(folder)
    started = time.perf_counter()
    dbt_build(warehouse, False, as_of, project=project, unit_tests=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, default=REPO, help="checkout A (default: this)")
    parser.add_argument("--b", type=Path, required=True, help="checkout B")
    parser.add_argument("--scale", type=int, default=357)
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--after-full-refresh", action="store_true",
                        help="time the first working day after a full refresh with each "
                             "checkout's project, as the bench's own day")
    args = parser.parse_args()
    projects = {name: checkout.resolve() / "dbt_project"
                for name, checkout in (("a", args.a), ("b", args.b))}
    root = REPO / "bench" / "corpora"
    work = root / f"ab-work-{args.scale}"
    seconds: dict[str, list[float]] = {"a": [], "b": []}
    try:
        if args.after_full_refresh:
            snapshots = {name: full_refresh_snapshot(root, args.scale, name, project)
                         for name, project in projects.items()}
        else:
            shared = prepared_snapshot(root, args.scale)
            snapshots = {name: shared for name in projects}
        for pair, order in enumerate(pair_orders(args.pairs), start=1):
            for name in order:
                snapshot, as_of = snapshots[name]
                seconds[name].append(timed_build(snapshot, work, projects[name], as_of))
                print(f"pair {pair}: {name} {seconds[name][-1]:.2f} s", flush=True)
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=True)
        for name in projects:
            # a full refresh's snapshot holds its checkout's project: not kept for the next A/B
            subprocess.run(["rm", "-rf", str(full_refresh_folder(root, args.scale, name))],
                           check=True)
    print_medians(seconds, projects)


if __name__ == "__main__":
    main()
