"""Named physics parameter sets from the literature, stored in ``data/physics_presets.yaml``.

``preset(name)`` returns the keyword arguments of the preset's model, ready to splat into it:
``physics.decoy_bb84(L, **preset("gys_2004"))``. ``preset_info(name)`` also gives the model
name, the source and the repetition rate (Hz) used to turn bits/pulse into bits/s.

The file is read here, outside ``engine.physics``, which imports nothing of the project.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from engine.paths import DATA_DIR
from engine.yaml_io import read_yaml_mapping

PRESETS_PATH = DATA_DIR / "physics_presets.yaml"


@cache
def _load_presets() -> dict[str, dict[str, Any]]:
    return read_yaml_mapping(PRESETS_PATH, allowed="a mapping of preset names")


def preset_names() -> list[str]:
    """All preset names, sorted."""
    return sorted(_load_presets())


def preset_info(name: str) -> dict[str, Any]:
    """The whole preset entry: ``model``, ``source``, ``params``, ``repetition_rate_hz``."""
    presets = _load_presets()
    if name not in presets:
        allowed = ", ".join(sorted(presets))
        raise KeyError(f"unknown physics preset {name!r}; known presets: {allowed}")
    return dict(presets[name])


def preset(name: str) -> dict[str, Any]:
    """Keyword arguments of the named preset's model (a fresh dict each call)."""
    return dict(preset_info(name)["params"])
