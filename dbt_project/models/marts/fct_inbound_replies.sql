{#- Incremental on DuckDB (delete+insert): a run recomputes the replies landed or created since
    the last one, those whose response window closed since and those whose first response
    changed or became visible; all of them when a setting changed
    (macros/incremental_facts.sql). Of the replies it recomputes, it writes those that are new
    or changed. -#}
{{
    config(
        materialized='incremental' if target.type == 'duckdb' else 'table',
        unique_key='inbound_tweet_id',
        meta={'settings': {'vars': ['response_window_hours']}},
        pre_hook="{{ reset_fact_when_settings_change() }}",
        post_hook="{{ save_fact_build_state(
            [ref('int_inbound_replies'), ref('int_inbound_first_responses')]) }}",
    )
}}
-- One row per inbound (citizen) reply up to as_of, with its first response at or before as_of
-- and whether it is answered (first response within response_window_hours), eligible for
-- rates, late or pending.
with

{% if is_incremental() %}
{#- replies created since the last run's as_of, less the response window (their window
    closed since or is still open), or landed since -#}
{%- set recent_inbound = changed_since_last_build(
    ref('int_inbound_replies'), 'inbound_created_at',
    lookback_hours=var('response_window_hours')) %}
-- first responses found, or become visible, since the last run
changed_first_responses as (
    select inbound_tweet_id, inbound_created_at
    from {{ ref('int_inbound_first_responses') }}
    where {{ changed_since_last_build(ref('int_inbound_first_responses'), 'first_response_at') }}
        and first_response_at <= {{ as_of() }}
),
{% endif %}

inbound as (
    select * from {{ ref('int_inbound_replies') }}
    where inbound_created_at <= {{ as_of() }}
    {% if is_incremental() %}
        and {{ recent_inbound }}
    union all
    -- the older replies whose first response changed since the last run (none in the
    -- bench's day at 10 M)
    select * from {{ ref('int_inbound_replies') }}
    where inbound_created_at <= {{ as_of() }}
        and inbound_tweet_id in (
            select inbound_tweet_id from changed_first_responses
            where not {{ recent_inbound }}
        )
    {% endif %}
),

accounts as (
    select account_id, department from {{ ref('int_official_accounts') }}
),

-- the earliest response of all, kept when it is at or before as_of (else none is)
first_responses as (
    select * from {{ ref('int_inbound_first_responses') }}
    where first_response_at <= {{ as_of() }}
),

joined as (
    select
        inbound.inbound_tweet_id,
        inbound.account_id,
        accounts.department,
        inbound.conversation_id,
        inbound.inbound_created_at,
        first_responses.first_response_tweet_id,
        first_responses.first_response_at,
        first_responses.first_response_match,
        {{ minutes_between('inbound.inbound_created_at', 'first_responses.first_response_at') }}
            as response_minutes
    from inbound
    inner join accounts
        on inbound.account_id = accounts.account_id
    left join first_responses
        on inbound.inbound_tweet_id = first_responses.inbound_tweet_id
),

answered as (
    select
        *,
        coalesce(
            first_response_at <= {{ dbt.dateadd('hour', var('response_window_hours'), 'inbound_created_at') }},
            false
        ) as is_answered
    from joined
),

eligibility as (
    select
        *,
        (
            is_answered
            or {{ dbt.dateadd('hour', var('response_window_hours'), 'inbound_created_at') }} <= {{ as_of() }}
        ) as is_eligible
    from answered
),

final as (
    select
        inbound_tweet_id,
        account_id,
        department,
        conversation_id,
        inbound_created_at,
        is_eligible,
        is_answered,
        not is_eligible as is_pending,
        first_response_at is not null and not is_answered as is_late,
        first_response_tweet_id,
        first_response_at,
        first_response_match,
        response_minutes,
        {{ built_at() }} as built_at
    from eligibility
),

{% if is_incremental() %}
{#- compared by name, in the table's order: a reordered select list still compares like with
    like -#}
{%- set compared = adapter.get_columns_in_relation(this) | map(attribute='name')
    | reject('equalto', 'built_at') | join(', ') %}
-- A recomputed reply whose values did not change is not written again (it keeps its
-- built_at): at 10 M, a working day recomputes about 97,000 kept replies, of which about
-- 30,000 change, so fewer rows are deleted, inserted, tested and published.
kept as (
    select {{ compared }} from {{ this }}
    where inbound_tweet_id in (select inbound_tweet_id from final)
),

changed as (
    select {{ compared }} from final
    except
    select {{ compared }} from kept
),

written as (
    select * from final
    where inbound_tweet_id in (select inbound_tweet_id from changed)
)
{% else %}
written as (
    select * from final
)
{% endif %}

-- stored by day, then department, account and time, as daily runs append the replies: a
-- day's run recomputes the recent replies, and DuckDB finds them and their kept copies in the
-- last row groups (by min/max), after a full refresh as after daily runs
select * from written
order by {{ dbt.date_trunc('day', 'inbound_created_at') }}, department, account_id,
    inbound_created_at
