"""Rebuild data/outline/countries-50m.json (coast and country borders as lon/lat polylines)
from Natural Earth 1:50m Admin 0 countries as packaged in the npm package world-atlas 2.0.2
(``countries-50m.json``, TopoJSON): ``python scripts/build_outline.py countries-50m.json``.

Each TopoJSON arc (delta-encoded, quantised) is decoded to degrees, rounded to 0.01°, and
written once, so a border shared by two countries is drawn once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "outline" / "countries-50m.json"


def decode_arcs(topo: dict) -> list[list[list[float]]]:
    """The TopoJSON's arcs as lists of [lon, lat] points (degrees, 0.01° steps)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points: list[list[float]] = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            point = [round(x * sx + tx, 2), round(y * sy + ty, 2)]
            if not points or point != points[-1]:
                points.append(point)
        if len(points) > 1:
            arcs.append(points)
    return arcs


def main(path: str) -> None:
    topo = json.loads(Path(path).read_text(encoding="utf-8"))
    payload = {
        "source": "Natural Earth 1:50m Admin 0 countries (public domain), via world-atlas 2.0.2",
        "units": "degrees (lon, lat), rounded to 0.01",
        "arcs": decode_arcs(topo),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({len(payload['arcs'])} arcs)")


if __name__ == "__main__":
    main(sys.argv[1])
