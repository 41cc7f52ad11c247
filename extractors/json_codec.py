"""Fast JSON for the hot paths (orjson), with the standard library as the fallback for what
orjson refuses (integers beyond 64 bits): the same values either way."""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)  # raises json.JSONDecodeError with line and column


def problem(exc: json.JSONDecodeError) -> str:
    """What is wrong with a document, in Python's words without its position: some of its
    messages end in a dangling "at" ("Invalid control character at") that expects one."""
    return exc.msg.removesuffix(" at")


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
