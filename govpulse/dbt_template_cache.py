"""dbt's Jinja templates kept compiled from one dbt process to the next.

dbt (1.11) compiles every macro, model and test it renders from its source in each process
(``jinja2.Environment.from_string``, which Jinja's own bytecode cache does not serve): about
390 compilations of 314 templates and 0.6 s of Python in a daily build, the same every day. When
``GOVPULSE_DBT_TEMPLATE_CACHE`` names a folder, ``govpulse-dbt`` keeps each compiled template
there with Jinja's ``FileSystemBytecodeCache`` (its checks included: Jinja's and Python's
bytecode version, and the source's checksum) and a later process loads it instead of compiling
it again.

What Jinja turns a source into also depends on the environment compiling it: its class and
code generator, its extensions, its syntax settings and which filters and tests it has (with
what they ask to be passed). All of that, and the versions of Jinja and dbt, go into each
template's key, so a template is only ever reused by an environment that would have compiled
it the same way. Entries not used for ``KEEP_UNUSED_DAYS`` are removed as a process starts.
With dbt's macro debugging on (``DBT_MACRO_DEBUGGING``), which gives each compiled template
its own file name, templates are compiled as dbt does.

A folder that cannot be read or written costs only the time saved: templates are compiled then.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

from govpulse.installed_versions import installed_versions

TEMPLATE_CACHE_ENV = "GOVPULSE_DBT_TEMPLATE_CACHE"
# the folder's name for ``dbt_state_path`` (not imported here: the launcher starts lean)
STATE_NAME = "templates"
KEEP_UNUSED_DAYS = 30
# an entry's file name, from its key (Jinja's ``FileSystemBytecodeCache`` pattern)
ENTRY_PATTERN = "%s.jinja"
# whose versions a compiled template depends on (dbt's extensions and parser included)
PACKAGES = ("jinja2", "dbt-core", "dbt-common", "dbt-adapters")
# the settings of an environment that change what its templates compile to
SYNTAX_SETTINGS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix",
    "line_comment_prefix", "trim_blocks", "lstrip_blocks", "newline_sequence",
    "keep_trailing_newline", "optimized", "is_async", "sandboxed",
)


def _name(value: Any) -> str:
    """A class's or function's importable name; the value itself for anything else."""
    qualname = getattr(value, "__qualname__", None)
    if qualname is None:
        return repr(value)
    return f"{getattr(value, '__module__', '')}.{qualname}"


def _callables(functions: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each filter's or test's name with what it asks Jinja to pass it (a compile-time choice)."""
    return sorted((name, str(getattr(function, "jinja_pass_arg", None)))
                  for name, function in functions.items())


def environment_fingerprint(environment: Any, versions: str) -> str:
    """What, besides a template's source, decides the code ``environment`` compiles it to."""
    finalize = environment.finalize
    parts = [
        versions,
        _name(type(environment)),
        _name(environment.code_generator_class),
        repr(sorted((identifier, _name(type(extension)))
                    for identifier, extension in environment.extensions.items())),
        repr([getattr(environment, setting, None) for setting in SYNTAX_SETTINGS]),
        _name(environment.autoescape) if callable(environment.autoescape)
        else repr(environment.autoescape),
        "" if finalize is None
        else f"{_name(finalize)}:{getattr(finalize, 'jinja_pass_arg', None)}",
        repr(_callables(environment.filters)),
        repr(_callables(environment.tests)),
        repr(sorted(getattr(environment, "intercepted_binops", ()))),
        repr(sorted(getattr(environment, "intercepted_unops", ()))),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def package_versions() -> str:
    """The installed versions of ``PACKAGES``."""
    return installed_versions(PACKAGES)


def remove_unused(directory: Path, days: float = KEEP_UNUSED_DAYS) -> None:
    """Remove the entries of ``directory`` neither written nor loaded for ``days``."""
    cutoff = time.time() - days * 86_400
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)


def keep_compiled_templates(directory: Path) -> None:
    """From now on in this process, Jinja's compiled templates are kept in ``directory``."""
    import jinja2
    from dbt_common.clients import jinja as dbt_jinja
    from jinja2.bccache import FileSystemBytecodeCache

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    remove_unused(directory)
    cache = FileSystemBytecodeCache(str(directory), ENTRY_PATTERN)
    versions = package_versions()
    compile_template = jinja2.Environment.compile

    def compile_or_load(self: jinja2.Environment, source: Any, name: str | None = None,
                        filename: str | None = None, raw: bool = False,
                        defer_init: bool = False) -> Any:
        if raw or not isinstance(source, str) or dbt_jinja.MACRO_DEBUGGING:
            return compile_template(self, source, name, filename, raw, defer_init)
        # one entry per source and environment (the bucket checks the source's checksum too)
        key = (f"{environment_fingerprint(self, versions)}|{name}|{filename}|{defer_init}|"
               f"{hashlib.sha256(source.encode('utf-8')).hexdigest()}")
        try:
            bucket = cache.get_bucket(self, key, None, source)
        except Exception:  # an unreadable entry: compiled again and written anew
            bucket = None
        if bucket is not None and isinstance(bucket.code, CodeType):
            used(directory / (ENTRY_PATTERN % bucket.key))
            return bucket.code
        code = compile_template(self, source, name, filename, raw, defer_init)
        if bucket is not None:
            bucket.code = code
            with contextlib.suppress(OSError):
                cache.set_bucket(bucket)
        return code

    jinja2.Environment.compile = compile_or_load  # type: ignore[method-assign]


def used(entry: Path) -> None:
    """Mark ``entry`` as used now (``remove_unused`` keeps it)."""
    with contextlib.suppress(OSError):
        os.utime(entry)


def keep_from_environment(environment: Mapping[str, str] = os.environ) -> None:
    """Keep compiled templates in the folder ``GOVPULSE_DBT_TEMPLATE_CACHE`` names, if any."""
    folder = environment.get(TEMPLATE_CACHE_ENV, "")
    if folder:
        keep_compiled_templates(Path(folder))
