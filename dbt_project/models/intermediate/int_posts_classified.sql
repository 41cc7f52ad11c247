-- Tweets authored by official accounts up to as_of, with their kind and, for original posts,
-- their tone flags.
with

tweets as (
    select * from {{ ref('stg_x__tweets') }}
),

accounts as (
    select account_id, department from {{ ref('int_official_accounts') }}
),

posts as (
    select
        tweets.*,
        accounts.department
    from tweets
    inner join accounts
        on tweets.author_id = accounts.account_id
    where tweets.created_at <= {{ as_of() }}
),

classified as (
    select
        *,
        case
            when is_retweet then 'repost'
            when in_reply_to_user_id is not null and in_reply_to_user_id <> author_id then 'reply'
            else 'original'
        end as post_kind,
        coalesce(like_count, 0) + coalesce(retweet_count, 0)
            + coalesce(reply_count, 0) + coalesce(quote_count, 0) as engagements
    from posts
),

-- The tone rules read original posts only: replies and reposts skip the regex passes.
caps_candidates as (
    select
        *,
        case when post_kind = 'original' then {{ caps_text('tweet_text') }} end
            as caps_candidate_text
    from classified
),

letters_counted as (
    select
        *,
        {{ cased_letters('caps_candidate_text') }} as cased_letters,
        {{ upper_letters('caps_candidate_text') }} as upper_letters
    from caps_candidates
),

flagged as (
    select
        *,
        coalesce({{ is_caps('cased_letters', 'upper_letters') }}, false) as is_caps,
        post_kind = 'original' and coalesce({{ is_exclaim('tweet_text') }}, false) as is_exclaim
    from letters_counted
),

final as (
    select
        tweet_id,
        author_id as account_id,
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
        is_caps or is_exclaim as is_tone_flagged
    from flagged
)

select * from final
