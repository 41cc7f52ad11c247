{#- The incremental facts (fct_posts, fct_inbound_replies) depend on as_of, on some dbt vars
    and on the registry's departments, which the intermediate layer leaves to them. On DuckDB
    a run recomputes only the rows that can have changed since the last one: those whose
    intermediate rows were landed since, and those that as_of's move reached (posts and
    replies created after the last as_of; replies whose response window closed or whose
    first response became visible in between). A full refresh gives the same rows (tested).

    What the last run was built with is kept beside the fact, in the intermediate schema
    (<fact>_build_state: as_of, a fingerprint of the settings, the newest landed_at read).
    When as_of moves back or a setting changes (a var the fact applies, named in its config
    as meta.settings.vars; an account or department of the registry; the pseudonym key, if
    meta.settings.pseudonym_key; the rules' version), the pre-hook empties the fact and the
    run rebuilds it whole. On Spark the facts are plain tables and nothing is kept. -#}

{% macro fact_build_state() -%}
    {{ return(intermediate_state_table(this.identifier ~ '_build_state')) }}
{%- endmacro %}

{#- One hash of everything besides as_of and the intermediate rows the fact's rows depend on:
    the rules' version (macros/incremental_layer.sql), the vars of its meta.settings, each
    account's department and, if asked, the pseudonym key. -#}
{% macro settings_fingerprint() -%}
    {%- set meta = config.get('meta') -%}
    {#- (when dbt parses the project, config values are not there yet) -#}
    {%- set declared = meta['settings'] if meta is mapping else {'vars': []} -%}
    {%- set settings = ['rules=' ~ rules_version()] -%}
    {%- for name in declared['vars'] -%}
        {%- do settings.append(name ~ '=' ~ var(name)) -%}
    {%- endfor -%}
    md5(
        '{{ settings | join(";") | replace("'", "''") }}'
        || coalesce((
            select {{ dbt.listagg("account_id || ':' || department", "','",
                                  "order by account_id") }}
            from {{ ref('int_official_accounts') }}
        ), '')
        {%- if declared.get('pseudonym_key') %}
        || coalesce((select md5(pseudonym_key) from {{ ref('stg_pipeline__pseudonym_key') }}), '')
        {%- endif %}
    )
{%- endmacro %}

{#- The last run's state if this run may build on it: same settings, an as_of not later than
    this run's. -#}
{% macro usable_build_state() -%}
    select * from {{ fact_build_state() }}
    where settings_fingerprint = {{ settings_fingerprint() }} and as_of <= {{ as_of() }}
{%- endmacro %}

{#- Pre-hook: keep the fact only if the last run's state is usable; else empty the fact and
    forget the state, so the run rebuilds it. -#}
{% macro reset_fact_when_settings_change() -%}
    {%- if is_incremental() -%}
        create table if not exists {{ fact_build_state() }} (
            as_of timestamp, settings_fingerprint varchar, landed_watermark timestamptz
        );
        delete from {{ this }}
        where not exists ({{ usable_build_state() }});
        delete from {{ fact_build_state() }}
        where not exists ({{ usable_build_state() }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Post-hook (DuckDB): what this run was built with; `inputs` are the intermediate tables
    the fact reads, whose newest landed_at is the next run's watermark. -#}
{% macro save_fact_build_state(inputs) -%}
    {%- if target.type == 'duckdb' -%}
        create or replace table {{ fact_build_state() }} as
        select
            {{ as_of() }} as as_of,
            {{ settings_fingerprint() }} as settings_fingerprint,
            {{ newest_landed_at(inputs) }} as landed_watermark
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- On an incremental run, true for the rows of `relation` (an intermediate table) to
    recompute: those landed after the last run's watermark, or whose `time_column` falls after
    the last run's as_of (less `lookback_hours`, when given); every row when the last run's
    state is not usable (the pre-hook then empties the fact) or it read nothing landed.

    Written as one bound on `time_column`: the earlier of that as_of and the earliest
    `time_column` of the rows landed since (a day's run: the last days; a backfill of old
    tweets: from the oldest of them; a row recomputed needlessly gets the same values). An
    `or` of two columns would make DuckDB read every row of the relation (10 million
    inbound replies at 10 M); a bound on one column is pushed into the scan. The state and
    the bound are read when the model is compiled, just before it runs, and written as a
    literal, which lets DuckDB skip row groups by their min/max (a subquery does not). -#}
{% macro changed_since_last_build(relation, time_column, lookback_hours=none) -%}
    {%- set bound = none -%}
    {%- set state = none -%}
    {%- if execute and is_incremental() -%}
        {%- set stored = fact_build_state() -%}
        {%- if adapter.get_relation(stored.database, stored.schema, stored.identifier) -%}
            {%- set query -%}
                select
                    cast({{ dbt.dateadd('hour', -lookback_hours, 'as_of') if lookback_hours
                            else 'as_of' }} as varchar),
                    cast(landed_watermark as varchar)
                from ({{ usable_build_state() }})
            {%- endset -%}
            {%- set rows = run_query(query).rows -%}
            {%- if rows | length > 0 -%}
                {%- set state = rows[0] -%}
            {%- endif -%}
        {%- endif -%}
        {%- if state is not none and state[1] is not none -%}
            {#- least() skips the null min of no rows landed since -#}
            {%- set query -%}
                select cast(least(
                    cast('{{ state[0] }}' as timestamp),
                    min({{ time_column }}) - interval 1 microsecond
                ) as varchar)
                from {{ relation }}
                where landed_at > cast('{{ state[1] }}' as timestamptz)
            {%- endset -%}
            {%- set bound = run_query(query).columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif -%}
    {%- if bound is none -%}
        true
    {%- else -%}
        {{ time_column }} > cast('{{ bound }}' as timestamp)
    {%- endif -%}
{%- endmacro %}
