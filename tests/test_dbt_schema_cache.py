"""The JSON schemas dbt validates against, kept from one process to the next
(govpulse/dbt_schema_cache.py)."""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass

import pytest
from dbt_common.dataclass_schema import ValidationError, dbtClassMixin

from govpulse import dbt_schema_cache
from govpulse.dbt_schema_cache import JSON_SCHEMAS_ENV, class_key, keep_json_schemas
from govpulse.settings import dbt_state_path
from tests.conftest import run_tiny_dbt, tiny_dbt_project


@dataclass
class Settings(dbtClassMixin):
    """A dataclass dbt validates data against, as its project and profile classes."""

    name: str
    threads: int = 1


class Builds(list):
    """The classes whose schema dbt built; ``next_process()`` takes dbt's own json_schema
    back, as a new process starts with it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        super().__init__()
        self.monkeypatch = monkeypatch
        original = dbtClassMixin.__dict__["json_schema"]

        def counting(cls):
            self.append(cls)
            return original.__func__(cls)

        self.counting = classmethod(counting)
        self.next_process()

    def next_process(self) -> None:
        self.monkeypatch.setattr(dbtClassMixin, "json_schema", self.counting)


@pytest.fixture
def built(monkeypatch):
    """Counts the schemas dbt builds; its own json_schema is restored after the test."""
    return Builds(monkeypatch)


def test_a_schema_is_built_once_then_read_by_a_later_process(tmp_path, built):
    path = tmp_path / "json_schemas.json"
    keep_json_schemas(path)
    Settings.validate({"name": "govpulse", "threads": 2})
    assert built == [Settings]
    kept = json.loads(path.read_text(encoding="utf-8"))
    (schema,) = kept.values()
    assert schema["properties"]["threads"]["type"] == "integer"
    # the next process: read, not built, and validates the same
    built.next_process()
    keep_json_schemas(path)
    Settings.validate({"name": "govpulse"})
    with pytest.raises(ValidationError):
        Settings.validate({"name": "govpulse", "threads": "two"})
    assert built == [Settings]


def test_a_schema_kept_for_other_versions_or_another_definition_is_built_again(
        tmp_path, built, monkeypatch):
    path = tmp_path / "json_schemas.json"
    keep_json_schemas(path)
    Settings.validate({"name": "govpulse"})
    versions = dbt_schema_cache.package_versions()
    key = class_key(Settings, versions)
    assert key is not None and key.startswith(versions)
    # other versions of dbt: built again
    monkeypatch.setattr(dbt_schema_cache, "package_versions", lambda: versions + " dbt-core==0")
    built.next_process()
    keep_json_schemas(path)
    Settings.validate({"name": "govpulse"})
    assert built == [Settings, Settings]
    # what was kept for the other versions is dropped from the file
    assert all(name.startswith(versions + " dbt-core==0|")
               for name in json.loads(path.read_text(encoding="utf-8")))


def test_a_class_is_keyed_by_the_files_that_define_it(tmp_path, monkeypatch):
    module = tmp_path / "adapter_credentials.py"
    module.write_text("from dataclasses import dataclass\n"
                      "from dbt_common.dataclass_schema import dbtClassMixin\n"
                      "@dataclass\nclass Credentials(dbtClassMixin):\n    host: str\n",
                      encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    credentials = importlib.import_module("adapter_credentials").Credentials
    before = class_key(credentials, "versions")
    assert before is not None and "adapter_credentials.Credentials:" in before
    assert "dbt_common.dataclass_schema.dbtClassMixin:" in before
    module.write_text(module.read_text(encoding="utf-8") + "    port: int = 5432\n",
                      encoding="utf-8")  # the adapter upgraded
    assert class_key(credentials, "versions") != before
    monkeypatch.delitem(sys.modules, "adapter_credentials")


def test_an_unreadable_file_is_written_anew(tmp_path, built):
    path = tmp_path / "json_schemas.json"
    path.write_text("{not json", encoding="utf-8")
    keep_json_schemas(path)
    Settings.validate({"name": "govpulse"})
    assert len(json.loads(path.read_text(encoding="utf-8"))) == 1


def test_a_file_that_cannot_be_written_validates_as_dbt_does(tmp_path, built):
    blocked = tmp_path / "a file"
    blocked.write_text("", encoding="utf-8")
    keep_json_schemas(blocked / "json_schemas.json")
    Settings.validate({"name": "govpulse"})
    with pytest.raises(ValidationError):
        Settings.validate({"threads": 2})


def _kept_classes(path) -> set[str]:
    """The names of the classes whose schemas ``path`` keeps (each key's first class)."""
    return {key.split("|")[1].split(":")[0].rsplit(".", 1)[-1]
            for key in json.loads(path.read_text(encoding="utf-8"))}


@pytest.mark.e2e
def test_govpulse_dbt_keeps_the_schemas_of_its_project_and_profile(tmp_path):
    project = tiny_dbt_project(tmp_path / "tiny", {"one": "select 1 as one"})
    path = tmp_path / "json_schemas.json"
    run_tiny_dbt(project, "parse", **{JSON_SCHEMAS_ENV: str(path)})
    written = path.stat().st_mtime_ns
    run_tiny_dbt(project, "parse", **{JSON_SCHEMAS_ENV: str(path)})
    assert path.stat().st_mtime_ns == written  # the second run built none: it read them all
    assert {"Project", "DuckDBCredentials"} <= _kept_classes(path)


def test_a_pipeline_run_keeps_dbts_json_schemas_for_the_next(demo_warehouse):
    """`govpulse run` (Dagster's dbt asset) names the file beside the build copy."""
    path = dbt_state_path(demo_warehouse, "duckdb", dbt_schema_cache.STATE_NAME)
    assert {"Project", "ProfileConfig", "DuckDBCredentials"} <= _kept_classes(path)
