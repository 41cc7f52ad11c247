{#- The incremental models' delete+insert on DuckDB (dbt-duckdb's, which this calls), with one
    more condition on the delete: the key between the smallest and the largest key of the rows
    the run writes. It deletes no other row (every key written lies between the two), but
    DuckDB pushes the two bounds into the scan and skips the row groups whose keys lie outside
    them, where `key in (select key from <new rows>)` alone reads every key of the table.
    Tweet ids grow with time, so a day's rows are a narrow range of the tables kept in the
    order they were written: on the 10 M warehouse the day's delete from stg_x__tweets took
    0.02 s against 0.12 s (0.34 s the first time it read the column), and about as much less
    on int_posts_classified, fct_posts, int_inbound_replies and int_inbound_first_responses.
    fct_inbound_replies, stored by account, gains nothing and loses nothing. -#}
{% macro duckdb__get_incremental_delete_insert_sql(arg_dict) -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- set new_rows = arg_dict['temp_relation'] -%}
    {%- set predicates = arg_dict['incremental_predicates'] or [] -%}
    {%- if key is string -%}
        {%- set predicates = predicates + [
            key ~ ' between (select min(' ~ key ~ ') from ' ~ new_rows ~ ')'
            ~ ' and (select max(' ~ key ~ ') from ' ~ new_rows ~ ')'] -%}
    {%- endif -%}
    {{ return(get_delete_insert_merge_sql(arg_dict['target_relation'], new_rows, key,
                                          arg_dict['dest_columns'], predicates)) }}
{%- endmacro %}
