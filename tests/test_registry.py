"""Registry validation: every problem names the file and the line."""

from __future__ import annotations

import pytest

from extractors.registry import RegistryError, load_registry, normalise_handle


def _write(tmp_path, text: str, name: str = "registry.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_valid_csv_with_bom_crlf_quotes_and_handles_typed_any_way(tmp_path):
    path = _write(tmp_path, "\ufeffhandle,department,display_name,level\r\n"
                            "@DCLahore,Lahore District Administration,\"DC, Lahore\",District\r\n"
                            " mowr_official ,Ministry of Water Resources,,federal\r\n\r\n")
    accounts = load_registry(path)
    assert [account.handle for account in accounts] == ["DCLahore", "mowr_official"]
    assert accounts[0].display_name == "DC, Lahore"
    assert accounts[0].level == "district"
    assert accounts[1].display_name is None
    assert accounts[0].line_number == 2 and accounts[1].line_number == 3


@pytest.mark.parametrize(("text", "message"), [
    ("handle,department\nDCLahore,Lahore\n@dclahore,Lahore\n",
     "line 3: duplicate handle 'dclahore' (already on line 2)"),
    ("handle,department\nDCLahore,\n", "line 2: empty department for handle 'DCLahore'"),
    ("handle,department,colour\nDCLahore,Lahore,blue\n", "line 1: unknown column 'colour'"),
    ("handle,display_name\nDCLahore,DC\n", "line 1: missing required column 'department'"),
    ("handle,department\n@,Lahore\n", "line 2: empty handle"),
    ("handle,department\nDCLahore,Lahore,extra\n", "line 2: 3 values for 2 columns"),
    ("handle,department,account_id\nDCLahore,Lahore,abc\n", "line 2: account_id 'abc'"),
    ("handle,department,account_type\nDCLahore,Lahore,Bot\n",
     "line 2: account_type 'bot' for handle 'DCLahore': expected institution or official"),
    ("handle,department,timezone\nDCLahore,Lahore,Asia/Lahore\n",
     "line 2: timezone 'Asia/Lahore' for handle 'DCLahore' is not an IANA time zone"),
    ("handle,department,timezone\nDCLahore,Lahore,../etc/passwd\n",
     "line 2: timezone '../etc/passwd' for handle 'DCLahore' is not an IANA time zone"),
    ("", "the file is empty"),
])
def test_bad_csv_is_rejected_with_file_and_line(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(RegistryError) as error:
        load_registry(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_yaml_registry_and_its_line_numbers(tmp_path):
    path = _write(tmp_path, "accounts:\n  - handle: DCLahore\n    department: Lahore\n"
                            "  - handle: '@dclahore'\n    department: Lahore\n", "registry.yaml")
    with pytest.raises(RegistryError, match=r"line 4: duplicate handle"):
        load_registry(path)
    path = _write(tmp_path, "- handle: DCLahore\n  department: Lahore\n  ministry: Interior\n",
                  "registry.yml")
    assert load_registry(path)[0].ministry == "Interior"


@pytest.mark.parametrize(("text", "message"), [
    ("- handle: DCLahore\n  department:\n    - Lahore\n    - Punjab\n",
     "line 3: department must be one value, not a list or a mapping"),
    ("- handle: DCLahore\n  department: Lahore\n   ministry: : Interior\n",
     "line 3, column 12: not valid YAML (mapping values are not allowed here)"),
])
def test_bad_yaml_is_rejected_with_file_and_line(tmp_path, text, message):
    path = _write(tmp_path, text, "registry.yaml")
    with pytest.raises(RegistryError) as error:
        load_registry(path)
    assert str(error.value) == f"{path}, {message}"


def test_account_types_and_time_zones_are_read_as_documented(tmp_path):
    path = _write(tmp_path, "handle,department,account_type,timezone\n"
                            "DCLahore,Lahore,Official,Asia/Karachi\nMoWR,Water,,UTC\n")
    accounts = load_registry(path)
    assert [(account.account_type, account.timezone) for account in accounts] == [
        ("official", "Asia/Karachi"), (None, "UTC")]


def test_unreadable_and_not_utf8(tmp_path):
    with pytest.raises(RegistryError, match="cannot read the registry"):
        load_registry(tmp_path / "missing.csv")
    path = _write(tmp_path, "handle,department\nDC,Lahore\xe9\n", encoding="latin-1")
    with pytest.raises(RegistryError, match="not UTF-8"):
        load_registry(path)


def test_normalise_handle():
    assert normalise_handle("  @DCLahore ") == "DCLahore"
    assert normalise_handle("DCLahore") == "DCLahore"
