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

newest as (
    select * from newest_fetch
    where fetch_rank = 1
),

-- The payload's fields, parsed once per row.
parsed as (
    select
        *,
        {{ json_fields('payload', {
            'name': 'string',
            'protected': 'string',
            'public_metrics': {'followers_count': 'string'},
        }) }} as fields
    from newest
),

final as (
    select
        user_id,
        username,
        lower(username) as username_key,
        fields.name as display_name,
        {{ dbt.safe_cast('fields.public_metrics.followers_count', api.Column.translate_type('bigint')) }} as followers_count,
        coalesce(fields.protected = 'true', false) as is_protected,
        {{ utc_timestamp('fetched_at') }} as fetched_at
    from parsed
)

select * from final
