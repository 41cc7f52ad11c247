{% test values_between(model, ranges) %}
-- One row per listed column holding values outside its [min, max] (nulls are allowed), with
-- how many rows do. A model's ranges are all checked in one test and one scan, as its
-- not-null columns are (not_null_columns): a test per column would cost a dbt node each.
with

out_of_range_counts as (
    select
        {%- for column_name, bounds in ranges.items() %}
        count(case when {{ column_name }} < {{ bounds[0] }} or {{ column_name }} > {{ bounds[1] }}
                   then 1 end) as out_of_range_rows_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

columns_out_of_range as (
    {%- for column_name, bounds in ranges.items() %}
    select
        '{{ column_name }}' as column_name,
        {{ bounds[0] }} as min_value,
        {{ bounds[1] }} as max_value,
        out_of_range_rows_{{ loop.index }} as out_of_range_rows
    from out_of_range_counts
    where out_of_range_rows_{{ loop.index }} > 0
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
)

select * from columns_out_of_range
{% endtest %}
