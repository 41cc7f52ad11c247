"""The same dbt project on Spark (dbt-spark, session method) gives the same figures as DuckDB.

A real run: ``govpulse run --target spark`` lands the demo corpus, exports the Parquet raw
layer, builds every model, data test and unit test on a local Spark (a JVM), copies Spark's
marts into the published file, and the figures are compared with the DuckDB build of the
same corpus, figure by figure.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from govpulse.settings import raw_parquet_dir, spark_dir
from tests.conftest import (
    AS_OF_TEXT,
    COMPARED_MARTS,
    build_warehouse,
    marts_snapshot,
    same_figure,
)

pytestmark = pytest.mark.e2e


def _differences(spark: dict[str, list], reference: dict[str, list]) -> list[str]:
    found = []
    for mart, rows in reference.items():
        if len(spark[mart]) != len(rows):
            found.append(f"{mart}: {len(spark[mart])} rows on Spark, {len(rows)} on DuckDB")
            continue
        for spark_row, duckdb_row in zip(spark[mart], rows, strict=True):
            if len(spark_row) != len(duckdb_row) or not all(
                    same_figure(a, b) for a, b in zip(spark_row, duckdb_row, strict=True)):
                found.append(f"{mart}: {spark_row} != {duckdb_row}")
    return found


@pytest.fixture(scope="module")
def spark_warehouse(demo_corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shutil.which("java"), "Spark needs Java 17: apt-get install openjdk-17-jre-headless"
    warehouse = tmp_path_factory.mktemp("spark") / "govpulse.duckdb"
    assert build_warehouse(demo_corpus.out_dir, demo_corpus.registry, warehouse, AS_OF_TEXT,
                           "--target", "spark") == 0
    return warehouse


def test_scorecards_on_spark_equal_duckdb_figure_by_figure(spark_warehouse: Path,
                                                          demo_warehouse: Path) -> None:
    spark = marts_snapshot(spark_warehouse)
    reference = marts_snapshot(demo_warehouse)
    assert set(COMPARED_MARTS) >= {"account_scorecard", "department_scorecard"}
    assert all(reference[mart] for mart in COMPARED_MARTS)
    differences = _differences(spark, reference)
    assert not differences, "\n".join(differences[:20])


def test_spark_wrote_open_parquet_tables_from_the_shared_raw_layer(spark_warehouse: Path) -> None:
    marts = spark_dir(spark_warehouse) / "warehouse" / "marts.db" / "account_scorecard"
    raw = raw_parquet_dir(spark_warehouse, {})
    with duckdb.connect() as con:
        rows = con.execute(f"select count(*) from read_parquet('{marts}/*.parquet')").fetchone()
        tweets = con.execute(
            f"select count(*) from read_parquet('{raw}/tweets/*/*.parquet')").fetchone()
    with duckdb.connect(str(spark_warehouse), read_only=True) as con:
        published = con.execute("select count(*) from marts.account_scorecard").fetchone()
        comment = con.execute("select comment from duckdb_tables() "
                              "where table_name = 'account_scorecard'").fetchone()
    assert rows == published and rows[0] > 0
    assert tweets[0] > 0
    assert comment[0], "the published marts keep schema.yml's descriptions"
