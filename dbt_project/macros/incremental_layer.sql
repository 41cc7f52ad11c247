{#- The incremental intermediate models (int_posts_classified, int_inbound_replies,
    int_inbound_first_responses) hold what depends only on the tweets and the registry's
    accounts: not on as_of, nor on any dbt var, which the marts apply. A run then processes
    only the tweets landed since the last one; a full refresh gives the same rows (tested).

    The registry is the one other input. Each row carries the fingerprint of the registry's
    account ids it was built with, and of the rules (rules_version); when they change (an
    account added, removed or resolved to another user; a new rule), the pre-hook empties the
    table and the run rebuilds it whole. -#}

{#- The version of the rules that compute the rows the incremental models (stg_x__tweets, the
    intermediate layer and the facts) keep. Raise it in a change to how such a row is
    computed (a metric rule, what is read from a tweet): the first run with the change then
    finds rows of the older rules and rebuilds those models whole, as --full-refresh would,
    instead of keeping old rows beside new ones. 2: a URL ends at a no-break or ideographic
    space (the caps rule). -#}
{% macro rules_version() -%}
    2
{%- endmacro %}

{#- The registry's accounts, as one hash of their sorted ids, with the rules' version. -#}
{% macro registry_fingerprint() -%}
    (select {{ sorted_ids_hash('account_id') }} || '/rules-{{ rules_version() }}'
     from {{ ref('int_official_accounts') }})
{%- endmacro %}

{#- Pre-hook of stg_x__tweets: on an incremental run, drop the rows of older rules (the
    model then reads every raw row again: landed_since_last_run). -#}
{% macro reset_when_rules_change() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where rules_version is distinct from {{ rules_version() }}
    {%- else -%}
        select 1
    {%- endif -%}
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

{#- Where each model of this layer has read its inputs up to: the newest landed_at of its
    inputs when it last ran, with the registry it ran with (post-hook, in the model's
    transaction). Its own rows' newest landed_at would lag behind whenever the last rows
    landed hold nothing it keeps (a batch of timelines only, for int_inbound_replies: 8.7
    million tweets read again on the first day after a 10 M landing), so it is the fallback
    only, for tables built before the state was kept. -#}
{% macro landed_watermarks() -%}
    {{ return(intermediate_state_table('landed_watermarks')) }}
{%- endmacro %}

{#- A table the incremental models keep their state in, beside them in the intermediate
    schema (landed_watermarks; the facts' <fact>_build_state, macros/incremental_facts.sql).
    The data tests' watermarks name the schema themselves (macros/incremental_tests.sql): a
    test's namespace lacks the macros its macros call. -#}
{% macro intermediate_state_table(identifier) -%}
    {%- set intermediate = ref('int_official_accounts') -%}
    {{ return(api.Relation.create(database=intermediate.database, schema=intermediate.schema,
                                  identifier=identifier)) }}
{%- endmacro %}

{#- on-run-start (DuckDB): create landed_watermarks before any model runs. The post-hooks
    below write it, two at a time on a daily build's two dbt threads; two of them creating it
    at once would conflict in DuckDB's catalog ("write-write conflict on create"). -#}
{% macro create_landed_watermarks() -%}
    {%- if target.type == 'duckdb' -%}
        create schema if not exists {{ landed_watermarks().without_identifier() }};
        create table if not exists {{ landed_watermarks() }} (
            model varchar, registry_fingerprint varchar, landed_through timestamptz
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Post-hook (DuckDB): keep the newest landed_at of `inputs`, the tables the model reads
    (in the table the run's start created). -#}
{% macro save_landed_watermark(inputs) -%}
    {%- if target.type == 'duckdb' -%}
        delete from {{ landed_watermarks() }} where model = '{{ this.identifier }}';
        insert into {{ landed_watermarks() }}
        select
            '{{ this.identifier }}',
            {{ registry_fingerprint() }},
            {{ newest_landed_at(inputs) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The newest landed_at of the tables `inputs` (null when they are empty); the facts'
    build state keeps it too (macros/incremental_facts.sql). -#}
{% macro newest_landed_at(inputs) -%}
    greatest(
        {%- for input in inputs %}
        (select max(landed_at) from {{ input }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Rows landed after the model's watermark (every row when it has none); stg_x__tweets uses
    it too. With `registry_dependent` (the models of this layer), the watermark is the one
    kept for the current registry (a table the pre-hook is about to empty reads everything);
    without (stg_x__tweets, which keeps every tweet it reads), the newest landed_at the
    table keeps under the current rules (a table the pre-hook is about to empty reads
    everything). The watermark is read when the model is compiled, just before it runs, and
    written as a literal: DuckDB then skips the Parquet files and row groups landed before it
    by their min/max, which it cannot do for a subquery (it read all 20 million rows of the
    raw layer). -#}
{% macro landed_since_last_run(registry_dependent=false) -%}
    {%- set watermark = none -%}
    {%- if execute and is_incremental() -%}
        {%- set kept = kept_landed_watermark() if registry_dependent else [] -%}
        {%- if kept | length > 0 -%}
            {%- set watermark = kept[0] -%}
        {%- else -%}
            {%- set query -%}
                select cast(max(landed_at) as varchar) from {{ this }}
                {%- if registry_dependent %}
                where registry_fingerprint = {{ registry_fingerprint() }}
                {%- else %}
                where rules_version = {{ rules_version() }}
                {%- endif %}
            {%- endset -%}
            {%- set watermark = run_query(query).columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif -%}
    {%- if watermark is none -%}
        true
    {%- else -%}
        landed_at > cast('{{ watermark }}' as timestamptz)
    {%- endif -%}
{%- endmacro %}

{#- The watermark kept for this model and the current registry, as a list: empty when none
    is kept, [none] when the model's last run read nothing. -#}
{% macro kept_landed_watermark() -%}
    {%- set kept = landed_watermarks() -%}
    {%- if not adapter.get_relation(kept.database, kept.schema, kept.identifier) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select cast(landed_through as varchar) from {{ kept }}
        where model = '{{ this.identifier }}'
          and registry_fingerprint = {{ registry_fingerprint() }}
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{#- stg_x__tweets: true for the kept tweets whose `column` (the id) lies between the smallest
    and the largest of the rows of `relation` that `landed_since` selects (the condition the
    model reads its new rows with; every kept copy of a landed tweet lies there). Read when the
    model is compiled and written as literals, like the watermark: DuckDB then skips the row
    groups outside the range. A day's new tweets have ids above every kept one (X's ids grow
    with time), so finding their kept copies reads no row group of the 20 million kept at
    10 M inbound replies, where the join alone tested every kept id (1.8 s a day). A day
    that refetches old tweets widens the range and reads more, never fewer rows than it
    must. -#}
{% macro within_landed_id_range(column, relation, landed_since) -%}
    {%- if execute and is_incremental() -%}
        {%- set query -%}
            select min({{ column }}), max({{ column }}) from {{ relation }}
            where {{ landed_since }}
        {%- endset -%}
        {%- set bounds = run_query(query).rows[0] -%}
        {%- if bounds[0] is none -%}
            false
        {%- else -%}
            {{ column }} between '{{ bounds[0] | replace("'", "''") }}'
                and '{{ bounds[1] | replace("'", "''") }}'
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
