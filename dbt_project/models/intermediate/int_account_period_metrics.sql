-- Every registry account for every period (comparison periods included), with the counts and
-- ratios of METRICS.md; accounts without data get zeros and null ratios.
{#- the counts summed per account and period, each with what a post or an inbound reply
    adds to it; posts and replies are summed apart (below), each with zeros for the other's -#}
{% set post_counts = {
    'posts_original': "case when post_kind = 'original' then 1 else 0 end",
    'posts_reply': "case when post_kind = 'reply' then 1 else 0 end",
    'posts_repost': "case when post_kind = 'repost' then 1 else 0 end",
    'engagements': "case when post_kind = 'original' then engagements else 0 end",
    'caps_posts': "case when post_kind = 'original' and is_caps then 1 else 0 end",
    'exclaim_posts': "case when post_kind = 'original' and is_exclaim then 1 else 0 end",
    'tone_flagged_posts': "case when post_kind = 'original' and is_tone_flagged then 1 else 0 end",
} %}
{% set inbound_counts = {
    'inbound_replies': '1',
    'eligible_inbound': 'case when is_eligible then 1 else 0 end',
    'answered_inbound': 'case when is_answered then 1 else 0 end',
    'late_inbound': 'case when is_late then 1 else 0 end',
    'pending_inbound': 'case when is_pending then 1 else 0 end',
} %}
{% set count_columns = (post_counts | list) + (inbound_counts | list) %}
with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

posts as (
    select
        account_id,
        created_at,
        post_kind,
        engagements,
        is_caps,
        is_exclaim,
        is_tone_flagged
    from {{ ref('fct_posts') }}
),

inbound as (
    select
        account_id,
        inbound_created_at,
        is_eligible,
        is_answered,
        is_late,
        is_pending
    from {{ ref('fct_inbound_replies') }}
),

-- the answered replies once per period they fall in, for the quantiles (not additive); not
-- for the comparison windows, whose account medians nothing reads (the department
-- scorecard's previous ranks take theirs from the replies)
answered_in_periods as (
    select
        account_id,
        period,
        response_minutes
    from {{ ref('int_inbound_in_periods') }}
    where is_answered
        and not is_comparison
),

account_periods as (
    select
        accounts.account_id,
        accounts.handle,
        accounts.department,
        accounts.display_name,
        accounts.ministry,
        accounts.level,
        accounts.account_type,
        accounts.followers_count,
        periods.period,
        periods.period_kind,
        periods.period_start_at,
        periods.period_end_at,
        periods.previous_period,
        periods.is_comparison
    from accounts
    cross join periods
),

-- Every count is additive, so posts and replies are summed per account, calendar month and
-- time slice first, and the sums added up per period after: each row is read once, not once
-- per period it belongs to. The slices are the stretches between consecutive bounds of the
-- trailing windows (macros/metric_rules.sql::trailing_slice_end), so every window is a union
-- of whole slices; a row older than the oldest bound is in no slice and counts towards its
-- month only. Posts and replies are summed apart, each with its own counts (7 and 5 sums a
-- row rather than 12 over their union): at 10 M inbound replies the query took a median
-- 1.41 s against 1.52 s (seven alternating runs on a working day's warehouse).
post_slice_sums as (
    select
        account_id,
        {{ dbt.date_trunc('month', 'created_at') }} as month_start_at,
        {{ trailing_slice_end('created_at') }} as slice_end_at,
        {% for column, expression in post_counts.items() %}
        {{ count_sum(expression) }} as {{ column }},
        {% endfor %}
        {% for column in inbound_counts %}
        cast(0 as {{ dbt.type_bigint() }}) as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from posts
    group by account_id, month_start_at, slice_end_at
),

inbound_slice_sums as (
    select
        account_id,
        {{ dbt.date_trunc('month', 'inbound_created_at') }} as month_start_at,
        {{ trailing_slice_end('inbound_created_at') }} as slice_end_at,
        {% for column in post_counts %}
        cast(0 as {{ dbt.type_bigint() }}) as {{ column }},
        {% endfor %}
        {% for column, expression in inbound_counts.items() %}
        {{ count_sum(expression) }} as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from inbound
    group by account_id, month_start_at, slice_end_at
),

slice_sums as (
    select * from post_slice_sums
    union all
    select * from inbound_slice_sums
),

-- a slice lies in a trailing window when its end does (the window's bounds are slice bounds)
slice_sums_in_periods as (
    {{ rows_in_periods('slice_sums', 'periods', 'slice_sums.slice_end_at',
        'slice_sums.month_start_at') }}
),

period_sums as (
    select
        account_id,
        period,
        {% for column in count_columns %}
        {{ count_sum(column) }} as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from slice_sums_in_periods
    group by account_id, period
),

latencies as (
    select
        account_id,
        period,
        -- [median, p90] of the answered replies' response minutes
        {{ quantiles_cont('response_minutes', [0.5, 0.9]) }} as response_minutes_quantiles
    from answered_in_periods
    group by account_id, period
),

joined as (
    select
        account_periods.*,
        {{ count_or_zero('period_sums.posts_original') }} as posts_original,
        {{ count_or_zero('period_sums.posts_reply') }} as posts_reply,
        {{ count_or_zero('period_sums.posts_repost') }} as posts_repost,
        {{ count_or_zero('period_sums.inbound_replies') }} as inbound_replies,
        {{ count_or_zero('period_sums.eligible_inbound') }} as eligible_inbound,
        {{ count_or_zero('period_sums.answered_inbound') }} as answered_inbound,
        {{ count_or_zero('period_sums.late_inbound') }} as late_inbound,
        {{ count_or_zero('period_sums.pending_inbound') }} as pending_inbound,
        {{ array_item('latencies.response_minutes_quantiles', 0) }} as median_response_minutes,
        {{ array_item('latencies.response_minutes_quantiles', 1) }} as p90_response_minutes,
        {{ count_or_zero('period_sums.engagements') }} as engagements,
        {{ count_or_zero('period_sums.caps_posts') }} as caps_posts,
        {{ count_or_zero('period_sums.exclaim_posts') }} as exclaim_posts,
        {{ count_or_zero('period_sums.tone_flagged_posts') }} as tone_flagged_posts
    from account_periods
    left join period_sums
        on account_periods.account_id = period_sums.account_id
        and account_periods.period = period_sums.period
    left join latencies
        on account_periods.account_id = latencies.account_id
        and account_periods.period = latencies.period
),

ratios as (
    select
        *,
        {{ safe_divide('answered_inbound', 'eligible_inbound') }} as response_rate,
        {{ safe_divide('engagements', 'posts_original') }} as engagement_per_post,
        {{ safe_divide('posts_reply', 'posts_original + posts_reply') }} as reply_share,
        {{ safe_divide('tone_flagged_posts', 'posts_original') }} as tone_flag_share
    from joined
),

final as (
    select
        *,
        -- null when engagement_per_post or followers_count is missing or 0 (METRICS.md)
        {{ safe_divide('nullif(engagement_per_post, 0)', 'followers_count') }} as engagement_rate,
        (
            posts_original >= {{ var('broadcaster_min_posts') }}
            and eligible_inbound >= {{ var('broadcaster_min_inbound') }}
            and coalesce(response_rate < {{ var('broadcaster_max_response_rate') }}, false)
        ) as is_broadcaster
    from ratios
)

select * from final
