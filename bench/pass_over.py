"""What passing over landed files costs as a collection grows: a run pointed at a folder of
many days of files, every one of them landed, for several sizes of the folder.

    python bench/pass_over.py --files 30000 300000 3000000 10950000

Each file of the folder is a hard link to one small twarc2 page (a folder per day of
``--per-day`` files, as a collector writes them), so the folder costs directory entries, not
data. The warehouse is given the ``raw.load_files`` rows a landing of those files would have
written (the size, modification time and reader version each file was landed with), without
reading them: what is measured is the listing, the ``stat`` of each file and the check
against ``raw.load_files``, the run's whole landing when nothing is new. Wall time and the
peak resident memory of the process, median of three runs per size. Everything is made under
bench/corpora/pass-over and deleted at the end; results go to
bench/results/<date>-pass-over.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import TreeRss  # noqa: E402
from bench.report import new_results_path  # noqa: E402
from bench.stages import REPO  # noqa: E402
from extractors.files_source import READER_VERSION, load_files  # noqa: E402
from extractors.landing import RawLanding, ensure_raw_schema  # noqa: E402
from govpulse.settings import build_connection_config  # noqa: E402

RUNS = 3
# a file's name in the folder, by its day and its place in the day (Python's and DuckDB's
# format() read the same pattern)
FILE_NAME = "day-{:04d}/replies-{:06d}.jsonl"
PAGE = ('{"data": [{"id": "1", "text": "Road closed today", "author_id": "42", '
        '"created_at": "2026-11-30T09:00:00.000Z"}], "includes": {"users": [{"id": "42", '
        '"username": "DCLahore", "name": "DC Lahore"}]}}\n')


def _grow_folder(folder: Path, page: Path, files: int, per_day: int) -> None:
    """Files until ``folder`` holds ``files``, ``per_day`` a folder: hard links to a copy of
    ``page`` per day (a file takes so many links only), each with ``page``'s time."""
    present = sum(len(names) for _, _, names in os.walk(folder))
    modified = page.stat().st_mtime_ns
    for number in range(present, files):
        file = folder / FILE_NAME.format(number // per_day, number % per_day)
        source = page.parent / "pages" / file.parent.name
        if not source.is_file():
            file.parent.mkdir(exist_ok=True)
            source.parent.mkdir(exist_ok=True)
            shutil.copyfile(page, source)
            os.utime(source, ns=(modified, modified))
        os.link(source, file)


def _landed_state(database: Path, page: Path, files: int, per_day: int) -> None:
    """``raw.load_files`` as a landing of every file ``_grow_folder`` made would leave it."""
    status = page.stat()
    with duckdb.connect(str(database), config=build_connection_config()) as con:
        ensure_raw_schema(con)
        con.execute("delete from raw.load_files")
        con.execute(
            "insert into raw.load_files (run_id, source, source_file, file_kind, tweets, "
            "users, skipped, file_bytes, file_modified_ns, reader_version) "
            "select 'landed', 'files', format($name, n // $per_day, n % $per_day), 'tweets', "
            "1, 1, 0, $bytes, $modified, $version from range($files) as numbers(n)",
            {"name": FILE_NAME, "per_day": per_day, "bytes": status.st_size,
             "modified": status.st_mtime_ns, "version": READER_VERSION, "files": files})


def _pass_over(database: Path, folder: Path) -> tuple[float, int, int, int]:
    """One run's landing of ``folder``: seconds, peak RSS added (bytes), files read, passed."""
    with duckdb.connect(str(database), config=build_connection_config()) as con:
        landing = RawLanding(con, run_id="again", source="files")
        with TreeRss() as memory:
            before = memory.peak
            started = time.perf_counter()
            report = load_files(folder, landing)
            seconds = time.perf_counter() - started
    return seconds, memory.peak - before, len(report.files), report.unchanged_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, nargs="+",
                        default=[30_000, 300_000, 3_000_000, 10_950_000],
                        help="sizes of the folder, in files (10,950,000: a year of days)")
    parser.add_argument("--per-day", type=int, default=30_000,
                        help="files a day's folder holds (the 10 M bench's day: 30,704)")
    args = parser.parse_args()
    work = REPO / "bench" / "corpora" / "pass-over"
    shutil.rmtree(work, ignore_errors=True)
    folder = work / "collection"
    folder.mkdir(parents=True)
    page = work / "page.jsonl"
    page.write_text(PAGE, encoding="utf-8")
    rows = []
    try:
        for files in sorted(args.files):
            _grow_folder(folder, page, files, args.per_day)
            database = work / "govpulse.duckdb"
            _landed_state(database, page, files, args.per_day)
            runs = [_pass_over(database, folder) for _ in range(RUNS)]
            if any(read for _, _, read, _ in runs) or any(
                    passed != files for _, _, _, passed in runs):
                raise SystemExit(f"{files:,} files: a landed file was read again")
            seconds = statistics.median(run[0] for run in runs)
            memory = statistics.median(run[1] for run in runs)
            rows.append((files, [run[0] for run in runs], seconds, memory))
            print(f"  {files:>10,} files: {seconds:.2f} s (runs "
                  f"{', '.join(f'{run[0]:.2f}' for run in runs)}), "
                  f"+{memory / 2**20:,.0f} MB", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = ["# Passing over landed files as a collection grows", "",
             f"Reproduce: `python bench/pass_over.py --files "
             f"{' '.join(str(files) for files in args.files)} --per-day {args.per_day}`.", "",
             f"A folder per day of {args.per_day:,} files, every file landed; a run's landing "
             f"of the whole folder reads none. Median of {RUNS} runs; memory is the peak "
             "resident memory the landing added to its process.", "",
             "| files in the folder | days of files | seconds (median) | runs | µs a file "
             "| peak memory added (MB) |", "|---:|---:|---:|---|---:|---:|"]
    lines += [f"| {files:,} | {files / args.per_day:,.1f} | {seconds:.2f} | "
              f"{', '.join(f'{run:.2f}' for run in runs)} | {seconds / files * 1e6:.1f} | "
              f"{memory / 2**20:,.0f} |" for files, runs, seconds, memory in rows]
    path = new_results_path(REPO / "bench" / "results",
                            f"{datetime.now(UTC):%Y-%m-%d}-pass-over")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\n{path}")


if __name__ == "__main__":
    main()
