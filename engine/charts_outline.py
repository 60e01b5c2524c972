"""The offline coast and country outline behind the network maps: Natural Earth 1:50m
(public domain; data/outline/README.md), bundled as lon/lat polylines, clipped to a map's
extent. No map tiles and no network are needed."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from engine.paths import DATA_DIR

OUTLINE_FILE = DATA_DIR / "outline" / "countries-50m.json"
OUTLINE_COLOUR = "#b0b0b0"


@lru_cache(maxsize=1)
def _arcs() -> tuple[np.ndarray, ...]:
    """Every arc of the bundled outline as an (n, 2) array of lon, lat (degrees)."""
    payload = json.loads(OUTLINE_FILE.read_text(encoding="utf-8"))
    return tuple(np.asarray(arc, dtype=float) for arc in payload["arcs"])


def outline_xy(
    lon_range: tuple[float, float], lat_range: tuple[float, float]
) -> tuple[list[float | None], list[float | None]]:
    """x (lon) and y (lat) of the outline inside the box, arcs separated by None (plotly
    breaks a line there). A point just outside the box is kept when its neighbour is inside,
    so coasts run to the frame's edge instead of stopping short."""
    (x0, x1), (y0, y1) = lon_range, lat_range
    xs: list[float | None] = []
    ys: list[float | None] = []
    for arc in _arcs():
        lon, lat = arc[:, 0], arc[:, 1]
        if lon.max() < x0 or lon.min() > x1 or lat.max() < y0 or lat.min() > y1:
            continue
        inside = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        keep = inside.copy()
        keep[1:] |= inside[:-1]
        keep[:-1] |= inside[1:]
        if not keep.any():
            continue
        # runs of kept points become separate pieces
        breaks = np.flatnonzero(np.diff(keep.astype(int)) != 0) + 1
        for piece in np.split(np.arange(len(arc)), breaks):
            if keep[piece[0]] and len(piece) > 1:
                xs += [*lon[piece].tolist(), None]
                ys += [*lat[piece].tolist(), None]
    return xs, ys
