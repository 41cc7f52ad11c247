{{ config(materialized='view') }}
-- Each inbound reply once for every period its own created_at belongs to.
with

inbound as {{ not_materialized() }} (
    select
        inbound_tweet_id,
        account_id,
        department,
        inbound_created_at,
        is_eligible,
        is_answered,
        is_late,
        is_pending,
        response_minutes
    from {{ ref('fct_inbound_replies') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

final as (
    {{ rows_in_periods('inbound', 'periods', 'inbound.inbound_created_at',
        dbt.date_trunc('month', 'inbound.inbound_created_at')) }}
)

select * from final
