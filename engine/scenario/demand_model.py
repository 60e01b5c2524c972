"""The ``demand:`` section: pairs (generated or listed), trust mix, customers, the SNDlib
key-refresh policy and the service mode (``engine.scenario.service_model``)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import (
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from engine.names import TRUST_CLASSES
from engine.scenario.common import (
    PAIRS_ALLOWED,
    SHARE_TOLERANCE,
    Key,
    NonNeg,
    PosInt,
    Positive,
    Share,
    SiteId,
    SitePair,
    Strict,
    Text,
    TrustName,
    YearKey,
    context_dirs,
    fail,
    resolve_data_path,
)
from engine.scenario.service_model import Service


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


PairsSpec = Annotated[
    Annotated[Text, Tag("scalar")]
    | Annotated[tuple[DemandPair, ...], Field(min_length=1), Tag("list")],
    Discriminator(_list_or_scalar),
]


class Demand(Strict):
    pairs: PairsSpec = "all"
    endpoints: Annotated[tuple[SiteId, ...], Field(min_length=2)] | None = None
    base_key_rate_bps: NonNeg = 1000.0
    growth_per_year: NonNeg = 0.0
    trust_mix: dict[YearKey, TrustShares] = Field(default_factory=dict)
    customers: dict[Key, Customer] = Field(default_factory=dict)
    sndlib: SndlibPolicy = Field(default_factory=SndlibPolicy)
    service: Service = Field(default_factory=Service)

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
