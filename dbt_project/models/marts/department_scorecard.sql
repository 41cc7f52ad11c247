-- One row per department and period, aggregated from the rows (never averaged from account
-- ratios), with department scores, rank and rank_change against the previous period.
with

account_metrics as (
    select * from {{ ref('int_account_period_metrics') }}
),

inbound as (
    select * from {{ ref('int_inbound_in_periods') }}
),

department_sums as (
    select
        department,
        period,
        max(period_kind) as period_kind,
        max(period_start_at) as period_start_at,
        max(period_end_at) as period_end_at,
        max(previous_period) as previous_period,
        bool_or(is_comparison) as is_comparison,
        count(*) as accounts,
        {{ count_sum('posts_original') }} as posts_original,
        {{ count_sum('posts_reply') }} as posts_reply,
        {{ count_sum('posts_repost') }} as posts_repost,
        {{ count_sum('inbound_replies') }} as inbound_replies,
        {{ count_sum('eligible_inbound') }} as eligible_inbound,
        {{ count_sum('answered_inbound') }} as answered_inbound,
        {{ count_sum('late_inbound') }} as late_inbound,
        {{ count_sum('pending_inbound') }} as pending_inbound,
        {{ count_sum('engagements') }} as engagements,
        -- engagement_rate's parts, over the accounts whose followers_count is known
        sum(case when followers_count > 0 then engagements end) as engagements_with_reach,
        sum(case when followers_count > 0 then posts_original * followers_count end)
            as post_reach,
        {{ count_sum('caps_posts') }} as caps_posts,
        {{ count_sum('exclaim_posts') }} as exclaim_posts,
        {{ count_sum('tone_flagged_posts') }} as tone_flagged_posts,
        {{ count_sum('case when is_broadcaster then 1 else 0 end') }} as broadcaster_accounts
    from account_metrics
    group by department, period
),

department_latency as (
    select
        department,
        period,
        -- [median, p90]
        {{ quantiles_cont('response_minutes', [0.5, 0.9]) }} as response_minutes_quantiles
    from inbound
    where is_answered
    group by department, period
),

ratios as (
    select
        department_sums.*,
        {{ array_item('department_latency.response_minutes_quantiles', 0) }}
            as median_response_minutes,
        {{ array_item('department_latency.response_minutes_quantiles', 1) }}
            as p90_response_minutes,
        {{ safe_divide('answered_inbound', 'eligible_inbound') }} as response_rate,
        {{ safe_divide('engagements', 'posts_original') }} as engagement_per_post,
        {{ safe_divide('nullif(engagements_with_reach, 0)', 'post_reach') }} as engagement_rate,
        {{ safe_divide('posts_reply', 'posts_original + posts_reply') }} as reply_share,
        {{ safe_divide('tone_flagged_posts', 'posts_original') }} as tone_flag_share
    from department_sums
    left join department_latency
        on department_sums.department = department_latency.department
        and department_sums.period = department_latency.period
),

scored as (
    select
        *,
        {{ responsiveness_score('response_rate', 'median_response_minutes', 'eligible_inbound', 'answered_inbound') }}
            as responsiveness_score,
        {{ engagement_score('engagement_rate') }} as engagement_score,
        {{ tone_score('tone_flag_share') }} as tone_score
    from ratios
),

composite as (
    select
        *,
        {{ composite_score('responsiveness_score', 'engagement_score', 'tone_score') }}
            as composite_score
    from scored
),

ranked as (
    select
        *,
        case
            when composite_score is not null then rank() over (
                partition by period, composite_score is null
                order by composite_score desc
            )
        end as department_rank
    from composite
),

with_previous as (
    select
        ranked.*,
        previous.department_rank as previous_rank
    from ranked
    left join ranked as previous
        on ranked.department = previous.department
        and ranked.previous_period = previous.period
),

final as (
    select
        department,
        period,
        period_kind,
        period_start_at,
        period_end_at,
        accounts,
        posts_original,
        posts_reply,
        posts_repost,
        inbound_replies,
        eligible_inbound,
        answered_inbound,
        late_inbound,
        pending_inbound,
        response_rate,
        median_response_minutes,
        p90_response_minutes,
        engagements,
        engagement_per_post,
        engagement_rate,
        reply_share,
        caps_posts,
        exclaim_posts,
        tone_flagged_posts,
        tone_flag_share,
        broadcaster_accounts,
        responsiveness_score,
        engagement_score,
        tone_score,
        composite_score,
        department_rank as rank,
        previous_period,
        previous_rank,
        previous_rank - department_rank as rank_change
    from with_previous
    where not is_comparison
)

select * from final
