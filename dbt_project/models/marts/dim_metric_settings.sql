-- The thresholds, windows and weights the figures were computed with (the dbt vars in force),
-- with as_of and the build time. The dashboard's methodology page reads them from here.
{% set settings = [
    ('as_of', 'The moment the figures are computed for (UTC).'),
    ('response_window_hours', 'An inbound reply is answered when its first response comes within this many hours.'),
    ('latency_half_life_minutes', 'Median response time at which the speed part of the responsiveness score halves.'),
    ('broadcaster_min_posts', 'A broadcaster has at least this many original posts in the period.'),
    ('broadcaster_min_inbound', 'A broadcaster has at least this many eligible inbound replies in the period.'),
    ('broadcaster_max_response_rate', 'A broadcaster answers less than this share of its eligible inbound replies.'),
    ('caps_min_cased_letters', 'An original post is flagged caps with at least this many cased letters (URLs, @mentions, #hashtags aside).'),
    ('caps_min_upper_share', 'An original post is flagged caps when at least this share of its cased letters is upper case.'),
    ('exclaim_min_count', 'An original post is flagged exclaim with at least this many ! or full-width ！ (U+FF01).'),
    ('weight_responsiveness', 'Weight of the responsiveness score in the composite score.'),
    ('weight_engagement', 'Weight of the engagement score in the composite score.'),
    ('weight_tone', 'Weight of the tone score in the composite score.'),
] %}
with

settings as (
    {% for name, description in settings %}
    select
        '{{ name }}' as setting_name,
        {% if name == 'as_of' -%}
        {{ dbt.cast(as_of(), dbt.type_string()) }}
        {%- else -%}
        '{{ var(name) }}'
        {%- endif %} as setting_value,
        '{{ description | replace("'", "''") }}' as description
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        setting_name,
        setting_value,
        description,
        {{ built_at() }} as built_at
    from settings
)

select * from final
