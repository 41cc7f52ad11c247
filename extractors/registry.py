"""The account registry: the CSV or YAML file of official accounts that users edit.

Required columns: ``handle``, ``department``. Optional: ``account_id``,
``display_name``, ``ministry``, ``level``, ``account_type``, ``timezone``.
A problem stops the run with a message naming the file, the line and what is
wrong, so nothing is built from a registry that was not meant.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

REQUIRED_COLUMNS = ("handle", "department")
OPTIONAL_COLUMNS = ("account_id", "display_name", "ministry", "level", "account_type",
                    "timezone")
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
ACCOUNT_TYPES = ("institution", "official")
USERNAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_ACCOUNT_ID = re.compile(r"^[0-9]{1,25}$")


class RegistryError(ValueError):
    """The registry cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class RegistryAccount:
    line_number: int
    handle: str
    department: str
    account_id: str | None = None
    display_name: str | None = None
    ministry: str | None = None
    level: str | None = None
    account_type: str | None = None
    timezone: str | None = None

    @property
    def handle_key(self) -> str:
        return self.handle.lower()

    @property
    def is_valid_username(self) -> bool:
        return bool(USERNAME.match(self.handle))


def normalise_handle(value: str) -> str:
    """``' @DCLahore '`` -> ``'DCLahore'``: strip blanks and one leading ``@``."""
    text = value.strip()
    return text[1:].strip() if text.startswith("@") else text


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (``Asia/Karachi``), as the warehouse documents."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # ValueError: not a zone key ("../x", "/x")
        return False
    return True


def _rows_from_csv(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RegistryError(f"{path}: the file is empty; expected a header line with "
                            f"{', '.join(REQUIRED_COLUMNS)}") from None
    columns = [column.strip().lower() for column in header]
    _check_columns(path, 1, columns)
    rows = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            raise RegistryError(f"{path}, line {line}: {len(row)} values for {len(columns)} "
                                f"columns (a stray comma or an unquoted value?)")
        rows.append((line, dict(zip(columns, row, strict=False))))
    return rows


def _rows_from_yaml(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        document = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None)
        if mark is None or problem is None:
            raise RegistryError(f"{path}: not valid YAML ({exc})") from exc
        raise RegistryError(f"{path}, line {mark.line + 1}, column {mark.column + 1}: not valid "
                            f"YAML ({problem})") from exc
    if document is None:
        raise RegistryError(f"{path}: the file is empty")
    if isinstance(document, yaml.MappingNode):
        accounts = [value for key, value in document.value if key.value == "accounts"]
        if not accounts:
            raise RegistryError(f"{path}, line {document.start_mark.line + 1}: expected a list "
                                "of accounts, or a mapping with an 'accounts' list")
        document = accounts[0]
    if not isinstance(document, yaml.SequenceNode):
        raise RegistryError(f"{path}, line {document.start_mark.line + 1}: expected a list of "
                            "accounts")
    rows = []
    for node in document.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise RegistryError(f"{path}, line {line}: each account must be a mapping")
        row = {}
        for key, value in node.value:
            column = str(key.value).strip().lower()
            if not isinstance(value, yaml.ScalarNode):
                raise RegistryError(f"{path}, line {value.start_mark.line + 1}: {column} must "
                                    "be one value, not a list or a mapping")
            row[column] = value.value
        _check_columns(path, line, list(row))
        rows.append((line, row))
    return rows


def _check_columns(path: Path, line: int, columns: list[str]) -> None:
    unknown = [column for column in columns if column not in KNOWN_COLUMNS]
    if unknown:
        raise RegistryError(f"{path}, line {line}: unknown column {unknown[0]!r} "
                            f"(known: {', '.join(KNOWN_COLUMNS)})")
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing and line == 1:
        raise RegistryError(f"{path}, line 1: missing required column {missing[0]!r}")


def load_registry(path: Path) -> list[RegistryAccount]:
    """Read and validate a registry file (``.csv``, ``.yaml`` or ``.yml``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the registry ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = _rows_from_yaml(path, text)
    else:
        rows = _rows_from_csv(path, text)
    accounts: list[RegistryAccount] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        handle = normalise_handle(str(row.get("handle") or ""))
        if not handle:
            raise RegistryError(f"{path}, line {line}: empty handle")
        department = _clean(row.get("department"))
        if not department:
            raise RegistryError(f"{path}, line {line}: empty department for handle {handle!r}")
        key = handle.lower()
        if key in seen:
            raise RegistryError(f"{path}, line {line}: duplicate handle {handle!r} "
                                f"(already on line {seen[key]})")
        seen[key] = line
        account_id = _clean(row.get("account_id"))
        if account_id and not _ACCOUNT_ID.match(account_id):
            raise RegistryError(f"{path}, line {line}: account_id {account_id!r} is not a "
                                "numeric X user id")
        account_type = (_clean(row.get("account_type")) or "").lower() or None
        if account_type and account_type not in ACCOUNT_TYPES:
            raise RegistryError(f"{path}, line {line}: account_type {account_type!r} for handle "
                                f"{handle!r}: expected {' or '.join(ACCOUNT_TYPES)}")
        timezone = _clean(row.get("timezone"))
        if timezone and not _is_time_zone(timezone):
            raise RegistryError(f"{path}, line {line}: timezone {timezone!r} for handle "
                                f"{handle!r} is not an IANA time zone (e.g. Asia/Karachi)")
        accounts.append(RegistryAccount(
            line_number=line,
            handle=handle,
            department=department,
            account_id=account_id,
            display_name=_clean(row.get("display_name")),
            ministry=_clean(row.get("ministry")),
            level=(_clean(row.get("level")) or "").lower() or None,
            account_type=account_type,
            timezone=timezone,
        ))
    if not accounts:
        raise RegistryError(f"{path}: no accounts in the registry")
    return accounts
