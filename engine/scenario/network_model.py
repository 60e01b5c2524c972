"""The ``network:`` section: a topology reference or inline sites and spans."""

from __future__ import annotations

import difflib
import importlib.resources
from typing import Annotated, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from engine.scenario.common import (
    TOPOHUB_PREFIX,
    TOPOLOGY_ALLOWED,
    PosInt,
    Positive,
    SiteId,
    SitePair,
    Strict,
    Text,
    context_dirs,
    fail,
    great_circle_km,
    resolve_data_path,
)


class Site(Strict):
    id: SiteId
    name: Text | None = None
    lon: Annotated[float, Field(strict=True, ge=-180, le=180)]
    lat: Annotated[float, Field(strict=True, ge=-90, le=90)]


class Span(SitePair):
    """A fibre span; without ``length_km`` it is great-circle distance × route_factor."""

    joins: ClassVar[str] = "span"
    length_km: Positive | None = None
    max_systems: PosInt | None = None  # fibres/wavelengths for QKD on this span; None = no limit


class Network(Strict):
    """Exactly one of ``topology`` or ``sites`` + ``spans``."""

    topology: Text | None = None
    sites: tuple[Site, ...] | None = None
    spans: tuple[Span, ...] | None = None
    fibre_loss_db_per_km: Positive = 0.2
    route_factor: Annotated[float, Field(strict=True, ge=1, le=5)] = 1.25  # assumption
    # dB per site a fibre path passes without stopping (an optical switch there): Karavias
    # et al., arXiv 2107.02665, use 1-2 dB per switch; more than 10 dB is surely a typo
    bypass_loss_db: Annotated[float, Field(strict=True, ge=0, le=10)] = 1.0
    # dB per optical link (fibre path between two devices) for its two equipment
    # connectors, 0.5 dB each, which the ITU-T G.652 (11/2016) Appendix I link attenuation
    # leaves out (docs/candidates.md, "Extra loss")
    link_margin_db: Annotated[float, Field(strict=True, ge=0, le=20)] = 1.0

    @field_validator("topology")
    @classmethod
    def _topology_form(cls, text: str | None, info: ValidationInfo) -> str | None:
        if text is None:
            return None
        data_dir, base_dir = context_dirs(info)
        if text.startswith(TOPOHUB_PREFIX):
            key = text[len(TOPOHUB_PREFIX) :]
            root = importlib.resources.files("topohub") / "data"
            if "/" not in key or ".." in key or not (root / f"{key}.json").is_file():
                group = root / key.split("/")[0]
                names = (
                    [f"{TOPOHUB_PREFIX}{key.split('/')[0]}/{p.name[:-5]}" for p in group.iterdir()]
                    if group.is_dir()
                    else []
                )
                near = difflib.get_close_matches(text, names, n=3)
                raise fail(
                    "unknown topohub key",
                    (),
                    text,
                    (f"close matches: {', '.join(near)}; " if near else "") + TOPOLOGY_ALLOWED,
                )
            return text
        path = resolve_data_path(text, data_dir=data_dir, base_dir=base_dir)
        if path.suffix.lower() == ".graphml":
            ok = path.is_file()
        else:
            ok = (path / "sites.csv").is_file() and (path / "spans.csv").is_file()
        if not ok:
            raise fail(f"network data not found at {path}", (), text, TOPOLOGY_ALLOWED)
        return text

    @model_validator(mode="after")
    def _inline(self) -> Network:
        inline = self.sites is not None or self.spans is not None
        if (self.topology is not None) == inline:
            given = [k for k in ("topology", "sites", "spans") if getattr(self, k) is not None]
            raise fail(
                "give exactly one network source",
                (),
                given or "neither",
                "exactly one of: topology, or sites + spans",
            )
        if not inline:
            return self
        if not self.sites or not self.spans:
            missing = "sites" if not self.sites else "spans"
            raise fail(
                "inline networks need both sites and spans", (missing,), [], "a non-empty list"
            )
        ids: set[str] = set()
        for i, site in enumerate(self.sites):
            if site.id in ids:
                raise fail("duplicate site id", ("sites", i, "id"), site.id, "unique site ids")
            ids.add(site.id)
        seen: set[frozenset[str]] = set()
        for i, span in enumerate(self.spans):
            for end in ("a", "b"):
                if getattr(span, end) not in ids:
                    raise fail(
                        "span to an unknown site",
                        ("spans", i, end),
                        getattr(span, end),
                        "a site id of network.sites: " + ", ".join(sorted(ids)),
                    )
            if frozenset((span.a, span.b)) in seen:
                raise fail(
                    "duplicate span", ("spans", i), f"{span.a}-{span.b}", "one span per site pair"
                )
            seen.add(frozenset((span.a, span.b)))
        reached = _reachable(self.sites[0].id, self.spans)
        if len(reached) < len(ids):
            raise fail(
                "the network is not connected",
                ("spans",),
                sorted(ids - reached),
                f"spans connecting every site to {self.sites[0].id}",
            )
        return self

    @property
    def is_inline(self) -> bool:
        return self.topology is None

    def span_length_km(self, span: Span) -> float:
        """The span's length, else great-circle km between its sites × route_factor."""
        if span.length_km is not None:
            return span.length_km
        by_id = {s.id: s for s in self.sites or ()}
        a, b = by_id[span.a], by_id[span.b]
        return great_circle_km(a.lon, a.lat, b.lon, b.lat) * self.route_factor


def _reachable(start: str, spans: tuple[Span, ...]) -> set[str]:
    adjacent: dict[str, set[str]] = {}
    for span in spans:
        adjacent.setdefault(span.a, set()).add(span.b)
        adjacent.setdefault(span.b, set()).add(span.a)
    seen, todo = {start}, [start]
    while todo:
        for nxt in adjacent.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
