"""The roadmap's milestones (``data/roadmap.yaml``), the timelines that date them, and the
planning periods of a horizon.

A timeline is either a name from the roadmap file (``early``, ``mid``, ``late``) or a mapping
``milestone id -> year``. A mapping starts from the ``mid`` timeline and replaces the year of
each milestone it names; the other milestones keep their ``mid`` year.

Order: a milestone may name others it comes ``after`` (lab chains before field chains, simple
repeaters before encoded ones); every timeline, named or given as a mapping, must date such a
milestone in or after the year of each milestone it follows, else it is an error naming both.
A milestone's ``effects`` are cost steps it unlocks (engine.tech_periods applies them).

This module imports nothing from the scenario models, so the models can use it to validate.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from engine.errors import QroadInputError
from engine.names import EQUIPMENT, TECHNOLOGIES
from engine.paths import DATA_DIR
from engine.scenario.schema import errors_from_validation
from engine.yaml_io import read_yaml_mapping

ROADMAP_PATH = DATA_DIR / "roadmap.yaml"
MAPPING_BASE_TIMELINE = "mid"
"""The timeline a milestone -> year mapping starts from."""

_Offset = Annotated[int, Field(strict=True, ge=0, le=100)]


class Effect(BaseModel):
    """A cost step a milestone unlocks: from the milestone's year on, the capex and opex of
    the named technologies or site equipment are multiplied by the factors."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: tuple[Annotated[str, Field(min_length=1)], ...] = Field(min_length=1)
    capex_factor: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    opex_factor: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    source: Annotated[str, Field(min_length=1)]


class Milestone(BaseModel):
    """One row of the roadmap's milestone table; offsets are years after ``base_year``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: str
    from_year_offset: _Offset
    to_year_offset: _Offset
    open_ended: bool = False
    phase: Literal["I", "II", "III"]
    unlocks: str
    after: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> Milestone:
        if self.to_year_offset < self.from_year_offset:
            raise PydanticCustomError(
                "qroad",
                "to_year_offset is before from_year_offset",
                {
                    "path": ("to_year_offset",),
                    "value": self.to_year_offset,
                    "allowed": f"an offset >= from_year_offset ({self.from_year_offset})",
                },
            )
        return self


class Roadmap(BaseModel):
    """Milestones plus named timelines (calendar year per milestone)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    base_year: Annotated[int, Field(strict=True, ge=2000, le=2200)]
    late_open_ended_extra_years: Annotated[int, Field(strict=True, ge=0)]
    milestones: tuple[Milestone, ...]
    timelines: dict[str, dict[str, Annotated[int, Field(strict=True, ge=2000, le=2200)]]]

    @model_validator(mode="after")
    def _consistent(self) -> Roadmap:
        ids = [m.id for m in self.milestones]
        for i, mid in enumerate(ids):
            if mid in ids[:i]:
                raise PydanticCustomError(
                    "qroad",
                    "duplicate milestone id",
                    {"path": ("milestones", i, "id"), "value": mid, "allowed": "unique ids"},
                )
        for name, years in self.timelines.items():
            if set(years) != set(ids):
                odd = sorted(set(years) ^ set(ids))
                raise PydanticCustomError(
                    "qroad",
                    "a timeline must date every milestone and nothing else",
                    {
                        "path": ("timelines", name),
                        "value": odd,
                        "allowed": "exactly the milestone ids: " + ", ".join(ids),
                    },
                )
        for i, m in enumerate(self.milestones):
            for j, dep in enumerate(m.after):
                if dep not in ids or dep == m.id:
                    raise PydanticCustomError(
                        "qroad",
                        "`after` must name other milestones of this file",
                        {
                            "path": ("milestones", i, "after", j),
                            "value": dep,
                            "allowed": ", ".join(ids),
                        },
                    )
        _check_acyclic(self.milestones)
        known = (*TECHNOLOGIES, *EQUIPMENT)
        for i, m in enumerate(self.milestones):
            for j, effect in enumerate(m.effects):
                for k, item in enumerate(effect.items):
                    if item not in known:
                        raise PydanticCustomError(
                            "qroad",
                            "an effect names an unknown technology or equipment",
                            {
                                "path": ("milestones", i, "effects", j, "items", k),
                                "value": item,
                                "allowed": ", ".join(known),
                            },
                        )
        for name, years in self.timelines.items():
            for later, earlier in order_violations(self, years):
                raise PydanticCustomError(
                    "qroad",
                    f"timeline dates {later} ({years[later]}) before {earlier} ({years[earlier]}),"
                    f" which it comes after",
                    {
                        "path": ("timelines", name, later),
                        "value": years[later],
                        "allowed": f"a year >= {years[earlier]} (the year of {earlier})",
                    },
                )
        if MAPPING_BASE_TIMELINE not in self.timelines:
            raise PydanticCustomError(
                "qroad",
                "the roadmap needs a timeline named mid",
                {
                    "path": ("timelines",),
                    "value": sorted(self.timelines),
                    "allowed": "a mapping that includes mid",
                },
            )
        return self

    @property
    def milestone_ids(self) -> tuple[str, ...]:
        """Milestone ids in file order."""
        return tuple(m.id for m in self.milestones)

    def milestone(self, milestone_id: str) -> Milestone:
        """The milestone with this id (KeyError if unknown)."""
        for m in self.milestones:
            if m.id == milestone_id:
                return m
        raise KeyError(milestone_id)

    def year_range(self, milestone_id: str) -> tuple[int, int]:
        """First and last calendar year of the roadmap's range (last is a lower bound of the
        end when the milestone is open-ended)."""
        m = self.milestone(milestone_id)
        return self.base_year + m.from_year_offset, self.base_year + m.to_year_offset


def _check_acyclic(milestones: tuple[Milestone, ...]) -> None:
    """The ``after`` relation has no cycle (a cycle could never be dated)."""
    after = {m.id: m.after for m in milestones}
    state: dict[str, int] = {}

    def visit(mid: str, path: tuple[str, ...]) -> None:
        if state.get(mid) == 2:
            return
        if state.get(mid) == 1:
            raise PydanticCustomError(
                "qroad",
                "milestones come after each other in a cycle",
                {
                    "path": ("milestones",),
                    "value": " -> ".join((*path, mid)),
                    "allowed": "no cycle",
                },
            )
        state[mid] = 1
        for dep in after[mid]:
            visit(dep, (*path, mid))
        state[mid] = 2

    for m in milestones:
        visit(m.id, ())


def order_violations(roadmap: Roadmap, years: Mapping[str, int]) -> list[tuple[str, str]]:
    """(milestone, milestone it comes after) for every pair ``years`` dates in the wrong
    order (the later one strictly before the earlier one), in roadmap order."""
    return [
        (m.id, dep)
        for m in roadmap.milestones
        for dep in m.after
        if m.id in years and dep in years and int(years[m.id]) < int(years[dep])
    ]


def in_dependency_order(roadmap: Roadmap) -> list[str]:
    """Milestone ids so that each comes after every milestone it names in ``after``
    (roadmap order otherwise)."""
    done: list[str] = []
    pending = list(roadmap.milestones)
    while pending:
        ready = [m for m in pending if all(d in done for d in m.after)]
        done += [m.id for m in ready]
        pending = [m for m in pending if m.id not in done]
    return done


@lru_cache(maxsize=8)
def _load_roadmap_cached(path: Path) -> Roadmap:
    data = read_yaml_mapping(path, allowed="a mapping of keys: " + ", ".join(Roadmap.model_fields))
    try:
        return Roadmap.model_validate(data)
    except ValidationError as err:
        raise errors_from_validation(err, data, file=path, model=Roadmap)[0] from None


def load_roadmap(path: str | Path | None = None) -> Roadmap:
    """Read and validate the roadmap file (``data/roadmap.yaml`` by default); cached."""
    return _load_roadmap_cached(Path(path or ROADMAP_PATH).resolve())


class _HasTimeline(Protocol):
    timeline: str | Mapping[str, int]


def milestone_years(
    scenario_or_timeline: _HasTimeline | str | Mapping[str, int],
    roadmap: Roadmap | None = None,
) -> dict[str, int]:
    """Calendar year of every milestone under a timeline.

    Accepts a Scenario (its ``timeline``), a timeline name, or a mapping milestone -> year,
    which overrides the ``mid`` timeline for the milestones it names. Unknown names or
    milestone ids raise QroadInputError (scenarios are validated earlier, so this only
    happens for direct calls)."""
    roadmap = roadmap or load_roadmap()
    spec: Any = scenario_or_timeline
    if not isinstance(spec, str | Mapping):
        spec = spec.timeline
    if isinstance(spec, str):
        if spec not in roadmap.timelines:
            raise QroadInputError(
                "unknown timeline",
                file=ROADMAP_PATH,
                path="timeline",
                value=spec,
                allowed=", ".join(roadmap.timelines) + " or a mapping milestone -> year",
            )
        return dict(roadmap.timelines[spec])
    years = dict(roadmap.timelines[MAPPING_BASE_TIMELINE])
    for key, year in spec.items():
        if key not in years:
            raise QroadInputError(
                "unknown milestone",
                file=ROADMAP_PATH,
                path=f"timeline.{key}",
                value=key,
                allowed=", ".join(roadmap.milestone_ids),
            )
        years[key] = int(year)
    for later, earlier in order_violations(roadmap, years):
        raise QroadInputError(
            f"the timeline dates milestone {later!r} ({years[later]}) before {earlier!r}"
            f" ({years[earlier]}), which it comes after (data/roadmap.yaml `after`)",
            path=f"timeline.{later}",
            value=years[later],
            allowed=f"a year >= {years[earlier]}, or move {earlier} earlier too",
        )
    return years


class _HasHorizon(Protocol):
    start_year: int
    end_year: int
    period_years: int


def periods(horizon: _HasHorizon) -> list[int]:
    """First year of each planning period: ``start_year``, then every ``period_years`` while
    the year is before ``end_year`` (2025-2050 in 5-year steps gives 2025 ... 2045)."""
    if horizon.period_years < 1:
        raise ValueError("period_years must be >= 1")
    return list(range(horizon.start_year, horizon.end_year, horizon.period_years))


def period_containing(year: int, horizon: _HasHorizon) -> int | None:
    """First year of the period that contains ``year``; None outside the horizon."""
    if not horizon.start_year <= year < horizon.end_year:
        return None
    steps = (year - horizon.start_year) // horizon.period_years
    return horizon.start_year + steps * horizon.period_years
