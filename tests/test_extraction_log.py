"""What the extraction assets log about a source's run and its Parquet export."""

from __future__ import annotations

from datetime import date

from extractors.files_source import FileReport, FilesReport
from extractors.raw_export import ExportReport
from extractors.x_source import AccountReport, XReport
from orchestration.defs.extraction_log import export_summary, files_summary, x_summary


def test_the_x_summary_counts_in_the_singular_and_names_each_gap():
    report = XReport(accounts=[AccountReport("HealthDesk", "11", "active", tweets=1,
                                             coverage=["replies older than 7 days not visible"])],
                     api_calls=1, tweets_landed=1)
    assert x_summary(report).splitlines() == [
        "X API: 1 call, 1 tweet read (1 new), 1/1 account active",
        "  @HealthDesk: replies older than 7 days not visible",
    ]


def test_the_x_summary_lists_the_accounts_not_active_and_why_it_stopped():
    report = XReport(accounts=[AccountReport("HealthDesk", "11", "active", tweets=1200),
                               AccountReport("LockedDesk", "12", "protected")],
                     api_calls=14, tweets_landed=1100, stopped="monthly cap reached")
    assert x_summary(report).splitlines() == [
        "X API: 14 calls, 1,200 tweets read (1,100 new), 1/2 accounts active",
        "  @LockedDesk: protected",
        "  stopped early: monthly cap reached",
    ]


def test_the_files_summary_counts_files_tweets_users_and_skipped_records():
    one = FilesReport(files=[FileReport("a.jsonl", "tweets", tweets=1, users=1, skipped=1)],
                      tweets_landed=1, users_landed=0)
    assert files_summary(one) == "1 file: 1 tweet and 1 user read, 1 and 0 new, 1 record skipped"
    two = FilesReport(files=[FileReport("a.jsonl", tweets=3), FileReport("b.jsonl", users=2)],
                      tweets_landed=3, users_landed=2)
    assert files_summary(two) == ("2 files: 3 tweets and 2 users read, 3 and 2 new, "
                                  "0 records skipped")
    unreadable = FilesReport(files=[FileReport("a.jsonl", unreadable=True),
                                    FileReport("b.jsonl", unreadable=True)])
    assert files_summary(unreadable) == ("2 files: 0 tweets and 0 users read, 0 and 0 new, "
                                         "0 records skipped, 2 files unreadable")


def test_the_export_summary_counts_the_day_partitions_of_both_tables():
    one = ExportReport({"tweets": [date(2026, 11, 24)]}, rows_written=1)
    assert export_summary(one) == "raw Parquet: 1 day partition rewritten (1 row)"
    three = ExportReport({"tweets": [date(2026, 11, 24), date(2026, 11, 25)],
                          "users": [date(2026, 11, 25)]}, rows_written=12040)
    assert export_summary(three) == "raw Parquet: 3 day partitions rewritten (12,040 rows)"
