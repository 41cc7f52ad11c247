-- One row per registry account, resolved to its X user where data allows.
with

accounts as (
    select * from {{ ref('int_official_accounts') }}
),

final as (
    select
        account_id,
        handle,
        registry_handle,
        username,
        department,
        display_name,
        ministry,
        level,
        account_type,
        timezone,
        followers_count,
        has_profile,
        line_number as registry_line
    from accounts
)

select * from final
