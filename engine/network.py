"""Fibre networks: sites, spans and their lengths, from topohub, data files or inline lists.

``load_network`` reads one of four sources and returns a checked :class:`Network`:

- ``topohub:<key>`` (e.g. ``topohub:topozoo/Janetbackbone``): the topology bundled in the
  ``topohub`` package; span length is its ``dist`` (km); an SNDlib demand matrix, when the
  topology has one, comes along as ``Network.sndlib_demands``;
- a folder holding ``sites.csv`` (site, name, lon, lat) and ``spans.csv`` (site_a, site_b,
  length_km[, max_systems]); extra columns (e.g. ``note``) are ignored, an empty
  ``length_km`` cell means "compute it";
- a ``.graphml`` file whose nodes carry lon/lat (or Topology Zoo's Longitude/Latitude) and
  whose edges may carry ``length_km``;
- inline lists ``sites=[{id, name?, lon, lat}]`` and ``spans=[{a, b, length_km?,
  max_systems?}]``.

A path is relative to ``data_dir`` (then to ``data_dir/networks``), or to ``scenario_dir``
when it starts with ``./`` or ``../``. A span without its own length gets the great-circle
distance (haversine, R = 6371 km) times ``route_factor``, at least ``MIN_SPAN_KM`` (sites at
the same rounded coordinates, e.g. co-located PoPs that topohub lists at 0 km, are taken to
be joined by a 1 km intra-city patch: an assumption). Parallel spans between the same two
sites are reduced to the shortest, with a warning and a note in ``Network.notes``. Span ids
``S0001``... follow file order (GraphML: the order networkx reads the edges in). Site ids are
topohub/GraphML node names when those are unique, else the node ids.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from engine.input_checks import (
    input_error,
    known_ids_hint,
    max_systems_value,
    number_in,
    positive_km,
    read_csv_with,
    resolve_network_path,
    topohub_keys,
)

EARTH_RADIUS_KM = 6371.0
MIN_SPAN_KM = 1.0
SITE_COLUMNS = ("site", "name", "lon", "lat")
SPAN_COLUMNS = ("span", "site_a", "site_b", "length_km", "max_systems")


@dataclass(frozen=True, eq=False)
class Network:
    """A checked, connected fibre network.

    ``sites``: site (str id), name, lon, lat. ``spans``: span (``S0001``...), site_a, site_b,
    length_km, max_systems (NaN = unlimited). ``graph``: nodes are site ids (attrs name,
    lon, lat), edges carry ``length_km`` and ``span``. ``sndlib_demands``: site_a, site_b,
    value (directed, as in the source) or None. ``notes``: what the loader changed.
    """

    sites: pd.DataFrame
    spans: pd.DataFrame
    graph: nx.Graph
    name: str
    sndlib_demands: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()


@dataclass
class _RawSpan:
    a: str
    b: str
    length_km: float | None  # None: compute from coordinates
    max_systems: float
    where: str  # key path for errors
    ends: tuple[str, str] = ("a", "b")  # the endpoint keys' names in the source


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km between two (lon, lat) points in degrees (R = 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def load_network(
    *,
    topology: str | None = None,
    sites: list[dict] | None = None,
    spans: list[dict] | None = None,
    route_factor: float = 1.25,
    data_dir: Path,
    scenario_dir: Path | None = None,
    file: str | None = None,
) -> Network:
    """Load and check a network from a topohub key, a data file/folder or inline lists."""
    if not (isinstance(route_factor, int | float) and 1.0 <= route_factor < 10.0):
        ok = "a number in [1, 10): fibre length / great-circle distance"
        raise input_error(
            "route factor out of range", file, "network.route_factor", route_factor, ok
        )
    if (topology is None) == (sites is None and spans is None):
        ok = "network.topology, or network.sites with network.spans"
        raise input_error(
            "give exactly one of topology or sites+spans", file, "network", topology, ok
        )
    if topology is not None:
        if not isinstance(topology, str) or not topology.strip():
            ok = "topohub:<key>, a folder or a .graphml file"
            raise input_error(
                "topology must be a non-empty string", file, "network.topology", "", ok
            )
        if topology.startswith("topohub:"):
            return _from_topohub(topology.removeprefix("topohub:"), route_factor, file)
        target = resolve_network_path(topology, data_dir, scenario_dir, file)
        if target.is_dir():
            return _from_csv_dir(target, route_factor)
        return _from_graphml(target, route_factor)
    if sites is None or spans is None:
        key = "network.spans" if spans is None else "network.sites"
        raise input_error("inline networks need both sites and spans", file, key, None, "a list")
    return _from_inline(sites, spans, route_factor, file)


# ---------------------------------------------------------------------------------- sources


def _from_topohub(key: str, route_factor: float, file: str | None) -> Network:
    import topohub

    try:
        data = topohub.get(key)
    except (KeyError, FileNotFoundError, ValueError) as exc:
        keys = topohub_keys()
        close = difflib.get_close_matches(key, keys, n=5, cutoff=0.5) or keys[:5]
        similar = "e.g. " + ", ".join(f"topohub:{k}" for k in close)
        raise input_error(
            "unknown topohub key", file, "network.topology", f"topohub:{key}", similar
        ) from exc
    nodes = data["nodes"]
    names = [str(n.get("name", n["id"])) for n in nodes]
    use_names = len(set(names)) == len(names)
    ids = {str(n["id"]): (names[i] if use_names else str(n["id"])) for i, n in enumerate(nodes)}
    site_rows = []
    for i, node in enumerate(nodes):
        pos = node.get("pos")
        if not pos or len(pos) != 2:
            key, ok = f"network.topology nodes[{i}].pos", "(lon, lat) on every node"
            raise input_error("topology node has no coordinates", file, key, pos, ok)
        site_rows.append((ids[str(node["id"])], names[i], float(pos[0]), float(pos[1]), ""))
    raw, notes = [], []
    for i, edge in enumerate(data["edges"]):
        dist = edge.get("dist")
        length = float(dist) if dist is not None and float(dist) > 0 else None
        a, b = ids[str(edge["source"])], ids[str(edge["target"])]
        if dist is not None and length is None:
            notes.append(f"span {a}-{b}: topohub length {dist} km replaced by the computed one")
        where = f"network.topology edges[{i}]"
        raw.append(_RawSpan(a, b, length, math.nan, where, ("source", "target")))
    demands = data.get("graph", {}).get("demands") or {}
    rows = [
        (ids[str(s)], ids[str(t)], float(v))
        for s, row in demands.items()
        for t, v in row.items()
        if str(s) != str(t) and float(v) > 0
    ]
    sndlib = pd.DataFrame(rows, columns=["site_a", "site_b", "value"]) if rows else None
    return _assemble(key, site_rows, raw, route_factor, file, "network.topology", notes, sndlib)


def _from_csv_dir(folder: Path, route_factor: float) -> Network:
    sites_file, spans_file = folder / "sites.csv", folder / "spans.csv"
    sdf = read_csv_with(sites_file, ("site", "lon", "lat"))
    site_rows = []
    for i, row in sdf.iterrows():
        where = f"line {i + 2}"
        site = row["site"].strip()
        name = row["name"].strip() if "name" in sdf.columns and row["name"].strip() else site
        lon = number_in(row["lon"], sites_file, f"{where}.lon", -180, 180)
        lat = number_in(row["lat"], sites_file, f"{where}.lat", -90, 90)
        site_rows.append((site, name, lon, lat, f"{where}.site"))
    pdf = read_csv_with(spans_file, ("site_a", "site_b", "length_km"))
    raw = []
    for i, row in pdf.iterrows():
        where = f"line {i + 2}"
        text = row["length_km"].strip()
        length = positive_km(text, spans_file, f"{where}.length_km") if text else None
        cap = row.get("max_systems", "").strip() if "max_systems" in pdf.columns else ""
        max_systems = (
            max_systems_value(cap, spans_file, f"{where}.max_systems") if cap else math.nan
        )
        a, b = row["site_a"].strip(), row["site_b"].strip()
        raw.append(_RawSpan(a, b, length, max_systems, where, ("site_a", "site_b")))
    return _assemble(folder.name, site_rows, raw, route_factor, spans_file, "")


def _from_graphml(path: Path, route_factor: float) -> Network:
    if path.suffix.lower() != ".graphml":
        ok = "a folder with sites.csv + spans.csv, or a .graphml file"
        raise input_error("unsupported network file", path, "network.topology", path.name, ok)
    try:
        graph = nx.read_graphml(path)
    except Exception as exc:  # malformed XML, unknown attribute types, ...
        raise input_error(
            f"cannot read GraphML: {exc}", path, "", path.name, "valid GraphML"
        ) from exc
    labels = [str(d.get("name", d.get("label", n))) for n, d in graph.nodes(data=True)]
    use_labels = len(set(labels)) == len(labels)
    ids, site_rows = {}, []
    for (node, attrs), label in zip(graph.nodes(data=True), labels, strict=True):
        lon = attrs.get("lon", attrs.get("Longitude"))
        lat = attrs.get("lat", attrs.get("Latitude"))
        if lon is None or lat is None:
            ok = "lon/lat (or Longitude/Latitude) on every node"
            raise input_error("GraphML node has no coordinates", path, f"nodes[{node}]", label, ok)
        ids[node] = label if use_labels else str(node)
        lon_f = number_in(lon, path, f"nodes[{node}].lon", -180, 180)
        lat_f = number_in(lat, path, f"nodes[{node}].lat", -90, 90)
        site_rows.append((ids[node], label, lon_f, lat_f, f"nodes[{node}]"))
    raw = []
    for i, (u, v, attrs) in enumerate(graph.edges(data=True)):
        where = f"edges[{i}]"
        length = attrs.get("length_km")
        length_f = None if length is None else positive_km(length, path, f"{where}.length_km")
        raw.append(_RawSpan(ids[u], ids[v], length_f, math.nan, where, ("source", "target")))
    return _assemble(path.stem, site_rows, raw, route_factor, path, "")


def _from_inline(
    sites: list[dict], spans: list[dict], route_factor: float, file: str | None
) -> Network:
    site_rows = []
    for i, s in enumerate(sites):
        where = f"network.sites[{i}]"
        if not isinstance(s, dict) or not {"id", "lon", "lat"} <= s.keys():
            raise input_error("site needs id, lon and lat", file, where, s, "{id, name?, lon, lat}")
        lon = number_in(s["lon"], file, f"{where}.lon", -180, 180)
        lat = number_in(s["lat"], file, f"{where}.lat", -90, 90)
        site = str(s["id"])
        site_rows.append((site, str(s.get("name") or site), lon, lat, f"{where}.id"))
    raw = []
    for i, s in enumerate(spans):
        where = f"network.spans[{i}]"
        if not isinstance(s, dict) or not {"a", "b"} <= s.keys():
            raise input_error(
                "span needs a and b", file, where, s, "{a, b, length_km?, max_systems?}"
            )
        length = s.get("length_km")
        length_f = None if length is None else positive_km(length, file, f"{where}.length_km")
        cap = s.get("max_systems")
        cap_f = math.nan if cap is None else max_systems_value(cap, file, f"{where}.max_systems")
        raw.append(_RawSpan(str(s["a"]), str(s["b"]), length_f, cap_f, where))
    return _assemble("inline", site_rows, raw, route_factor, file, "")


# ---------------------------------------------------------------------------------- checks


def _assemble(
    name: str,
    site_rows: list[tuple],
    raw: list[_RawSpan],
    route_factor: float,
    file: Any,
    prefix: str,
    notes: Iterable[str] = (),
    sndlib_demands: pd.DataFrame | None = None,
) -> Network:
    """Check ids and references, compute lengths, drop parallels, check connectivity."""
    dropped: list[str] = []
    coords: dict[str, tuple[float, float]] = {}
    for site, _, lon, lat, where in site_rows:
        if not site:
            raise input_error("empty site id", file, where or prefix, site, "a non-empty string")
        if site in coords:
            raise input_error("duplicate site id", file, where or prefix, site, "unique site ids")
        coords[site] = (lon, lat)
    best: dict[frozenset, tuple[int, str, str, float, float]] = {}
    for i, span in enumerate(raw):
        for site, key in zip((span.a, span.b), span.ends, strict=True):
            if site not in coords:
                msg, key = "span refers to an unknown site", f"{span.where}.{key}"
                raise input_error(msg, file, key, site, known_ids_hint(coords))
        if span.a == span.b:
            msg = "span joins a site to itself"
            raise input_error(msg, file, span.where, span.a, "two different sites")
        length = span.length_km
        if length is None:
            (lon1, lat1), (lon2, lat2) = coords[span.a], coords[span.b]
            length = max(haversine_km(lon1, lat1, lon2, lat2) * route_factor, MIN_SPAN_KM)
        pair = frozenset((span.a, span.b))
        if pair in best:
            first = best[pair]
            lengths = f"{first[3]:.1f} and {length:.1f} km"
            dropped.append(f"parallel spans {span.a}-{span.b}: kept the shortest of {lengths}")
            if length < first[3]:
                best[pair] = (first[0], span.a, span.b, length, span.max_systems)
        else:
            best[pair] = (i, span.a, span.b, length, span.max_systems)
    kept = sorted(best.values())
    sites_df = pd.DataFrame([r[:4] for r in site_rows], columns=list(SITE_COLUMNS))
    span_rows = [(f"S{j + 1:04d}", *r[1:]) for j, r in enumerate(kept)]
    spans_df = pd.DataFrame(span_rows, columns=list(SPAN_COLUMNS))
    spans_df = spans_df.astype({"length_km": float, "max_systems": float})
    graph = nx.Graph(name=name)
    for r in site_rows:
        graph.add_node(r[0], name=r[1], lon=float(r[2]), lat=float(r[3]))
    for row in spans_df.itertuples(index=False):
        graph.add_edge(row.site_a, row.site_b, length_km=row.length_km, span=row.span)
    _check_connected(graph, file, prefix or "spans")
    for note in dropped:
        warnings.warn(f"network {name}: {note}", stacklevel=3)
    return Network(sites_df, spans_df, graph, name, sndlib_demands, (*notes, *dropped))


def _check_connected(graph: nx.Graph, file: Any, path: str) -> None:
    if graph.number_of_nodes() < 2:
        n = graph.number_of_nodes()
        raise input_error("network has fewer than two sites", file, path, n, "two or more sites")
    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    if len(parts) > 1:
        desc = "; ".join(f"{len(p)} sites incl. {sorted(p)[0]!r}" for p in parts[:6])
        msg = f"network is not connected: {len(parts)} components ({desc})"
        ok = "one connected network: add spans joining the components or drop isolated sites"
        raise input_error(msg, file, path, len(parts), ok)
