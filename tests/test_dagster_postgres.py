"""Dagster on PostgreSQL: the daily job runs on deploy/dagster.postgres.yaml against a real,
throwaway PostgreSQL cluster (Debian's ``postgresql``), and its run and events land there."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
import yaml

from tests.conftest import build_warehouse, free_port, restored_environment

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "govpulse-test-password"


@dataclass(frozen=True)
class Cluster:
    port: int
    user: str = "govpulse"
    database: str = "dagster"

    def connect(self):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user,
                                password=PASSWORD, dbname=self.database)


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, f"{name} not found: apt-get install postgresql (.ci/run installs it)"
    return found[-1]


def _as_postgres_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: drop to the package's `postgres` user when root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_postgres_user(command), capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Outside pytest's root-only temporary folder, so the `postgres` user can reach it.
    base = Path(tempfile.mkdtemp(prefix="govpulse-postgres-"))
    data, password_file = base / "data", base / "password"
    password_file.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(password_file, "postgres")
    cluster = Cluster(port=free_port())
    _run([_postgres_bin("initdb"), "-D", str(data), "-U", cluster.user, "--auth=scram-sha-256",
          f"--pwfile={password_file}", "--no-sync"])
    options = (f"-c listen_addresses=127.0.0.1 -c port={cluster.port} "
               f"-c unix_socket_directories={base} -c fsync=off")
    _run([_postgres_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"),
          "-w", "-t", "60", "start"])
    try:
        con = psycopg2.connect(host="127.0.0.1", port=cluster.port, user=cluster.user,
                               password=PASSWORD, dbname="postgres")
        con.autocommit = True
        con.cursor().execute(f"create database {cluster.database}")
        con.close()
        yield cluster
    finally:
        subprocess.run(_as_postgres_user([
            _postgres_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_postgres_instance_file_matches_the_default_but_for_storage() -> None:
    default = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    postgres = yaml.safe_load((ROOT / "deploy" / "dagster.postgres.yaml").read_text())
    storage = postgres.pop("storage")
    assert postgres == default
    assert storage["postgres"]["postgres_db"]["password"] == {"env": "DAGSTER_PG_PASSWORD"}


def test_daily_job_runs_with_its_history_in_postgres(cluster: Cluster, demo_corpus,
                                                     tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "dagster.postgres.yaml", home / "dagster.yaml")
    warehouse = tmp_path / "govpulse.duckdb"
    with restored_environment():
        os.environ.update({
            "DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(cluster.port), "DAGSTER_PG_DB": cluster.database,
            "DAGSTER_PG_USER": cluster.user, "DAGSTER_PG_PASSWORD": PASSWORD,
        })
        started = time.time()
        assert build_warehouse(demo_corpus.out_dir, demo_corpus.registry, warehouse) == 0

    assert not list(home.glob("**/*.db")), "no SQLite storage: everything is in Postgres"
    with cluster.connect() as con, con.cursor() as cursor:
        cursor.execute("select run_id, status, pipeline_name from runs")
        runs = cursor.fetchall()
        assert [(status, job) for _, status, job in runs] == [("SUCCESS", "daily_refresh")]
        run_id = runs[0][0]
        cursor.execute("select count(*), min(timestamp) from event_logs where run_id = %s",
                       [run_id])
        events, first_event = cursor.fetchone()
        cursor.execute("select distinct asset_key from event_logs where run_id = %s and "
                       "dagster_event_type = 'ASSET_MATERIALIZATION'", [run_id])
        materialised = {row[0] for row in cursor.fetchall()}
        cursor.execute("select count(*) from event_logs where event like %s", [f"%{PASSWORD}%"])
        leaked = cursor.fetchone()[0]
    con.close()
    assert events > 50 and first_event.timestamp() >= started - 60
    assert '["published", "warehouse"]' in materialised
    assert '["marts", "account_scorecard"]' in materialised
    assert leaked == 0
