"""What the extraction assets write to Dagster's log about a source's run and its export.

The extractors report counts; the words, singular or plural, are written here, with the
run's other messages (``govpulse/wording.py``).
"""

from __future__ import annotations

from extractors.files_source import FilesReport
from extractors.raw_export import ExportReport
from extractors.x_source import XReport
from govpulse.wording import counted


def files_summary(report: FilesReport) -> str:
    return (f"{counted(len(report.files), 'file')}: {counted(report.tweets_read, 'tweet')} and "
            f"{counted(report.users_read, 'user')} read, {report.tweets_landed:,} and "
            f"{report.users_landed:,} new, {counted(report.skipped, 'record')} skipped")


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
