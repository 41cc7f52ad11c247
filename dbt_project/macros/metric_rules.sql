{#- The rules of METRICS.md that several models share, written once. -#}

{#- The moment figures are computed for, as a UTC timestamp: var('as_of'), else the environment's
    GOVPULSE_AS_OF (how govpulse passes it), else the run's start. The environment is read only
    when dbt executes, never while it parses: a daily run's new as_of then leaves dbt's saved
    parse valid, whereas any change of --vars makes dbt parse the whole project again. -#}
{% macro as_of() -%}
    {%- set value = var('as_of') -%}
    {%- if (value is none or (value | string | trim) == '') and execute -%}
        {%- set value = env_var('GOVPULSE_AS_OF', '') -%}
    {%- endif -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {%- set value = run_started_at.strftime('%Y-%m-%dT%H:%M:%S+00:00') -%}
    {%- endif -%}
    {{ utc_timestamp("'" ~ (value | string | trim) ~ "'") }}
{%- endmacro %}


{#- The trailing periods, each as how many days before as_of it starts and ends: last_Nd
    (N days up to as_of) and its comparison period previous_last_Nd (the N days before it),
    for N = 7, 28 and 90. int_periods lists them; trailing_slice_end cuts the time at their
    bounds. -#}
{% macro trailing_periods() -%}
    {%- set periods = [] -%}
    {%- for days in [7, 28, 90] -%}
        {%- do periods.append({'period': 'last_' ~ days ~ 'd', 'starts_days_before': days,
                               'ends_days_before': 0, 'previous_period': 'previous_last_' ~ days ~ 'd',
                               'is_comparison': false}) -%}
        {%- do periods.append({'period': 'previous_last_' ~ days ~ 'd',
                               'starts_days_before': 2 * days, 'ends_days_before': days,
                               'previous_period': none, 'is_comparison': true}) -%}
    {%- endfor -%}
    {{ return(periods) }}
{%- endmacro %}

{#- as_of less `days` days, as a UTC timestamp. -#}
{% macro days_before_as_of(days) -%}
    {{ dbt.dateadd('day', -days, as_of()) | trim }}
{%- endmacro %}

{#- The end of the time slice `at` falls in, null outside them. The slices are the stretches
    between consecutive bounds of the trailing periods, open at the start and closed at the
    end like the periods, so every period is a union of whole slices and a row counts towards
    a period exactly when its slice's end lies in it. Written as one CASE on constant bounds:
    a join of every row to the slices between two inequalities took 0.3 s more at 10 M
    inbound replies (18.8 M rows). -#}
{% macro trailing_slice_end(at) -%}
    {%- set bounds = [] -%}
    {%- for period in trailing_periods() -%}
        {%- do bounds.extend([period.starts_days_before, period.ends_days_before]) -%}
    {%- endfor -%}
    {%- set bounds = bounds | unique | sort -%}
    case
        when {{ at }} > {{ days_before_as_of(bounds[0]) }} then null
        {%- for days in bounds[1:] %}
        when {{ at }} > {{ days_before_as_of(days) }} then {{ days_before_as_of(bounds[loop.index0]) }}
        {%- endfor %}
    end
{%- endmacro %}

{#- The rows of `relation` once for every period of `periods` (int_periods) they belong to,
    with its `period` and `is_comparison`: a trailing window holds the rows with
    period_start_at < `at` <= period_end_at (open at the start, closed at as_of); a month
    holds the rows whose UTC calendar month starts at its period_start_at (`month_start`: a
    timestamp compares faster than the 'YYYY-MM' label, which would be formatted for every
    row). -#}
{% macro rows_in_periods(relation, periods, at, month_start) -%}
    select
        {{ relation }}.*,
        {{ periods }}.period,
        {{ periods }}.is_comparison
    from {{ relation }}
    inner join {{ periods }}
        on {{ periods }}.period_kind = 'trailing'
        and {{ at }} > {{ periods }}.period_start_at
        and {{ at }} <= {{ periods }}.period_end_at
    union all
    select
        {{ relation }}.*,
        {{ periods }}.period,
        {{ periods }}.is_comparison
    from {{ relation }}
    inner join {{ periods }}
        on {{ periods }}.period_kind = 'month'
        and {{ month_start }} = {{ periods }}.period_start_at
{%- endmacro %}

{#- Text without URLs, @mentions and #hashtags, as the caps rule reads it. A URL ends at white
    space as Unicode defines it (tab to carriage return, U+0085 and the separators \p{Z}: the
    no-break and ideographic spaces too), where `\S` in RE2 and Java stops only at ASCII white
    space and took the words after a no-break or ideographic space with the URL; a mention is
    an X username (ASCII letters, digits, '_': `\w` in both); a hashtag runs over letters,
    marks, digits and '_' of any script. -#}
{% macro caps_text(text) -%}
    {{ regexp_remove(regexp_remove(regexp_remove(text, 'https?://[^\\t-\\r\\x{85}\\p{Z}]+'), '@\\w+'), '#[\\p{L}\\p{M}\\p{N}_]+') }}
{%- endmacro %}

{% macro count_pattern(expression, kept_class) -%}
    length({{ regexp_remove(expression, '[^' ~ kept_class ~ ']') }})
{%- endmacro %}

{#- At least caps_min_cased_letters cased letters, of which at least caps_min_upper_share upper
    case, counted in caps_text (letters of scripts without case, Urdu, Arabic..., are
    neither). Takes the two counts, computed once per post (each is a regex pass). -#}
{% macro cased_letters(caps_text) -%}
    {{ count_pattern(caps_text, '\\p{Lu}\\p{Ll}\\p{Lt}') }}
{%- endmacro %}

{% macro upper_letters(caps_text) -%}
    {{ count_pattern(caps_text, '\\p{Lu}') }}
{%- endmacro %}

{% macro is_caps(cased_letters, upper_letters) -%}
    (
        {{ cased_letters }} >= {{ var('caps_min_cased_letters') }}
        and {{ upper_letters }} >= {{ var('caps_min_upper_share') }} * {{ cased_letters }}
    )
{%- endmacro %}

{#- Exclamation marks in a text, ASCII '!' or full-width '！'. -#}
{% macro exclamation_marks(text) -%}
    (length({{ text }}) - length(replace(replace({{ text }}, '!', ''), '！', '')))
{%- endmacro %}

{#- At least exclaim_min_count exclamation marks (counted by exclamation_marks). -#}
{% macro is_exclaim(exclamation_marks) -%}
    ({{ exclamation_marks }} >= {{ var('exclaim_min_count') }})
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- Counts stay 64-bit integers: DuckDB's sum of bigints is a 128-bit integer, which pandas
    and the dashboard's CSV downloads turn into floats ("241.0 posts"). -#}
{% macro count_sum(expression) -%}
    cast(sum({{ expression }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- A count from an outer join: 0 where the joined side has no row. -#}
{% macro count_or_zero(expression) -%}
    cast(coalesce({{ expression }}, 0) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- 100 * (0.7 * response_rate + 0.3 * speed); speed = 0.5 ^ (median / half-life), and 0 when
    eligible replies exist but none was answered. Null when nothing is eligible. -#}
{% macro responsiveness_score(response_rate, median_minutes, eligible, answered) -%}
    case
        when coalesce({{ eligible }}, 0) = 0 then null
        when coalesce({{ answered }}, 0) = 0 then 100.0 * 0.7 * {{ response_rate }}
        else 100.0 * (
            0.7 * {{ response_rate }}
            + 0.3 * power(0.5, {{ median_minutes }} / {{ var('latency_half_life_minutes') }})
        )
    end
{%- endmacro %}

{#- Percentile rank of the engagement rate among the rows of the same period that have one:
    100 * (rank - 1) / (n - 1), ties sharing the lower rank; 100 when n = 1. -#}
{% macro engagement_score(engagement_rate, partition_by='period') -%}
    case
        when {{ engagement_rate }} is null then null
        when count({{ engagement_rate }}) over (partition by {{ partition_by }}) = 1 then 100.0
        else 100.0 * cast(
            rank() over (
                partition by {{ partition_by }}, {{ engagement_rate }} is null
                order by {{ engagement_rate }}
            ) - 1 as double
        ) / (count({{ engagement_rate }}) over (partition by {{ partition_by }}) - 1)
    end
{%- endmacro %}

{% macro tone_score(tone_flag_share) -%}
    100.0 * (1 - {{ tone_flag_share }})
{%- endmacro %}

{#- Weighted mean re-normalised over the scores that are not null; null when all are. -#}
{% macro composite_score(responsiveness, engagement, tone) -%}
    {%- set parts = [
        (responsiveness, var('weight_responsiveness')),
        (engagement, var('weight_engagement')),
        (tone, var('weight_tone')),
    ] -%}
    (
        ({% for score, weight in parts %}coalesce({{ weight }} * {{ score }}, 0){% if not loop.last %} + {% endif %}{% endfor %})
        / nullif({% for score, weight in parts %}(case when {{ score }} is not null then {{ weight }} else 0 end){% if not loop.last %} + {% endif %}{% endfor %}, 0)
    )
{%- endmacro %}
