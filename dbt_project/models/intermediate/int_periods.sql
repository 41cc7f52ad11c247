-- The periods figures are computed for, all ending at as_of:
--   trailing windows last_7d / last_28d / last_90d: as_of - N days < created_at <= as_of;
--   calendar months 'YYYY-MM' (UTC) holding a post or an inbound reply, up to as_of's month;
--   comparison windows previous_last_Nd: as_of - 2N days < created_at <= as_of - N days, used
--   only for rank_change (a month's previous period is the month before).
with

-- the posts and inbound replies of fct_posts and fct_inbound_replies, read from the tables
-- they are built from: a daily build then computes the periods beside the facts, not after
posts as (
    select created_at from {{ ref('int_posts_classified') }}
    where created_at <= {{ as_of() }}
),

inbound as (
    select inbound_created_at as created_at from {{ ref('int_inbound_replies') }}
    where inbound_created_at <= {{ as_of() }}
),

trailing_windows as (
    {% for trailing in trailing_periods() %}
    select
        '{{ trailing.period }}' as period,
        'trailing' as period_kind,
        {{ days_before_as_of(trailing.starts_days_before) }} as period_start_at,
        {{ days_before_as_of(trailing.ends_days_before) }} as period_end_at,
        {% if trailing.previous_period -%}
        '{{ trailing.previous_period }}'
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as previous_period,
        {{ 'true' if trailing.is_comparison else 'false' }} as is_comparison
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- the distinct month starts first, then their labels: one label per month, not one per row
month_bounds as (
    select distinct {{ dbt.date_trunc('month', 'created_at') }} as period_start_at from posts
    union
    select distinct {{ dbt.date_trunc('month', 'created_at') }} as period_start_at from inbound
),

months as (
    select
        {{ month_label('period_start_at') }} as period,
        'month' as period_kind,
        period_start_at,
        {{ dbt.dateadd('month', 1, 'period_start_at') }} as period_end_at,
        {{ month_label(dbt.dateadd('month', -1, 'period_start_at')) }} as previous_period,
        false as is_comparison
    from month_bounds
),

final as (
    select * from trailing_windows
    union all
    select * from months
)

select * from final
