"""Uncertain inputs of a scenario and the designs that sample them.

``uncertain_inputs`` lists the inputs of a scenario's ``uncertainty:`` section (every
milestone of the roadmap when the section is absent). ``latin_hypercube`` draws N futures
(scipy.stats.qmc.LatinHypercube, seeded: the same seed and N give the same table), and
``one_at_a_time`` moves each input from its low to its high end with the others central.
``sample_scenario`` turns one row of a design into a scenario mapping ready to validate.

Milestone order: the roadmap says which milestones come ``after`` others (lab chains before
field chains, simple repeaters before encoded ones). Both designs draw the years in that
order: a milestone drawn (or moved to its end) before a milestone it follows is set to that
milestone's year, so every sample is a valid timeline (milestones not drawn count at their
central year). This moves probability to later years for the dependent milestone, which is
the point: it cannot come first. ``sample_scenario`` applies the same rule to the whole
mapping it builds (``ordered_years``), since the scenario's own years may differ from mid.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from engine.catalogue import load_catalogue
from engine.errors import QroadInputError
from engine.scenario import Scenario, load_roadmap, milestone_years
from engine.scenario.timeline import in_dependency_order
from engine.scenario.uncertainty import Distribution, Uncertainty

YEAR_PREFIX, CAPEX_PREFIX, LEARNING_PREFIX = "year.", "capex_x.", "learning_x."


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input: its column name in the design, range and central value."""

    name: str  # "year.<milestone>", "capex_x.<tech>" or "learning_x.<tech>"
    low: float
    high: float
    central: float
    distribution: str  # "integer_uniform" for milestone years

    def value(self, u: np.ndarray) -> np.ndarray:
        """The input's value at quantiles ``u`` in [0, 1) (the inverse CDF)."""
        u = np.asarray(u, dtype=float)
        lo, hi = self.low, self.high
        if self.distribution == "integer_uniform":
            return np.minimum(lo + np.floor(u * (hi - lo + 1)), hi)
        if self.distribution == "loguniform":
            return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
        if self.distribution == "triangular" and hi > lo:
            c = (self.central - lo) / (hi - lo)
            left = lo + np.sqrt(u * (hi - lo) * (self.central - lo))
            right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - self.central))
            return np.where(u < c, left, right)
        return lo + u * (hi - lo)


def _multiplier(name: str, dist: Distribution) -> UncertainInput:
    if dist.distribution == "triangular":
        central = float(dist.mode)  # type: ignore[arg-type]
    elif dist.distribution == "loguniform":
        central = math.sqrt(dist.low * dist.high)
    else:
        central = (dist.low + dist.high) / 2
    return UncertainInput(name, dist.low, dist.high, central, dist.distribution)


def uncertain_inputs(scenario: Scenario) -> list[UncertainInput]:
    """The scenario's uncertain inputs, milestones first (roadmap order), then multipliers."""
    spec = scenario.uncertainty or Uncertainty()
    roadmap = load_roadmap()
    inputs = []
    for mid in spec.milestone_ids():
        lo, hi = roadmap.year_range(mid)
        if roadmap.milestone(mid).open_ended:
            hi += roadmap.late_open_ended_extra_years
        central = roadmap.timelines["mid"][mid]
        inputs.append(UncertainInput(YEAR_PREFIX + mid, lo, hi, central, "integer_uniform"))
    inputs += [_multiplier(CAPEX_PREFIX + t, d) for t, d in spec.capex_multiplier.items()]
    inputs += [_multiplier(LEARNING_PREFIX + t, d) for t, d in spec.learning_multiplier.items()]
    return inputs


def latin_hypercube(inputs: list[UncertainInput], samples: int, seed: int) -> pd.DataFrame:
    """``samples`` rows (column ``sample`` = 0..N-1) with one column per input."""
    if samples < 1:
        raise ValueError("a sweep needs at least 1 sample")
    design = pd.DataFrame({"sample": np.arange(samples, dtype=np.int64)})
    if not inputs:
        return design
    u = qmc.LatinHypercube(d=len(inputs), rng=np.random.default_rng(seed)).random(samples)
    for j, inp in enumerate(inputs):
        design[inp.name] = inp.value(u[:, j])
    return _in_order(_typed(design, inputs), inputs)


def ordered_years(years: dict[str, int]) -> dict[str, int]:
    """``years`` with every milestone moved, in the roadmap's dependency order, to at least
    the year of each milestone it comes ``after`` (data/roadmap.yaml)."""
    roadmap = load_roadmap()
    out = dict(years)
    for mid in in_dependency_order(roadmap):
        deps = [out[d] for d in roadmap.milestone(mid).after if d in out]
        if mid in out and deps:
            out[mid] = max(int(out[mid]), *(int(d) for d in deps))
    return out


def _in_order(design: pd.DataFrame, inputs: list[UncertainInput]) -> pd.DataFrame:
    """The design with its milestone-year columns put in the roadmap's order, row by row
    (milestones not drawn at their central year)."""
    drawn = [i for i in inputs if i.name.startswith(YEAR_PREFIX)]
    if not drawn:
        return design
    central = {k: int(v) for k, v in load_roadmap().timelines["mid"].items()}
    names = [i.name.removeprefix(YEAR_PREFIX) for i in drawn]
    columns = [i.name for i in drawn]
    values = design[columns].to_numpy(dtype=np.int64, copy=True)
    for r in range(values.shape[0]):
        years = ordered_years(central | dict(zip(names, values[r].tolist(), strict=True)))
        values[r] = [years[n] for n in names]
    design[columns] = values
    return design


def _typed(design: pd.DataFrame, inputs: list[UncertainInput]) -> pd.DataFrame:
    """Milestone years as int64, multipliers as float64."""
    kinds = {i.name: np.int64 if i.distribution == "integer_uniform" else float for i in inputs}
    return design.astype(kinds)


def one_at_a_time(inputs: list[UncertainInput]) -> pd.DataFrame:
    """Sample 0 with every input central, then per input k: sample 2k+1 at its low and 2k+2
    at its high end, the others central. Columns ``oat_input`` and ``oat_level`` say which."""
    central = {i.name: i.central for i in inputs}
    rows = [{"sample": 0, "oat_input": "", "oat_level": "center", **central}]
    for k, inp in enumerate(inputs):
        for level, value in (("low", inp.low), ("high", inp.high)):
            sample = 2 * k + (1 if level == "low" else 2)
            rows.append(
                {"sample": sample, "oat_input": inp.name, "oat_level": level}
                | central
                | {inp.name: value}
            )
    design = _typed(pd.DataFrame(rows).astype({"sample": np.int64}), inputs)
    return _in_order(design, inputs)


def _base_tech_value(scenario: Scenario, tech: str, field: str) -> float:
    override = scenario.technologies.overrides.get(tech)
    value = getattr(override, field, None) if override is not None else None
    return float(
        value if value is not None else getattr(load_catalogue().technologies[tech], field)
    )


def check_inputs(scenario: Scenario, inputs: list[UncertainInput]) -> None:
    """Refuse multipliers that would push a learning rate to 1 or above (capex never learns
    to zero); raises QroadInputError naming the key path."""
    for inp in inputs:
        if inp.name.startswith(LEARNING_PREFIX):
            tech = inp.name.removeprefix(LEARNING_PREFIX)
            rate = _base_tech_value(scenario, tech, "learning_rate_per_year")
            if rate * inp.high >= 1.0:
                raise QroadInputError(
                    "learning multiplier gives a learning rate of 1 or more",
                    file=scenario.source_file,
                    path=f"uncertainty.learning_multiplier.{tech}.high",
                    value=inp.high,
                    allowed=f"a multiplier below {1.0 / rate:.3g} (base rate {rate:g} per year)"
                    if rate > 0
                    else "any",
                )


def sample_scenario(scenario: Scenario, row: dict[str, Any], sample: int) -> dict[str, Any]:
    """The scenario as a plain mapping with one design row applied, named ``<name>-sNNNN``.

    Drawn milestone years replace those of the scenario's timeline (given as a full mapping
    so the other milestones keep the scenario's years), then ``ordered_years`` keeps the
    roadmap's order (a milestone moves to the year of one it follows); multipliers scale the
    scenario's capex_eur / learning_rate_per_year overrides, or the catalogue's values when
    there is none. The ``uncertainty`` section is dropped from the sample."""
    data = copy.deepcopy(scenario.resolved())
    data["name"] = f"{scenario.name}-s{sample:04d}"
    data["uncertainty"] = None
    years = milestone_years(scenario)
    drawn = {
        k.removeprefix(YEAR_PREFIX): int(v) for k, v in row.items() if k.startswith(YEAR_PREFIX)
    }
    if drawn:
        data["timeline"] = ordered_years(years | drawn)
    overrides = data["technologies"]["overrides"]
    for key, value in row.items():
        for prefix, field in (
            (CAPEX_PREFIX, "capex_eur"),
            (LEARNING_PREFIX, "learning_rate_per_year"),
        ):
            if key.startswith(prefix):
                tech = key.removeprefix(prefix)
                base = _base_tech_value(scenario, tech, field)
                over = overrides.setdefault(tech, {})
                over[field] = float(base * float(value))
    return data
