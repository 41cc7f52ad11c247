"""Shared fixtures: a fixed as_of, the demo corpus and a warehouse built from it once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.demo_corpus import CorpusSummary, generate_corpus

AS_OF = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
AS_OF_TEXT = "2026-11-25T06:00:00Z"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# One pseudonym key for every warehouse a test builds, so their marts can be compared.
os.environ.setdefault("GOVPULSE_PSEUDONYM_KEY", "govpulse-tests-pseudonym-key")
# Tests run Dagster on an ephemeral instance, never on a developer's $DAGSTER_HOME.
os.environ.pop("DAGSTER_HOME", None)


@contextmanager
def restored_environment() -> Iterator[None]:
    """The CLI sets GOVPULSE_* variables for its run; give every test a clean slate back."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_cli(*args: str) -> int:
    from govpulse.cli import main

    with restored_environment():
        return main(list(args))


def build_warehouse(corpus_dir: Path, registry: Path, warehouse: Path,
                    as_of: str = AS_OF_TEXT, *extra: str) -> int:
    return run_cli("run", "--registry", str(registry), "--source", "files", "--input",
                   str(corpus_dir), "--warehouse", str(warehouse), "--as-of", as_of, *extra)


@pytest.fixture(scope="session")
def demo_corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusSummary:
    return generate_corpus(tmp_path_factory.mktemp("demo") / "corpus", as_of=AS_OF)


@pytest.fixture(scope="session")
def demo_warehouse(demo_corpus: CorpusSummary, tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("warehouse") / "govpulse.duckdb"
    assert build_warehouse(demo_corpus.out_dir, demo_corpus.registry, warehouse) == 0
    return warehouse
