{#- Incremental on DuckDB (delete+insert), rebuilt whole when the registry's accounts change
    (macros/incremental_layer.sql); a table on Spark (same rows). -#}
{{
    config(
        materialized='incremental' if target.type == 'duckdb' else 'table',
        unique_key='inbound_tweet_id',
        pre_hook="{{ reset_when_registry_changes() }}",
        post_hook="{{ save_landed_watermark([ref('int_inbound_replies'), ref('int_posts_classified')]) }}",
    )
}}
-- The first response to each inbound reply r (author c, conversation k, sent to account a):
-- the earliest tweet t by a, after r, that either replies to r directly or sits in
-- conversation k replying to c (threaded). Regardless of as_of: fct_inbound_replies keeps it
-- only when it is at or before as_of (if the earliest is later, none is at or before).
-- Incremental: a run recomputes the inbound replies landed since the last one and those a
-- newly landed post may answer. A tweet's time, author and references never change between
-- fetches, so a response once found stays a response.
with

inbound as {{ not_materialized() }} (
    select * from {{ ref('int_inbound_replies') }}
),

posts as {{ not_materialized() }} (
    select * from {{ ref('int_posts_classified') }}
),

{% if is_incremental() %}
new_posts as (
    select * from posts
    where {{ landed_since_last_run(registry_dependent=true) }}
),

-- the inbound replies landed since the last run, and those a newly landed post may answer
scoped_inbound as (
    select * from inbound
    where {{ landed_since_last_run(registry_dependent=true) }}
    union
    select inbound.*
    from inbound
    inner join new_posts
        on new_posts.account_id = inbound.account_id
        and new_posts.replied_to_tweet_id = inbound.inbound_tweet_id
    union
    select inbound.*
    from inbound
    inner join new_posts
        on new_posts.account_id = inbound.account_id
        and new_posts.conversation_id = inbound.conversation_id
        and new_posts.in_reply_to_user_id = inbound.citizen_id
),

-- only a post made after the earliest of these replies can answer one of them (a day's run
-- then matches them against the last days' posts, not all 8.6 million at 10 M)
candidate_posts as (
    select * from posts
    where created_at > (select min(inbound_created_at) from scoped_inbound)
),
{% else %}
scoped_inbound as (
    select * from inbound
),

candidate_posts as (
    select * from posts
),
{% endif %}

direct_responses as (
    select
        scoped_inbound.inbound_tweet_id,
        scoped_inbound.inbound_created_at,
        candidate_posts.tweet_id as response_tweet_id,
        candidate_posts.created_at as response_at,
        'direct' as match_kind,
        greatest(scoped_inbound.landed_at, candidate_posts.landed_at) as landed_at
    from scoped_inbound
    inner join candidate_posts
        on candidate_posts.account_id = scoped_inbound.account_id
        and candidate_posts.replied_to_tweet_id = scoped_inbound.inbound_tweet_id
    where candidate_posts.created_at > scoped_inbound.inbound_created_at
),

threaded_responses as (
    select
        scoped_inbound.inbound_tweet_id,
        scoped_inbound.inbound_created_at,
        candidate_posts.tweet_id as response_tweet_id,
        candidate_posts.created_at as response_at,
        'threaded' as match_kind,
        greatest(scoped_inbound.landed_at, candidate_posts.landed_at) as landed_at
    from scoped_inbound
    inner join candidate_posts
        on candidate_posts.account_id = scoped_inbound.account_id
        and candidate_posts.conversation_id = scoped_inbound.conversation_id
        and candidate_posts.in_reply_to_user_id = scoped_inbound.citizen_id
    where candidate_posts.created_at > scoped_inbound.inbound_created_at
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
        inbound_created_at,
        response_tweet_id as first_response_tweet_id,
        response_at as first_response_at,
        match_kind as first_response_match,
        landed_at,
        {{ registry_fingerprint() }} as registry_fingerprint,
        {{ built_at() }} as built_at
    from ranked
    where response_rank = 1
)

select * from final
