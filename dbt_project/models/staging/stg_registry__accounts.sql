-- The account registry as the user wrote it, with the handle's matching key.
with

source as (
    select * from {{ source('raw', 'registry') }}
),

final as (
    select
        lower(handle) as handle_key,
        handle,
        department,
        account_id as registry_account_id,
        display_name,
        ministry,
        level,
        account_type,
        timezone,
        line_number,
        registry_file
    from source
)

select * from final
