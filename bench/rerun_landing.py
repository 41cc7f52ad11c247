"""A run over a folder that holds every file already landed: how long its landing takes when
each file is passed over as unchanged, against the landing that read them.

    python bench/rerun_landing.py --scale 357

A collector's folder grows by new files each day, and every run is pointed at the whole of it.
This lands bench/corpora/corpus-<scale> (generate it with `python bench/run.py --scales
<scale>` first) into a new file, then lands the same folder again three times: each finds
every file landed with the same size and modification time and reads none. The new file is
deleted at the end. Results go to bench/results/<date>-rerun-landing-<scale>.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import new_results_path  # noqa: E402
from bench.stages import REPO, folder_bytes, land, warm  # noqa: E402
from extractors.files_source import load_files  # noqa: E402
from extractors.landing import RawLanding  # noqa: E402
from govpulse.settings import build_connection_config  # noqa: E402

RERUNS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=357)
    args = parser.parse_args()
    corpus = REPO / "bench" / "corpora" / f"corpus-{args.scale}"
    if not (corpus / "registry.csv").is_file():
        raise SystemExit(f"no corpus in {corpus}: run `python bench/run.py --scales "
                         f"{args.scale}` first")
    work = REPO / "bench" / "corpora" / f"rerun-landing-{args.scale}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    build = work / "govpulse.duckdb"
    try:
        warm(corpus)
        started = time.perf_counter()
        tweets = land(corpus, build, "first")
        first = time.perf_counter() - started
        print(f"  first landing: {first:.1f} s, {tweets:,} tweets read", flush=True)
        reruns = []
        for run in range(1, RERUNS + 1):
            with duckdb.connect(str(build), config=build_connection_config()) as con:
                started = time.perf_counter()
                report = load_files(corpus, RawLanding(con, run_id=f"again-{run}",
                                                       source="files"))
                reruns.append((time.perf_counter() - started, len(report.files),
                               report.unchanged_files))
            print(f"  again: {reruns[-1][0]:.2f} s, {reruns[-1][1]} files read, "
                  f"{reruns[-1][2]:,} unchanged", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [f"# Landing a folder already landed, scale {args.scale}", "",
             f"Reproduce: `python bench/rerun_landing.py --scale {args.scale}` (after "
             f"`python bench/run.py --scales {args.scale}`).", "",
             f"The corpus: {folder_bytes(corpus) / 1e9:.1f} GB of JSONL. The first landing, "
             f"into a new file: {first:.1f} s ({tweets:,} tweets read).", "",
             "| landing again | seconds | files read | files passed over (unchanged) |",
             "|---:|---:|---:|---:|"]
    lines += [f"| {run} | {seconds:.2f} | {read:,} | {unchanged:,} |"
              for run, (seconds, read, unchanged) in enumerate(reruns, start=1)]
    path = new_results_path(REPO / "bench" / "results",
                            f"{datetime.now(UTC):%Y-%m-%d}-rerun-landing-{args.scale}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\n{path}")
    if any(read for _, read, _ in reruns):
        raise SystemExit("a file landed and unchanged was read again")


if __name__ == "__main__":
    main()
