"""Named physics parameter sets from the literature, stored in ``data/physics_presets.yaml``.

``preset(name)`` returns the keyword arguments of the preset's model, ready to splat into it:
``physics.decoy_bb84(L, **physics.preset("gys_2004"))``. ``preset_info(name)`` also gives the
model name, the source and the repetition rate (Hz) used to turn bits/pulse into bits/s.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PRESETS_PATH = Path(__file__).resolve().parents[2] / "data" / "physics_presets.yaml"


class SafeLoaderYaml12Floats(yaml.SafeLoader):
    """``yaml.SafeLoader`` that also reads ``1e6`` and ``2.0e6`` as floats (YAML 1.2 style).

    PyYAML follows YAML 1.1, where an exponent without a dot or sign is a string; data files
    written by people use both forms, so qroad reads every YAML file with this loader.
    """


SafeLoaderYaml12Floats.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


@cache
def _load_presets() -> dict[str, dict[str, Any]]:
    with PRESETS_PATH.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=SafeLoaderYaml12Floats)
    if not isinstance(data, dict):
        raise ValueError(f"{PRESETS_PATH}: expected a mapping of preset names")
    return data


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
