"""Land the common case in DuckDB: lines of ``.jsonl`` files that are clean X API v2 pages.

Almost every line a collector writes is a response page (``data`` a list of tweets,
``includes`` with their users and tweets). Python reads the files' bytes; DuckDB decodes,
splits, parses and validates their lines in SQL, on every core, and stages their tweets and
users straight into the landing's tables; Python never decodes them.

The SQL is only ever *stricter* than ``x_records``: a line is taken here only when it is a
page whose every tweet and user passes the same checks (ids of digits, an ISO-8601
``created_at`` with an offset within 2006-2100, integer counts...) and which carries no API
errors. Any other line (another shape, a bad record, JSON DuckDB cannot read) is handed back
with its file and line number, and ``files_source`` reads those lines in Python, where every
problem is reported as before. So the landed rows and the reported problems are the same
whichever path a line took (``tests/test_hostile_input.py`` checks it on random input).
One difference is accepted: a bare integer beyond 64 bits in a field govpulse does not
read (X sends none) keeps its digits in the payload here, where Python's reader makes it a
float. In the fields govpulse reads (ids, counts) such a number sends the line to Python.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from extractors.landing import RawLanding

# The largest file read whole into memory here; bigger ones stream through Python.
MAX_FILE_BYTES = 64 * 2**20

_MACROS = [
    # The macros take the JSON text of a record's parts as DuckDB writes it back (compact,
    # strings unescaped where they can be; SQL null when the part is absent or null), so
    # most checks are a pattern on that text. Each follows x_records, never more leniently.
    # A JSON value that x_records._id accepts unchanged: a text of digits, or a whole number
    # that Python reads as an integer (within 64 bits; beyond, it reads a float).
    """create or replace temp macro gp_is_id(value) as
        coalesce(regexp_full_match(value, '"[0-9]{1,25}"|[0-9]{1,19}'), false)""",
    """create or replace temp macro gp_optional_id(value) as value is null or gp_is_id(value)""",
    # An ISO-8601 instant that x_records.parse_timestamp reads the same way (explicit
    # offset, milli- or microseconds); null when it is not one.
    """create or replace temp macro gp_instant(value) as
        case when regexp_full_match(value,
                  '"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]'
                  || '([.][0-9]{3}|[.][0-9]{6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"')
             then try_cast(trim(value, '"') as timestamptz) end""",
    """create or replace temp macro gp_in_range(instant) as
        coalesce(year(timezone('UTC', instant)) between 2006 and 2100, false)""",
    # A list of references, each an object with a text 'type' and an optional id: the form
    # X sends is matched as text, any other is looked at element by element.
    r"""create or replace temp macro gp_valid_references(refs) as
        regexp_full_match(refs, '\[\]|\[\{"type":"[a-z_]+","id":"[0-9]{1,25}"\}'
                                      || '(,\{"type":"[a-z_]+","id":"[0-9]{1,25}"\})*\]')
        or (starts_with(refs, '[')
            and coalesce(list_bool_and(list_transform(
                json_extract(refs, '$[*]'),
                lambda reference: json_type(reference) = 'OBJECT'
                    and coalesce(json_type(reference, '$.type') = 'VARCHAR', false)
                    and gp_optional_id(nullif(json_extract(reference, '$.id')::varchar,
                                              'null')))),
                true))""",
    # An object of whole numbers within 64 bits (or nulls).
    r"""create or replace temp macro gp_valid_counts(counts) as
        regexp_full_match(counts, '\{\}|\{"([^"\\]|\\.)*":([0-9]{1,19}|-[0-9]{1,18}|null)'
                                  || '(,"([^"\\]|\\.)*":([0-9]{1,19}|-[0-9]{1,18}|null))*\}')""",
    # x_records.tweet_record's checks, on the parts of one tweet.
    """create or replace temp macro gp_valid_tweet(
            id, author_id, created_at, text, conversation_id, in_reply_to_user_id,
            referenced_tweets, public_metrics) as
        gp_is_id(id) and gp_is_id(author_id)
        and gp_in_range(gp_instant(created_at))
        and (text is null or starts_with(text, '"'))
        and gp_optional_id(conversation_id) and gp_optional_id(in_reply_to_user_id)
        and (referenced_tweets is null or gp_valid_references(referenced_tweets))
        and (public_metrics is null or gp_valid_counts(public_metrics))""",
    # x_records.user_record's checks.
    """create or replace temp macro gp_valid_user(id, username, public_metrics) as
        gp_is_id(id) and coalesce(starts_with(username, '"'), false)
        and (public_metrics is null or starts_with(public_metrics, '{'))""",
]

# The parts of a line read here; a part of another type reads as null, which is also what
# Python makes of it (``includes`` or ``__twarc`` that are not objects are ignored there).
_PAGE_PARTS = ('{"data": ["JSON"], "includes": {"users": ["JSON"], "tweets": ["JSON"]}, '
               '"errors": "JSON", "__twarc": {"retrieved_at": "JSON"}}')
_TWEET_PARTS = ('{"id": "JSON", "author_id": "JSON", "created_at": "JSON", "text": "JSON", '
                '"conversation_id": "JSON", "in_reply_to_user_id": "JSON", '
                '"referenced_tweets": "JSON", "public_metrics": "JSON"}')
_USER_PARTS = '{"id": "JSON", "username": "JSON", "public_metrics": "JSON"}'

# One row per non-blank line of the batch (``jsonl_input``: each file's bytes, null when
# it could not be read).
_LINES = """
create or replace temp table jsonl_lines as
with files as (
    select source_file, default_fetched_at, try(decode(content)) as content
    from jsonl_input
),

readable as (
    -- BOMs and carriage returns change how Python splits or decodes: those files go there
    select source_file, default_fetched_at, string_split(content, chr(10)) as lines
    from files
    where content is not null
      and not contains(content, chr(13))
      and not starts_with(content, chr(65279))
),

numbered as (
    select source_file, default_fetched_at,
           unnest(lines) as line, unnest(range(1, len(lines) + 1)) as source_line
    from readable
)

-- empty lines are skipped (lines of blanks too, by Python: they are not JSON)
select * from numbered where line <> ''
"""

# The parts of a page each line holds, and whether DuckDB reads the line more leniently than
# Python: trailing commas and NaN, which Python refuses, make it leave the line to Python (so
# does a text that merely looks like one). Every line must be JSON here: see ``_parse``.
_PARSED = f"""
create or replace temp table jsonl_parsed as
with parsed as (
    select source_file, source_line, default_fetched_at,
           from_json(line, '{_PAGE_PARTS}') as page,
           regexp_matches(line, ',\\s*[]}}]') or contains(line, 'NaN')
               or contains(line, 'Infinity') as read_leniently
    from jsonl_lines
    {{only_json}}
)

select source_file, source_line, default_fetched_at, read_leniently, page.data as page_data,
       page.includes.tweets as included_tweets, page.includes.users as included_users,
       page.errors as errors, page.__twarc.retrieved_at as retrieved_at
from parsed
"""

# Every tweet and user of the lines that are pages of the shape read here, validated.
_RECORDS = f"""
create or replace temp table jsonl_records as
with fetched as (
    select source_file, source_line, page_data, included_tweets, included_users,
           case when retrieved_at is null then default_fetched_at
                when gp_in_range(gp_instant(retrieved_at)) then gp_instant(retrieved_at)
           end as fetched_at
    from jsonl_parsed
    where not read_leniently
      and len(page_data) > 0
      and (errors is null or errors = '[]')
),

jsonl_pages as (
    select * from fetched where fetched_at is not null
),

-- a record's place in its line, in the order Python reads them: data, then includes
page_tweets as (
    select source_file, source_line, fetched_at, unnest(page_data) as record,
           generate_subscripts(page_data, 1) as source_position
    from jsonl_pages
),

included_tweets as (
    select source_file, source_line, fetched_at, unnest(included_tweets) as record,
           len(page_data) + generate_subscripts(included_tweets, 1) as source_position
    from jsonl_pages
),

included_users as (
    select source_file, source_line, fetched_at, unnest(included_users) as record,
           generate_subscripts(included_users, 1) as source_position
    from jsonl_pages
),

tweets as (
    select *, unnest(from_json(record, '{_TWEET_PARTS}'))
    from (select * from page_tweets union all select * from included_tweets)
),

users as (
    select *, unnest(from_json(record, '{_USER_PARTS}'))
    from included_users
),

checked_tweets as (
    select source_file, source_line, source_position, fetched_at, 'tweet' as record_kind, record,
           trim(id, '"') as record_id,
           trim(author_id, '"') as author_or_username,
           gp_instant(created_at) as created_at,
           gp_valid_tweet(id, author_id, created_at, text, conversation_id,
                          in_reply_to_user_id, referenced_tweets, public_metrics) as is_valid
    from tweets
),

checked_users as (
    select source_file, source_line, source_position, fetched_at, 'user' as record_kind, record,
           trim(id, '"') as record_id,
           json_extract_string(username, '$') as author_or_username,
           null::timestamptz as created_at,
           gp_valid_user(id, username, public_metrics) as is_valid
    from users
)

select * from checked_tweets
union all
select * from checked_users
"""

# A page is landed here only when all it holds is valid.
_ACCEPTED = """
create or replace temp table jsonl_accepted as
select source_file, source_line
from jsonl_records
group by source_file, source_line
having bool_and(coalesce(is_valid, false))
"""

# The records landed here: those of the accepted pages.
_LANDED = """
create or replace temp view jsonl_landed as
select records.*
from jsonl_records as records
semi join jsonl_accepted as accepted
    on records.source_file = accepted.source_file
   and records.source_line = accepted.source_line
"""

_STAGE_TWEETS = """
select record_id, author_or_username, created_at, record, fetched_at, source_file, source_line,
       source_position
from jsonl_landed
where record_kind = 'tweet'
"""

_STAGE_USERS = """
select record_id, author_or_username, record, fetched_at, source_file, source_line,
       source_position
from jsonl_landed
where record_kind = 'user'
"""

# Per file: what was landed here, and the lines (or the whole file) left to Python.
_LEFTOVERS = """
with landed as (
    select source_file,
           count(*) filter (where record_kind = 'tweet') as tweets,
           count(*) filter (where record_kind = 'user') as users
    from jsonl_landed
    group by source_file
),

left_lines as (
    select source_file, list(source_line order by source_line) as python_lines
    from (
        select source_file, source_line from jsonl_lines
        except
        select source_file, source_line from jsonl_accepted
    )
    group by source_file
),

split_files as (
    select distinct source_file from jsonl_lines
)

select batch.source_file,
       coalesce(landed.tweets, 0), coalesce(landed.users, 0),
       coalesce(left_lines.python_lines, []),
       split_files.source_file is null as whole_file_to_python
from jsonl_batch as batch
left join landed on batch.source_file = landed.source_file
left join left_lines on batch.source_file = left_lines.source_file
left join split_files on batch.source_file = split_files.source_file
"""


@dataclass
class PagesResult:
    """What DuckDB landed from one file, and what it left to Python."""

    tweets: int = 0
    users: int = 0
    python_lines: list[int] = field(default_factory=list)
    whole_file_to_python: bool = False


def eligible(path: str | Path, size: int) -> bool:
    """Plain JSONL files small enough to read whole (gzip, .json and archives stream)."""
    return os.path.basename(path).lower().endswith(".jsonl") and size <= MAX_FILE_BYTES


# The files' bytes go to DuckDB in record batches of about this size, which its scans share
# among its threads (and Python holds each file's bytes only until its batch is built).
_RECORD_BATCH_BYTES = 16 * 2**20
_INPUT_SCHEMA = pa.schema([("source_file", pa.string()),
                           ("default_fetched_at", pa.timestamp("us", tz="UTC")),
                           ("content", pa.binary())])
# The files' bytes are copied into memory from the C library's allocator, not Arrow's default
# (mimalloc): a day's files at 10 M inbound replies (25,400 files, 131 MB) took 0.42 to 0.47 s
# to read and copy against 0.79 to 0.91 s; large files land as fast either way
# (docs/performance-history.md).
_CONTENT_POOL = pa.system_memory_pool()


def _read_bytes(path: str | Path) -> bytes | None:
    """A file's bytes; None when it cannot be read (Python reads it again and says why)."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _input_table(files: list[tuple[str | Path, str, datetime]]) -> pa.Table:
    """Each file's name shown, fetch time and bytes. Read here rather than by DuckDB's
    ``read_blob``, which takes several times as long to open many small files."""
    batches: list[pa.RecordBatch] = []
    rows: list[tuple[str, datetime, bytes | None]] = []

    def end_batch() -> None:
        names, fetched, contents = zip(*rows, strict=True)
        batches.append(pa.record_batch(
            [pa.array(names), pa.array(fetched),
             pa.array(contents, pa.binary(), memory_pool=_CONTENT_POOL)],
            schema=_INPUT_SCHEMA))
        rows.clear()

    held = 0
    for path, shown, fetched_at in files:
        content = _read_bytes(path)
        rows.append((shown, fetched_at, content))
        held += len(content or b"")
        if held >= _RECORD_BATCH_BYTES:
            end_batch()
            held = 0
    if rows:
        end_batch()
    return pa.Table.from_batches(batches, schema=_INPUT_SCHEMA)


def _parse(con: duckdb.DuckDBPyConnection) -> None:
    """Parse the batch's lines; when one is not JSON, again, skipping those (checking every
    line first costs more than parsing twice the rare batch with a broken line)."""
    try:
        con.execute(_PARSED.replace("{only_json}", ""))
    except (duckdb.InvalidInputException, UnicodeDecodeError):
        # (the error quotes the line, cut at a byte count: its message may not even decode)
        con.execute(_PARSED.replace("{only_json}", "where json_valid(line)"))


def land_pages(landing: RawLanding,
               files: list[tuple[str | Path, str, datetime]]) -> dict[str, PagesResult]:
    """Stage the clean pages of ``files`` (path, name shown, fetch time if the page has none).

    Returns, per name shown, the counts staged and the line numbers Python must read.
    """
    con: duckdb.DuckDBPyConnection = landing.con
    for macro in _MACROS:
        con.execute(macro)
    con.register("jsonl_input", _input_table(files))
    try:
        con.execute("create or replace temp table jsonl_batch as "
                    "select source_file, default_fetched_at from jsonl_input")
        con.execute(_LINES)
    finally:
        con.unregister("jsonl_input")
    _parse(con)
    for statement in (_RECORDS, _ACCEPTED, _LANDED):
        con.execute(statement)
    landing.stage_sql(tweets=_STAGE_TWEETS, users=_STAGE_USERS)
    results = {
        shown: PagesResult(tweets, users, list(lines), whole)
        for shown, tweets, users, lines, whole in con.execute(_LEFTOVERS).fetchall()
    }
    con.execute("drop view if exists jsonl_landed")
    for table in ("jsonl_lines", "jsonl_parsed", "jsonl_records", "jsonl_accepted", "jsonl_batch"):
        con.execute(f"drop table if exists {table}")
    return results
