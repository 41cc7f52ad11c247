{#- The incremental facts (fct_posts, fct_inbound_replies) depend on as_of, on some dbt vars
    and on the registry's departments, which the intermediate layer leaves to them. On DuckDB
    a run recomputes only the rows that can have changed since the last one: those whose
    intermediate rows were landed since, and those that as_of's move reached (posts and
    replies created after the last as_of; replies whose response window closed or whose
    first response became visible in between). A full refresh gives the same rows (tested).

    What the last run was built with is kept beside the fact, in the intermediate schema
    (<fact>_build_state: as_of, a fingerprint of the settings, the newest landed_at read).
    When as_of moves back or a setting changes (a var the fact applies, an account or
    department of the registry, the pseudonym key), the pre-hook empties the fact and the
    run rebuilds it whole. On Spark the facts are plain tables and nothing is kept. -#}

{% macro fact_build_state() -%}
    {%- set intermediate = ref('int_official_accounts') -%}
    {{ return(api.Relation.create(database=intermediate.database, schema=intermediate.schema,
                                  identifier=this.identifier ~ '_build_state')) }}
{%- endmacro %}

{#- One hash of everything besides as_of and the intermediate rows the fact's rows depend on:
    the named vars, each account's department and, if asked, the pseudonym key. -#}
{% macro settings_fingerprint(var_names, with_pseudonym_key=false) -%}
    {%- set settings = [] -%}
    {%- for name in var_names -%}
        {%- do settings.append(name ~ '=' ~ var(name)) -%}
    {%- endfor -%}
    md5(
        '{{ settings | join(";") | replace("'", "''") }}'
        || coalesce((
            select string_agg(account_id || ':' || department, ',' order by account_id)
            from {{ ref('int_official_accounts') }}
        ), '')
        {%- if with_pseudonym_key %}
        || coalesce((select md5(pseudonym_key) from {{ ref('stg_pipeline__pseudonym_key') }}), '')
        {%- endif %}
    )
{%- endmacro %}

{#- Pre-hook: keep the fact only if the last run used the same settings and an as_of not
    later than this run's; else empty it and forget the state, so the run rebuilds it. -#}
{% macro reset_fact_when_settings_change(fingerprint) -%}
    {%- set state = fact_build_state() -%}
    {%- if is_incremental() -%}
        create table if not exists {{ state }} (
            as_of timestamp, settings_fingerprint varchar, landed_watermark timestamptz
        );
        delete from {{ this }}
        where not exists (
            select 1 from {{ state }}
            where settings_fingerprint = {{ fingerprint }} and as_of <= {{ as_of() }}
        );
        delete from {{ state }}
        where settings_fingerprint is distinct from {{ fingerprint }} or as_of > {{ as_of() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Post-hook (DuckDB): what this run was built with; `inputs` are the intermediate tables
    the fact reads, whose newest landed_at is the next run's watermark. -#}
{% macro save_fact_build_state(fingerprint, inputs) -%}
    {%- if target.type == 'duckdb' -%}
        create or replace table {{ fact_build_state() }} as
        select
            {{ as_of() }} as as_of,
            {{ fingerprint }} as settings_fingerprint,
            greatest(
                {%- for input in inputs %}
                (select max(landed_at) from {{ input }}){{ ',' if not loop.last }}
                {%- endfor %}
            ) as landed_watermark
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- On an incremental run, true for the rows to recompute: rows of an intermediate table
    landed after the last run's watermark, or whose `time_column` falls after the last run's
    as_of (less `lookback_hours`, when given). Every row after a reset. -#}
{% macro changed_since_last_build(time_column, lookback_hours=none) -%}
    {%- set state = fact_build_state() -%}
    {%- set since = dbt.dateadd('hour', '-' ~ lookback_hours, 'as_of') if lookback_hours else 'as_of' -%}
    (
        not exists (select 1 from {{ state }})
        or {{ time_column }} > (select {{ since }} from {{ state }})
        or landed_at > (select landed_watermark from {{ state }})
        or (select landed_watermark from {{ state }}) is null
    )
{%- endmacro %}
