{#- The raw sources are Parquet folders (extractors/raw_export.py). DuckDB reads them through
    each source's external_location; Spark needs a table over each folder, (re)registered at
    the start of every run (on-run-start in dbt_project.yml) so new day partitions are seen. -#}

{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources', 'govpulse')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
    select 1
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- set root = source.meta.private_parquet_dir if source.name == 'pseudonym_key'
                else source.meta.raw_parquet_dir -%}
            {%- set table = 'raw.' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ table) -%}
            {%- do run_query("create table " ~ table ~ " using parquet location '"
                ~ root ~ '/' ~ source.identifier ~ "'") -%}
            {%- if source.meta.partitioned_by -%}
                {%- do run_query('msck repair table ' ~ table) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
