{% test unique_combination_of_columns(model, combination_of_columns) %}
-- Rows whose combination of the given columns is not unique (the model's grain is broken).
with

grouped as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
)

select * from grouped
where row_count > 1
{% endtest %}
