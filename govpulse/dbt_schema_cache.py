"""The JSON schemas dbt validates its project, profile and flags against, kept from one dbt
process to the next.

dbt (1.11) builds each of those schemas from its dataclasses with mashumaro in every process
(``dbtClassMixin.json_schema``, cached for the process only): 0.26 to 0.30 s of a daily build's
start, the same schemas every time. When ``GOVPULSE_DBT_JSON_SCHEMAS`` names a file,
``govpulse-dbt`` keeps there each schema it built, and a later process reads it instead of
building it again.

A schema depends only on its class's definition. Each kept schema is keyed by the versions of
dbt's packages and mashumaro and, for each class in the class's method resolution order, the
size and modification time of the module that defines it (an adapter installed or upgraded
anew rewrites its modules). A schema whose key no longer matches is built again, and the file
rewritten whole (a crash leaves the earlier file). A file missing, unreadable or not writable
costs only the time saved.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govpulse.installed_versions import installed_versions

JSON_SCHEMAS_ENV = "GOVPULSE_DBT_JSON_SCHEMAS"
# the file's name for ``dbt_state_path`` (not imported here: the launcher starts lean)
STATE_NAME = "json_schemas.json"
PACKAGES = ("dbt-core", "dbt-common", "dbt-adapters", "dbt-duckdb", "dbt-spark",
            "dbt-semantic-interfaces", "mashumaro")


def package_versions() -> str:
    """The installed versions of ``PACKAGES``."""
    return installed_versions(PACKAGES)


def class_key(cls: type, versions: str) -> str | None:
    """What ``cls``'s schema is kept under; None when a module defining it has no file."""
    modules = []
    for klass in cls.__mro__:
        if klass.__module__ == "builtins":
            continue
        path = getattr(sys.modules.get(klass.__module__), "__file__", None)
        if not path:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        modules.append(f"{klass.__module__}.{klass.__qualname__}:{stat.st_size}:"
                       f"{stat.st_mtime_ns}")
    return f"{versions}|{'|'.join(modules)}"


def load(path: Path) -> dict[str, Any]:
    """The kept schemas by key; empty when there is no readable file."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def save(path: Path, schemas: Mapping[str, Any]) -> None:
    """Write ``schemas`` to ``path`` whole or not at all."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        written = path.with_name(f"{path.name}.{os.getpid()}.new")
        written.write_text(json.dumps(schemas, sort_keys=True), encoding="utf-8")
        written.replace(path)


def keep_json_schemas(path: Path) -> None:
    """From now on in this process, dbt's JSON schemas are read from and kept in ``path``."""
    from dbt_common.dataclass_schema import dbtClassMixin

    build = dbtClassMixin.__dict__["json_schema"].__func__  # dbt's own, cached per process
    versions = package_versions()
    kept = load(path)
    served: dict[type, Any] = {}  # this process's schemas, by class: each key worked out once
    lock = threading.Lock()

    def json_schema(cls: type) -> Any:
        nonlocal kept
        with lock:
            schema = served.get(cls)
            if schema is not None:
                return schema
            key = class_key(cls, versions)
            schema = build(cls) if key is None else kept.get(key)
            if schema is None:
                schema = build(cls)
                # kept for these versions of dbt, with the one built; others are dropped
                kept = {**{name: value for name, value in kept.items()
                           if name.startswith(f"{versions}|")}, key: schema}
                save(path, kept)
            served[cls] = schema
            return schema

    dbtClassMixin.json_schema = classmethod(json_schema)  # type: ignore[method-assign,assignment]


def keep_from_environment(environment: Mapping[str, str] = os.environ) -> None:
    """Keep dbt's JSON schemas in the file ``GOVPULSE_DBT_JSON_SCHEMAS`` names, if any."""
    path = environment.get(JSON_SCHEMAS_ENV, "")
    if path:
        keep_json_schemas(Path(path))
