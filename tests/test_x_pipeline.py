"""`govpulse run --source x` end to end against the loopback stand-in of the X API."""

from __future__ import annotations

import os

import pytest

from tests.conftest import AS_OF, AS_OF_TEXT, marts_snapshot, restored_environment
from tests.x_standin import Corpus, StandIn

pytestmark = pytest.mark.e2e

TOKEN = "AAAAgovpulse-e2e-FAKE-token-7f3c9d"


def _run_x(registry, warehouse, url: str, token: str = TOKEN, access: str = "pro") -> int:
    from govpulse.cli import main

    with restored_environment():
        os.environ.update({"X_BEARER_TOKEN": token, "GOVPULSE_X_API_BASE_URL": url,
                           "GOVPULSE_X_ACCESS_LEVEL": access, "GOVPULSE_X_LOOKBACK_DAYS": "0"})
        return main(["run", "--registry", str(registry), "--source", "x", "--warehouse",
                     str(warehouse), "--as-of", AS_OF_TEXT])


def test_x_source_gives_the_same_marts_as_the_files(demo_corpus, demo_warehouse, tmp_path,
                                                    capsys):
    """The demo corpus served by the stand-in gives the marts of its files' build."""
    from_x = tmp_path / "x" / "govpulse.duckdb"
    with StandIn(Corpus.from_folder(demo_corpus.out_dir), TOKEN, now=AS_OF) as standin:
        assert _run_x(demo_corpus.registry, from_x, standin.url) == 0
    out = capsys.readouterr().out
    assert "extracted from the X API:" in out
    assert f"{demo_corpus.accounts} accounts active" in out
    assert marts_snapshot(from_x) == marts_snapshot(demo_warehouse)


def test_the_token_never_reaches_an_output(demo_corpus, tmp_path, capsys, caplog, monkeypatch):
    """Good, refused and flaky runs: the token is in no log, message, file or event."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    warehouse = tmp_path / "govpulse.duckdb"
    with StandIn(Corpus.from_folder(demo_corpus.out_dir), TOKEN, now=AS_OF) as standin:
        standin.fail_next("/2/users/", 503)
        standin.fail_next("/2/tweets/search", 429)
        assert _run_x(demo_corpus.registry, warehouse, standin.url, access="basic") == 0
        assert _run_x(demo_corpus.registry, warehouse, standin.url, token=TOKEN + "-wrong") == 1
    captured = capsys.readouterr()
    assert "X_BEARER_TOKEN" in captured.err  # the refusal says what to fix
    # ...in the run's last words, without Dagster's class path
    [last_words] = [line for line in captured.err.splitlines()
                    if line.startswith("  raw_tweets_and_users: ")]
    assert "X_BEARER_TOKEN" in last_words and "dagster" not in last_words, last_words
    for text in (captured.out, captured.err, caplog.text):
        assert TOKEN not in text
    files = [path for path in list(home.rglob("*")) + list(tmp_path.rglob("*.duckdb*"))
             if path.is_file()]
    assert any(path.suffix == ".db" for path in files)  # Dagster's event log is there
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), path
