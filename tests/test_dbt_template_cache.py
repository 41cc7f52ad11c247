"""dbt's Jinja templates kept compiled from one process to the next
(govpulse/dbt_template_cache.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import jinja2
import pytest
from dbt_common.clients import jinja as dbt_jinja

from govpulse import dbt_template_cache
from govpulse.dbt_template_cache import (
    TEMPLATE_CACHE_ENV,
    environment_fingerprint,
    keep_compiled_templates,
    remove_unused,
)
from govpulse.settings import dbt_state_path
from tests.conftest import run_tiny_dbt, tiny_dbt_project

# a macro (which dbt's parser renames), a loop, a filter and `do`, as dbt's templates have them
TEMPLATE = ("{% macro shout(word) %}{{ word | upper }}!{% endmacro %}{% set seen = [] %}"
            "{% for word in words %}{% do seen.append(word) %}{{ word | upper }}! {% endfor %}")


@pytest.fixture
def compiled(monkeypatch):
    """Counts Jinja's own compilations; Environment.compile is restored after the test."""
    calls: list[str] = []
    original = jinja2.Environment.compile

    def counting(self, source, *args, **kwargs):
        calls.append(source)
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return calls


def _render(source: str = TEMPLATE, native: bool = False) -> str:
    """``source`` rendered as dbt renders it: a new environment of dbt's for each template."""
    template = dbt_jinja.get_environment(native=native).from_string(source)
    return str(template.render({"words": ["a", "b"]}))


def test_a_template_is_compiled_once_then_loaded_by_a_later_process(tmp_path, compiled):
    keep_compiled_templates(tmp_path / "templates")
    assert _render() == "A! B! "
    assert len(compiled) == 1
    assert len(list((tmp_path / "templates").iterdir())) == 1
    # a new environment, as in the next process: loaded, not compiled, and renders the same
    assert _render() == "A! B! "
    assert len(compiled) == 1
    # another source is compiled (and kept) in its turn
    assert _render(TEMPLATE + "done") == "A! B! done"
    assert len(compiled) == 2


def test_a_template_is_reused_only_by_an_environment_that_compiles_it_the_same_way(
        tmp_path, compiled):
    keep_compiled_templates(tmp_path / "templates")
    _render(native=False)
    _render(native=True)  # dbt's native environment has another code generator
    assert len(compiled) == 2
    text, native = (dbt_jinja.get_environment(native=flag) for flag in (False, True))
    versions = dbt_template_cache.package_versions()
    assert environment_fingerprint(text, versions) != environment_fingerprint(native, versions)
    assert environment_fingerprint(text, versions) == environment_fingerprint(
        dbt_jinja.get_environment(), versions)
    # a filter more, or one that asks for its context, changes the compiled code
    with_filter = dbt_jinja.get_environment()
    with_filter.filters["extra"] = str
    assert environment_fingerprint(with_filter, versions) != environment_fingerprint(
        text, versions)
    context_filter = dbt_jinja.get_environment()
    context_filter.filters["upper"] = jinja2.pass_context(lambda context, value: value)
    assert environment_fingerprint(context_filter, versions) != environment_fingerprint(
        text, versions)
    # and so do the versions of Jinja and dbt
    assert environment_fingerprint(text, versions + " dbt-core==0") != environment_fingerprint(
        text, versions)


def test_an_unreadable_entry_is_compiled_again_and_written_anew(tmp_path, compiled):
    folder = tmp_path / "templates"
    keep_compiled_templates(folder)
    _render()
    (entry,) = folder.iterdir()
    entry.write_bytes(b"not a compiled template")
    assert _render() == "A! B! "
    assert len(compiled) == 2
    assert _render() == "A! B! "  # the entry written anew is loaded
    assert len(compiled) == 2


def test_a_folder_that_cannot_be_written_compiles_as_dbt_does(tmp_path, compiled):
    blocked = tmp_path / "a file"
    blocked.write_text("", encoding="utf-8")
    keep_compiled_templates(blocked / "templates")  # cannot be created
    assert _render() == "A! B! "
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        keep_compiled_templates(readonly)
        assert _render() == "A! B! "
        assert _render() == "A! B! "
    finally:
        readonly.chmod(0o700)
    if os.geteuid() != 0:  # root writes anyway
        assert list(readonly.iterdir()) == []


def test_macro_debugging_compiles_as_dbt_does(tmp_path, compiled, monkeypatch):
    monkeypatch.setattr(dbt_jinja, "MACRO_DEBUGGING", "1")
    keep_compiled_templates(tmp_path / "templates")
    _render()
    _render()
    assert len(compiled) == 2
    assert list((tmp_path / "templates").iterdir()) == []


def test_entries_unused_for_a_month_are_removed(tmp_path):
    old, recent = tmp_path / "old.jinja", tmp_path / "recent.jinja"
    for entry in (old, recent):
        entry.write_bytes(b"")
    month_ago = time.time() - 31 * 86_400
    os.utime(old, (month_ago, month_ago))
    remove_unused(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["recent.jinja"]
    remove_unused(tmp_path / "missing")  # nothing to do, no error


def test_a_loaded_entry_counts_as_used(tmp_path, compiled):
    folder = tmp_path / "templates"
    keep_compiled_templates(folder)
    _render()
    (entry,) = folder.iterdir()
    month_ago = time.time() - 31 * 86_400
    os.utime(entry, (month_ago, month_ago))
    _render()  # loaded: marked as used now
    remove_unused(folder)
    assert entry.exists()


def _run(project: Path, templates: Path) -> int:
    """``govpulse-dbt run`` of the tiny project; the answer it built."""
    run_tiny_dbt(project, "run", **{TEMPLATE_CACHE_ENV: str(templates)})
    with duckdb.connect(str(project / "tiny.duckdb"), read_only=True) as con:
        return con.execute("select answer from doubled").fetchone()[0]


@pytest.mark.e2e
def test_govpulse_dbt_keeps_its_compiled_templates_for_the_next_run(tmp_path):
    # two views, one of them calling a macro
    project = tiny_dbt_project(
        tmp_path / "tiny",
        {"base": "select 21 as answer",
         "doubled": "select {{ doubled('answer') }} as answer from {{ ref('base') }}"},
        {"doubled": "{% macro doubled(column) %}{{ column }} * 2{% endmacro %}"})
    templates = tmp_path / "templates"
    assert _run(project, templates) == 42
    assert len(list(templates.iterdir())) > 20  # dbt's macros, the models
    two_days_ago = time.time() - 2 * 86_400
    for entry in templates.iterdir():
        os.utime(entry, (two_days_ago, two_days_ago))
    kept = {entry.name: entry.stat().st_ino for entry in templates.iterdir()}
    assert _run(project, templates) == 42
    after = {entry.name: entry.stat() for entry in templates.iterdir()}
    # no entry was written again (a new entry replaces the file), and the second run loaded
    # most of them (each marks its entry as used)
    assert all(after[name].st_ino == inode for name, inode in kept.items())
    loaded = [name for name in kept if after[name].st_mtime > two_days_ago + 86_400]
    assert len(loaded) > len(kept) // 2


def test_a_pipeline_run_keeps_dbts_compiled_templates_for_the_next(demo_warehouse):
    """`govpulse run` (Dagster's dbt asset) names the folder beside the build copy."""
    folder = dbt_state_path(demo_warehouse, "duckdb", dbt_template_cache.STATE_NAME)
    assert len(list(folder.glob("*.jinja"))) > 100  # the project's macros, models and tests
