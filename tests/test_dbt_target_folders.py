"""Each dbt invocation's artifact folder: its own name, and a failed one kept (the newest
few) while running ones are left alone. tests/test_incremental.py sees a failed build's
folder kept and named in the log."""

from __future__ import annotations

import os
import time
from pathlib import Path

from govpulse.dbt_target_folders import (
    FAILED_PREFIX,
    describe_kept,
    invocation_folder,
    keep_failed,
    remove_abandoned,
)


def _folder(path: Path, mtime: float) -> Path:
    path.mkdir(parents=True)
    (path / "run_results.json").write_text("{}", encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def test_invocation_folders_never_share_a_name(tmp_path):
    names = {invocation_folder(tmp_path, "govpulse_dbt_models", "0123456789abcdef").name
             for _ in range(50)}
    assert len(names) == 50
    assert all(name.startswith("govpulse_dbt_models-0123456-") for name in names)


def test_a_killed_invocations_folder_goes_once_a_day_old(tmp_path):
    now = time.time()
    killed = _folder(tmp_path / "govpulse_dbt_models-aaaaaaa-00000000", now - 25 * 3600)
    running = _folder(tmp_path / "govpulse_dbt_models-bbbbbbb-11111111", now - 3 * 3600)
    failed = _folder(tmp_path / f"{FAILED_PREFIX}govpulse_dbt_models-ccccccc-2222",
                     now - 30 * 86_400)  # kept ones go only by keep_failed's count
    other_step = _folder(tmp_path / "other_step-ddddddd-33333333", now - 30 * 86_400)

    remove_abandoned(tmp_path, "govpulse_dbt_models")

    assert not killed.exists()
    assert running.exists() and failed.exists() and other_step.exists()


def test_a_failed_folder_is_kept_with_the_newest_earlier_ones(tmp_path):
    earlier = [_folder(tmp_path / f"{FAILED_PREFIX}run-{day}", 1_700_000_000 + day * 86_400)
               for day in range(6)]
    running = _folder(tmp_path / "run-still-going", 1_600_000_000)  # old, but not failed
    failing = _folder(tmp_path / "run-now", 1_700_000_000 + 10 * 86_400)

    kept = keep_failed(failing, kept=3)

    assert kept == tmp_path / f"{FAILED_PREFIX}run-now"
    assert (kept / "run_results.json").is_file() and not failing.exists()
    # the two newest earlier failures stay beside it, the four before them go
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [kept.name, earlier[5].name, earlier[4].name, running.name])


def test_nothing_to_keep_when_dbt_wrote_no_folder(tmp_path):
    assert keep_failed(tmp_path / "never-created") is None
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_renamed_stays_where_it_is(tmp_path, monkeypatch):
    failing = _folder(tmp_path / "run-now", time.time())

    def refuse(self: Path, target: Path) -> Path:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "rename", refuse)
    assert keep_failed(failing) == failing  # no error over the build's own
    assert (failing / "run_results.json").is_file()


def test_the_log_line_names_only_what_dbt_wrote(tmp_path):
    full = _folder(tmp_path / "full", time.time())
    (full / "dbt.log").write_text("log", encoding="utf-8")
    (full / "compiled").mkdir()
    assert describe_kept(full) == (f"dbt's log, the compiled SQL and run_results.json of this "
                                   f"failed build are kept in {full}")
    parse_failed = tmp_path / "parse-failed"
    parse_failed.mkdir()
    (parse_failed / "dbt.log").write_text("log", encoding="utf-8")
    assert describe_kept(parse_failed) == \
        f"dbt's log of this failed build is kept in {parse_failed}"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "dbt wrote no log, SQL or results" in describe_kept(empty)
