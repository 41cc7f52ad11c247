-- The key citizens' user ids are hashed with (one row).
with

source as (
    select * from {{ source('raw', 'pseudonym_key') }}
),

final as (
    select pseudonym_key from source
)

select * from final
