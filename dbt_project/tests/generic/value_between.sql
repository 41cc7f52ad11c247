{% test value_between(model, column_name, min_value, max_value) %}
-- Values outside [min_value, max_value] (nulls are allowed).
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
