"""The technology catalogue (``data/technologies.yaml``): its types and how it is read.

``load_catalogue()`` reads and validates the file: the ten technologies of DESIGN.md and the
five kinds of site equipment, each number with a source or an ``assumption:`` note, each
technology's milestone one of ``data/roadmap.yaml``. ``engine.tech_periods`` turns the
catalogue, a timeline and a scenario's overrides into one row per (technology, period).

Rules (also in the YAML header):

- available in a period when the period's first year >= the technology's available year,
  which is its milestone's year in the timeline unless the catalogue gives an
  ``available_since`` year (the technology was already field-deployed then, with a source)
  or the scenario overrides ``available_year``;
- capex(period) = capex_eur x (1 - learning_rate_per_year)^max(0, period - available_year)
  (exogenous learning, as in comparable planning tools; opex does not learn);
- physics params(period) = preset params, then the catalogue's inline ``params``, then
  ``improvements`` applied for (period - base_year) years and clipped to their bound, then the
  scenario's ``params`` overrides (fixed for every period);
- ``equipment`` names the site equipment a link of the technology needs besides its system:
  ``ends`` (at both end sites, e.g. satellite ground stations), ``midpoint`` (the relay or
  memory station) and ``intermediate`` (every repeater node). ``trusted_node`` is never link
  equipment: the optimiser requires it where key is relayed, and a user's own end site is part
  of the system price (docs/candidates.md). Omitted places need nothing;
- ``max_count_rate_hz`` (optional): detector saturation, the detections per second the
  receiver can register; engine.capacity caps a system's key rate (bits/s) at it;
- ``max_node_spacing_km`` (repeater chains, optional): the longest elementary link the
  technology supports; the candidate links place nodes so that no elementary link is longer.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import physics
from engine.errors import QroadInputError
from engine.names import EQUIPMENT, PHASES, TECHNOLOGIES
from engine.paths import DATA_DIR
from engine.presets import preset, preset_names
from engine.scenario.timeline import load_roadmap
from engine.yaml_io import read_yaml_mapping

CATALOGUE_PATH = DATA_DIR / "technologies.yaml"
LINK_KINDS = (
    "point_to_point",
    "free_space",
    "relay_midpoint",
    "memory_midpoint",
    "repeater_chain",
    "satellite",
)
RATE_UNITS = ("per_pulse", "per_second", "per_pass")


@dataclass(frozen=True)
class Improvement:
    """How one physics parameter changes per year from the catalogue's base year."""

    add_per_year: float = 0.0
    multiply_per_year: float = 1.0
    max: float = math.inf
    min: float = -math.inf

    def value(self, base_value: float, years: float) -> float:
        """The parameter after ``years`` years of improvement, clipped to [min, max]."""
        years = max(0.0, years)
        raw = base_value * self.multiply_per_year**years + self.add_per_year * years
        return float(min(self.max, max(self.min, raw)))


@dataclass(frozen=True)
class Technology:
    """One catalogue technology (see data/technologies.yaml for the fields' meaning)."""

    name: str
    label: str
    phase: str
    trusted_intermediary: bool
    link_kind: str
    physics_model: str
    physics_preset: str | None
    params: dict[str, Any]
    rate_unit: str
    milestone: str
    available_since: int | None
    repetition_rate_hz: float
    passes_per_day: float
    clear_sky_probability: float
    end_equipment: tuple[str, ...]
    midpoint_equipment: str
    intermediate_equipment: str
    capex_eur: float
    opex_eur_per_year: float
    lifetime_years: float
    learning_rate_per_year: float
    max_length_km: float
    improvements: dict[str, Improvement]
    sources: dict[str, str]
    max_node_spacing_km: float | None = None
    max_count_rate_hz: float | None = None

    def base_params(self) -> dict[str, Any]:
        """Preset params (if any) updated by the inline catalogue params."""
        return _preset_and_params(self.physics_preset, self.params)


@dataclass(frozen=True)
class Equipment:
    """One kind of site equipment: cost per site, lifetime, source notes."""

    name: str
    label: str
    capex_eur: float
    opex_eur_per_year: float
    lifetime_years: float
    sources: dict[str, str]


@dataclass(frozen=True)
class Catalogue:
    """The validated catalogue: technologies and equipment by name."""

    base_year: int
    cost_unit_eur: float
    technologies: dict[str, Technology]
    equipment: dict[str, Equipment]
    path: str = field(default="")


_FLOAT_RE = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_PHYSICS_MODULES = ("bb84", "cv", "mdi", "twin_field", "memory", "repeater", "satellite")


def _as_number(value: Any) -> Any:
    """``'1.0e4'`` (a number written as a quoted string) as a float; anything else unchanged."""
    if isinstance(value, str) and _FLOAT_RE.match(value.strip()):
        return float(value)
    return value


def _preset_and_params(preset_name: str | None, params: dict[str, Any]) -> dict[str, Any]:
    """The named preset's keyword arguments (if any) updated by ``params``, as numbers."""
    base = preset(preset_name) if preset_name else {}
    return {k: _as_number(v) for k, v in (base | params).items()}


def physics_function(name: str) -> Any:
    """The engine.physics rate function called ``name`` (package or its modules), or None."""
    fn = getattr(physics, name, None)
    for module in _PHYSICS_MODULES:
        if callable(fn):
            break
        fn = getattr(importlib.import_module(f"engine.physics.{module}"), name, None)
    return fn if callable(fn) else None


# ------------------------------------------------------------------------------ reading

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
    "max_node_spacing_km",
    "max_count_rate_hz",
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
_EQUIPMENT_NUMBERS = tuple(
    f.name for f in dataclasses.fields(Equipment) if f.name not in ("name", "label", "sources")
)
_EQUIPMENT_KEYS = {"label", *_EQUIPMENT_NUMBERS, "sources"}
_EQUIPMENT_PLACES = {"ends", "midpoint", "intermediate"}


def _fail(message: str, file: Path, path: str, value: Any = None, allowed: str = "") -> None:
    raise QroadInputError(message, file=file, path=path, value=value, allowed=allowed)


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(raw: dict, key: str, file: Path, where: str, *, lo: float = 0.0) -> float:
    value = raw.get(key)
    if not _is_num(value) or not value >= lo:
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


def _check_kinds(raw: Any, file: Path, where: str) -> None:
    """A technology entry is a mapping of known keys with known phase, kinds and milestone."""
    if not isinstance(raw, dict):
        _fail("must be a mapping", file, where, raw)
    unknown = set(raw) - _TECH_KEYS
    if unknown:
        _fail("unknown keys", file, where, sorted(unknown), ", ".join(sorted(_TECH_KEYS)))
    choices = {
        "phase": PHASES,
        "link_kind": LINK_KINDS,
        "rate_unit": RATE_UNITS,
        "milestone": load_roadmap().milestone_ids,
    }
    for key, allowed in choices.items():
        if raw.get(key) not in allowed:
            _fail(f"bad {key}", file, f"{where}.{key}", raw.get(key), ", ".join(allowed))
    flag = raw.get("trusted_intermediary")
    if not isinstance(flag, bool):
        _fail("must be true or false", file, f"{where}.trusted_intermediary", flag)


def _physics(raw: dict, file: Path, where: str) -> tuple[str, str | None, dict[str, Any]]:
    """The entry's physics model, preset and inline params, each known to engine.physics."""
    model = raw.get("physics_model")
    if physics_function(str(model)) is None:
        _fail("unknown engine.physics model", file, f"{where}.physics_model", model)
    preset_name = raw.get("physics_preset")
    if preset_name is not None and preset_name not in preset_names():
        known = ", ".join(preset_names())
        _fail("unknown physics preset", file, f"{where}.physics_preset", preset_name, known)
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        _fail("must be a mapping of physics keyword arguments", file, f"{where}.params", params)
    return str(model), preset_name, params


def _tech_numbers(raw: dict, file: Path, where: str) -> dict[str, float]:
    """The entry's costs, lifetime, learning, rate and reach (and satellite pass figures)."""
    numbers = {k: _number(raw, k, file, where) for k in _TECH_NUMBERS}
    if numbers["learning_rate_per_year"] >= 1.0:
        rate = numbers["learning_rate_per_year"]
        _fail("must be below 1", file, f"{where}.learning_rate_per_year", rate)
    for key in ("repetition_rate_hz", "lifetime_years", "max_length_km"):
        if numbers[key] <= 0:
            _fail("must be positive", file, f"{where}.{key}", numbers[key])
    for key in ("passes_per_day", "clear_sky_probability", "max_count_rate_hz"):
        if key in raw:
            numbers[key] = _number(raw, key, file, where)
    if numbers.get("clear_sky_probability", 1.0) > 1.0:
        sky = numbers["clear_sky_probability"]
        _fail("must be a probability", file, f"{where}.clear_sky_probability", sky)
    if raw["rate_unit"] == "per_pass" and "passes_per_day" not in raw:
        _fail("per_pass technologies need passes_per_day", file, f"{where}.passes_per_day")
    spacing, at = raw.get("max_node_spacing_km"), f"{where}.max_node_spacing_km"
    if spacing is not None and raw["link_kind"] != "repeater_chain":
        _fail("only repeater chains have a node spacing", file, at, spacing, "no such key")
    if spacing is not None and _number(raw, "max_node_spacing_km", file, where) <= 0:
        _fail("must be positive", file, at, spacing)
    if spacing is not None:
        numbers["max_node_spacing_km"] = float(spacing)
    return numbers


def _equipment_places(raw: dict, file: Path, where: str) -> tuple[tuple[str, ...], str, str]:
    """Equipment at the link's ends, at its midpoint and at its intermediate nodes (each
    optional: a technology whose terminals are all in its system price needs none)."""
    spec = raw.get("equipment", {})
    shape = "{ends?: [...], midpoint?, intermediate?}"
    if not isinstance(spec, dict) or set(spec) - _EQUIPMENT_PLACES:
        _fail("bad equipment places", file, f"{where}.equipment", spec, shape)
    ends_raw = spec.get("ends", [])
    if not isinstance(ends_raw, list):
        _fail("must be a list of equipment", file, f"{where}.equipment.ends", ends_raw, shape)
    ends = tuple(str(e) for e in ends_raw)
    midpoint, intermediate = spec.get("midpoint", ""), spec.get("intermediate", "")
    named = [e for e in (*ends, midpoint, intermediate) if e]
    if any(e not in EQUIPMENT for e in named):
        _fail("unknown equipment", file, f"{where}.equipment", spec, ", ".join(EQUIPMENT))
    if "trusted_node" in named:  # docs/candidates.md, "Site equipment a link needs"
        why = "trusted_node is not link equipment: the optimiser places it where key is relayed"
        others = ", ".join(e for e in EQUIPMENT if e != "trusted_node")
        _fail(why, file, f"{where}.equipment", spec, others)
    return ends, str(midpoint), str(intermediate)


def _improvement(raw: Any, file: Path, where: str) -> Improvement:
    allowed = {"add_per_year", "multiply_per_year", "max", "min"}
    if not isinstance(raw, dict) or not raw or set(raw) - allowed:
        _fail("bad improvement", file, where, raw, ", ".join(sorted(allowed)))
    for key, value in raw.items():
        if not _is_num(value):
            _fail("must be a number", file, f"{where}.{key}", value)
    return Improvement(**{k: float(v) for k, v in raw.items()})


def _improvements(raw: dict, base: dict[str, Any], file: Path, where: str) -> dict:
    """The entry's improvements, each of a parameter ``base`` has a number for."""
    improvements = {
        p: _improvement(v, file, f"{where}.improvements.{p}")
        for p, v in (raw.get("improvements") or {}).items()
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
    return improvements


def _technology(name: str, raw: Any, file: Path) -> Technology:
    """One validated ``technologies.<name>`` entry (checks in the order they are listed)."""
    where = f"technologies.{name}"
    if name not in TECHNOLOGIES:
        _fail("unknown technology", file, where, name, ", ".join(TECHNOLOGIES))
    _check_kinds(raw, file, where)
    model, preset_name, params = _physics(raw, file, where)
    numbers = _tech_numbers(raw, file, where)
    ends, midpoint, intermediate = _equipment_places(raw, file, where)
    improvements = _improvements(raw, _preset_and_params(preset_name, params), file, where)
    since = raw.get("available_since")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool)):
        _fail("must be a year", file, f"{where}.available_since", since, "a calendar year")
    numbered = [*numbers, *(f"params.{k}" for k, v in params.items() if _is_num(v))]
    numbered += ["available_since"] if since is not None else []
    numbered += [f"improvements.{p}" for p in improvements]
    return Technology(
        name=name,
        label=str(raw.get("label", name)),
        phase=raw["phase"],
        trusted_intermediary=raw["trusted_intermediary"],
        link_kind=raw["link_kind"],
        physics_model=model,
        physics_preset=preset_name,
        params=dict(params),
        rate_unit=raw["rate_unit"],
        milestone=raw["milestone"],
        available_since=since,
        repetition_rate_hz=numbers["repetition_rate_hz"],
        passes_per_day=numbers.get("passes_per_day", 0.0),
        clear_sky_probability=numbers.get("clear_sky_probability", 1.0),
        end_equipment=ends,
        midpoint_equipment=midpoint,
        intermediate_equipment=intermediate,
        capex_eur=numbers["capex_eur"],
        opex_eur_per_year=numbers["opex_eur_per_year"],
        lifetime_years=numbers["lifetime_years"],
        learning_rate_per_year=numbers["learning_rate_per_year"],
        max_length_km=numbers["max_length_km"],
        improvements=improvements,
        sources=_check_sources(raw, numbered, file, where),
        max_node_spacing_km=numbers.get("max_node_spacing_km"),
        max_count_rate_hz=numbers.get("max_count_rate_hz"),
    )


def _equipment(name: str, raw: Any, file: Path) -> Equipment:
    where = f"equipment.{name}"
    if name not in EQUIPMENT:
        _fail("unknown equipment", file, where, name, ", ".join(EQUIPMENT))
    if not isinstance(raw, dict) or set(raw) - _EQUIPMENT_KEYS:
        _fail("bad equipment entry", file, where, raw, ", ".join(sorted(_EQUIPMENT_KEYS)))
    numbers = {k: _number(raw, k, file, where) for k in _EQUIPMENT_NUMBERS}
    if numbers["lifetime_years"] <= 0:
        _fail("must be positive", file, f"{where}.lifetime_years", numbers["lifetime_years"])
    sources = _check_sources(raw, list(numbers), file, where)
    return Equipment(name=name, label=str(raw.get("label", name)), sources=sources, **numbers)


def _section(raw: dict, key: str, names: tuple[str, ...], file: Path) -> dict[str, Any]:
    """``raw[key]``, which must name exactly ``names`` (DESIGN.md's list of that kind)."""
    section = raw[key]
    if not isinstance(section, dict) or set(section) != set(names):
        got = sorted(section) if isinstance(section, dict) else section
        _fail(f"must define exactly the DESIGN.md {key}", file, key, got, ", ".join(names))
    return section


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate the catalogue (default ``data/technologies.yaml``).

    Raises ``QroadInputError`` naming the file, the key path and the bad value: unknown or
    missing technologies/equipment, bad phase/link kind/milestone, negative numbers, a
    physics model or preset engine.physics does not know, or a number without a source note.
    """
    file = Path(path) if path is not None else CATALOGUE_PATH
    raw = read_yaml_mapping(file, allowed="a mapping with technologies and equipment")
    if not {"technologies", "equipment"} <= set(raw):
        _fail("needs `technologies` and `equipment` mappings", file, "")
    techs_raw = _section(raw, "technologies", TECHNOLOGIES, file)
    eq_raw = _section(raw, "equipment", EQUIPMENT, file)
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
