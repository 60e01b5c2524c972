"""Typed, frozen models of a scenario file (DESIGN.md, "Scenario files").

Every model forbids unknown keys and is immutable. Numbers are strict (a quoted "1000" or a
YAML boolean is not a number) and must be finite. Checks that span several keys raise
``PydanticCustomError("qroad", ...)`` whose context carries the key path (relative to the
model), the bad value and what is allowed; engine.scenario.loader turns them into
``QroadInputError``. Paths under ``network.topology`` and ``demand.pairs`` are checked
against the validation context ``{"data_dir": Path, "base_dir": Path}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    PrivateAttr,
    StrictBool,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from engine.names import STRATEGIES, TECHNOLOGIES
from engine.scenario.common import (
    EquipmentName,
    Key,
    NonNeg,
    PosInt,
    Positive,
    Rate01,
    ScenarioName,
    Share,
    Strict,
    TechName,
    Text,
    Year,
    fail,
)
from engine.scenario.demand_model import Demand
from engine.scenario.network_model import Network
from engine.scenario.timeline import (
    MAPPING_BASE_TIMELINE,
    load_roadmap,
    milestone_years,
    order_violations,
    periods,
)
from engine.scenario.uncertainty import Uncertainty

__all__ = [
    "Candidates",
    "Economics",
    "EquipmentOverride",
    "Horizon",
    "Scenario",
    "Solver",
    "TechOverride",
    "Technologies",
]


class Horizon(Strict):
    """Planning horizon: periods start at start_year every period_years, before end_year."""

    start_year: Year = 2025
    end_year: Year = 2050
    period_years: PosInt = 5

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end_year <= self.start_year:
            raise fail(
                "end_year must be after start_year",
                ("end_year",),
                self.end_year,
                f"a year after start_year ({self.start_year})",
            )
        span = self.end_year - self.start_year
        if self.period_years > span:
            raise fail(
                "period_years is longer than the horizon",
                ("period_years",),
                self.period_years,
                f"1 to {span} (end_year - start_year)",
            )
        return self


def _mapping_or_scalar(value: Any) -> str:
    return "mapping" if isinstance(value, dict) else "scalar"


TimelineSpec = Annotated[
    Annotated[Text, Tag("scalar")] | Annotated[dict[Key, Year], Tag("mapping")],
    Discriminator(_mapping_or_scalar),
]


class TechOverride(Strict):
    """Scenario overrides of one catalogue technology (None = keep the catalogue value)."""

    capex_eur: NonNeg | None = None
    opex_eur_per_year: NonNeg | None = None
    lifetime_years: PosInt | None = None
    learning_rate_per_year: Rate01 | None = None
    available_year: Year | None = None
    repetition_rate_hz: Positive | None = None
    max_length_km: Positive | None = None
    params: dict[Key, Annotated[float, Field(strict=True)]] = Field(default_factory=dict)


class EquipmentOverride(Strict):
    capex_eur: NonNeg | None = None
    opex_eur_per_year: NonNeg | None = None
    lifetime_years: PosInt | None = None


class Technologies(Strict):
    enabled: Annotated[tuple[TechName, ...], Field(min_length=1)] = TECHNOLOGIES
    overrides: dict[TechName, TechOverride] = Field(default_factory=dict)
    equipment_overrides: dict[EquipmentName, EquipmentOverride] = Field(default_factory=dict)

    @field_validator("enabled")
    @classmethod
    def _unique(cls, enabled: tuple[str, ...]) -> tuple[str, ...]:
        for i, tech in enumerate(enabled):
            if tech in enabled[:i]:
                raise fail("technology listed twice", (i,), tech, "each technology once")
        return enabled


class Economics(Strict):
    discount_rate: Rate01 = 0.05
    unserved_penalty_eur_per_bps_year: NonNeg = 100.0
    budget_eur_per_period: NonNeg | None = None


class Candidates(Strict):
    k_routes: Annotated[int, Field(strict=True, ge=1, le=20)] = 2
    min_key_rate_bps: NonNeg = 1.0
    express_hops: StrictBool = True
    hut_grid_km: Positive | None = None


class Solver(Strict):
    time_limit_s: Positive = 120.0
    mip_gap: Share = 0.01
    threads: PosInt = 2
    seed: Annotated[int, Field(strict=True, ge=0)] = 0
    strategy: Literal[STRATEGIES] = "auto"


class Scenario(Strict):
    """A validated scenario; ``source_file`` and ``resolved()`` are set by the loader."""

    name: ScenarioName
    description: Text = ""
    extends: Text | None = None
    timeline: TimelineSpec = "mid"
    horizon: Horizon = Field(default_factory=Horizon)
    network: Network
    demand: Demand = Field(default_factory=Demand)
    technologies: Technologies = Field(default_factory=Technologies)
    economics: Economics = Field(default_factory=Economics)
    candidates: Candidates = Field(default_factory=Candidates)
    solver: Solver = Field(default_factory=Solver)
    uncertainty: Uncertainty | None = None  # read by sweeps only (engine.sweep)
    _source_file: Path | None = PrivateAttr(default=None)

    @field_validator("timeline")
    @classmethod
    def _known_timeline(cls, spec: str | dict[str, int]) -> str | dict[str, int]:
        roadmap = load_roadmap()
        if isinstance(spec, str) and spec not in roadmap.timelines:
            raise fail(
                "unknown timeline",
                (),
                spec,
                ", ".join(roadmap.timelines) + ", or a mapping milestone id -> year",
            )
        for key in spec if isinstance(spec, dict) else ():
            if key not in roadmap.milestone_ids:
                raise fail(
                    "unknown milestone",
                    (key,),
                    key,
                    "milestone ids of data/roadmap.yaml: " + ", ".join(roadmap.milestone_ids),
                )
        if isinstance(spec, dict):  # the same order check as qroad run (milestone_years)
            years = {**roadmap.timelines[MAPPING_BASE_TIMELINE], **spec}
            for later, earlier in order_violations(roadmap, years):
                raise fail(
                    f"the timeline dates milestone {later!r} ({years[later]}) before "
                    f"{earlier!r} ({years[earlier]}), which it comes after "
                    "(data/roadmap.yaml `after`)",
                    (later,),
                    years[later],
                    f"a year >= {years[earlier]}, or move {earlier} earlier too",
                )
        return spec

    @model_validator(mode="after")
    def _cross_checks(self, info: ValidationInfo) -> Scenario:
        h = self.horizon
        for year in self.demand.trust_mix:
            if not h.start_year <= year <= h.end_year:
                raise fail(
                    "trust_mix year outside the horizon",
                    ("demand", "trust_mix", str(year)),
                    year,
                    f"a year from {h.start_year} to {h.end_year}",
                )
        if self.network.sites is not None:
            ids = {s.id for s in self.network.sites}
            allowed = "a site id of network.sites: " + ", ".join(sorted(ids))
            for cname, cust in self.demand.customers.items():
                for i, site in enumerate(cust.sites):
                    if site not in ids:
                        raise fail(
                            "customer site not in the network",
                            ("demand", "customers", cname, "sites", i),
                            site,
                            allowed,
                        )
            for i, pair in enumerate(
                self.demand.pairs if isinstance(self.demand.pairs, tuple) else ()
            ):
                for end in ("a", "b"):
                    if getattr(pair, end) not in ids:
                        raise fail(
                            "demand site not in the network",
                            ("demand", "pairs", i, end),
                            getattr(pair, end),
                            allowed,
                        )
        self._check_budget_mode()
        for section in ("capex_multiplier", "learning_multiplier"):
            for tech in getattr(self.uncertainty, section, {}):
                if tech not in self.technologies.enabled:
                    raise fail(
                        "uncertain technology is not enabled",
                        ("uncertainty", section, tech),
                        tech,
                        "an enabled technology: " + ", ".join(self.technologies.enabled),
                    )
        source = (info.context or {}).get("source_file")
        self._source_file = Path(source) if source is not None else None
        return self

    def _check_budget_mode(self) -> None:
        """``demand.service.mode: budget`` needs a budget and the exact strategy."""
        if self.demand.service.mode != "budget":
            return
        if self.economics.budget_eur_per_period is None:
            raise fail(
                "service mode budget needs a budget",
                ("economics", "budget_eur_per_period"),
                None,
                "EUR per period (a number >= 0)",
            )
        if self.solver.strategy not in ("auto", "exact"):
            raise fail(
                "service mode budget is solved by the exact strategy only",
                ("solver", "strategy"),
                self.solver.strategy,
                "exact or auto",
            )

    @property
    def source_file(self) -> Path | None:
        """The scenario file this was loaded from (None when built from a dict)."""
        return self._source_file

    def resolved(self) -> dict[str, Any]:
        """The complete scenario (defaults filled in) as plain dicts, lists and scalars."""
        return _plain(self.model_dump(mode="python"))

    def periods(self) -> list[int]:
        """First year of each planning period."""
        return periods(self.horizon)

    def milestone_years(self) -> dict[str, int]:
        """Calendar year of every roadmap milestone under this scenario's timeline."""
        return milestone_years(self.timeline)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
