"""Shared fixtures: a fixed as_of, the demo corpus and a warehouse built from it once."""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.demo_corpus import CorpusSummary, generate_corpus
from govpulse.dbt_args import launcher_environment
from govpulse.dbt_launcher import installed_launcher

# A midnight, as the demo corpus's first day starts: the X-source test fetches the same 90
# days through the X API (as_of - 90 days) and compares its build with this one.
AS_OF = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
AS_OF_TEXT = "2026-11-25T00:00:00Z"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# One pseudonym key for every warehouse a test builds, so their marts can be compared.
os.environ.setdefault("GOVPULSE_PSEUDONYM_KEY", "govpulse-tests-pseudonym-key")
# Tests run Dagster on an ephemeral instance, never on a developer's $DAGSTER_HOME.
os.environ.pop("DAGSTER_HOME", None)


# Every column but `built_at`, the start of the run that wrote the row.
WITHOUT_BUILD_TIME = "columns(lambda c: c <> 'built_at')"
# The marts two warehouses built from the same data must agree on, row for row.
COMPARED_MARTS = ("fct_posts", "fct_inbound_replies", "account_scorecard", "department_scorecard",
                  "dim_accounts", "dim_departments")


def marts_snapshot(warehouse: Path, names: tuple[str, ...] = COMPARED_MARTS) -> dict[str, list]:
    """Every row of the named marts, in a stable order (built_at, the build time, left out)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: con.execute(f"select {WITHOUT_BUILD_TIME} from marts.{name} order by all"
                                  ).fetchall() for name in names}


def same_figure(left: object, right: object) -> bool:
    """Equal; floats to 1e-9 (two computations may sum or interpolate in another order)."""
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    return left == right


DBT_PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"
# the variables naming what govpulse-dbt keeps from one run to the next
LAUNCHER_STATE_ENV = frozenset(launcher_environment(Path("warehouse.duckdb"), "duckdb"))


def run_dbt(*args: str, warehouse: Path, target_path: Path,
            **environ: str) -> subprocess.CompletedProcess[str]:
    """This Python's dbt on the project, started as the pipeline starts it (``govpulse-dbt``),
    for ``warehouse``, its artifacts and its log in ``target_path`` (as the pipeline's runs:
    test workers never share a log file)."""
    env = dict(os.environ, GOVPULSE_WAREHOUSE=str(warehouse),
               DBT_SEND_ANONYMOUS_USAGE_STATS="false", **environ)
    return subprocess.run(
        [str(installed_launcher()), *args,
         "--profiles-dir", str(DBT_PROJECT), "--project-dir", str(DBT_PROJECT),
         "--target-path", str(target_path), "--log-path", str(target_path)],
        env=env, capture_output=True, text=True, timeout=300, check=False)


def tiny_dbt_project(root: Path, models: dict[str, str],
                     macros: dict[str, str] | None = None) -> Path:
    """A dbt project named ``tiny`` at ``root``: ``models`` and ``macros`` (name: SQL), one
    thread, on a DuckDB file of its own."""
    (root / "models").mkdir(parents=True)
    (root / "macros").mkdir()
    (root / "dbt_project.yml").write_text(
        "name: tiny\nversion: '1.0'\nconfig-version: 2\nprofile: tiny\n", encoding="utf-8")
    (root / "profiles.yml").write_text(
        f"tiny:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: '{root / 'tiny.duckdb'}'\n      threads: 1\n", encoding="utf-8")
    for folder, files in (("models", models), ("macros", macros or {})):
        for name, sql in files.items():
            (root / folder / f"{name}.sql").write_text(sql + "\n", encoding="utf-8")
    return root


def run_tiny_dbt(project: Path, *args: str, **environ: str) -> None:
    """``govpulse-dbt <args>`` on a ``tiny_dbt_project``, its artifacts and log in its
    target/; the launcher's kept state only where ``environ`` names it."""
    env = {key: value for key, value in os.environ.items() if key not in LAUNCHER_STATE_ENV}
    target = project / "target"
    completed = subprocess.run(
        [str(installed_launcher()), *args, "--project-dir", str(project), "--profiles-dir",
         str(project), "--target-path", str(target), "--log-path", str(target)],
        env=dict(env, DBT_SEND_ANONYMOUS_USAGE_STATS="false", **environ),
        capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout[-2000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def stopped_run_message(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """`govpulse run` with a one-account registry and an empty input folder in ``folder``, plus
    ``extra`` arguments: checks that it stopped (exit code 2) before making the build copy, and
    returns the line it printed."""
    registry = folder / "registry.csv"
    registry.write_text("handle,department\n@HealthDesk,Health\n", encoding="utf-8")
    (folder / "in").mkdir()
    code = run_cli("run", "--registry", str(registry), "--input", str(folder / "in"),
                   "--warehouse", str(folder / "govpulse.duckdb"), *extra)
    assert code == 2
    assert not (folder / ".govpulse-build").exists()
    return capsys.readouterr().err.strip()


def copied_warehouse(warehouse: Path, folder: Path) -> Path:
    """A copy of ``warehouse``'s whole folder (published file, build copy, kept dbt state, raw
    Parquet) as ``folder``, for a test to build on without touching the original; its path."""
    shutil.copytree(warehouse.parent, folder)
    return folder / warehouse.name


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
