-- Replies sent to an official account by someone who is not a registered account, up to as_of.
-- Replies between official accounts are never citizen inbound.
with

tweets as (
    select * from {{ ref('stg_x__tweets') }}
),

accounts as (
    select account_id, department from {{ ref('int_official_accounts') }}
),

addressed_to_accounts as (
    select
        tweets.tweet_id,
        tweets.author_id,
        tweets.conversation_id,
        tweets.created_at,
        accounts.account_id,
        accounts.department
    from tweets
    inner join accounts
        on tweets.in_reply_to_user_id = accounts.account_id
    where tweets.created_at <= {{ as_of() }}
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
        department,
        author_id as citizen_id,
        conversation_id,
        created_at as inbound_created_at
    from from_citizens
)

select * from final
