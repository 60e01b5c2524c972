"""The hedged plan's commitments as one tidy table (``commitments.parquet``).

One row per decision taken before the commit year: new systems on a link
(``kind = "systems"``, ``count`` = systems bought in ``period``) or a piece of site
equipment first installed (``kind = "equipment"``, ``count`` = 1). ``capex_eur`` is
the purchase price (count x price per system or site, undiscounted EUR) averaged over
the futures with their probabilities, since a price may depend on the timeline.
``lon``/``lat`` place the row on a map (a link at its first end).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from optimizer.hedge.commit import Commitment
from optimizer.model_data import ModelData

COLUMNS = [
    "period", "kind", "item", "link", "site", "site_a", "site_b", "count", "capex_eur",
    "lon", "lat",
]  # fmt: skip
_TOL = 1e-6


def _price(data: Mapping[str, ModelData], p: Mapping[str, float], item: str, t: int) -> float:
    """Probability-weighted capex (EUR per system or site) of ``item`` bought in ``t``."""
    total = 0.0
    for name, d in data.items():
        row = d.costs[(d.costs["item"] == item) & (d.costs["period"] == t)]
        total += p[name] * (float(row["capex_eur"].iloc[0]) if len(row) else 0.0)
    return total


def commitment_table(
    commitment: Commitment, data: Mapping[str, ModelData], p: Mapping[str, float]
) -> pd.DataFrame:
    """``commitment`` (shared decisions) as rows (module docstring), sorted by period."""
    first = next(iter(data.values()))
    links = first.links.set_index("link")
    where = first.sites.set_index("site")[["lon", "lat"]]
    rows = []
    for (ln, t), n in commitment.get("build", {}).items():
        if n > _TOL:
            link = links.loc[ln]
            a, b = str(link["site_a"]), str(link["site_b"])
            tech = str(link["tech"])
            rows.append((t, "systems", tech, ln, "", a, b, n, n * _price(data, p, tech, t),
                         *where.loc[a]))  # fmt: skip
    sites = commitment.get("site", {})
    periods = sorted({k[-1] for k in sites})
    for (i, e, t), x in sites.items():
        before = [u for u in periods if u < t]
        was = sites.get((i, e, before[-1]), 0.0) if before else 0.0
        if x > 0.5 and was < 0.5:
            rows.append((t, "equipment", e, "", i, i, i, 1.0, _price(data, p, e, t), *where.loc[i]))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["period"] = df["period"].astype("int64")
    df["count"] = df["count"].astype(float)
    return df.sort_values(["period", "kind", "item", "link", "site"], ignore_index=True)
