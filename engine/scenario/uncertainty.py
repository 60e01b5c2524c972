"""The optional ``uncertainty:`` section of a scenario: what a sweep (``qroad sweep``) draws.

```yaml
uncertainty:
  milestones: all                  # all | [] | [milestone ids]: year drawn from the roadmap range
  capex_multiplier:                # technology -> distribution of a factor on its capex_eur
    mdi: {low: 0.5, high: 1.5}
    tf: {distribution: triangular, low: 0.6, mode: 1.0, high: 2.0}
  learning_multiplier:             # technology -> factor on learning_rate_per_year
    bb84: {distribution: loguniform, low: 0.5, high: 2.0}
```

A milestone's year is drawn as a whole year from its range in ``data/roadmap.yaml``
(``base_year + from_year_offset`` to ``base_year + to_year_offset``, plus
``late_open_ended_extra_years`` when the range is open-ended, i.e. from its ``early`` to its
``late`` year); its central value is its ``mid`` year. A multiplier's central value is its
mode (triangular), the midpoint (uniform) or the geometric mean (loguniform). Running a
scenario ignores this section; only sweeps read it (engine.sweep, docs/sweeps.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from engine.scenario.common import Key, Positive, Strict, TechName, fail
from engine.scenario.timeline import load_roadmap

DISTRIBUTIONS = ("uniform", "triangular", "loguniform")


class Distribution(Strict):
    """A distribution of a positive multiplier: uniform, triangular (with mode) or loguniform."""

    distribution: Literal[DISTRIBUTIONS] = "uniform"
    low: Positive
    high: Positive
    mode: Positive | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Distribution:
        if self.high < self.low:
            raise fail("high is below low", ("high",), self.high, f"a value >= low ({self.low})")
        if self.distribution == "triangular":
            if self.mode is None or not self.low <= self.mode <= self.high:
                raise fail(
                    "a triangular distribution needs a mode between low and high",
                    ("mode",),
                    self.mode,
                    f"a value from {self.low} to {self.high}",
                )
        elif self.mode is not None:
            raise fail(
                f"mode applies only to triangular distributions, not {self.distribution}",
                ("mode",),
                self.mode,
                "omit mode, or distribution: triangular",
            )
        return self


class Uncertainty(Strict):
    """Uncertain inputs of a sweep: milestone years and capex / learning multipliers."""

    milestones: Literal["all"] | Annotated[tuple[Key, ...], Field(max_length=64)] = "all"
    capex_multiplier: dict[TechName, Distribution] = Field(default_factory=dict)
    learning_multiplier: dict[TechName, Distribution] = Field(default_factory=dict)

    @field_validator("milestones")
    @classmethod
    def _known_milestones(cls, spec: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if isinstance(spec, str):
            return spec
        known = load_roadmap().milestone_ids
        for i, mid in enumerate(spec):
            if mid not in known:
                raise fail(
                    "unknown milestone",
                    (i,),
                    mid,
                    "all, or milestone ids of data/roadmap.yaml: " + ", ".join(known),
                )
            if mid in spec[:i]:
                raise fail("milestone listed twice", (i,), mid, "each milestone once")
        return spec

    def milestone_ids(self) -> tuple[str, ...]:
        """The milestones whose year is drawn, in roadmap order."""
        ids = load_roadmap().milestone_ids
        return ids if self.milestones == "all" else tuple(m for m in ids if m in self.milestones)
