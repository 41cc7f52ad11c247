"""The project's own generic data tests (dbt_project/tests/generic/), failing where they should."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.conftest import copied_warehouse, run_dbt

pytestmark = pytest.mark.e2e


def _failing_rows(tmp_path: Path, demo_warehouse: Path, test_name: str,
                  break_rows: Callable[[duckdb.DuckDBPyConnection], None]) -> list[tuple]:
    """Run the data test ``test_name`` on a copy of the demo warehouse, where it passes; then
    again after ``break_rows`` changed the build copy, where it fails with two rows: those
    rows, in order."""
    warehouse = copied_warehouse(demo_warehouse, tmp_path / "warehouse")
    build = warehouse.parent / ".govpulse-build" / warehouse.name
    target = tmp_path / "target"

    passed = run_dbt("test", "--select", test_name, warehouse=warehouse, target_path=target)
    assert passed.returncode == 0, passed.stdout[-2000:]

    with duckdb.connect(str(build)) as con:
        break_rows(con)
    failed = run_dbt("test", "--select", test_name, warehouse=warehouse, target_path=target)
    assert failed.returncode == 1
    assert f"Failure in test {test_name}" in failed.stdout
    assert "Got 2 results" in failed.stdout

    compiled = next((target / "compiled").rglob(f"{test_name}.sql")).read_text(encoding="utf-8")
    with duckdb.connect(str(build), read_only=True) as con:
        return con.execute(f"select * from ({compiled}) order by all").fetchall()


def test_not_null_columns_fails_and_names_each_column_holding_nulls(tmp_path, demo_warehouse):
    """One test checks all of a model's not-null columns: it fails when any holds a null, and
    its rows say which columns do and in how many rows."""
    def break_rows(con: duckdb.DuckDBPyConnection) -> None:
        accounts = [row[0] for row in con.execute(
            "select account_id from marts.dim_accounts order by account_id limit 3").fetchall()]
        con.execute("update marts.dim_accounts set department = null where account_id in (?, ?)",
                    accounts[:2])
        con.execute("update marts.dim_accounts set handle = null where account_id = ?",
                    accounts[2:])

    rows = _failing_rows(tmp_path, demo_warehouse, "not_null_columns_dim_accounts", break_rows)
    assert rows == [("department", 2), ("handle", 1)]


def test_values_between_fails_and_names_each_column_out_of_its_range(tmp_path, demo_warehouse):
    """One test checks all of a model's value ranges: it fails when any column holds a value
    outside its range (nulls pass), and its rows say which columns, their range and in how
    many rows."""
    def break_rows(con: duckdb.DuckDBPyConnection) -> None:
        keys = con.execute("select account_id, period from marts.account_scorecard "
                           "order by all limit 4").fetchall()
        for key in keys[:2]:
            con.execute("update marts.account_scorecard set response_rate = 1.5 "
                        "where account_id = ? and period = ?", list(key))
        con.execute("update marts.account_scorecard set composite_score = -0.5, tone_score = null "
                    "where account_id = ? and period = ?", list(keys[2]))
        con.execute("update marts.account_scorecard set response_rate = null "
                    "where account_id = ? and period = ?", list(keys[3]))

    rows = _failing_rows(tmp_path, demo_warehouse, "values_between_account_scorecard", break_rows)
    assert rows == [("composite_score", 0, 100, 1), ("response_rate", 0, 1, 2)]
