{#- Incremental on DuckDB (delete+insert), rebuilt whole when the registry's accounts change
    (macros/incremental_layer.sql); a table on Spark (same rows). -#}
{{
    config(
        materialized='incremental' if target.type == 'duckdb' else 'table',
        unique_key='inbound_tweet_id',
        pre_hook="{{ reset_when_registry_changes() }}",
        post_hook="{{ save_landed_watermark([ref('stg_x__tweets')]) }}",
    )
}}
-- Replies sent to an official account by someone who is not a registered account. Replies
-- between official accounts are never citizen inbound. Neither as_of nor the dbt vars apply
-- here (fct_inbound_replies applies them), so a run reads only the tweets landed since the
-- last one.
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

addressed_to_accounts as (
    select
        tweets.tweet_id,
        tweets.author_id,
        tweets.conversation_id,
        tweets.created_at,
        tweets.landed_at,
        accounts.account_id
    from tweets
    inner join accounts
        on tweets.in_reply_to_user_id = accounts.account_id
),

from_citizens as (
    select addressed_to_accounts.*
    from addressed_to_accounts
    left join accounts as author_accounts
        on addressed_to_accounts.author_id = author_accounts.account_id
    where author_accounts.account_id is null
),

final as (
    select
        tweet_id as inbound_tweet_id,
        account_id,
        author_id as citizen_id,
        conversation_id,
        created_at as inbound_created_at,
        landed_at,
        {{ registry_fingerprint() }} as registry_fingerprint,
        {{ built_at() }} as built_at
    from from_citizens
)

select * from final
