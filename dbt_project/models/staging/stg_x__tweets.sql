{#- Incremental on DuckDB (delete+insert). Spark's file-format tables have no delete or
    merge without Delta/Iceberg, so there it is rebuilt as a table each run (same rows). -#}
{{
    config(
        materialized='incremental' if target.type == 'duckdb' else 'table',
        unique_key='tweet_id',
        pre_hook="{{ reset_when_rules_change() }}",
    )
}}
-- One row per tweet id: the most recently fetched copy (its public_metrics are the newest).
-- Incremental: raw rows landed since the last build are read, compared with the copies kept
-- so far for the same ids, and the newest fetch of each id replaces the old one. A full
-- refresh gives the same table (tested). Rows kept from older rules (rules_version) are
-- dropped before a run, which then reads every raw row again.
{%- set landed_since = landed_since_last_run() %}
with

source as (
    select * from {{ source('raw', 'tweets') }}
    {% if is_incremental() %}
    where {{ landed_since }}
    {% endif %}
),

-- The payload's fields, parsed once per row.
parsed as (
    select
        *,
        {{ json_fields('payload', {
            'conversation_id': 'string',
            'in_reply_to_user_id': 'string',
            'text': 'string',
            'lang': 'string',
            'referenced_tweets': [{'type': 'string', 'id': 'string'}],
            'public_metrics': {
                'like_count': 'string',
                'retweet_count': 'string',
                'reply_count': 'string',
                'quote_count': 'string',
            },
        }) }} as fields
    from source
),

renamed as (
    select
        tweet_id,
        author_id,
        {{ utc_timestamp('created_at') }} as created_at,
        fields.conversation_id,
        fields.in_reply_to_user_id,
        fields.text as tweet_text,
        fields.lang,
        {% for position in range(4) %}
        {{ array_item('fields.referenced_tweets', position) }}.type as reference_type_{{ position }},
        {{ array_item('fields.referenced_tweets', position) }}.id as reference_id_{{ position }},
        {% endfor %}
        {% for metric in ['like_count', 'retweet_count', 'reply_count', 'quote_count'] %}
        {{ dbt.safe_cast('fields.public_metrics.' ~ metric, api.Column.translate_type('bigint')) }} as {{ metric }},
        {% endfor %}
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        source as extraction_source,
        source_file,
        source_line,
        landed_at
    from parsed
),

-- referenced_tweets is a short list of {type, id}; a tweet holds at most a few references.
categorised as (
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
        extraction_source,
        source_file,
        source_line,
        landed_at
    from renamed
),

candidates as (
    select * from categorised
    {% if is_incremental() %}
    union all
    -- (incremental on DuckDB only: its `exclude`)
    select * exclude (rules_version, built_at) from {{ this }}
    where tweet_id in (select tweet_id from categorised)
        and {{ within_landed_id_range('tweet_id', source('raw', 'tweets'), landed_since) }}
    {% endif %}
),

newest_fetch as (
    select
        *,
        row_number() over (
            partition by tweet_id
            order by fetched_at desc, source_file desc, source_line desc
        ) as fetch_rank
    from candidates
),

final as (
    select
        tweet_id,
        author_id,
        created_at,
        conversation_id,
        in_reply_to_user_id,
        replied_to_tweet_id,
        quoted_tweet_id,
        is_retweet,
        tweet_text,
        lang,
        like_count,
        retweet_count,
        reply_count,
        quote_count,
        fetched_at,
        extraction_source,
        source_file,
        source_line,
        landed_at,
        {{ rules_version() }} as rules_version,
        {{ built_at() }} as built_at
    from newest_fetch
    where fetch_rank = 1
)

select * from final
