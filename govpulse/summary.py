"""What a finished run built, read back from the published warehouse."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from govpulse.settings import build_database_path
from govpulse.wording import counted

# the skipped records a run's summary lists (all of them are in raw.load_issues)
SKIPPED_SHOWN = 5


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
        this_run = "run_id = (select run_id from raw.registry limit 1)"
        skipped, api_errors = con.execute(
            "select count(*) filter (where issue_kind = 'skipped_record'), "
            "count(*) filter (where issue_kind = 'api_error') "
            f"from raw.load_issues where {this_run}").fetchone()
        first_skipped = con.execute(
            "select source_file, source_line, detail from raw.load_issues "
            f"where {this_run} and issue_kind = 'skipped_record' "
            "order by source_file, source_line limit ?", [SKIPPED_SHOWN]).fetchall()
    lines = [
        f"warehouse: {warehouse}",
        f"  as of {as_of} UTC",
        f"  {counted(departments, 'department')}, {counted(accounts, 'account')} "
        f"({resolved:,} with a profile)",
        f"  {counted(posts, 'post')}, {counted(inbound, 'inbound reply', 'inbound replies')} "
        f"({answered:,} answered in the window)",
    ]
    if skipped or api_errors:
        lines.append(f"  {counted(skipped, 'input record')} skipped, "
                     f"{counted(api_errors, 'API error')} recorded "
                     f"(see raw.load_issues in {build_database_path(warehouse)})")
    for source_file, source_line, detail in first_skipped:
        lines.append(f"    skipped {source_file}:{source_line}: {detail}")
    if skipped > len(first_skipped):
        lines.append(f"    ...and {skipped - len(first_skipped):,} more")
    # the shell installed with govpulse, by its full path: `make` puts .venv/bin on its own
    # PATH, not on the user's shell's
    beside = Path(sys.executable).with_name("duckdb")
    shell = str(beside) if beside.exists() else "duckdb"
    lines.append(f"  query it: {shell} -readonly {warehouse}")
    return "\n".join(lines)
