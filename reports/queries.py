"""Every query the dashboard issues, parameterised. Pages call these; nothing else builds SQL.

The marts do the heavy lifting: each query reads one period's rows, or
aggregates one account's or department's facts, so pages stay fast on a
national-scale warehouse.
"""

from __future__ import annotations

import pandas as pd

from reports.warehouse import query

ACCOUNT_FILTER = """
    and (? is null or department = ?)
    and (? is null or level = ?)
    and (? is null or account_type = ?)
"""


def _account_filter_params(department: str | None, level: str | None,
                           account_type: str | None) -> tuple:
    return (department, department, level, level, account_type, account_type)


def build_info() -> pd.DataFrame:
    return query("select setting_name, setting_value, description, built_at "
                 "from marts.dim_metric_settings order by setting_name")


def periods() -> list[str]:
    frame = query("select distinct period from marts.department_scorecard "
                  "where period_kind = 'month' order by period desc")
    return frame.period.tolist()


def filter_options() -> pd.DataFrame:
    return query("select distinct department, level, account_type from marts.dim_accounts "
                 "order by department")


def league_table(period: str, level: str | None) -> pd.DataFrame:
    return query(
        """
        select scorecard.*, departments.level
        from marts.department_scorecard as scorecard
        left join marts.dim_departments as departments using (department)
        where scorecard.period = ? and (? is null or departments.level = ?)
        order by scorecard.rank nulls last, scorecard.department
        """,
        (period, level, level),
    )


def accounts(period: str, department: str | None = None, level: str | None = None,
             account_type: str | None = None) -> pd.DataFrame:
    return query(
        "select * from marts.account_scorecard where period = ?" + ACCOUNT_FILTER
        + " order by composite_score desc nulls last, handle",
        (period, *_account_filter_params(department, level, account_type)),
    )


def department_trend(department: str) -> pd.DataFrame:
    return query(
        """
        select period as month, response_rate, median_response_minutes, inbound_replies,
               answered_inbound, late_inbound, pending_inbound, eligible_inbound
        from marts.department_scorecard
        where department = ? and period_kind = 'month'
        order by period
        """,
        (department,),
    )


def period_bounds(period: str) -> tuple[str, object, object]:
    row = query("select period_kind, period_start_at, period_end_at "
                "from marts.department_scorecard where period = ? limit 1", (period,))
    return row.period_kind.iloc[0], row.period_start_at.iloc[0], row.period_end_at.iloc[0]


def _in_period(column: str) -> str:
    """Trailing windows are (start, end]; months are [start, end)."""
    return (f"((? = 'trailing' and {column} > ? and {column} <= ?) "
            f"or (? = 'month' and {column} >= ? and {column} < ?))")


def _period_params(period: str) -> tuple:
    kind, start, end = period_bounds(period)
    return (kind, start, end, kind, start, end)


RESPONSE_BUCKETS = [(15, "under 15 min"), (60, "15-60 min"), (240, "1-4 h"), (720, "4-12 h"),
                    (1440, "12-24 h"), (2880, "24-48 h")]


def response_time_histogram(period: str, department: str | None = None,
                            account_id: str | None = None) -> pd.DataFrame:
    cases = " ".join(f"when response_minutes < {limit} then '{label}'"
                     for limit, label in RESPONSE_BUCKETS)
    order = " ".join(f"when '{label}' then {number}"
                     for number, (_, label) in enumerate(RESPONSE_BUCKETS))
    return query(
        f"""
        with answered as (
            select case {cases} else 'over 48 h (late)' end as bucket
            from marts.fct_inbound_replies
            where first_response_at is not null
              and (? is null or department = ?)
              and (? is null or account_id = ?)
              and {_in_period('inbound_created_at')}
        )
        select bucket, count(*) as replies,
               case bucket {order} else {len(RESPONSE_BUCKETS)} end as bucket_order
        from answered group by bucket order by bucket_order
        """,
        (department, department, account_id, account_id, *_period_params(period)),
    )


def account_list(department: str | None, level: str | None,
                 account_type: str | None) -> pd.DataFrame:
    return query(
        "select account_id, handle, department, display_name, has_profile, registry_line "
        "from marts.dim_accounts "
        "where true" + ACCOUNT_FILTER + " order by handle",
        _account_filter_params(department, level, account_type),
    )


def account_row(account_id: str, period: str) -> pd.DataFrame:
    return query("select * from marts.account_scorecard where account_id = ? and period = ?",
                 (account_id, period))


def posts_by_week(account_id: str) -> pd.DataFrame:
    return query(
        """
        select date_trunc('week', created_at) as week, post_kind, count(*) as posts
        from marts.fct_posts where account_id = ?
        group by all order by week
        """,
        (account_id,),
    )


def oldest_unanswered(account_id: str, period: str, limit: int = 20) -> pd.DataFrame:
    return query(
        f"""
        select inbound_tweet_id, inbound_created_at,
               -- how long it has waited at the moment the figures are computed for
               date_diff('second', inbound_created_at, (
                   select cast(setting_value as timestamp) from marts.dim_metric_settings
                   where setting_name = 'as_of')) / 60.0 as waiting_minutes,
               'https://x.com/i/web/status/' || inbound_tweet_id as link
        from marts.fct_inbound_replies
        where account_id = ? and is_eligible and first_response_tweet_id is null
          and {_in_period('inbound_created_at')}
        order by inbound_created_at, inbound_tweet_id
        limit ?
        """,
        (account_id, *_period_params(period), limit),
    )


def tone_examples(account_id: str, period: str, limit: int = 10) -> pd.DataFrame:
    return query(
        f"""
        select created_at, is_caps, is_exclaim, tweet_text,
               'https://x.com/i/web/status/' || tweet_id as link
        from marts.fct_posts
        where account_id = ? and post_kind = 'original' and is_tone_flagged
          and {_in_period('created_at')}
        order by created_at desc
        limit ?
        """,
        (account_id, *_period_params(period), limit),
    )


def training_list(period: str, tone_threshold: float, department: str | None,
                  level: str | None, account_type: str | None) -> pd.DataFrame:
    return query(
        """
        select handle, department, level, account_type, is_broadcaster,
               coalesce(tone_flag_share >= ?, false) as has_tone_problem,
               posts_original, eligible_inbound, answered_inbound, response_rate,
               tone_flag_share, caps_posts, exclaim_posts, composite_score
        from marts.account_scorecard
        where period = ? and (is_broadcaster or coalesce(tone_flag_share >= ?, false))
        """ + ACCOUNT_FILTER + """
        order by is_broadcaster desc, response_rate nulls last, tone_flag_share desc, handle
        """,
        (tone_threshold, period, tone_threshold,
         *_account_filter_params(department, level, account_type)),
    )


def column_definitions(table: str) -> pd.DataFrame:
    return query(
        "select column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' and table_name = ? order by column_index",
        (table,),
    )


def table_definition(table: str) -> str:
    frame = query("select comment from duckdb_tables() "
                  "where schema_name = 'marts' and table_name = ?", (table,))
    return "" if frame.empty or frame.comment.iloc[0] is None else frame.comment.iloc[0]
