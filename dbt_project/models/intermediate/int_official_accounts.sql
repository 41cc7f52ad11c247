-- Registry accounts resolved to X users: by account_id when the registry gives one, else by
-- username (case-insensitive; the most recently seen holder of a username wins).
with

registry as (
    select * from {{ ref('stg_registry__accounts') }}
),

users as (
    select * from {{ ref('stg_x__users') }}
),

users_by_username as (
    select
        *,
        row_number() over (
            partition by username_key
            order by fetched_at desc, user_id desc
        ) as username_rank
    from users
),

current_username_holders as (
    select * from users_by_username
    where username_rank = 1
),

resolved as (
    select
        registry.*,
        coalesce(by_id.user_id, by_username.user_id) as user_id,
        coalesce(by_id.username, by_username.username) as username,
        coalesce(by_id.display_name, by_username.display_name) as profile_name,
        coalesce(by_id.followers_count, by_username.followers_count) as followers_count
    from registry
    left join users as by_id
        on registry.registry_account_id = by_id.user_id
    left join current_username_holders as by_username
        on registry.registry_account_id is null
        and registry.handle_key = by_username.username_key
),

final as (
    select
        coalesce(registry_account_id, user_id, 'unresolved:' || handle_key) as account_id,
        coalesce(username, handle) as handle,
        handle as registry_handle,
        handle_key,
        username,
        department,
        coalesce(display_name, profile_name, handle) as display_name,
        ministry,
        level,
        account_type,
        timezone,
        followers_count,
        user_id is not null as has_profile,
        line_number
    from resolved
)

select * from final
