"""A finished run's scenario as it was resolved, read from its folder (a leaf for the
report, the cost breakdown and the explanations, which all need it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.results import read_manifest
from engine.yaml_io import read_yaml_mapping

SCENARIO_FILE = "scenario.yaml"


def run_scenario_dict(run_dir: Path) -> dict[str, Any]:
    """The run's resolved scenario: ``scenario.yaml`` in the folder, else the manifest's copy
    (``scenario_resolved``, written by engine.pipeline), else ``{}``."""
    path = Path(run_dir) / SCENARIO_FILE
    if path.is_file():
        return read_yaml_mapping(path)
    resolved = read_manifest(run_dir).get("scenario_resolved")
    return dict(resolved) if isinstance(resolved, dict) else {}
