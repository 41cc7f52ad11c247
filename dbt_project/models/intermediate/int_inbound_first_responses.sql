-- The first response to each inbound reply r (author c, conversation k, sent to account a):
-- the earliest tweet t by a, after r and at or before as_of, that either replies to r directly
-- or sits in conversation k replying to c (threaded).
with

inbound as (
    select * from {{ ref('int_inbound_replies') }}
),

posts as (
    select * from {{ ref('int_posts_classified') }}
),

direct_responses as (
    select
        inbound.inbound_tweet_id,
        posts.tweet_id as response_tweet_id,
        posts.created_at as response_at,
        'direct' as match_kind
    from inbound
    inner join posts
        on posts.account_id = inbound.account_id
        and posts.replied_to_tweet_id = inbound.inbound_tweet_id
    where posts.created_at > inbound.inbound_created_at
),

threaded_responses as (
    select
        inbound.inbound_tweet_id,
        posts.tweet_id as response_tweet_id,
        posts.created_at as response_at,
        'threaded' as match_kind
    from inbound
    inner join posts
        on posts.account_id = inbound.account_id
        and posts.conversation_id = inbound.conversation_id
        and posts.in_reply_to_user_id = inbound.citizen_id
    where posts.created_at > inbound.inbound_created_at
),

candidates as (
    select * from direct_responses
    union all
    select * from threaded_responses
),

ranked as (
    select
        *,
        row_number() over (
            partition by inbound_tweet_id
            order by response_at, length(response_tweet_id), response_tweet_id, match_kind
        ) as response_rank
    from candidates
),

final as (
    select
        inbound_tweet_id,
        response_tweet_id as first_response_tweet_id,
        response_at as first_response_at,
        match_kind as first_response_match
    from ranked
    where response_rank = 1
)

select * from final
