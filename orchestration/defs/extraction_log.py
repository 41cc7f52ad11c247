"""What the extraction assets write to Dagster's log about a source's run and its export.

The extractors report counts; the words, singular or plural, are written here, with the
run's other messages (``govpulse/wording.py``).
"""

from __future__ import annotations

import dagster as dg

from extractors.files_source import FilesReport
from extractors.raw_export import ExportReport
from extractors.x_source import XReport
from govpulse.wording import counted, files_read, unreadable_note


def files_summary(report: FilesReport) -> str:
    return (f"{files_read(len(report.files), report.unchanged_files)}: "
            f"{counted(report.tweets_read, 'tweet')} and "
            f"{counted(report.users_read, 'user')} read, {report.tweets_landed:,} and "
            f"{report.users_landed:,} new, {counted(report.skipped, 'record')} skipped"
            f"{unreadable_note(report.unreadable_files)}")


def x_summary(report: XReport) -> str:
    """The run's counts, then a line for each account not active and each coverage gap."""
    lines = [f"X API: {counted(report.api_calls, 'call')}, "
             f"{counted(report.tweets_read, 'tweet')} read ({report.tweets_landed:,} new), "
             f"{report.accounts_active}/{counted(len(report.accounts), 'account')} active"]
    for account in report.accounts:
        if account.status != "active":
            lines.append(f"  @{account.handle}: {account.status}")
        lines += [f"  @{account.handle}: {note}" for note in account.coverage]
    if report.stopped:
        lines.append(f"  stopped early: {report.stopped}")
    return "\n".join(lines)


def export_summary(report: ExportReport) -> str:
    days = sum(len(dates) for dates in report.partitions_written.values())
    return (f"raw Parquet: {counted(days, 'day partition')} rewritten "
            f"({counted(report.rows_written, 'row')})")


def retry_notice(problem: str, retry_number: int, policy: dg.RetryPolicy) -> str:
    """What follows transient API trouble under ``policy``: Dagster's next try and when (its
    waits add up to minutes, silent otherwise), or the end of the run."""
    left = policy.max_retries - retry_number
    if left <= 0:
        return f"{problem}; no retry left: the run stops here"
    delay = policy.calculate_delay(retry_number + 1)
    return (f"{problem}; the extraction is tried again in {delay:.0f} s "
            f"({counted(left, 'retry', 'retries')} left)")


def retry_wait_notice(retry_number: int, policy: dg.RetryPolicy, delay: float) -> str:
    """What a retry under ``policy`` says while it waits ``delay`` seconds (the delay it
    waits, computed once: a policy with jitter gives another each time)."""
    return (f"try {retry_number + 1} of {policy.max_retries + 1}: waiting "
            f"{delay:.0f} s before extracting again (an interrupt stops the run)")
