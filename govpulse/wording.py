"""Counts as the run's messages write them: "1 file", "2 files", "12,040 tweets"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and ``noun`` (``plural`` if not noun + "s")."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
