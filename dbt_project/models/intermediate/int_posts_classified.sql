{#- Incremental on DuckDB (delete+insert), rebuilt whole when the registry's accounts change
    (macros/incremental_layer.sql); a table on Spark (same rows). -#}
{{
    config(
        materialized='incremental' if target.type == 'duckdb' else 'table',
        unique_key='tweet_id',
        pre_hook="{{ reset_when_registry_changes() }}",
        post_hook="{{ save_landed_watermark([ref('stg_x__tweets')]) }}",
    )
}}
-- Tweets authored by registry accounts, with their kind and the counts the tone rules read.
-- Neither as_of nor the dbt vars apply here (fct_posts applies them), so a run classifies only
-- the tweets landed since the last one.
with

tweets as (
    select * from {{ ref('stg_x__tweets') }}
    {% if is_incremental() %}
    where {{ landed_since_last_run(registry_dependent=true) }}
    {% endif %}
),

accounts as (
    select account_id from {{ ref('int_official_accounts') }}
),

posts as (
    select tweets.*
    from tweets
    inner join accounts
        on tweets.author_id = accounts.account_id
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
        {{ upper_letters('caps_candidate_text') }} as upper_letters,
        case when post_kind = 'original' then {{ exclamation_marks('tweet_text') }} end
            as exclamation_marks
    from caps_candidates
),

final as (
    select
        tweet_id,
        author_id as account_id,
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
        cast(cased_letters as {{ dbt.type_bigint() }}) as cased_letters,
        cast(upper_letters as {{ dbt.type_bigint() }}) as upper_letters,
        cast(exclamation_marks as {{ dbt.type_bigint() }}) as exclamation_marks,
        landed_at,
        {{ registry_fingerprint() }} as registry_fingerprint,
        {{ built_at() }} as built_at
    from letters_counted
)

select * from final
