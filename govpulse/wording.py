"""Counts and lists as the run's messages write them: "1 file", "12,040 tweets", "a, b and c"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and ``noun`` (``plural`` if not noun + "s")."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def joined(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``; one item alone."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def unreadable_note(files: int) -> str:
    """``", 2 files unreadable"`` when any input file could not be read, else nothing."""
    return f", {counted(files, 'file')} unreadable" if files else ""


def files_read(read: int, unchanged: int) -> str:
    """``"86 files"``; with files not read again: ``"2 files (84 unchanged since landed)"``."""
    return counted(read, "file") + (f" ({unchanged:,} unchanged since landed)" if unchanged
                                    else "")
