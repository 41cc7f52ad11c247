"""The files source: folders of twarc2 output and X account archives.

Reads ``*.jsonl``, ``*.jsonl.gz``, ``*.json`` and an archive's
``data/tweets.js`` recursively. Bad records are counted and reported with
file and line; they never stop the rest from loading.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from extractors import json_codec
from extractors.archive import (
    ARCHIVE_TWEET_FILES,
    ArchiveError,
    archive_account,
    read_ytd,
    v2_tweet,
)
from extractors.landing import RawLanding
from extractors.x_records import Extracted, RecordError, extract, parse_timestamp, user_record

SOURCE = "files"
_MAX_REPORTED_PROBLEMS = 1_000  # per file; the counts stay exact beyond it


@dataclass
class FileReport:
    path: str
    kind: str = "empty"
    tweets: int = 0
    users: int = 0
    skipped: int = 0
    api_errors: int = 0


@dataclass
class FilesReport:
    files: list[FileReport] = field(default_factory=list)
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
    def files_without_tweets(self) -> int:
        return sum(1 for file in self.files if file.tweets == 0)


def discover(input_dir: Path) -> list[Path]:
    """Every file of a known shape under ``input_dir``, in a stable order."""
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder {input_dir} does not exist or is not a folder")
    found = []
    for path in sorted(input_dir.rglob("*")):
        name = path.name.lower()
        if not path.is_file():
            continue
        if name.endswith((".jsonl", ".jsonl.gz", ".json")) or name in ARCHIVE_TWEET_FILES:
            found.append(path)
    return found


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


def _records(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, decoded value or None, problem) for each record of a JSON/JSONL file."""
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
            if not line.strip():
                continue
            try:
                yield number, json_codec.loads(line), None
            except json.JSONDecodeError as exc:
                yield number, None, f"not JSON ({exc.msg} at column {exc.colno})"


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


def _read_archive(path: Path, landing: RawLanding, report: FileReport) -> None:
    report.kind = "x_archive"
    fetched_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    try:
        owner = archive_account(path)
        items = read_ytd(path)
    except (ArchiveError, OSError, UnicodeDecodeError) as exc:
        report.skipped += 1
        landing.add_issue(report.path, None, "unreadable_file", str(exc))
        return
    if owner is None:
        report.skipped += 1
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


def read_file(path: Path, landing: RawLanding, display: str) -> FileReport:
    report = FileReport(path=display)
    if path.name.lower() in ARCHIVE_TWEET_FILES:
        _read_archive(path, landing, report)
        return report
    default_fetched = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    kinds: set[str] = set()
    try:
        for line, value, problem in _records(path):
            if problem is not None:
                report.skipped += 1
                if report.skipped <= _MAX_REPORTED_PROBLEMS:
                    landing.add_issue(report.path, line, "skipped_record", problem)
                continue
            extracted = extract(value)
            kinds.add(extracted.kind)
            _land_extracted(landing, report, extracted, _fetched_at(value, default_fetched), line)
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        report.skipped += 1
        landing.add_issue(report.path, None, "unreadable_file", f"{type(exc).__name__}: {exc}")
    if report.tweets:
        report.kind = "tweets"
    elif report.users:
        report.kind = "users"
    elif kinds:
        report.kind = sorted(kinds)[0]
    return report


def load_files(input_dir: Path, landing: RawLanding,
               progress: Callable[[str], None] | None = None) -> FilesReport:
    """Read every file under ``input_dir`` into ``landing`` and commit it."""
    paths = discover(input_dir)
    report = FilesReport()
    for number, path in enumerate(paths, start=1):
        display = str(path.relative_to(input_dir))
        file_report = read_file(path, landing, display)
        landing.add_file(display, file_report.kind, file_report.tweets, file_report.users,
                         file_report.skipped)
        report.files.append(file_report)
        if progress and (number % 200 == 0 or number == len(paths)):
            progress(f"read {number}/{len(paths)} files, {report.tweets_read:,} tweets")
    counts = landing.commit()
    report.tweets_landed, report.users_landed = counts.tweets, counts.users
    return report
