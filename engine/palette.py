"""One palette for every chart, page and report: fixed colours and labels per technology,
roadmap phase, trust class, site equipment and cost category, and a run's colour that does
not change with which runs are shown.

Colours are hex strings (plotly and CSS read them). Technologies of a phase share its hue
family (phase I blues/greens, phase II oranges, phase III reds/purples), so a map coloured by
technology still reads by phase.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.names import EQUIPMENT, PHASES, TECHNOLOGIES, TRUST_CLASSES
from optimizer.names import COST_CATEGORIES

PHASE_COLOURS: dict[str, str] = {"I": "#1f77b4", "II": "#ff7f0e", "III": "#9467bd"}
PHASE_LABELS: dict[str, str] = {
    "I": "I: trusted nodes",
    "II": "II: untrusted relays",
    "III": "III: repeaters (trust-free)",
}

TECH_COLOURS: dict[str, str] = {
    "bb84": "#1f77b4",  # phase I
    "cv_qkd": "#17becf",
    "fso": "#2ca02c",
    "satellite_trusted": "#7f7f7f",
    "mdi": "#ff7f0e",  # phase II
    "tf": "#d62728",
    "mdi_memory": "#8c564b",
    "satellite_entangled": "#bcbd22",
    "repeater": "#9467bd",  # phase III
    "repeater_qec": "#e377c2",
}
TECH_LABELS: dict[str, str] = {
    "bb84": "decoy BB84",
    "cv_qkd": "CV-QKD",
    "fso": "free-space optical",
    "mdi": "MDI-QKD",
    "tf": "twin-field QKD",
    "mdi_memory": "memory-assisted MDI",
    "repeater": "repeater (no distillation)",
    "repeater_qec": "repeater (QEC)",
    "satellite_trusted": "trusted satellite",
    "satellite_entangled": "entangled satellite",
}

TRUST_COLOURS: dict[str, str] = {
    "trusted": "#1f77b4",
    "partial": "#ff7f0e",
    "trust_free": "#9467bd",
}
TRUST_LABELS: dict[str, str] = {
    "trusted": "trusted",
    "partial": "partially trusted",
    "trust_free": "trust-free",
}
# coinciding lines stay visible: wide pale under narrow dashed
TRUST_LINES: dict[str, dict[str, object]] = {
    "trusted": {"width": 7, "dash": "solid"},
    "partial": {"width": 4, "dash": "solid"},
    "trust_free": {"width": 2, "dash": "dot"},
}

EQUIPMENT_COLOURS: dict[str, str] = {
    "trusted_node": "#1f77b4",
    "relay": "#ff7f0e",
    "memory_station": "#8c564b",
    "repeater_node": "#9467bd",
    "ground_station": "#7f7f7f",
}
EQUIPMENT_LABELS: dict[str, str] = {
    "trusted_node": "trusted nodes",
    "relay": "relays",
    "memory_station": "memories",
    "repeater_node": "repeaters",
    "ground_station": "ground stations",
}
NO_EQUIPMENT_COLOUR = "#d3d3d3"

COST_LABELS: dict[str, str] = {
    "capex_systems": "capex: link systems",
    "capex_equipment": "capex: site equipment",
    "opex_systems": "opex: link systems",
    "opex_equipment": "opex: site equipment",
    "unserved_penalty": "unserved-key penalty",
    "residual_value": "residual value (credit)",
}
COST_COLOURS: dict[str, str] = {
    "capex_systems": "#1f77b4",
    "capex_equipment": "#aec7e8",
    "opex_systems": "#2ca02c",
    "opex_equipment": "#98df8a",
    "unserved_penalty": "#d62728",
    "residual_value": "#c7c7c7",
}

RUN_COLOURS: tuple[str, ...] = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#17becf",
    "#bcbd22",
)
RUN_SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x", "star")
OTHER_COLOUR = "#444444"
TIMELINE_COLOURS: dict[str, str] = {"early": "#2ca02c", "mid": "#bcbd22", "late": "#8c564b"}

assert set(TECH_COLOURS) == set(TECHNOLOGIES) == set(TECH_LABELS)
assert set(PHASE_COLOURS) == set(PHASES) and set(TRUST_COLOURS) == set(TRUST_CLASSES)
assert set(EQUIPMENT_COLOURS) == set(EQUIPMENT) and set(COST_LABELS) == set(COST_CATEGORIES)


def run_colours(names: Iterable[str]) -> dict[str, str]:
    """A colour per run, by its place among ``names`` sorted: pass every run there is (the
    results folder), not only those shown, and a run keeps its colour whatever is picked."""
    ordered = sorted(set(names))
    return {n: RUN_COLOURS[i % len(RUN_COLOURS)] for i, n in enumerate(ordered)}


def run_symbols(names: Iterable[str]) -> dict[str, str]:
    """A marker symbol per run (same order as ``run_colours``), so runs differ in shape too."""
    ordered = sorted(set(names))
    return {n: RUN_SYMBOLS[i % len(RUN_SYMBOLS)] for i, n in enumerate(ordered)}


def colour_of(kind: str, key: str) -> str:
    """The fixed colour of ``key`` in palette ``kind`` (``tech``, ``phase``, ``trust``,
    ``equipment``, ``category``); an unknown key gets ``OTHER_COLOUR``."""
    table = {
        "tech": TECH_COLOURS,
        "phase": PHASE_COLOURS,
        "trust": TRUST_COLOURS,
        "equipment": EQUIPMENT_COLOURS,
        "category": COST_COLOURS,
    }[kind]
    return table.get(str(key), OTHER_COLOUR)


def colour_by_technology(fig: object) -> object:
    """Give every trace and shape of a plotly figure whose name starts with a technology id
    (``bb84 @ 1 GHz``, ``bb84 max length``) that technology's colour; returns the figure."""

    def tech_of(name: object) -> str | None:
        first = str(name or "").split(" ", 1)[0]
        return first if first in TECH_COLOURS else None

    for trace in fig.data:  # type: ignore[attr-defined]
        tech = tech_of(trace.name)
        if tech is not None:
            trace.update(line_color=TECH_COLOURS[tech])
    for shape in fig.layout.shapes:  # type: ignore[attr-defined]
        tech = tech_of(shape.name)
        if tech is not None:
            shape.update(line_color=TECH_COLOURS[tech])
    return fig
