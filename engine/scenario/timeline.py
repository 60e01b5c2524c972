"""The roadmap's milestones (``data/roadmap.yaml``), the timelines that date them, and the
planning periods of a horizon.

A timeline is either a name from the roadmap file (``early``, ``mid``, ``late``) or a mapping
``milestone id -> year``. A mapping starts from the ``mid`` timeline and replaces the year of
each milestone it names; the other milestones keep their ``mid`` year.

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
from engine.paths import DATA_DIR
from engine.scenario.schema import errors_from_validation
from engine.yaml_io import read_yaml_mapping

ROADMAP_PATH = DATA_DIR / "roadmap.yaml"
MAPPING_BASE_TIMELINE = "mid"
"""The timeline a milestone -> year mapping starts from."""

_Offset = Annotated[int, Field(strict=True, ge=0, le=100)]


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
