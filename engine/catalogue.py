"""The technology catalogue (``data/technologies.yaml``) and its per-period view.

``load_catalogue()`` reads and validates the file: the ten technologies of DESIGN.md and the
five kinds of site equipment, each number with a source or an ``assumption:`` note.
``technology_periods()`` turns the catalogue, a roadmap timeline (milestone -> year) and a
scenario's overrides into one row per (technology, period): availability, learning-curve
capex, opex, lifetime, repetition rate, reach cap and the physics keyword arguments of that
period. ``model_tables()`` derives the ModelData ``technologies``, ``equipment`` and ``costs``
tables from it.

Rules (also in the YAML header):

- available in a period when the period's first year >= the technology's available year,
  which is its milestone's year in the timeline unless the catalogue gives an
  ``available_since`` year (the technology was already field-deployed then, with a source)
  or the scenario overrides ``available_year``;
- capex(period) = capex_eur x (1 - learning_rate_per_year)^max(0, period - available_year)
  (exogenous learning, as in comparable planning tools; opex does not learn);
- physics params(period) = preset params, then the catalogue's inline ``params``, then
  ``improvements`` applied for (period - base_year) years and clipped to their bound, then the
  scenario's ``params`` overrides (fixed for every period).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine import physics
from engine.catalogue_types import (
    CATALOGUE_PATH,
    EQUIPMENT,
    EQUIPMENT_OVERRIDE_KEYS,
    LINK_KINDS,
    MILESTONES,
    PHASES,
    RATE_UNITS,
    TECH_OVERRIDE_KEYS,
    TECHNOLOGIES,
    Catalogue,
    Equipment,
    Improvement,
    Technology,
    _as_number,
    physics_function,
)
from engine.errors import QroadInputError
from engine.physics.presets import SafeLoaderYaml12Floats
from engine.tech_periods import (
    TECH_PERIOD_COLUMNS,
    model_tables,
    period_params,
    technology_periods,
)

_TECH_KEYS = {
    "label",
    "phase",
    "trusted_intermediary",
    "link_kind",
    "physics_model",
    "physics_preset",
    "params",
    "rate_unit",
    "milestone",
    "available_since",
    "repetition_rate_hz",
    "passes_per_day",
    "clear_sky_probability",
    "equipment",
    "capex_eur",
    "opex_eur_per_year",
    "lifetime_years",
    "learning_rate_per_year",
    "max_length_km",
    "improvements",
    "sources",
}
_TECH_NUMBERS = (
    "repetition_rate_hz",
    "capex_eur",
    "opex_eur_per_year",
    "lifetime_years",
    "learning_rate_per_year",
    "max_length_km",
)


_EQUIPMENT_KEYS = {"label", "capex_eur", "opex_eur_per_year", "lifetime_years", "sources"}


def _fail(message: str, file: Path, path: str, value: Any = None, allowed: str = "") -> None:
    raise QroadInputError(message, file=file, path=path, value=value, allowed=allowed)


def _number(raw: dict, key: str, file: Path, where: str, *, lo: float = 0.0) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= lo:
        _fail(f"must be a number >= {lo:g}", file, f"{where}.{key}", value, f"number >= {lo:g}")
    return float(value)


def _check_sources(raw: dict, numbered: list[str], file: Path, where: str) -> dict[str, str]:
    sources = raw.get("sources")
    if not isinstance(sources, dict):
        _fail("needs a `sources` mapping (field -> citation or 'assumption: ...')", file, where)
    for key in numbered:
        note = sources.get(key)
        if not isinstance(note, str) or not note.strip():
            _fail("number without a source or 'assumption:' note", file, f"{where}.sources.{key}")
    return {str(k): str(v) for k, v in sources.items()}


def _improvement(raw: Any, file: Path, where: str) -> Improvement:
    allowed = {"add_per_year", "multiply_per_year", "max", "min"}
    if not isinstance(raw, dict) or not raw or set(raw) - allowed:
        _fail("bad improvement", file, where, raw, ", ".join(sorted(allowed)))
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            _fail("must be a number", file, f"{where}.{key}", value)
    return Improvement(**{k: float(v) for k, v in raw.items()})


def _technology(name: str, raw: Any, file: Path) -> Technology:
    where = f"technologies.{name}"
    if name not in TECHNOLOGIES:
        _fail("unknown technology", file, where, name, ", ".join(TECHNOLOGIES))
    if not isinstance(raw, dict):
        _fail("must be a mapping", file, where, raw)
    unknown = set(raw) - _TECH_KEYS
    if unknown:
        _fail("unknown keys", file, where, sorted(unknown), ", ".join(sorted(_TECH_KEYS)))
    choices = {
        "phase": PHASES,
        "link_kind": LINK_KINDS,
        "rate_unit": RATE_UNITS,
        "milestone": MILESTONES,
    }
    for key, allowed in choices.items():
        if raw.get(key) not in allowed:
            _fail(f"bad {key}", file, f"{where}.{key}", raw.get(key), ", ".join(allowed))
    if not isinstance(raw.get("trusted_intermediary"), bool):
        _fail(
            "must be true or false",
            file,
            f"{where}.trusted_intermediary",
            raw.get("trusted_intermediary"),
        )
    model = raw.get("physics_model")
    if physics_function(str(model)) is None:
        _fail("unknown engine.physics model", file, f"{where}.physics_model", model)
    preset = raw.get("physics_preset")
    if preset is not None and preset not in physics.preset_names():
        _fail(
            "unknown physics preset",
            file,
            f"{where}.physics_preset",
            preset,
            ", ".join(physics.preset_names()),
        )
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        _fail("must be a mapping of physics keyword arguments", file, f"{where}.params", params)
    numbers = {k: _number(raw, k, file, where) for k in _TECH_NUMBERS}
    if numbers["learning_rate_per_year"] >= 1.0:
        rate = numbers["learning_rate_per_year"]
        _fail("must be below 1", file, f"{where}.learning_rate_per_year", rate)
    for key in ("repetition_rate_hz", "lifetime_years", "max_length_km"):
        if numbers[key] <= 0:
            _fail("must be positive", file, f"{where}.{key}", numbers[key])
    extra = [k for k in ("passes_per_day", "clear_sky_probability") if k in raw]
    for key in extra:
        numbers[key] = _number(raw, key, file, where)
    if numbers.get("clear_sky_probability", 1.0) > 1.0:
        sky = numbers["clear_sky_probability"]
        _fail("must be a probability", file, f"{where}.clear_sky_probability", sky)
    if raw["rate_unit"] == "per_pass" and "passes_per_day" not in raw:
        _fail("per_pass technologies need passes_per_day", file, f"{where}.passes_per_day")
    equipment = raw.get("equipment")
    eq_keys = {"ends", "midpoint", "intermediate"}
    if not isinstance(equipment, dict) or set(equipment) - eq_keys or "ends" not in equipment:
        _fail(
            "needs {ends: [...], midpoint?, intermediate?}", file, f"{where}.equipment", equipment
        )
    ends = tuple(equipment["ends"]) if isinstance(equipment["ends"], list) else ()
    used = [*ends, equipment.get("midpoint", ""), equipment.get("intermediate", "")]
    if not ends or any(e not in EQUIPMENT for e in used if e):
        _fail("unknown equipment", file, f"{where}.equipment", equipment, ", ".join(EQUIPMENT))
    improvements = {
        p: _improvement(v, file, f"{where}.improvements.{p}")
        for p, v in (raw.get("improvements") or {}).items()
    }
    base = {
        k: _as_number(v) for k, v in ((physics.preset(preset) if preset else {}) | params).items()
    }
    for p in improvements:
        if not isinstance(base.get(p), int | float):
            _fail(
                "improves a parameter the model has no number for",
                file,
                f"{where}.improvements.{p}",
                p,
                ", ".join(sorted(base)),
            )
    since = raw.get("available_since")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool)):
        _fail("must be a year", file, f"{where}.available_since", since, "a calendar year")
    numbered = [*numbers, *(f"params.{k}" for k, v in params.items() if _is_num(v))]
    numbered += ["available_since"] if since is not None else []
    numbered += [f"improvements.{p}" for p in improvements]
    sources = _check_sources(raw, numbered, file, where)
    return Technology(
        name=name,
        label=str(raw.get("label", name)),
        phase=raw["phase"],
        trusted_intermediary=raw["trusted_intermediary"],
        link_kind=raw["link_kind"],
        physics_model=str(model),
        physics_preset=preset,
        params=dict(params),
        rate_unit=raw["rate_unit"],
        milestone=raw["milestone"],
        available_since=since,
        repetition_rate_hz=numbers["repetition_rate_hz"],
        passes_per_day=numbers.get("passes_per_day", 0.0),
        clear_sky_probability=numbers.get("clear_sky_probability", 1.0),
        end_equipment=ends,
        midpoint_equipment=str(equipment.get("midpoint", "")),
        intermediate_equipment=str(equipment.get("intermediate", "")),
        capex_eur=numbers["capex_eur"],
        opex_eur_per_year=numbers["opex_eur_per_year"],
        lifetime_years=numbers["lifetime_years"],
        learning_rate_per_year=numbers["learning_rate_per_year"],
        max_length_km=numbers["max_length_km"],
        improvements=improvements,
        sources=sources,
    )


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equipment(name: str, raw: Any, file: Path) -> Equipment:
    where = f"equipment.{name}"
    if name not in EQUIPMENT:
        _fail("unknown equipment", file, where, name, ", ".join(EQUIPMENT))
    if not isinstance(raw, dict) or set(raw) - _EQUIPMENT_KEYS:
        _fail("bad equipment entry", file, where, raw, ", ".join(sorted(_EQUIPMENT_KEYS)))
    numbers = {k: _number(raw, k, file, where) for k in EQUIPMENT_OVERRIDE_KEYS}
    if numbers["lifetime_years"] <= 0:
        _fail("must be positive", file, f"{where}.lifetime_years", numbers["lifetime_years"])
    sources = _check_sources(raw, list(numbers), file, where)
    return Equipment(name=name, label=str(raw.get("label", name)), sources=sources, **numbers)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate the catalogue (default ``data/technologies.yaml``).

    Raises ``QroadInputError`` naming the file, the key path and the bad value: unknown or
    missing technologies/equipment, bad phase/link kind/milestone, negative numbers, a
    physics model or preset engine.physics does not know, or a number without a source note.
    """
    file = Path(path) if path is not None else CATALOGUE_PATH
    if not file.is_file():
        _fail("catalogue file not found", file, "", str(file))
    with file.open(encoding="utf-8") as fh:
        try:
            raw = yaml.load(fh, Loader=SafeLoaderYaml12Floats)
        except yaml.YAMLError as exc:
            raise QroadInputError(f"not valid YAML: {exc}", file=file) from exc
    if not isinstance(raw, dict) or not {"technologies", "equipment"} <= set(raw):
        _fail("needs `technologies` and `equipment` mappings", file, "")
    techs_raw, eq_raw = raw["technologies"], raw["equipment"]
    if not isinstance(techs_raw, dict) or set(techs_raw) != set(TECHNOLOGIES):
        got = sorted(techs_raw) if isinstance(techs_raw, dict) else techs_raw
        _fail(
            "must define exactly the DESIGN.md technologies",
            file,
            "technologies",
            got,
            ", ".join(TECHNOLOGIES),
        )
    if not isinstance(eq_raw, dict) or set(eq_raw) != set(EQUIPMENT):
        got = sorted(eq_raw) if isinstance(eq_raw, dict) else eq_raw
        _fail(
            "must define exactly the DESIGN.md equipment",
            file,
            "equipment",
            got,
            ", ".join(EQUIPMENT),
        )
    base_year = raw.get("base_year")
    if not isinstance(base_year, int) or isinstance(base_year, bool):
        _fail("must be a year", file, "base_year", base_year)
    return Catalogue(
        base_year=base_year,
        cost_unit_eur=_number(raw, "cost_unit_eur", file, "catalogue"),
        technologies={n: _technology(n, techs_raw[n], file) for n in TECHNOLOGIES},
        equipment={n: _equipment(n, eq_raw[n], file) for n in EQUIPMENT},
        path=str(file),
    )


__all__ = [
    "CATALOGUE_PATH",
    "EQUIPMENT",
    "EQUIPMENT_OVERRIDE_KEYS",
    "LINK_KINDS",
    "MILESTONES",
    "PHASES",
    "RATE_UNITS",
    "TECHNOLOGIES",
    "TECH_OVERRIDE_KEYS",
    "TECH_PERIOD_COLUMNS",
    "Catalogue",
    "Equipment",
    "Improvement",
    "Technology",
    "load_catalogue",
    "model_tables",
    "period_params",
    "physics_function",
    "technology_periods",
]
