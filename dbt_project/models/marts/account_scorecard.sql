-- One row per registry account and period: every account metric and score of METRICS.md.
with

metrics as (
    select * from {{ ref('int_account_period_metrics') }}
    where not is_comparison
),

scored as (
    select
        *,
        {{ responsiveness_score('response_rate', 'median_response_minutes', 'eligible_inbound', 'answered_inbound') }}
            as responsiveness_score,
        {{ engagement_score('engagement_rate') }} as engagement_score,
        {{ tone_score('tone_flag_share') }} as tone_score
    from metrics
),

final as (
    select
        account_id,
        handle,
        department,
        display_name,
        ministry,
        level,
        account_type,
        period,
        period_kind,
        period_start_at,
        period_end_at,
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
        followers_count,
        engagement_rate,
        reply_share,
        caps_posts,
        exclaim_posts,
        tone_flagged_posts,
        tone_flag_share,
        is_broadcaster,
        responsiveness_score,
        engagement_score,
        tone_score,
        {{ composite_score('responsiveness_score', 'engagement_score', 'tone_score') }}
            as composite_score
    from scored
)

select * from final
