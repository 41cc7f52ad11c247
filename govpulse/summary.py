"""What a finished run built, read back from the published warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb


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
        skipped, api_errors = con.execute(
            """
            select count(*) filter (where issue_kind <> 'api_error'),
                   count(*) filter (where issue_kind = 'api_error')
            from raw.load_issues
            where run_id = (select run_id from raw.registry limit 1)
            """
        ).fetchone()
    lines = [
        f"warehouse: {warehouse}",
        f"  as of {as_of} UTC",
        f"  {departments} departments, {accounts} accounts ({resolved} with a profile)",
        f"  {posts:,} posts, {inbound:,} inbound replies ({answered:,} answered in the window)",
    ]
    if skipped or api_errors:
        lines.append(f"  {skipped:,} input records skipped, {api_errors:,} API errors recorded "
                     "(see raw.load_issues)")
    lines.append(f"  query it: duckdb {warehouse}")
    return "\n".join(lines)
