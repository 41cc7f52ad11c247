{#- The incremental intermediate models (int_posts_classified, int_inbound_replies,
    int_inbound_first_responses) hold what depends only on the tweets and the registry's
    accounts: not on as_of, nor on any dbt var, which the marts apply. A run then processes
    only the tweets landed since the last one; a full refresh gives the same rows (tested).

    The registry is the one other input. Each row carries the fingerprint of the registry's
    account ids it was built with; when they change (an account added, removed or resolved
    to another user), the pre-hook empties the table and the run rebuilds it whole. -#}

{#- The registry's accounts, as one hash of their sorted ids. -#}
{% macro registry_fingerprint() -%}
    (select {{ sorted_ids_hash('account_id') }} from {{ ref('int_official_accounts') }})
{%- endmacro %}

{#- Pre-hook: on an incremental run, empty the table if the registry's accounts changed. -#}
{% macro reset_when_registry_changes() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where registry_fingerprint is distinct from {{ registry_fingerprint() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Rows landed after the newest landed_at the table holds (every row when it is empty);
    stg_x__tweets uses it too. -#}
{% macro landed_since_last_run() -%}
    (
        landed_at > (select max(landed_at) from {{ this }})
        or (select max(landed_at) from {{ this }}) is null
    )
{%- endmacro %}
