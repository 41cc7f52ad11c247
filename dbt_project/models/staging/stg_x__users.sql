-- One row per user id: the most recently fetched profile (its followers_count is the latest).
with

source as (
    select * from {{ source('raw', 'users') }}
),

newest_fetch as (
    select
        *,
        row_number() over (
            partition by user_id
            order by fetched_at desc, source_file desc, source_line desc
        ) as fetch_rank
    from source
),

final as (
    select
        user_id,
        username,
        lower(username) as username_key,
        {{ json_text('payload', '$.name') }} as display_name,
        {{ dbt.safe_cast(json_text('payload', '$.public_metrics.followers_count'), api.Column.translate_type('bigint')) }} as followers_count,
        coalesce({{ json_text('payload', '$.protected') }} = 'true', false) as is_protected,
        {{ utc_timestamp('fetched_at') }} as fetched_at
    from newest_fetch
    where fetch_rank = 1
)

select * from final
