{#- Data tests of the incremental tables on a daily `dbt build`: each test reads only the rows
    written since it last passed, not the 10 or 20 million rows kept from before.

    Every row of an incremental table carries `built_at`, the start of the run that wrote it
    (delete+insert replaces a key's rows whole, so a row kept from an earlier run is unchanged
    since). When a data test passes, the run records its start for that test
    (intermediate.data_test_watermarks, on-run-end). In a later `dbt build` the test reads
    the rows with a later built_at: those of this run and of any run in between whose test
    failed, did not run or was added since. A new test has no record and reads everything;
    so does every test on a full refresh (every row is rewritten) and every test of
    `dbt test`, which checks whole tables. Like the landed_at watermarks, this takes the
    clock of the machine running dbt not to go back between runs. -#}

{#- When each data test last passed (the start of its run). -#}
{% macro data_test_watermarks() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate',
                                  identifier='data_test_watermarks')) }}
{%- endmacro %}

{#- The start of this run, as the rows it writes carry it in `built_at`. -#}
{% macro built_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- dbt wraps the model every generic test reads in this macro (dbt's own applies the test's
    `where` config; this one keeps it). A test's namespace holds only this macro and the
    macros it calls itself, not theirs. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) if execute and model.attached_node
        else none -%}
    {%- if tested and tested.config.materialized == 'incremental' and flags.WHICH == 'build' -%}
        {%- set state = data_test_watermarks() -%}
        {%- if adapter.get_relation(state.database, state.schema, state.identifier) -%}
            {%- set passed = run_query(
                "select cast(passed_through as varchar) from " ~ state
                ~ " where data_test = '" ~ model.unique_id ~ "'").columns[0].values() -%}
            {%- if passed | length > 0 -%}
                {%- do conditions.append("built_at > cast('" ~ passed[0] ~ "' as timestamp)") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ')
                  ~ ') dbt_subquery') }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}

{#- on-run-end (DuckDB): the data tests that passed in this run checked every row written
    up to its start. -#}
{% macro save_data_test_watermarks(results) -%}
    {%- set passed = [] -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- for result in results
                if result.node.resource_type == 'test' and result.status == 'pass' -%}
            {%- do passed.append("('" ~ result.node.unique_id ~ "')") -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if passed -%}
        create table if not exists {{ data_test_watermarks() }} (
            data_test varchar, passed_through timestamp
        );
        delete from {{ data_test_watermarks() }}
        where data_test in (select * from (values {{ passed | join(', ') }}));
        insert into {{ data_test_watermarks() }}
        select test_ids.*, {{ built_at() }}
        from (values {{ passed | join(', ') }}) as test_ids (data_test)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
