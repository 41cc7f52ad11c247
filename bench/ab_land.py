"""A/B of a working day's landing: the landing code of two checkouts, each timed landing one
day's files on fresh copies of one snapshot's build copy, each first in half of the pairs.

    python bench/ab_land.py --b ../govpulse-candidate --pairs 4       # 10 M (scale 357)
    python bench/ab_land.py --a ../before --b . --scale 4 --pairs 3

The snapshot is bench/ab_day.py's (bench/corpora/ab-<scale>, made from what `bench/run.py
--scales <scale>` left, if missing): the first working day after the bench's, landed and
exported. The day landed here is the one after it. Each run copies the snapshot's build copy,
reads the day's files and the copy once, untimed (a collector has just written the files; the
last run left the copy), then lands the day as the bench does (`bench.stages.land`) in a new
Python process that takes the checkout's code first. That process converts one value to Arrow
before the clock starts: a process's first conversion imports pandas (0.2 s), which the bench's
own process and a pipeline run have done long before they land a day.

Only the code comes from each checkout; the Python and the libraries are this one's. Prints
every run and each checkout's median.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ab_day import pair_orders, prepared_snapshot, print_medians  # noqa: E402
from bench.run import REPO, bench_state, day_corpus  # noqa: E402
from bench.stages import warm  # noqa: E402

# Run in the new process: argv is the checkout, the day's folder and the build copy.
_LAND = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import pyarrow
pyarrow.array([b""])
from bench.stages import land
started = time.perf_counter()
land(Path(sys.argv[2]), Path(sys.argv[3]), "ab-land")
print(time.perf_counter() - started)
"""


def land_seconds(checkout: Path, day: Path, build: Path) -> float:
    """The seconds ``checkout``'s code takes to land ``day`` into ``build``."""
    landed = subprocess.run([sys.executable, "-c", _LAND, str(checkout), str(day), str(build)],
                            check=True, capture_output=True, text=True)
    return float(landed.stdout.split()[-1])


def timed_landing(snapshot: Path, work: Path, checkout: Path, day: Path) -> float:
    """One run: a fresh copy of the snapshot's build copy, the day's files landed into it."""
    build = work / ".govpulse-build" / "govpulse.duckdb"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    build.parent.mkdir(parents=True)
    subprocess.run(["cp", "-a", str(snapshot / ".govpulse-build" / "govpulse.duckdb"),
                    str(build)], check=True)
    os.sync()  # the copy written back before the clock starts, not while the day lands
    for folder in (day, build.parent):
        warm(folder)
    return land_seconds(checkout, day, build)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, default=REPO, help="checkout A (default: this)")
    parser.add_argument("--b", type=Path, required=True, help="checkout B")
    parser.add_argument("--scale", type=int, default=357)
    parser.add_argument("--pairs", type=int, default=4)
    args = parser.parse_args()
    checkouts = {"a": args.a.resolve(), "b": args.b.resolve()}
    root = REPO / "bench" / "corpora"
    snapshot, working_day_as_of = prepared_snapshot(root, args.scale)
    _, as_of = bench_state(root, args.scale)
    # the snapshot's day k is built as of as_of + k days; the day after it is k + 1
    day = day_corpus(root, args.scale, as_of, (working_day_as_of - as_of).days + 1)
    work = root / f"ab-land-work-{args.scale}"
    seconds: dict[str, list[float]] = {"a": [], "b": []}
    try:
        for pair, order in enumerate(pair_orders(args.pairs), start=1):
            for name in order:
                seconds[name].append(timed_landing(snapshot, work, checkouts[name], day))
                print(f"pair {pair}: {name} {seconds[name][-1]:.2f} s", flush=True)
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=True)
    print_medians(seconds, checkouts)


if __name__ == "__main__":
    main()
