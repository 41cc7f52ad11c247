{{ config(materialized='view') }}
-- Each post once for every period it belongs to (trailing windows are open at the start and
-- closed at as_of; a month holds the posts of its own UTC calendar month).
with

posts as {{ not_materialized() }} (
    select
        tweet_id,
        account_id,
        department,
        created_at,
        post_kind,
        engagements,
        is_caps,
        is_exclaim,
        is_tone_flagged
    from {{ ref('fct_posts') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

in_trailing_windows as (
    select
        posts.*,
        periods.period
    from posts
    inner join periods
        on periods.period_kind = 'trailing'
        and posts.created_at > periods.period_start_at
        and posts.created_at <= periods.period_end_at
),

in_months as (
    select
        posts.*,
        periods.period
    from posts
    inner join periods
        on periods.period_kind = 'month'
        -- the month's start, as int_periods computes it (a timestamp compares faster than
        -- the 'YYYY-MM' label, which would be formatted for every row)
        and {{ dbt.date_trunc('month', 'posts.created_at') }} = periods.period_start_at
),

final as (
    select * from in_trailing_windows
    union all
    select * from in_months
)

select * from final
