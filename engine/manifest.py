"""What a run records about itself so that it can be reproduced: versions, machine, seed."""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from importlib import metadata

PACKAGES = (
    "qroad",
    "numpy",
    "scipy",
    "pandas",
    "networkx",
    "pyomo",
    "highspy",
    "pyarrow",
    "pydantic",
    "topohub",
)


def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Installed versions of qroad and the packages its results depend on, and of the
    ``extra`` ones a run used besides (e.g. mpi-sppy for progressive hedging)."""
    versions: dict[str, str] = {"python": sys.version.split()[0]}
    for name in (*PACKAGES, *extra):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def environment() -> dict[str, str]:
    """The machine a run was made on and when (UTC, ISO 8601)."""
    return {
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "hostname": platform.node(),
    }
