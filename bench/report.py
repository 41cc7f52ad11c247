"""The benchmark's results file: bench/results/<date>-<scales>.md, one section per scale."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from bench.targets import DAY_RUNS, TARGETS, reference_ratios, verdicts


def write_report(results: list[dict], path: Path) -> None:
    """The results of a run (one result per scale, as ``run.bench_scale`` returns them)."""
    spark_scales = [str(result["scale"]) for result in results if result.get("spark")]
    spark_flag = f" --spark-scales {' '.join(spark_scales)}" if spark_scales else ""
    lines = [f"# govpulse benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
             f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB, "
             f"Python {platform.python_version()}, duckdb {duckdb.__version__}.",
             f"Reproduce: `make bench` (or `python bench/run.py --scales "
             f"{' '.join(str(result['scale']) for result in results)}"
             f"{spark_flag}`).", "",
             f"Targets (meant for 10 million inbound replies): {TARGETS}.", ""]
    for result in results:
        lines += [f"## scale {result['scale']}: {result['inbound_replies']:,} inbound replies, "
                  f"{result['corpus_mb']:,} MB of JSONL, "
                  f"as of {result['as_of']:%Y-%m-%d %H:%M} UTC",
                  "",
                  "| stage | seconds | peak RSS (MB) | rows/s | MB/s |",
                  "|---|---:|---:|---:|---:|"]
        for stage in result["stages"]:
            lines.append(f"| {stage['stage']} | {stage['seconds']} | {stage['peak_rss_mb']} | "
                         f"{stage.get('rows_per_s') or stage.get('outcome', '')} | "
                         f"{stage.get('mb_per_s') or ''} |")
        lines += ["", "| dashboard query | p50 ms | p95 ms |", "|---|---:|---:|"]
        lines += [f"| `{row['query']}` | {row['p50_ms']} | {row['p95_ms']} |"
                  for row in result["dashboard"]]
        lines += ["", f"The incremental day (landing + export + dbt build), {DAY_RUNS} runs from "
                  f"the same state: {', '.join(f'{total:.2f}' for total in result['day_totals'])}"
                  f" s; the table and the verdict take the run of median total."]
        lines += ["", *[f"- {verdict}" for verdict in verdicts(result)],
                  f"- ({reference_ratios(result)})", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"\nresults: {path}")


def new_results_path(folder: Path, label: str) -> Path:
    """<label>.md, or <label>-2.md, -3... when an earlier run of the day has it."""
    path, run = folder / f"{label}.md", 1
    while path.exists():
        run += 1
        path = folder / f"{label}-{run}.md"
    return path
