{#- Incremental on DuckDB (delete+insert): a run recomputes the posts landed or created since
    the last one, and all of them when a setting changed (macros/incremental_facts.sql). -#}
{{
    config(
        materialized='incremental' if target.type == 'duckdb' else 'table',
        unique_key='tweet_id',
        meta={'settings': {
            'vars': ['caps_min_cased_letters', 'caps_min_upper_share', 'exclaim_min_count'],
            'pseudonym_key': true,
        }},
        pre_hook="{{ reset_fact_when_settings_change() }}",
        post_hook="{{ save_fact_build_state([ref('int_posts_classified')]) }}",
    )
}}
-- One row per post (tweet authored by an official account) up to as_of, with its department
-- and, for original posts, the tone flags under the dbt vars in force. Whom a reply answers
-- is kept for official accounts; a citizen appears only as a keyed pseudonym.
with

posts as (
    select * from {{ ref('int_posts_classified') }}
    where created_at <= {{ as_of() }}
    {% if is_incremental() %}
        and {{ changed_since_last_build(ref('int_posts_classified'), 'created_at') }}
    {% endif %}
),

accounts as (
    select account_id, department from {{ ref('int_official_accounts') }}
),

pseudonym_key as (
    select pseudonym_key from {{ ref('stg_pipeline__pseudonym_key') }}
),

with_departments as (
    select
        posts.*,
        authors.department
    from posts
    inner join accounts as authors
        on posts.account_id = authors.account_id
),

flagged as (
    select
        *,
        coalesce({{ is_caps('cased_letters', 'upper_letters') }}, false) as is_caps,
        coalesce({{ is_exclaim('exclamation_marks') }}, false) as is_exclaim
    from with_departments
),

with_pseudonyms as (
    select
        flagged.*,
        case
            when flagged.in_reply_to_user_id is null then null
            when replied_accounts.account_id is not null then flagged.in_reply_to_user_id
            else 'citizen:' || left(
                {{ sha256_hex("pseudonym_key.pseudonym_key || ':' || flagged.in_reply_to_user_id") }},
                16
            )
        end as in_reply_to_user
    from flagged
    left join accounts as replied_accounts
        on flagged.in_reply_to_user_id = replied_accounts.account_id
    cross join pseudonym_key
),

final as (
    select
        tweet_id,
        account_id,
        department,
        created_at,
        post_kind,
        conversation_id,
        in_reply_to_user,
        replied_to_tweet_id,
        tweet_text,
        lang,
        like_count,
        retweet_count,
        reply_count,
        quote_count,
        engagements,
        is_caps,
        is_exclaim,
        is_caps or is_exclaim as is_tone_flagged,
        {{ built_at() }} as built_at
    from with_pseudonyms
)

-- stored by department, account and time: the dashboard's per-account and per-department
-- queries then read only the row groups of that account (DuckDB skips the rest by min/max)
select * from final
order by department, account_id, created_at
