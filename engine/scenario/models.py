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
from typing import Annotated, Any, ClassVar, Literal

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

from engine.names import STRATEGIES, TECHNOLOGIES, TRUST_CLASSES
from engine.scenario.common import (
    PAIRS_ALLOWED,
    SHARE_TOLERANCE,
    EquipmentName,
    Key,
    NonNeg,
    PosInt,
    Positive,
    Rate01,
    ScenarioName,
    Share,
    SiteId,
    SitePair,
    Strict,
    TechName,
    Text,
    TrustName,
    Year,
    YearKey,
    context_dirs,
    fail,
    resolve_data_path,
)
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
    "Customer",
    "Demand",
    "DemandPair",
    "Economics",
    "EquipmentOverride",
    "Horizon",
    "Scenario",
    "SndlibPolicy",
    "Solver",
    "TechOverride",
    "Technologies",
    "TrustShares",
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


class DemandPair(SitePair):
    """An explicit demand; missing key rate = base_key_rate_bps, missing trust = trust_mix."""

    joins: ClassVar[str] = "demand"
    key_rate_bps: NonNeg | None = None
    trust: TrustName | None = None
    customer: Key | None = None
    paths: PosInt = 1


class Customer(Strict):
    sites: Annotated[tuple[SiteId, ...], Field(min_length=1)]


class SndlibPolicy(Strict):
    """Key-refresh policy turning SNDlib traffic into key rate:
    key_rate_bps = traffic × channels_per_unit × key_bits / refresh_s."""

    key_bits: PosInt = 256
    refresh_s: Positive = 1.0
    channels_per_unit: Positive = 1.0

    def key_rate_bps(self, traffic: float) -> float:
        return traffic * self.channels_per_unit * self.key_bits / self.refresh_s


class TrustShares(Strict):
    trusted: Share = 0.0
    partial: Share = 0.0
    trust_free: Share = 0.0

    @model_validator(mode="after")
    def _sum_to_one(self) -> TrustShares:
        total = self.trusted + self.partial + self.trust_free
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise fail(
                "trust shares must sum to 1",
                (),
                round(total, 9),
                f"shares of trusted, partial, trust_free summing to 1 (±{SHARE_TOLERANCE})",
            )
        return self


def _list_or_scalar(value: Any) -> str:
    return "list" if isinstance(value, list | tuple) else "scalar"


def _mapping_or_scalar(value: Any) -> str:
    return "mapping" if isinstance(value, dict) else "scalar"


PairsSpec = Annotated[
    Annotated[Text, Tag("scalar")]
    | Annotated[tuple[DemandPair, ...], Field(min_length=1), Tag("list")],
    Discriminator(_list_or_scalar),
]
TimelineSpec = Annotated[
    Annotated[Text, Tag("scalar")] | Annotated[dict[Key, Year], Tag("mapping")],
    Discriminator(_mapping_or_scalar),
]


class Demand(Strict):
    pairs: PairsSpec = "all"
    endpoints: Annotated[tuple[SiteId, ...], Field(min_length=2)] | None = None
    base_key_rate_bps: NonNeg = 1000.0
    growth_per_year: NonNeg = 0.0
    trust_mix: dict[YearKey, TrustShares] = Field(default_factory=dict)
    customers: dict[Key, Customer] = Field(default_factory=dict)
    sndlib: SndlibPolicy = Field(default_factory=SndlibPolicy)

    @field_validator("pairs")
    @classmethod
    def _pairs_form(cls, pairs: Any, info: ValidationInfo) -> Any:
        if not isinstance(pairs, str) or pairs in ("all", "sndlib"):
            return pairs
        if not pairs.lower().endswith(".csv"):
            raise fail("unknown demand generator", (), pairs, PAIRS_ALLOWED)
        data_dir, base_dir = context_dirs(info)
        path = resolve_data_path(pairs, data_dir=data_dir, base_dir=base_dir)
        if not path.is_file():
            raise fail(f"demand CSV not found at {path}", (), pairs, PAIRS_ALLOWED)
        return pairs

    @model_validator(mode="after")
    def _references(self) -> Demand:
        if self.endpoints is not None and self.pairs not in ("all", "sndlib"):
            raise fail(
                "endpoints only select among generated pairs",
                ("endpoints",),
                list(self.endpoints),
                "null, or a list of sites with pairs: all or pairs: sndlib",
            )
        if isinstance(self.pairs, tuple):
            for i, pair in enumerate(self.pairs):
                if pair.customer is not None and pair.customer not in self.customers:
                    raise fail(
                        "unknown customer",
                        ("pairs", i, "customer"),
                        pair.customer,
                        "a key of demand.customers: "
                        + (", ".join(self.customers) or "(none defined)"),
                    )
        return self

    def trust_shares(self, year: int) -> dict[str, float]:
        """Trust shares in ``year``, linearly interpolated between the trust_mix years and
        constant outside them; all ``trusted`` when trust_mix is empty."""
        if not self.trust_mix:
            return {"trusted": 1.0, "partial": 0.0, "trust_free": 0.0}
        years = sorted(self.trust_mix)
        lo = max((y for y in years if y <= year), default=years[0])
        hi = min((y for y in years if y >= year), default=years[-1])
        w = 0.0 if hi == lo else (year - lo) / (hi - lo)
        a, b = self.trust_mix[lo], self.trust_mix[hi]
        return {t: (1 - w) * getattr(a, t) + w * getattr(b, t) for t in TRUST_CLASSES}


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


class Solver(Strict):
    time_limit_s: Positive = 120.0
    mip_gap: Share = 0.01
    threads: PosInt = 2
    seed: Annotated[int, Field(strict=True, ge=0)] = 0
    strategy: Literal[STRATEGIES] = "exact"


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
