-- Every registry account for every period (comparison periods included), with the counts and
-- ratios of METRICS.md; accounts without data get zeros and null ratios.
with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

posts as (
    select * from {{ ref('int_posts_in_periods') }}
),

inbound as (
    select * from {{ ref('int_inbound_in_periods') }}
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

post_counts as (
    select
        account_id,
        period,
        sum(case when post_kind = 'original' then 1 else 0 end) as posts_original,
        sum(case when post_kind = 'reply' then 1 else 0 end) as posts_reply,
        sum(case when post_kind = 'repost' then 1 else 0 end) as posts_repost,
        sum(case when post_kind = 'original' then engagements else 0 end) as engagements,
        sum(case when post_kind = 'original' and is_caps then 1 else 0 end) as caps_posts,
        sum(case when post_kind = 'original' and is_exclaim then 1 else 0 end) as exclaim_posts,
        sum(case when post_kind = 'original' and is_tone_flagged then 1 else 0 end)
            as tone_flagged_posts
    from posts
    group by account_id, period
),

inbound_counts as (
    select
        account_id,
        period,
        count(*) as inbound_replies,
        sum(case when is_eligible then 1 else 0 end) as eligible_inbound,
        sum(case when is_answered then 1 else 0 end) as answered_inbound,
        sum(case when is_late then 1 else 0 end) as late_inbound,
        sum(case when is_pending then 1 else 0 end) as pending_inbound,
        -- [median, p90] of the answered replies' response minutes
        {{ quantiles_cont('case when is_answered then response_minutes end', [0.5, 0.9]) }}
            as response_minutes_quantiles
    from inbound
    group by account_id, period
),

joined as (
    select
        account_periods.*,
        {{ count_or_zero('post_counts.posts_original') }} as posts_original,
        {{ count_or_zero('post_counts.posts_reply') }} as posts_reply,
        {{ count_or_zero('post_counts.posts_repost') }} as posts_repost,
        {{ count_or_zero('inbound_counts.inbound_replies') }} as inbound_replies,
        {{ count_or_zero('inbound_counts.eligible_inbound') }} as eligible_inbound,
        {{ count_or_zero('inbound_counts.answered_inbound') }} as answered_inbound,
        {{ count_or_zero('inbound_counts.late_inbound') }} as late_inbound,
        {{ count_or_zero('inbound_counts.pending_inbound') }} as pending_inbound,
        {{ array_item('inbound_counts.response_minutes_quantiles', 0) }} as median_response_minutes,
        {{ array_item('inbound_counts.response_minutes_quantiles', 1) }} as p90_response_minutes,
        {{ count_or_zero('post_counts.engagements') }} as engagements,
        {{ count_or_zero('post_counts.caps_posts') }} as caps_posts,
        {{ count_or_zero('post_counts.exclaim_posts') }} as exclaim_posts,
        {{ count_or_zero('post_counts.tone_flagged_posts') }} as tone_flagged_posts
    from account_periods
    left join post_counts
        on account_periods.account_id = post_counts.account_id
        and account_periods.period = post_counts.period
    left join inbound_counts
        on account_periods.account_id = inbound_counts.account_id
        and account_periods.period = inbound_counts.period
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
