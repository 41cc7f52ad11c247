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

{#- Rows landed after the newest landed_at the table keeps (every row when it keeps none);
    stg_x__tweets uses it too. With `registry_dependent`, only rows built with the current
    registry count, so a table the pre-hook is about to empty reads everything. The watermark
    is read when the model is compiled, just before it runs, and written as a literal:
    DuckDB then skips the Parquet files and row groups landed before it by their min/max,
    which it cannot do for a subquery (it read all 20 million rows of the raw layer). -#}
{% macro landed_since_last_run(registry_dependent=false) -%}
    {%- set watermark = none -%}
    {%- if execute and is_incremental() -%}
        {%- set query -%}
            select cast(max(landed_at) as varchar) from {{ this }}
            {%- if registry_dependent %}
            where registry_fingerprint = {{ registry_fingerprint() }}
            {%- endif %}
        {%- endset -%}
        {%- set watermark = run_query(query).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if watermark is none -%}
        true
    {%- else -%}
        landed_at > cast('{{ watermark }}' as timestamptz)
    {%- endif -%}
{%- endmacro %}
