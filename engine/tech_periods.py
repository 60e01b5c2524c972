"""The technology catalogue period by period, under a scenario's timeline and overrides.

``technology_periods()`` gives one row per (enabled technology, period): availability from
the timeline, learning-curve capex, opex, lifetime, repetition rate, reach cap and the
physics keyword arguments of that period. ``model_tables()`` turns it into the ModelData
``technologies``, ``equipment`` and ``costs`` tables. The rules are in ``engine.catalogue``.
Roadmap cost steps (``effects`` of ``data/roadmap.yaml`` milestones, ``cost_factors``) multiply
the capex and opex of the technologies and equipment they name from the milestone's year on,
after learning and the scenario's overrides.
The override keys a scenario may give are the fields of its pydantic models
(``engine.scenario.models.TechOverride`` and ``EquipmentOverride``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from engine.catalogue import Catalogue, Technology
from engine.errors import QroadInputError
from engine.scenario.models import EquipmentOverride, TechOverride
from engine.scenario.timeline import Roadmap, load_roadmap

TECH_PERIOD_COLUMNS = (
    "tech",
    "period",
    "phase",
    "trusted_intermediary",
    "link_kind",
    "physics_model",
    "rate_unit",
    "available",
    "available_year",
    "capex_eur",
    "opex_eur_per_year",
    "lifetime_years",
    "repetition_rate_hz",
    "max_length_km",
    "max_node_spacing_km",
    "max_count_rate_hz",
    "passes_per_day",
    "clear_sky_probability",
    "end_equipment",
    "midpoint_equipment",
    "intermediate_equipment",
    "params",
)


def _check_overrides(
    overrides: Mapping[str, Mapping[str, Any]], names: Iterable[str], keys: Iterable[str]
) -> None:
    """Every override names a known technology (or equipment) and only keys in ``keys``."""
    known, allowed = set(names), tuple(keys)
    for name, values in overrides.items():
        if name not in known:
            raise QroadInputError(
                "override for an unknown name",
                path=f"overrides.{name}",
                value=name,
                allowed=", ".join(sorted(known)),
            )
        bad = set(values) - set(allowed)
        if bad:
            raise QroadInputError(
                "unknown override keys",
                path=f"overrides.{name}",
                value=sorted(bad),
                allowed=", ".join(allowed),
            )


def period_params(
    tech: Technology, year: int, base_year: int, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Physics keyword arguments of ``tech`` in ``year``: base, improved, then overridden."""
    params = tech.base_params()
    for name, rule in tech.improvements.items():
        params[name] = rule.value(float(params[name]), year - base_year)
    params.update(overrides or {})
    return params


def technology_periods(
    catalogue: Catalogue,
    *,
    enabled: Iterable[str],
    periods: Iterable[int],
    milestone_years: Mapping[str, int],
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    equipment_overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per (enabled technology, period); columns ``TECH_PERIOD_COLUMNS``.

    ``available`` is period >= available year (the milestone's year from ``milestone_years``
    unless ``overrides[tech]['available_year']``); ``capex_eur`` follows the learning curve
    from the available year; ``params`` is a dict of the physics model's keyword arguments.
    ``equipment_overrides`` is only checked here (costs of equipment: ``model_tables``).
    """
    overrides = overrides or {}
    enabled = list(dict.fromkeys(enabled))
    for name in enabled:
        if name not in catalogue.technologies:
            raise QroadInputError(
                "unknown technology",
                path="technologies.enabled",
                value=name,
                allowed=", ".join(catalogue.technologies),
            )
    _check_overrides(overrides, catalogue.technologies, TechOverride.model_fields)
    _check_overrides(equipment_overrides or {}, catalogue.equipment, EquipmentOverride.model_fields)
    rows = []
    for name in enabled:
        tech = catalogue.technologies[name]
        over = dict(overrides.get(name, {}))
        available_year = _available_year(tech, over, milestone_years)
        rows += [
            _period_row(tech, int(period), available_year, over, catalogue.base_year)
            for period in periods
        ]
    factors = cost_factors(milestone_years, periods)
    for row in rows:
        capex_f, opex_f = factors.get(row["tech"], {}).get(row["period"], (1.0, 1.0))
        row["capex_eur"] *= capex_f
        row["opex_eur_per_year"] *= opex_f
    return pd.DataFrame(rows, columns=list(TECH_PERIOD_COLUMNS))


def cost_factors(
    milestone_years: Mapping[str, int], periods: Iterable[int], roadmap: Roadmap | None = None
) -> dict[str, dict[int, tuple[float, float]]]:
    """(capex factor, opex factor) per technology or equipment and period: the product of
    the ``effects`` of every milestone dated in or before the period (milestones the
    timeline does not date apply nowhere). Items no effect names are absent (factor 1)."""
    roadmap = roadmap or load_roadmap()
    periods = [int(p) for p in periods]
    out: dict[str, dict[int, tuple[float, float]]] = {}
    for milestone in roadmap.milestones:
        year = milestone_years.get(milestone.id)
        if year is None:
            continue
        for effect in milestone.effects:
            for item in effect.items:
                per_period = out.setdefault(item, {p: (1.0, 1.0) for p in periods})
                for p in periods:
                    if p >= int(year):
                        capex, opex = per_period[p]
                        per_period[p] = (capex * effect.capex_factor, opex * effect.opex_factor)
    return out


def _available_year(
    tech: Technology, over: Mapping[str, Any], milestone_years: Mapping[str, int]
) -> int:
    """The scenario's ``available_year``, else the catalogue's ``available_since``, else
    the year of the technology's milestone in the timeline."""
    if "available_year" in over:
        return int(over["available_year"])
    if tech.available_since is not None:
        return tech.available_since
    if tech.milestone in milestone_years:
        return int(milestone_years[tech.milestone])
    raise QroadInputError(
        f"the timeline has no year for milestone {tech.milestone!r} (needed by {tech.name})",
        path="timeline",
        value=tech.milestone,
        allowed=", ".join(milestone_years),
    )


def _period_row(
    tech: Technology, period: int, available_year: int, over: Mapping[str, Any], base_year: int
) -> dict[str, Any]:
    """One row of ``technology_periods``: the catalogue's values, overridden by ``over``."""
    learning = float(over.get("learning_rate_per_year", tech.learning_rate_per_year))
    # capex_eur is the price when the technology arrives, or at the catalogue's base year
    # for one deployed before it: learning runs from the later of the two
    learning_from = max(available_year, base_year)
    capex0 = float(over.get("capex_eur", tech.capex_eur))
    return {
        "tech": tech.name,
        "period": period,
        "phase": tech.phase,
        "trusted_intermediary": tech.trusted_intermediary,
        "link_kind": tech.link_kind,
        "physics_model": tech.physics_model,
        "rate_unit": tech.rate_unit,
        "available": period >= available_year,
        "available_year": available_year,
        "capex_eur": capex0 * (1.0 - learning) ** max(0, period - learning_from),
        "opex_eur_per_year": float(over.get("opex_eur_per_year", tech.opex_eur_per_year)),
        "lifetime_years": float(over.get("lifetime_years", tech.lifetime_years)),
        "repetition_rate_hz": float(over.get("repetition_rate_hz", tech.repetition_rate_hz)),
        "max_length_km": float(over.get("max_length_km", tech.max_length_km)),
        "max_node_spacing_km": tech.max_node_spacing_km,  # None: no spacing limit
        "max_count_rate_hz": tech.max_count_rate_hz,  # None: no detector-saturation cap
        "passes_per_day": tech.passes_per_day,
        "clear_sky_probability": tech.clear_sky_probability,
        "end_equipment": tech.end_equipment,
        "midpoint_equipment": tech.midpoint_equipment,
        "intermediate_equipment": tech.intermediate_equipment,
        "params": period_params(tech, period, base_year, over.get("params")),
    }


def model_tables(
    catalogue: Catalogue,
    tech_periods: pd.DataFrame,
    *,
    equipment_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    milestone_years: Mapping[str, int] | None = None,
) -> dict[str, pd.DataFrame]:
    """ModelData ``technologies``, ``equipment`` and ``costs`` tables.

    Equipment (all kinds, since links may need any) has no learning and is available in
    every period; its capex is per site, its opex per site and year, times the roadmap's cost
    steps (``cost_factors`` of ``milestone_years``; none without it).
    """
    equipment_overrides = equipment_overrides or {}
    periods = sorted(int(p) for p in tech_periods["period"].unique())
    first = tech_periods.drop_duplicates("tech")
    technologies = pd.DataFrame(
        {
            "tech": first["tech"].astype(str).to_numpy(),
            "phase": first["phase"].astype(str).to_numpy(),
            "trusted_intermediary": first["trusted_intermediary"].astype(bool).to_numpy(),
            "lifetime_years": first["lifetime_years"].astype(float).to_numpy(),
        }
    )
    steps = cost_factors(milestone_years, periods) if milestone_years is not None else {}
    eq_rows, cost_rows = [], []
    for name, eq in catalogue.equipment.items():
        over = equipment_overrides.get(name, {})
        eq_rows.append(
            {
                "equipment": name,
                "lifetime_years": float(over.get("lifetime_years", eq.lifetime_years)),
            }
        )
        for period in periods:
            capex_f, opex_f = steps.get(name, {}).get(period, (1.0, 1.0))
            opex = float(over.get("opex_eur_per_year", eq.opex_eur_per_year))
            cost_rows.append(
                {
                    "item": name,
                    "period": period,
                    "capex_eur": float(over.get("capex_eur", eq.capex_eur)) * capex_f,
                    "opex_eur_per_year": opex * opex_f,
                    "available": True,
                }
            )
    tech_costs = pd.DataFrame(
        {
            "item": tech_periods["tech"].astype(str).to_numpy(),
            "period": tech_periods["period"].astype(int).to_numpy(),
            "capex_eur": tech_periods["capex_eur"].astype(float).to_numpy(),
            "opex_eur_per_year": tech_periods["opex_eur_per_year"].astype(float).to_numpy(),
            "available": tech_periods["available"].astype(bool).to_numpy(),
        }
    )
    costs = pd.concat([tech_costs, pd.DataFrame(cost_rows)], ignore_index=True)
    return {"technologies": technologies, "equipment": pd.DataFrame(eq_rows), "costs": costs}
