"""dbt's parse of the project, kept between runs beside the build copy
(``govpulse.settings.dbt_state_path``, ``parse.msgpack``).

dbt saves its parse in ``<target path>/partial_parse.msgpack`` and, when the next invocation
finds it there with the same project files, vars and profile, parses only what changed
(about 2 s saved per run on this project). Each Dagster run gets its own target folder, and
the profile includes the warehouse's path, so the parse is kept per warehouse and dbt target:
restored into the invocation's folder before dbt starts, kept again after it ends. dbt
itself decides whether the restored parse is still valid (another dbt version, changed files
or vars make it parse everything again), so a stale file costs only time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def restore_parse_state(kept: Path, target_path: Path) -> bool:
    """Put the kept parse where dbt will look for it; False when there is none yet."""
    if not kept.is_file():
        return False
    target_path.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(kept, target_path / PARTIAL_PARSE_FILE)
    return True


def keep_parse_state(target_path: Path, kept: Path) -> bool:
    """Keep the parse dbt wrote in ``target_path`` (replaced whole, never half-written);
    False when dbt wrote none (it failed before parsing) or it could not be kept (a full
    disk, say). Never raises: it runs after dbt, whose own error must reach the user, and a
    parse not kept only costs the next run a full parse."""
    written = target_path / PARTIAL_PARSE_FILE
    if not written.is_file():
        return False
    partial = kept.with_name(kept.name + ".tmp")
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(written, partial)
        os.replace(partial, kept)
    except OSError:
        partial.unlink(missing_ok=True)
        return False
    return True
