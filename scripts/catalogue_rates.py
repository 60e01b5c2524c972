"""Print every catalogue technology's key rate per system (bit/s) at a few lengths and years.

Uses the engine's own functions, so the table is what the optimiser is given:
``engine.catalogue_rates.catalogue_rates_table``, i.e. ``engine.tech_periods`` (the
catalogue's parameters in each year under a timeline) and
``engine.capacity.key_rate_per_system_bps`` (the rate of one system, detector saturation
included). Chains get the layouts described there (first generation: equal links, the best
nesting level; encoded: the fewest equal links within ``max_node_spacing_km``); satellites
their day-averaged rate whatever the length; '—' beyond a technology's ``max_length_km``.

Run: ``.venv/bin/python scripts/catalogue_rates.py [--timeline mid] [--alpha 0.2]``.
(The table recorded before issue 18 came from an earlier version of this script with the
same layouts, except that the first-generation chain had no node-spacing limit then.)
"""

from __future__ import annotations

import argparse

import numpy as np

from engine.catalogue import load_catalogue
from engine.catalogue_rates import catalogue_rates_table

LENGTHS_KM = (25.0, 50.0, 100.0, 200.0, 400.0)
YEARS = (2025, 2035, 2045)


def fmt(value: float) -> str:
    """A rate in bit/s, compactly; '—' beyond the technology's max length."""
    if np.isnan(value):
        return "—"
    if value == 0.0:
        return "0"
    for scale, unit in ((1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:.3g}{unit}"
    return f"{value:.3g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeline", default="mid")
    parser.add_argument("--alpha", type=float, default=0.2, help="fibre loss, dB/km")
    args = parser.parse_args()
    head = " | ".join(f"{L:g} km" for L in LENGTHS_KM)
    print(f"timeline {args.timeline}, fibre {args.alpha} dB/km; bit/s per system")
    print(f"| tech | year | {head} |")
    print("|---|---|" + "---|" * len(LENGTHS_KM))
    tables = {
        y: catalogue_rates_table(
            LENGTHS_KM, timeline=args.timeline, year=y, alpha_db_per_km=args.alpha
        )
        for y in YEARS
    }
    for tech in sorted(load_catalogue().technologies):
        for year in YEARS:
            rows = tables[year][tables[year]["tech"] == tech].set_index("length_km")
            rates = [float(rows["key_rate_bps"].get(L, np.nan)) for L in LENGTHS_KM]
            print(f"| {tech} | {year} | " + " | ".join(fmt(r) for r in rates) + " |")


if __name__ == "__main__":
    main()
