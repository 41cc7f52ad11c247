"""The installed versions of Python packages, in the keys of what govpulse keeps from one dbt
run to the next (unit tests passed, compiled templates, JSON schemas)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata


def installed_version(package: str) -> str:
    """``package``'s installed version; "absent" when it is not installed."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def installed_versions(packages: Iterable[str]) -> str:
    """``name==version`` of each of ``packages``, space-separated."""
    return " ".join(f"{package}=={installed_version(package)}" for package in packages)
