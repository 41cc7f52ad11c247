"""The folders dbt writes its artifacts to (compiled SQL, ``run_results.json``, ``dbt.log``),
one per invocation under ``dbt_project/target/``.

A build that passed has nothing left to show: its folder is deleted. A failed build's folder
is what one reads to see why, so it is kept, renamed ``failed-<its name>`` once dbt has
stopped writing to it; only the newest ``FAILED_KEPT`` of those stay, so a schedule that
fails every day does not fill the disk. Folders of invocations still running never carry
the prefix, so no run removes another's. A killed run's folder never gets the prefix: it is
removed once it is a day old (no build runs that long), by the next invocation.
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

from govpulse.wording import joined

FAILED_PREFIX = "failed-"
# what a failed build's folder may hold that says why, as the log names it
ARTIFACTS = {"dbt.log": "dbt's log", "compiled": "the compiled SQL",
             "run_results.json": "run_results.json"}
FAILED_KEPT = 5
ABANDONED_AFTER_SECONDS = 24 * 3600


def invocation_folder(target_dir: Path, name: str, run_id: str) -> Path:
    """A folder name no other invocation uses: ``<name>-<run id, 7 chars>-<8 hex digits>``."""
    return target_dir / f"{name}-{run_id[:7]}-{secrets.token_hex(4)}"


def _modified_at(path: Path) -> float | None:
    """When a folder last changed; None when it is gone (another run removed it meanwhile)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def remove_abandoned(target_dir: Path, name: str) -> None:
    """Remove the folders of ``name``'s invocations that were killed, a day old or more."""
    abandoned_before = time.time() - ABANDONED_AFTER_SECONDS
    for path in target_dir.glob(f"{name}-*"):
        modified = _modified_at(path)
        if path.is_dir() and modified is not None and modified < abandoned_before:
            shutil.rmtree(path, ignore_errors=True)


def keep_failed(folder: Path, kept: int = FAILED_KEPT) -> Path | None:
    """Keep a failed invocation's folder as ``failed-<name>`` beside it and delete the older
    kept ones beyond the newest ``kept``; where it is now (None when dbt wrote nothing).
    Never raises: it runs while the build's own error is on its way to the user."""
    failed = folder.with_name(FAILED_PREFIX + folder.name)
    try:
        folder.rename(failed)
    except OSError:
        return folder if folder.is_dir() else None
    earlier = {path: _modified_at(path) for path in folder.parent.glob(FAILED_PREFIX + "*")
               if path.is_dir() and path != failed}
    newest_first = sorted(earlier, key=lambda path: earlier[path] or 0.0, reverse=True)
    for path in newest_first[max(kept - 1, 0):]:
        shutil.rmtree(path, ignore_errors=True)
    return failed


def describe_kept(folder: Path) -> str:
    """A log line saying what of a failed build is kept in ``folder`` (what dbt wrote of it)."""
    present = [label for name, label in ARTIFACTS.items() if (folder / name).exists()]
    if not present:
        return f"this failed build's folder is kept in {folder} (dbt wrote no log, SQL or results)"
    return (f"{joined(present)} of this failed build {'is' if len(present) == 1 else 'are'} "
            f"kept in {folder}")
