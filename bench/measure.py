"""Timing a benchmark stage: its wall time, the peak resident memory of the whole process tree
(the stage's own process and every one it starts) and its throughput."""

from __future__ import annotations

import os
import threading
import time


class TreeRss:
    """Peak resident memory of this process and all its descendants, sampled every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss() -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(entry), int(fields[1])
            children.setdefault(ppid, []).append(pid)
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        total, stack = 0, [os.getpid()]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            stack.extend(children.get(pid, []))
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.05)

    def __enter__(self) -> TreeRss:
        self.peak = self._tree_rss()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def measure(name: str, work, rows: int | None = None, input_bytes: int | None = None) -> dict:
    with TreeRss() as memory:
        started = time.perf_counter()
        result = work()
        wall = time.perf_counter() - started
    rows = rows if rows is not None else (result if isinstance(result, int) else None)
    stage = {"stage": name, "seconds": round(wall, 2), "peak_rss_mb": round(memory.peak / 2**20),
             "rows": rows, "rows_per_s": round(rows / wall) if rows else None,
             "mb_per_s": round(input_bytes / 2**20 / wall, 1) if input_bytes else None}
    print(f"  {name:<34} {wall:8.2f} s  {stage['peak_rss_mb']:>6} MB peak"
          + (f"  {stage['rows_per_s']:>10,} rows/s" if rows else ""), flush=True)
    return stage
