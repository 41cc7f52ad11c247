-- One row per post (tweet authored by an official account) up to as_of.
with

posts as (
    select * from {{ ref('int_posts_classified') }}
),

final as (
    select
        tweet_id,
        account_id,
        department,
        created_at,
        post_kind,
        conversation_id,
        in_reply_to_user_id,
        replied_to_tweet_id,
        tweet_text,
        lang,
        like_count,
        retweet_count,
        reply_count,
        quote_count,
        engagements,
        is_caps,
        is_exclaim,
        is_tone_flagged
    from posts
)

select * from final
