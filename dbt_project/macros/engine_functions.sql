{#- Engine-specific SQL lives here, behind adapter.dispatch, so another engine
    (dbt-spark, dbt-trino) is a matter of adding implementations. -#}

{#- The fields of a JSON text column as a struct, parsed once per row (a path expression per
    field would parse the text again for each). `fields` maps each name to 'string', to a
    dict of fields (an object) or to a one-item list (an array of that). Every leaf is read
    as text, as the API wrote it: numbers keep their digits, objects their JSON. -#}
{% macro json_fields(json_column, fields) -%}
    {{ return(adapter.dispatch('json_fields', 'govpulse')(json_column, fields)) }}
{%- endmacro %}

{% macro default__json_fields(json_column, fields) -%}
    from_json({{ json_column }}, '{{ spark_type(fields) }}')
{%- endmacro %}

{% macro duckdb__json_fields(json_column, fields) -%}
    from_json({{ json_column }}, '{{ duckdb_json_structure(fields) }}')
{%- endmacro %}

{% macro spark_type(fields) -%}
    {%- if fields is mapping -%}
        struct<{% for name, kind in fields.items() %}{{ name }}:{{ spark_type(kind) }}{% if not loop.last %},{% endif %}{% endfor %}>
    {%- elif fields is string -%}
        string
    {%- else -%}
        array<{{ spark_type(fields[0]) }}>
    {%- endif -%}
{%- endmacro %}

{% macro duckdb_json_structure(fields) -%}
    {%- if fields is mapping -%}
        {{ '{' }}{% for name, kind in fields.items() %}"{{ name }}":{{ duckdb_json_structure(kind) }}{% if not loop.last %},{% endif %}{% endfor %}{{ '}' }}
    {%- elif fields is string -%}
        "VARCHAR"
    {%- else -%}
        [{{ duckdb_json_structure(fields[0]) }}]
    {%- endif -%}
{%- endmacro %}

{#- Item `position` (from 0) of an array; null past its end. -#}
{% macro array_item(array, position) -%}
    {{ return(adapter.dispatch('array_item', 'govpulse')(array, position)) }}
{%- endmacro %}

{% macro default__array_item(array, position) -%}
    get({{ array }}, {{ position }})
{%- endmacro %}

{% macro duckdb__array_item(array, position) -%}
    {{ array }}[{{ position + 1 }}]
{%- endmacro %}


{% macro regexp_remove(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_remove', 'govpulse')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_remove(expression, pattern) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '')
{%- endmacro %}

{% macro duckdb__regexp_remove(expression, pattern) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '', 'g')
{%- endmacro %}

{#- Spark's parser reads backslash escapes in string literals: double them so the Java
    regex sees \S, \w and \p{Lu} as written. -#}
{% macro spark__regexp_remove(expression, pattern) -%}
    regexp_replace({{ expression }}, '{{ pattern | replace("\\", "\\\\") }}', '')
{%- endmacro %}


{#- Continuous quantiles with linear interpolation (numpy's default), as an array in the
    order of `fractions` (an aggregate; read each with array_item). One sort of the values
    serves every fraction, where one aggregate per fraction would sort them again. -#}
{% macro quantiles_cont(expression, fractions) -%}
    {{ return(adapter.dispatch('quantiles_cont', 'govpulse')(expression, fractions)) }}
{%- endmacro %}

{#- Spark's exact `percentile`, which `percentile_cont ... within group` also computes. -#}
{% macro default__quantiles_cont(expression, fractions) -%}
    percentile({{ expression }}, array({{ fractions | join(', ') }}))
{%- endmacro %}

{% macro duckdb__quantiles_cont(expression, fractions) -%}
    quantile_cont({{ expression }}, [{{ fractions | join(', ') }}])
{%- endmacro %}


{#- 'YYYY-MM' of a UTC timestamp. -#}
{% macro month_label(expression) -%}
    {{ return(adapter.dispatch('month_label', 'govpulse')(expression)) }}
{%- endmacro %}

{% macro default__month_label(expression) -%}
    date_format({{ expression }}, 'yyyy-MM')
{%- endmacro %}

{% macro duckdb__month_label(expression) -%}
    strftime({{ expression }}, '%Y-%m')
{%- endmacro %}


{#- A timestamp-with-time-zone (or ISO text with an offset) as a UTC timestamp. -#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'govpulse')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    to_utc_timestamp(cast({{ expression }} as timestamp), 'UTC')
{%- endmacro %}

{% macro duckdb__utc_timestamp(expression) -%}
    cast(timezone('UTC', cast({{ expression }} as timestamptz)) as timestamp)
{%- endmacro %}


{#- Hex SHA-256 of a text. -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'govpulse')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}


{#- Minutes from one timestamp to a later one, with fractions (double). dbt-spark's
    datediff in milliseconds is off by a factor, so Spark counts microseconds itself. -#}
{% macro minutes_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('minutes_between', 'govpulse')(start_at, end_at)) }}
{%- endmacro %}

{% macro default__minutes_between(start_at, end_at) -%}
    cast({{ dbt.datediff(start_at, end_at, 'millisecond') }} as double) / 60000
{%- endmacro %}

{% macro spark__minutes_between(start_at, end_at) -%}
    cast(unix_micros({{ end_at }}) - unix_micros({{ start_at }}) as double) / 60000000
{%- endmacro %}


{#- A hash of a column's values in sorted order (an aggregate). -#}
{% macro sorted_ids_hash(column) -%}
    {{ return(adapter.dispatch('sorted_ids_hash', 'govpulse')(column)) }}
{%- endmacro %}

{% macro default__sorted_ids_hash(column) -%}
    md5(concat_ws(',', array_sort(collect_list({{ column }}))))
{%- endmacro %}

{% macro duckdb__sorted_ids_hash(column) -%}
    md5(coalesce(string_agg({{ column }}, ',' order by {{ column }}), ''))
{%- endmacro %}


{#- After `name as`: a CTE read more than once is computed again by each reader rather
    than held whole. DuckDB otherwise materialises it: for a table-sized CTE that means
    millions of rows written aside (and spilled) when two scans of the table cost less.
    Spark inlines CTEs anyway. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'govpulse')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
