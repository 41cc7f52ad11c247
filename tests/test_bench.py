"""The benchmark's own logic (bench/): the day it picks, its verdicts against the targets,
the memory it measures and the results file it writes. The timings themselves live in
bench/results/, never in tests."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bench import ab_day, run, targets
from bench.measure import TreeRss, measure
from bench.report import new_results_path, write_report
from bench.run import latest_weekday_midnight


def _day(landing: float, export: float, dbt: float, publish: float = 9.0,
         peak: int = 1_000) -> list[dict]:
    parts = {"landing": landing, "Parquet export": export, "dbt build": dbt,
             "publish": publish}
    return [{"stage": f"incremental day: {part}", "seconds": seconds, "peak_rss_mb": peak}
            for part, seconds in parts.items()]


def _result(*, landing: float = 260.0, export: float = 89.0, floor_landing: float = 235.0,
            full: float = 150.0, floor_query: float = 80.0, day: tuple = (5.0, 0.8, 9.0),
            p95: float = 66.0, build_peak: int = 3_543, day_peak: int = 1_904) -> dict:
    stages = [
        {"stage": "landing (files -> raw)", "seconds": landing, "peak_rss_mb": 2_280,
         "rows_per_s": 76_282, "mb_per_s": 44.5},
        {"stage": "raw -> Parquet export", "seconds": export, "peak_rss_mb": 1_786},
        # the references are not held to the memory target
        {"stage": "floor: DuckDB read_json", "seconds": floor_landing, "peak_rss_mb": 4_477},
        {"stage": "dbt build --full-refresh", "seconds": full, "peak_rss_mb": build_peak},
        {"stage": "floor: one SQL last_28d scorecard", "seconds": floor_query,
         "peak_rss_mb": 17_623},
        *_day(*day),
        {"stage": "pandas last_28d account scorecard", "seconds": 59.6, "peak_rss_mb": 8_134,
         "outcome": "stopped at the memory cap"},
    ]
    return {"scale": 357, "inbound_replies": 10_162_091, "corpus_mb": 11_566,
            "as_of": datetime(2026, 12, 4, tzinfo=UTC), "stages": stages,
            "day_totals": [20.13, 18.97, 17.93], "day_peak_mb": day_peak,
            "dashboard": [{"query": "select 1", "p50_ms": 30.0, "p95_ms": p95},
                          {"query": "select 2", "p50_ms": 20.0, "p95_ms": 10.0}]}


def _failed(result: dict) -> list[str]:
    return [verdict for verdict in targets.verdicts(result) if verdict.startswith("FAIL")]


@pytest.mark.parametrize(("now", "expected"), [
    # a Sunday afternoon: the Friday's midnight (the day after it is a Friday)
    (datetime(2026, 12, 6, 14, 0, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC)),
    # a Monday's midnight itself
    (datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)),
    # a Wednesday, in another time zone: still Wednesday in UTC
    (datetime(2026, 12, 9, 12, 30, tzinfo=timezone(timedelta(hours=5))),
     datetime(2026, 12, 9, tzinfo=UTC)),
    # Monday 01:00 at UTC+5 is Sunday in UTC: the Friday
    (datetime(2026, 12, 7, 1, 0, tzinfo=timezone(timedelta(hours=5))),
     datetime(2026, 12, 4, tzinfo=UTC)),
])
def test_corpora_end_at_a_midnight_starting_a_weekday(now: datetime, expected: datetime) -> None:
    assert latest_weekday_midnight(now) == expected


def test_the_day_is_landing_export_and_dbt_build_without_the_publish() -> None:
    assert targets.incremental_day_seconds(_day(5.06, 0.87, 14.2, publish=2.5)) == 20.13


def test_the_run_of_median_total_is_reported() -> None:
    runs = [_day(5.06, 0.87, 14.2), _day(4.96, 0.78, 13.23), _day(4.57, 0.79, 12.57)]
    assert targets.median_day(runs) is runs[1]
    # an even count takes the lower of the two middle runs
    assert targets.median_day(runs[:2]) is runs[1]
    assert targets.median_day(runs[1:]) is runs[2]


def test_verdicts_pass_within_every_target() -> None:
    verdicts = targets.verdicts(_result())
    assert len(verdicts) == 5
    assert _failed(_result()) == []
    assert "(1.49x)" in verdicts[0]  # (260 + 89) / 235
    assert "(1.88x)" in verdicts[1]  # 150 / 80
    assert "(9.87%)" in verdicts[2]  # (5 + 0.8 + 9) / 150
    # a day just under the budget never reads as 10% beside its PASS (16.29 s of 163.58 s)
    assert targets.verdicts(_result(full=163.58, day=(4.16, 0.67, 11.46)))[2] == (
        "PASS  incremental day (landing + export + dbt) < 10% of the full dbt build (9.96%)")
    assert "(66.0 ms)" in verdicts[3]
    assert "(3.5 GiB)" in verdicts[4]  # the full build's 3,543 MB, not the floor's 17.6 GB


@pytest.mark.parametrize(("changes", "failed"), [
    # the bounds: "within" 1.5x and 2x, "under" 10%, 200 ms and 4 GiB
    ({"landing": 263.5, "export": 89.0, "floor_landing": 235.0}, []),
    ({"landing": 263.6}, ["landing + Parquet export"]),
    ({"full": 160.0, "floor_query": 80.0, "day": (5.0, 1.0, 9.0)}, []),
    ({"full": 160.1, "floor_query": 80.0}, ["dbt build"]),
    ({"day": (5.0, 1.0, 9.0)}, ["incremental day (landing + export + dbt)"]),  # 15 of 150 s
    ({"p95": 200.0}, ["dashboard p95"]),
    ({"build_peak": 4_096}, ["peak memory"]),
    # a day's run (any of them) is govpulse's own stage too
    ({"day_peak": 4_100}, ["peak memory"]),
])
def test_verdicts_fail_outside_a_target(changes: dict, failed: list[str]) -> None:
    assert [verdict.split("  ", 1)[1].split(" <")[0] for verdict in _failed(_result(**changes))] \
        == failed


def test_reference_ratios_are_information() -> None:
    text = targets.reference_ratios(_result())
    # the dbt build alone, the day with its publish (14.8 + 9), the whole first run's base
    assert "the incremental dbt build alone is 6.0% of the full dbt build" in text
    assert "the day with its publish is 15.9% of it" in text
    assert "the whole day is 3.0% of a whole first run" in text


def test_results_files_are_never_overwritten(tmp_path) -> None:
    first = new_results_path(tmp_path, "2026-12-06-36-357")
    assert first.name == "2026-12-06-36-357.md"
    first.write_text("x")
    second = new_results_path(tmp_path, "2026-12-06-36-357")
    assert second.name == "2026-12-06-36-357-2.md"
    second.write_text("x")
    assert new_results_path(tmp_path, "2026-12-06-36-357").name == "2026-12-06-36-357-3.md"


def test_the_report_lists_every_stage_every_day_run_and_the_verdicts(tmp_path) -> None:
    path = tmp_path / "results" / "2026-12-06-357.md"
    write_report([_result()], path)
    text = path.read_text(encoding="utf-8")
    assert "Reproduce: `make bench` (or `python bench/run.py --scales 357`)." in text
    assert "## scale 357: 10,162,091 inbound replies, 11,566 MB of JSONL, as of " \
           "2026-12-04 00:00 UTC" in text
    assert "| landing (files -> raw) | 260.0 | 2280 | 76282 | 44.5 |" in text
    assert "| pandas last_28d account scorecard | 59.6 | 8134 | stopped at the memory cap |  |" \
        in text
    assert "| `select 1` | 30.0 | 66.0 |" in text
    assert "3 runs from the same state: 20.13, 18.97, 17.93 s" in text
    for verdict in targets.verdicts(_result()):
        assert f"- {verdict}" in text
    assert "- (for reference, not a target:" in text


def test_peak_memory_counts_the_processes_a_stage_starts() -> None:
    allocate = "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); " \
               "import time; time.sleep(0.5)"
    with TreeRss() as memory:
        subprocess.run([sys.executable, "-c", allocate], check=True)
    assert memory.peak >= 300 * 2**20


def test_a_stage_reports_its_time_memory_and_throughput() -> None:
    def work() -> int:
        time.sleep(0.1)
        return 1_000

    stage = measure("some stage", work, input_bytes=2**20)
    assert stage["stage"] == "some stage"
    assert 0.1 <= stage["seconds"] < 5
    assert stage["rows"] == 1_000
    assert 200 <= stage["rows_per_s"] <= 10_000
    assert 0.2 <= stage["mb_per_s"] <= 10
    assert stage["peak_rss_mb"] > 0


def test_the_saved_day_state_is_removed_when_a_day_run_fails(tmp_path, monkeypatch) -> None:
    work, saved = tmp_path / "work", tmp_path / "before-day"
    (work / ".govpulse-build").mkdir(parents=True)
    (work / ".govpulse-build" / "govpulse.duckdb").write_bytes(b"state")

    def interrupted(*args) -> int:
        assert (saved / ".govpulse-build" / "govpulse.duckdb").read_bytes() == b"state"
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "land", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run.incremental_days(work, saved, tmp_path / "next-day", datetime(2026, 12, 5, tzinfo=UTC))
    assert not saved.exists()


def test_each_checkout_of_an_ab_runs_first_in_half_of_the_pairs() -> None:
    orders = ab_day.pair_orders(4)
    assert orders == [("a", "b"), ("b", "a"), ("a", "b"), ("b", "a")]
    assert sum(order[0] == "a" for order in orders) == 2


@pytest.mark.parametrize("as_of, day", [
    # the bench's day 1 holds the 24 hours from as_of; day k those from as_of + k - 1 days
    (datetime(2026, 12, 4, tzinfo=UTC), 4),   # Friday: day 2 Saturday, 3 Sunday, 4 Monday
    (datetime(2026, 12, 1, tzinfo=UTC), 2),   # Tuesday: day 2 is Wednesday
    (datetime(2026, 12, 5, tzinfo=UTC), 3),   # Saturday: day 2 Sunday, 3 Monday
])
def test_the_ab_builds_the_first_working_day_after_the_bench_s(as_of: datetime, day: int
                                                                ) -> None:
    assert ab_day.first_working_day(as_of) == day


def test_the_pass_over_bench_gives_the_warehouse_every_file_of_its_folder_as_landed(
        tmp_path) -> None:
    """bench/pass_over.py writes raw.load_files without reading the files: the landing must
    find each of them landed, or it would time reading them instead."""
    import duckdb

    from bench import pass_over
    from extractors.files_source import load_files
    from extractors.landing import RawLanding

    page = tmp_path / "page.jsonl"
    page.write_text(pass_over.PAGE, encoding="utf-8")
    folder = tmp_path / "collection"
    folder.mkdir()
    for files in (3, 7):  # the folder grows from one size to the next
        pass_over._grow_folder(folder, page, files, per_day=2)
        pass_over._landed_state(tmp_path / "w.duckdb", page, files, per_day=2)
        assert sorted(path.name for path in folder.iterdir()) == [
            f"day-{day:04d}" for day in range((files + 1) // 2)]
        with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
            report = load_files(folder, RawLanding(con, run_id="again", source="files"))
        assert (report.files, report.unchanged_files) == ([], files)


def test_the_landing_ab_lands_with_the_checkout_s_code(tmp_path) -> None:
    """bench/ab_land.py times each checkout's own landing: the process it starts takes the
    checkout's modules before this one's."""
    from bench import ab_land

    stages = tmp_path / "checkout" / "bench" / "stages.py"
    stages.parent.mkdir(parents=True)
    stages.write_text("def land(day, build, run_id):\n"
                      "    build.write_text(f'{run_id} {day.name}')\n", encoding="utf-8")
    build = tmp_path / "build"
    seconds = ab_land.land_seconds(tmp_path / "checkout", tmp_path / "day-1", build)
    assert seconds >= 0
    assert build.read_text(encoding="utf-8") == "ab-land day-1"


def test_the_landing_ab_lands_a_day_of_files(tmp_path) -> None:
    import duckdb

    from bench import ab_land

    day = run.day_corpus(tmp_path, 4, datetime(2026, 12, 4, tzinfo=UTC), 1)
    build = tmp_path / "work" / ".govpulse-build" / "govpulse.duckdb"
    build.parent.mkdir(parents=True)
    assert ab_land.land_seconds(run.REPO, day, build) > 0
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select count(*) from raw.tweets").fetchone()[0] > 0
