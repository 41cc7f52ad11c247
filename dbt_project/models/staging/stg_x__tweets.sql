-- One row per tweet id: the most recently fetched copy (its public_metrics are the newest).
with

source as (
    select * from {{ source('raw', 'tweets') }}
),

newest_fetch as (
    select
        *,
        row_number() over (
            partition by tweet_id
            order by fetched_at desc, source_file desc, source_line desc
        ) as fetch_rank
    from source
),

renamed as (
    select
        tweet_id,
        author_id,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ json_text('payload', '$.conversation_id') }} as conversation_id,
        {{ json_text('payload', '$.in_reply_to_user_id') }} as in_reply_to_user_id,
        {{ json_text('payload', '$.text') }} as tweet_text,
        {{ json_text('payload', '$.lang') }} as lang,
        {{ json_text('payload', '$.referenced_tweets') }} as referenced_tweets,
        {{ dbt.safe_cast(json_text('payload', '$.public_metrics.like_count'), api.Column.translate_type('bigint')) }} as like_count,
        {{ dbt.safe_cast(json_text('payload', '$.public_metrics.retweet_count'), api.Column.translate_type('bigint')) }} as retweet_count,
        {{ dbt.safe_cast(json_text('payload', '$.public_metrics.reply_count'), api.Column.translate_type('bigint')) }} as reply_count,
        {{ dbt.safe_cast(json_text('payload', '$.public_metrics.quote_count'), api.Column.translate_type('bigint')) }} as quote_count,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        source as extraction_source,
        payload
    from newest_fetch
    where fetch_rank = 1
),

-- referenced_tweets is a short list ({type, id}); a tweet holds at most a few references.
references_unpacked as (
    select
        renamed.*,
        {% for position in range(4) %}
        {{ json_text('payload', '$.referenced_tweets[' ~ position ~ '].type') }} as reference_type_{{ position }},
        {{ json_text('payload', '$.referenced_tweets[' ~ position ~ '].id') }} as reference_id_{{ position }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from renamed
),

final as (
    select
        tweet_id,
        author_id,
        created_at,
        conversation_id,
        in_reply_to_user_id,
        case
            {% for position in range(4) %}
            when reference_type_{{ position }} = 'replied_to' then reference_id_{{ position }}
            {% endfor %}
        end as replied_to_tweet_id,
        case
            {% for position in range(4) %}
            when reference_type_{{ position }} = 'quoted' then reference_id_{{ position }}
            {% endfor %}
        end as quoted_tweet_id,
        coalesce(
            {% for position in range(4) %}
            reference_type_{{ position }} = 'retweeted'{% if not loop.last %} or{% endif %}
            {% endfor %},
            false
        ) as is_retweet,
        tweet_text,
        lang,
        like_count,
        retweet_count,
        reply_count,
        quote_count,
        fetched_at,
        extraction_source
    from references_unpacked
)

select * from final
