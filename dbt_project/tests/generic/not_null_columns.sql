{% test not_null_columns(model, column_names) %}
-- One row per listed column that holds nulls, with how many rows hold one there. All the
-- columns are checked in one test and one scan of the model: a `not_null` test per column
-- would cost a dbt node each, most of it dbt's own work rather than the query (README,
-- Performance).
with

null_counts as (
    select
        {%- for column_name in column_names %}
        count(case when {{ column_name }} is null then 1 end) as null_rows_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

columns_with_nulls as (
    {%- for column_name in column_names %}
    select '{{ column_name }}' as column_name, null_rows_{{ loop.index }} as null_rows
    from null_counts
    where null_rows_{{ loop.index }} > 0
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
)

select * from columns_with_nulls
{% endtest %}
