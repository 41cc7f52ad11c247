-- One row per department of the registry.
with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

grouped as (
    select
        department,
        count(*) as accounts,
        count(distinct ministry) as ministries,
        min(ministry) as any_ministry,
        count(distinct level) as levels,
        min(level) as any_level
    from accounts
    group by department
),

final as (
    select
        department,
        case when ministries > 1 then 'mixed' else any_ministry end as ministry,
        case when levels > 1 then 'mixed' else any_level end as level,
        accounts
    from grouped
)

select * from final
