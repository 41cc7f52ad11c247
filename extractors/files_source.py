"""The files source: folders of twarc2 output and X account archives.

Reads ``*.jsonl``, ``*.jsonl.gz``, ``*.json`` and an archive's
``data/tweets.js`` recursively. Bad records are counted and reported with
file and line; they never stop the rest from loading. The clean response pages
of plain ``.jsonl`` files are landed by DuckDB (``jsonl_pages``); every other
line is read here.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from extractors import json_codec, jsonl_pages
from extractors.archive import (
    ArchiveError,
    archive_account,
    is_archive_tweet_file,
    read_ytd,
    v2_tweet,
)
from extractors.landing import RawLanding
from extractors.x_records import Extracted, RecordError, extract, parse_timestamp, user_record

SOURCE = "files"
# Raised when what the reader takes from a file changes (a shape newly read, a check
# changed): the files landed by an older reader are then read again, not passed as unchanged.
READER_VERSION = 1
_MAX_REPORTED_PROBLEMS = 1_000  # per file; the counts stay exact beyond it
# Input read by DuckDB in one go; bounds what a batch holds in memory.
_BATCH_BYTES = 256 * 2**20
_LISTING_CHUNK = 100_000  # files whose names and versions go to DuckDB at once


@dataclass
class FileReport:
    path: str
    kind: str = "empty"
    tweets: int = 0
    users: int = 0
    skipped: int = 0  # records skipped (a file that cannot be read is ``unreadable``)
    api_errors: int = 0
    unreadable: bool = False
    # what tells the file unchanged next time (``_file_version``): None to read it again
    size: int | None = None
    modified_ns: int | None = None


@dataclass
class FilesReport:
    files: list[FileReport] = field(default_factory=list)  # the files read
    unchanged_files: int = 0  # not read: landed before, with the same size and time
    tweets_landed: int = 0
    users_landed: int = 0

    @property
    def tweets_read(self) -> int:
        return sum(file.tweets for file in self.files)

    @property
    def users_read(self) -> int:
        return sum(file.users for file in self.files)

    @property
    def skipped(self) -> int:
        return sum(file.skipped for file in self.files)

    @property
    def unreadable_files(self) -> int:
        return sum(1 for file in self.files if file.unreadable)

    @property
    def files_without_tweets(self) -> int:
        return sum(1 for file in self.files if file.tweets == 0)


class InputFolderError(OSError):
    """The input folder, or a folder in it, cannot be listed: the run stops and names it
    (landing the rest would silently leave that folder's tweets out)."""


def _entries(folder: str) -> Iterator[os.DirEntry]:
    """Every entry under ``folder``; folders linked to are not entered (as ``Path.rglob``)."""
    try:
        listing = os.scandir(folder)
    except OSError as exc:
        raise InputFolderError(f"cannot list folder {folder} ({exc.strerror})") from None
    with listing as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _entries(entry.path)
            else:
                yield entry


def check_input_folder(input_dir: Path) -> None:
    """Raise InputFolderError unless ``input_dir`` is a folder."""
    if not input_dir.is_dir():
        raise InputFolderError(f"input folder {input_dir} does not exist or is not a folder")


def discover(input_dir: Path) -> Iterator[str]:
    """Every file of a known shape under ``input_dir``, as the folder lists them (the landing
    reads them in order of name: ``RawLanding.files_not_landed``).

    Paths as text (``Path`` only for the files Python reads): a day of a national corpus is
    30,000 files, and making, printing and hashing a ``Path`` for each took about 0.2 s of a
    3.5 s landing (median of six alternating runs: 3.50 s against 3.70 s). For the same
    reason the folder is walked with ``os.scandir``, not ``rglob``. A generator: a year of
    files is millions, and the landing holds a chunk of them at a time.
    """
    check_input_folder(input_dir)
    return (entry.path for entry in _entries(str(input_dir))
            if (entry.name.lower().endswith((".jsonl", ".jsonl.gz", ".json"))
                or is_archive_tweet_file(entry.name)) and entry.is_file())


def _open(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="strict")
    return path.open("r", encoding="utf-8-sig", errors="strict")


def _fetched_at(obj: Any, default: datetime) -> datetime:
    twarc = obj.get("__twarc") if isinstance(obj, dict) else None
    if isinstance(twarc, dict) and twarc.get("retrieved_at"):
        try:
            return parse_timestamp(twarc["retrieved_at"], "__twarc.retrieved_at")
        except RecordError:
            return default
    return default


def _records(path: Path, lines: set[int] | None = None
             ) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, decoded value or None, problem) for each record of a JSON/JSONL file,
    or of the given lines only."""
    if path.name.lower().endswith(".json"):
        text = path.read_text(encoding="utf-8-sig")
        try:
            document = json_codec.loads(text)
        except json.JSONDecodeError:
            document = None  # twarc2 writes JSONL whatever the extension: read it as lines
        if document is not None:
            items = document if isinstance(document, list) else [document]
            for item in items:
                yield 1, item, None
            return
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            if (lines is not None and number not in lines) or not line.strip():
                continue
            try:
                yield number, json_codec.loads(line), None
            except json.JSONDecodeError as exc:
                yield number, None, f"not JSON ({json_codec.problem(exc)} at column {exc.colno})"


def _land_extracted(landing: RawLanding, report: FileReport, extracted: Extracted,
                    fetched_at: datetime, line: int) -> None:
    landing.add_tweets(extracted.tweets, fetched_at, report.path, line)
    landing.add_users(extracted.users, fetched_at, report.path, line)
    report.tweets += len(extracted.tweets)
    report.users += len(extracted.users)
    for problem in extracted.problems:
        report.skipped += 1
        if report.skipped <= _MAX_REPORTED_PROBLEMS:
            landing.add_issue(report.path, line, "skipped_record", problem)
    for error in extracted.api_errors:
        report.api_errors += 1
        landing.add_issue(report.path, line, "api_error", error)


def _read_archive(path: Path, landing: RawLanding, report: FileReport,
                  written_ns: int | None) -> None:
    report.kind = "x_archive"
    try:
        fetched_at = _written_when(path, written_ns)
        owner = archive_account(path)
        items = read_ytd(path)
    except (ArchiveError, OSError, UnicodeDecodeError) as exc:
        report.unreadable = True
        landing.add_issue(report.path, None, "unreadable_file", str(exc))
        return
    if owner is None:
        report.unreadable = True
        landing.add_issue(report.path, None, "unreadable_file",
                          "no data/account.js beside it: whose tweets these are is unknown")
        return
    extracted = Extracted("tweets")
    try:
        extracted.users.append(user_record(owner))
    except RecordError as exc:
        extracted.problems.append(f"data/account.js: {exc}")
    for number, item in enumerate(items, start=1):
        body = item.get("tweet") if isinstance(item, dict) else None
        if not isinstance(body, dict):
            extracted.problems.append(f"archive item {number}: no 'tweet' object")
            continue
        single = extract(v2_tweet(body, owner["id"]))
        extracted.tweets += single.tweets
        extracted.problems += [f"archive item {number}: {problem}" for problem in single.problems]
    _land_extracted(landing, report, extracted, fetched_at, 1)


def _written_at(modified_ns: int) -> datetime:
    """A modification time in ns as a moment, through ``stat``'s ``st_mtime`` (seconds plus
    ns × 1e-9, in floating point): every reader dates a file's records to the same µs."""
    return datetime.fromtimestamp(modified_ns // 10**9 + (modified_ns % 10**9) * 1e-9, tz=UTC)


def _written_ns(path: str, modified_ns: int) -> int:
    """When a file was written (ns), given its modification time: for an archive's tweets,
    the later of theirs and of the ``account.js`` beside them, which says whose they are (a
    profile renamed since is a newer fetch, and the archive is read again)."""
    if path[-3:].lower() == ".js" and is_archive_tweet_file(os.path.basename(path)):
        with contextlib.suppress(OSError):  # no account.js: the archive is unreadable
            return max(modified_ns, os.stat(os.path.join(os.path.dirname(path),
                                                         "account.js")).st_mtime_ns)
    return modified_ns


def _written_when(path: Path, written_ns: int | None) -> datetime:
    """When a file was written, as listed (``_written_ns``): the fetch time of its records
    that do not say theirs. A file gone since it was listed is looked at again, which says
    why it cannot be read."""
    if written_ns is None:
        written_ns = _written_ns(str(path), path.stat().st_mtime_ns)
    return _written_at(written_ns)


def read_file(path: Path, landing: RawLanding, display: str, written_ns: int | None,
              lines: set[int] | None = None, report: FileReport | None = None) -> FileReport:
    """Read a file (or only ``lines`` of it) into ``landing``, adding to ``report``; its
    records that do not say when they were fetched are dated by ``written_ns``
    (``_written_when``), as the lines DuckDB reads are."""
    report = report or FileReport(path=display)
    if is_archive_tweet_file(path.name):
        _read_archive(path, landing, report, written_ns)
        return report
    kinds: set[str] = set()
    try:
        default_fetched = _written_when(path, written_ns)
        for line, value, problem in _records(path, lines):
            if problem is not None:
                report.skipped += 1
                if report.skipped <= _MAX_REPORTED_PROBLEMS:
                    landing.add_issue(report.path, line, "skipped_record", problem)
                continue
            extracted = extract(value)
            kinds.add(extracted.kind)
            _land_extracted(landing, report, extracted, _fetched_at(value, default_fetched), line)
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        report.unreadable = True
        landing.add_issue(report.path, None, "unreadable_file", f"{type(exc).__name__}: {exc}")
    if report.tweets:
        report.kind = "tweets"
    elif report.users:
        report.kind = "users"
    elif kinds:
        report.kind = sorted(kinds)[0]
    return report


class _Listed(NamedTuple):
    """A file to read, with what will tell it unchanged once landed (``_file_version``)."""

    path: str
    name: str  # as reports and ``raw`` show it (``_shown_name``)
    name_in_utf8: bool  # False: ``name`` shows the path's other bytes as U+FFFD
    size: int | None  # None: gone since it was listed (its read says why)
    modified_ns: int | None


def _batches(listed: list[_Listed]) -> Iterator[list[_Listed]]:
    """Consecutive files holding about ``_BATCH_BYTES`` of input."""
    batch: list[_Listed] = []
    held = 0
    for file in listed:
        batch.append(file)
        held += file.size or 0
        if held >= _BATCH_BYTES:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _file_version(path: str) -> tuple[int | None, int | None]:
    """What tells that a file landed before is unchanged: its size and when it was written
    (``_written_ns``), the fetch time of its records that do not say theirs. (None, None)
    for a file gone since it was listed."""
    try:
        status = os.stat(path)
    except OSError:
        return None, None
    return status.st_size, _written_ns(path, status.st_mtime_ns)


def _shown_name(path: str, folder: str) -> str:
    """A file's name as reports and ``raw`` show it: relative to the input folder (``folder``
    is its path ending in a separator, which starts every path ``discover`` lists), with
    U+FFFD for the bytes of a name that is not UTF-8."""
    name = path[len(folder):]
    return name if name.isascii() else name.encode("utf-8", "surrogateescape").decode(
        "utf-8", "replace")


def _named_in_utf8(path: str) -> bool:
    """Whether a file's name is UTF-8 (Linux allows any bytes; DuckDB and ``raw`` do not)."""
    if path.isascii():
        return True
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _listing(paths: Iterable[str], folder: str, misnamed: dict[int, str]
             ) -> Iterator[tuple[list[str], list[int | None], list[int | None]]]:
    """The names ``raw`` knows ``paths`` by, with their ``_file_version``, in chunks of
    ``_LISTING_CHUNK`` files; a path whose name is not UTF-8 is kept in ``misnamed``, by its
    place, since its name in ``raw`` does not give it back."""
    names: list[str] = []
    sizes: list[int | None] = []
    modified: list[int | None] = []
    for position, path in enumerate(paths):
        size, modified_ns = _file_version(path)
        if not _named_in_utf8(path):
            misnamed[position] = path
        names.append(_shown_name(path, folder))
        sizes.append(size)
        modified.append(modified_ns)
        if len(names) == _LISTING_CHUNK:
            yield names, sizes, modified
            names, sizes, modified = [], [], []
    if names:
        yield names, sizes, modified


def _not_landed(input_dir: Path, landing: RawLanding) -> tuple[int, list[_Listed]]:
    """The files under ``input_dir`` (how many) and those of them that ``raw`` does not hold
    as they are now, in order of name."""
    folder = os.path.join(str(input_dir), "")
    misnamed: dict[int, str] = {}
    listed, to_read = landing.files_not_landed(_listing(discover(input_dir), folder, misnamed),
                                               READER_VERSION)
    return listed, [_Listed(misnamed.get(position) or folder + name, name,
                            position not in misnamed, size, modified)
                    for position, name, size, modified in to_read]


def _read_batch(batch: list[_Listed], landing: RawLanding,
                use_duckdb: bool) -> Iterator[FileReport]:
    for report, file in zip(_read_batch_files(batch, landing, use_duckdb), batch, strict=True):
        # a file that could not be read is read again next time (an archive's account.js
        # may come, a broken file be mended while keeping its time)
        if file.size is not None and not report.unreadable:
            report.size, report.modified_ns = file.size, file.modified_ns
        yield report


def _read_batch_files(batch: list[_Listed], landing: RawLanding,
                      use_duckdb: bool) -> Iterator[FileReport]:
    # nothing to read in an empty file (a day's timeline without posts); an empty archive
    # file is read, to say it is unreadable
    empty = {file.path for file in batch
             if file.size == 0 and not is_archive_tweet_file(os.path.basename(file.path))}
    fast = [(file.path, file.name, _written_at(file.modified_ns))
            for file in batch
            if use_duckdb and file.size is not None and file.path not in empty
            and file.name_in_utf8
            and jsonl_pages.eligible(file.path, file.size)]
    landed = jsonl_pages.land_pages(landing, fast) if fast else {}
    for file in batch:
        if not file.name_in_utf8:
            landing.add_issue(file.name, None, "unreadable_file",
                              "its name is not UTF-8 (shown with U+FFFD): rename it to read it")
            yield FileReport(path=file.name, unreadable=True)
            continue
        if file.path in empty:
            yield FileReport(path=file.name)
            continue
        pages = landed.get(file.name)
        if pages is None or pages.whole_file_to_python:
            yield read_file(Path(file.path), landing, file.name, file.modified_ns)
            continue
        report = FileReport(path=file.name, tweets=pages.tweets, users=pages.users)
        if pages.python_lines:
            read_file(Path(file.path), landing, file.name, file.modified_ns,
                      set(pages.python_lines), report)
        elif report.tweets:
            report.kind = "tweets"
        yield report


def load_files(input_dir: Path, landing: RawLanding,
               progress: Callable[[str], None] | None = None,
               use_duckdb: bool = True) -> FilesReport:
    """Read every file under ``input_dir`` into ``landing``, committing batch by batch.

    A batch is about ``_BATCH_BYTES`` of input, in order of file name, landed in one
    transaction: a crash keeps the batches already committed and loses nothing else, since
    the next run reads the same files again and lands only what ``raw`` lacks. Copies of a
    record read in one run keep the first by file and line, within a batch and across them.
    A file a run landed is not read again while its size and modification time stay the same
    (a collector's folder grows by new files each day; reading it whole again would take
    longer every day and land nothing); one that grew or was rewritten is read again whole,
    and its records unchanged at their line do not land again (``RawLanding``).
    ``use_duckdb=False`` reads every line in Python (the reference the DuckDB path is
    tested against).
    """
    listed, to_read = _not_landed(input_dir, landing)
    report = FilesReport(unchanged_files=listed - len(to_read))
    for batch in _batches(to_read):
        for file_report in _read_batch(batch, landing, use_duckdb):
            landing.add_file(file_report.path, file_report.kind, file_report.tweets,
                             file_report.users, file_report.skipped, file_report.size,
                             file_report.modified_ns, READER_VERSION)
            report.files.append(file_report)
        counts = landing.commit()
        report.tweets_landed += counts.tweets
        report.users_landed += counts.users
        if progress:
            progress(f"read {len(report.files)}/{len(to_read)} files, "
                     f"{report.tweets_read:,} tweets")
    return report
