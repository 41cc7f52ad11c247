"""What a finished run built, read back from the published warehouse."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from govpulse.settings import build_database_path
from govpulse.wording import counted, unreadable_note

# the problems a run's summary lists (all of them are in raw.load_issues)
SKIPPED_SHOWN = 5


@dataclass(frozen=True)
class RunProblems:
    skipped: int  # records skipped, all of them (a file lists its first 1,000 in load_issues)
    unreadable: int  # files that could not be read
    api_errors: int
    first: list[str]  # the first few, unreadable files first: "skipped a.jsonl:4: ..."


def run_problems(con: duckdb.DuckDBPyConnection) -> RunProblems:
    """What the last run (the one that wrote the registry) skipped, from the build copy."""
    this_run = "run_id = (select run_id from raw.registry limit 1)"
    skipped_in_files, = con.execute(
        f"select coalesce(sum(skipped), 0) from raw.load_files where {this_run}").fetchone()
    skipped_elsewhere, unreadable, api_errors = con.execute(
        "select count(*) filter (where issue_kind = 'skipped_record' and source <> 'files'), "
        "count(*) filter (where issue_kind = 'unreadable_file'), "
        "count(*) filter (where issue_kind = 'api_error') "
        f"from raw.load_issues where {this_run}").fetchone()
    first = con.execute(
        "select case issue_kind when 'unreadable_file' then 'unreadable ' else 'skipped ' end "
        "|| source_file || coalesce(':' || source_line, '') || ': ' || detail "
        f"from raw.load_issues where {this_run} "
        "and issue_kind in ('unreadable_file', 'skipped_record') "
        "order by issue_kind = 'skipped_record', source_file, source_line limit ?",
        [SKIPPED_SHOWN]).fetchall()
    return RunProblems(skipped_in_files + skipped_elsewhere, unreadable, api_errors,
                       [line for line, in first])


def warehouse_summary(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        accounts, resolved = con.execute(
            "select count(*), count(*) filter (where has_profile) from marts.dim_accounts"
        ).fetchone()
        departments = con.execute("select count(*) from marts.dim_departments").fetchone()[0]
        posts = con.execute("select count(*) from marts.fct_posts").fetchone()[0]
        inbound, answered = con.execute(
            "select count(*), count(*) filter (where is_answered) from marts.fct_inbound_replies"
        ).fetchone()
        as_of = con.execute(
            "select setting_value from marts.dim_metric_settings where setting_name = 'as_of'"
        ).fetchone()[0]
    # what the run skipped is in the private build copy (raw is not published by default)
    with duckdb.connect(str(build_database_path(warehouse)), read_only=True) as con:
        problems = run_problems(con)
    lines = [
        f"warehouse: {warehouse}",
        f"  as of {as_of} UTC",
        f"  {counted(departments, 'department')}, {counted(accounts, 'account')} "
        f"({resolved:,} with a profile)",
        f"  {counted(posts, 'post')}, {counted(inbound, 'inbound reply', 'inbound replies')} "
        f"({answered:,} answered in the window)",
    ]
    if problems.skipped or problems.unreadable or problems.api_errors:
        lines.append(f"  {counted(problems.skipped, 'input record')} skipped"
                     f"{unreadable_note(problems.unreadable)}, "
                     f"{counted(problems.api_errors, 'API error')} recorded "
                     f"(see raw.load_issues in {build_database_path(warehouse)})")
    lines += [f"    {line}" for line in problems.first]
    left = problems.skipped + problems.unreadable - len(problems.first)
    if left > 0:
        lines.append(f"    ...and {left:,} more")
    # the shell installed with govpulse, by its full path: `make` puts .venv/bin on its own
    # PATH, not on the user's shell's
    beside = Path(sys.executable).with_name("duckdb")
    shell = str(beside) if beside.exists() else "duckdb"
    lines.append(f"  query it: {shell} -readonly {warehouse}")
    return "\n".join(lines)
