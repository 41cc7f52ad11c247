{{ config(materialized='view') }}
-- Each inbound reply once for every period its own created_at belongs to.
with

inbound as {{ not_materialized() }} (
    select
        inbound_tweet_id,
        account_id,
        department,
        inbound_created_at,
        is_eligible,
        is_answered,
        is_late,
        is_pending,
        response_minutes
    from {{ ref('fct_inbound_replies') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

in_trailing_windows as (
    select
        inbound.*,
        periods.period
    from inbound
    inner join periods
        on periods.period_kind = 'trailing'
        and inbound.inbound_created_at > periods.period_start_at
        and inbound.inbound_created_at <= periods.period_end_at
),

in_months as (
    select
        inbound.*,
        periods.period
    from inbound
    inner join periods
        on periods.period_kind = 'month'
        -- the month's start, as int_periods computes it (a timestamp compares faster than
        -- the 'YYYY-MM' label, which would be formatted for every row)
        and {{ dbt.date_trunc('month', 'inbound.inbound_created_at') }} = periods.period_start_at
),

final as (
    select * from in_trailing_windows
    union all
    select * from in_months
)

select * from final
