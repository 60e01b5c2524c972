"""Key-rate demand per site pair, period and trust class: the ModelData demand tables.

``build_demands`` turns a demand description into three tables (``optimizer.model_data``):
``demands`` (demand, site_a, site_b, trust, customer, paths), ``demand_rates`` (demand,
period, key_rate_bps) and ``customer_sites`` (customer, site).

Pair sources (``pairs``):

- ``"all"``: every unordered site pair, ``base_key_rate_bps`` each in ``start_year``;
- ``"sndlib"``: the topology's SNDlib demand matrix, both directions summed into one
  unordered pair. **Key-refresh policy**: each unit of SNDlib demand is
  ``sndlib_channels_per_unit`` encrypted channels, and every channel gets a fresh
  ``sndlib_key_bits``-bit key (AES-256 by default) every ``sndlib_refresh_s`` seconds, so
  ``key_rate_bps = value × channels_per_unit × key_bits / refresh_s``;
- a CSV path (columns ``a, b, key_rate_bps``; optional ``trust, customer, paths``);
- a list of ``{a, b, key_rate_bps, trust?, customer?, paths?}``.

Endpoints (``endpoints``, with ``"all"`` or ``"sndlib"``): only pairs whose two sites are
both listed are kept; the other sites still carry transit key and host equipment. Sites are
named by id or by (unique) name, so a continental backbone can have demand between its major
cities only instead of between all of its ~360,000 site pairs.

Growth: ``rate(period) = rate × (1 + growth_per_year) ** (period - start_year)``.

Trust mix: per year a share per class (``trusted``, ``partial``, ``trust_free``); shares are
interpolated linearly between the given years and held constant before the first and after
the last. A pair without its own trust class becomes one demand per class with a non-zero
share in any period, with rate ``share(period) × pair rate(period)``. An empty mix means all
``trusted``. Demand ids are ``D0001-trusted``, numbered by pair.

Customers: a ``partial`` demand's key may only be relayed at its customer's own sites. It
goes to the first customer (by name) owning both endpoints; if none does, to a per-pair
customer ``pair:<a>-<b>`` owning just the two endpoints, so that its key can only travel on
one untrusted end-to-end link (MDI/TF relay, repeater chain), never through a relay site.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from engine.errors import QroadInputError
from engine.input_checks import finite_float, read_user_csv
from engine.names import TRUST_CLASSES

DEMAND_COLUMNS = {
    "demand": str,
    "site_a": str,
    "site_b": str,
    "trust": str,
    "customer": str,
    "paths": "int64",
}
RATE_COLUMNS = {"demand": str, "period": "int64", "key_rate_bps": float}
CUSTOMER_COLUMNS = {"customer": str, "site": str}


def build_demands(
    *,
    pairs: str | list[dict] | tuple[dict, ...],
    sites: pd.DataFrame,
    endpoints: list[str] | None = None,
    periods: list[int],
    base_key_rate_bps: float,
    growth_per_year: float,
    trust_mix: Mapping[int, Mapping[str, float]],
    customers: Mapping[str, list[str]],
    sndlib_demands: pd.DataFrame | None,
    sndlib_key_bits: int = 256,
    sndlib_refresh_s: float = 1.0,
    sndlib_channels_per_unit: float = 1.0,
    start_year: int,
    base_dir: Path | None = None,
    file: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Build the ``demands``, ``demand_rates`` and ``customer_sites`` tables (see module)."""
    site_ids = [str(s) for s in sites["site"]]
    order = {s: i for i, s in enumerate(site_ids)}
    if not periods or len(set(periods)) != len(periods):
        raise _err("periods must be distinct years", file, "horizon", periods, "e.g. [2025]")
    _rate(base_key_rate_bps, file, "demand.base_key_rate_bps")
    if not (isinstance(growth_per_year, int | float) and -1 < growth_per_year < 10):
        ok = "a number > -1 (e.g. 0.15 for 15 % a year)"
        raise _err("growth out of range", file, "demand.growth_per_year", growth_per_year, ok)
    mix = _check_mix(trust_mix, start_year, file)
    owners = _check_customers(customers, order, file)
    _check_sndlib(sndlib_key_bits, sndlib_refresh_s, sndlib_channels_per_unit, file)
    per_unit = sndlib_key_rate_bps(1.0, sndlib_key_bits, sndlib_refresh_s, sndlib_channels_per_unit)
    entries = _entries(
        pairs, site_ids, order, base_key_rate_bps, sndlib_demands, per_unit, base_dir, file
    )
    if endpoints is not None:
        keep = _endpoint_ids(endpoints, sites, file)
        entries = [e for e in entries if e["a"] in keep and e["b"] in keep]
    growth = {p: (1.0 + growth_per_year) ** (p - start_year) for p in periods}
    shares = {p: trust_shares(mix, p) for p in periods}
    demand_rows: list[tuple] = []
    rate_rows: list[tuple] = []
    pair_customers: list[tuple[str, str]] = []
    pair_seen: set[tuple[str, str]] = set()  # pair_customers' rows (fast membership test)
    for n, e in enumerate(entries, start=1):
        _check_customer(e, owners)
        classes = [e["trust"]] if e["trust"] else list(TRUST_CLASSES)
        for trust in classes:
            share = {p: 1.0 if e["trust"] else shares[p][trust] for p in periods}
            if not any(v > 0 for v in share.values()):
                continue
            customer = e["customer"]
            if trust == "partial" and not customer:
                customer = _customer_for(e["a"], e["b"], owners)
                if customer.startswith("pair:") and (customer, e["a"]) not in pair_seen:
                    pair_customers += [(customer, e["a"]), (customer, e["b"])]
                    pair_seen.update(pair_customers[-2:])
            demand = f"D{n:04d}-{trust}"
            demand_rows.append((demand, e["a"], e["b"], trust, customer, e["paths"]))
            rate_rows += [(demand, p, share[p] * e["rate"] * growth[p]) for p in periods]
    cust_rows = [(c, s) for c in sorted(owners) for s in owners[c]] + pair_customers
    return (
        _frame(demand_rows, DEMAND_COLUMNS),
        _frame(rate_rows, RATE_COLUMNS),
        _frame(cust_rows, CUSTOMER_COLUMNS),
    )


def trust_shares(mix: Mapping[int, Mapping[str, float]], year: int) -> dict[str, float]:
    """Share of each trust class in ``year``: linear between the mix's years, flat outside."""
    years = sorted(mix)
    if year <= years[0]:
        lo = hi = years[0]
    elif year >= years[-1]:
        lo = hi = years[-1]
    else:
        lo = max(y for y in years if y <= year)
        hi = min(y for y in years if y >= year)
    w = 0.0 if hi == lo else (year - lo) / (hi - lo)
    return {t: (1 - w) * mix[lo].get(t, 0.0) + w * mix[hi].get(t, 0.0) for t in TRUST_CLASSES}


def sndlib_key_rate_bps(
    value: float, key_bits: int = 256, refresh_s: float = 1.0, channels_per_unit: float = 1.0
) -> float:
    """Key rate for an SNDlib demand value: one key_bits key per channel per refresh_s."""
    return value * channels_per_unit * key_bits / refresh_s


# ---------------------------------------------------------------------------------- inputs


def _entries(
    pairs: Any,
    site_ids: list[str],
    order: dict[str, int],
    base_rate: float,
    sndlib: pd.DataFrame | None,
    bps_per_unit: float,
    base_dir: Path | None,
    file: str | None,
) -> list[dict]:
    """Pair entries {a, b, rate, trust, customer, paths} from any pair source."""
    if isinstance(pairs, str) and pairs == "all":
        return [_entry(a, b, base_rate) for i, a in enumerate(site_ids) for b in site_ids[i + 1 :]]
    if isinstance(pairs, str) and pairs == "sndlib":
        if sndlib is None or len(sndlib) == 0:
            ok = "'sndlib' only with a topology that has an SNDlib demand matrix (topohub:sndlib/…)"
            raise _err("network has no SNDlib demand matrix", file, "demand.pairs", pairs, ok)
        total: dict[tuple[str, str], float] = {}
        for a, b, value in sndlib[["site_a", "site_b", "value"]].itertuples(index=False):
            a, b = str(a), str(b)
            for s in (a, b):
                _known(s, order, file, "demand.pairs (sndlib matrix)")
            if a != b:
                key = (a, b) if order[a] < order[b] else (b, a)
                total[key] = total.get(key, 0.0) + float(value)
        keys = sorted(total, key=lambda k: (order[k[0]], order[k[1]]))
        return [_entry(a, b, total[a, b] * bps_per_unit) for a, b in keys if total[a, b] > 0]
    if isinstance(pairs, str | Path):
        return _csv_entries(Path(pairs), order, base_rate, base_dir, file)
    if isinstance(pairs, list | tuple):
        return [
            _explicit(p, order, base_rate, file, f"demand.pairs[{i}]") for i, p in enumerate(pairs)
        ]
    ok = "'all', 'sndlib', a CSV path or a list of {a, b, key_rate_bps}"
    raise _err("unknown demand source", file, "demand.pairs", pairs, ok)


def _csv_entries(
    path: Path, order: dict[str, int], base_rate: float, base_dir: Path | None, file: str | None
) -> list[dict]:
    full = path if path.is_absolute() else (base_dir or Path.cwd()) / path
    if not full.is_file():
        raise _err("demand file not found", file, "demand.pairs", str(path), "an existing CSV")
    df = read_user_csv(full)
    missing = [c for c in ("a", "b") if c not in df.columns]
    if missing:
        ok = "columns a, b (optional key_rate_bps, trust, customer, paths)"
        raise _err(f"missing columns {missing}", full, "header", list(df.columns), ok)
    rows = df.to_dict("records")
    clean = [{k: v.strip() for k, v in r.items() if v.strip()} for r in rows]
    return [_explicit(r, order, base_rate, full, f"line {i + 2}") for i, r in enumerate(clean)]


def _explicit(item: Any, order: dict[str, int], base_rate: float, file: Any, where: str) -> dict:
    """One explicit pair; a missing (or empty) ``key_rate_bps`` is ``base_key_rate_bps``,
    as the scenario models document."""
    if not isinstance(item, dict) or not {"a", "b"} <= item.keys():
        ok = "{a, b, key_rate_bps?, trust?, customer?, paths?}"
        raise _err("demand needs a and b", file, where, item, ok)
    unknown = set(item) - {"a", "b", "key_rate_bps", "trust", "customer", "paths"}
    if unknown:
        ok = "a, b, key_rate_bps, trust, customer, paths"
        raise _err("unknown demand key", file, f"{where}.{sorted(unknown)[0]}", None, ok)
    a, b = (_known(str(item[k]), order, file, f"{where}.{k}") for k in ("a", "b"))
    if a == b:
        raise _err("a demand needs two different sites", file, f"{where}.b", b, f"not {a!r}")
    given = item.get("key_rate_bps")
    rate = base_rate if given is None else _rate(given, file, f"{where}.key_rate_bps")
    trust = item.get("trust") or None
    if trust is not None and trust not in TRUST_CLASSES:
        raise _err("unknown trust class", file, f"{where}.trust", trust, ", ".join(TRUST_CLASSES))
    paths = item.get("paths", 1)
    try:
        paths_int = int(str(paths)) if not isinstance(paths, bool | float) else 0
    except ValueError:
        paths_int = 0
    if paths_int < 1:
        raise _err("paths must be a positive integer", file, f"{where}.paths", paths, "1, 2, ...")
    entry = _entry(a, b, rate, trust, str(item.get("customer") or ""), paths_int)
    entry["where"], entry["file"] = where, file
    return entry


def _entry(
    a: str, b: str, rate: float, trust: str | None = None, customer: str = "", paths: int = 1
) -> dict:
    return {"a": a, "b": b, "rate": rate, "trust": trust, "customer": customer, "paths": paths}


def _check_mix(
    mix: Mapping[Any, Mapping[str, float]], start_year: int, file: str | None
) -> dict[int, dict[str, float]]:
    if not mix:
        return {start_year: {"trusted": 1.0}}
    out: dict[int, dict[str, float]] = {}
    for year, shares in mix.items():
        where = f"demand.trust_mix.{year}"
        if isinstance(year, bool) or not str(year).isdigit():
            raise _err("trust mix years must be integers", file, where, year, "e.g. 2030")
        if not isinstance(shares, Mapping):
            raise _err("shares must be a mapping", file, where, shares, "{trusted: 0.7, ...}")
        for trust, share in shares.items():
            if trust not in TRUST_CLASSES:
                ok = ", ".join(TRUST_CLASSES)
                raise _err("unknown trust class", file, f"{where}.{trust}", trust, ok)
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
                raise _err("share out of range", file, f"{where}.{trust}", share, "0 to 1")
        total = float(sum(shares.values()))
        if abs(total - 1.0) > 1e-6:
            raise _err(f"trust shares sum to {total:g}", file, where, dict(shares), "a sum of 1")
        out[int(year)] = {t: float(v) for t, v in shares.items()}
    return out


def _check_customers(
    customers: Mapping[str, list[str]], order: dict[str, int], file: str | None
) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for name, sites in (customers or {}).items():
        where = f"demand.customers.{name}"
        if not isinstance(name, str) or not name or name.startswith("pair:"):
            raise _err("bad customer name", file, where, name, "a name not starting 'pair:'")
        if not isinstance(sites, list | tuple) or not sites:
            raise _err("customer needs a list of sites", file, f"{where}.sites", sites, "[A, B]")
        owned = [_known(str(s), order, file, f"{where}.sites[{i}]") for i, s in enumerate(sites)]
        owners[name] = list(dict.fromkeys(owned))
    return owners


def _check_customer(e: dict, owners: dict[str, list[str]]) -> None:
    """An explicit customer must exist and, for partial trust, own both endpoints."""
    name = e["customer"]
    if not name:
        return
    where, file = f"{e['where']}.customer", e["file"]
    if name not in owners:
        ok = "a customer in demand.customers (" + ", ".join(sorted(owners)[:6]) + ")"
        raise _err("unknown customer", file, where, name, ok)
    if e["trust"] in (None, "partial") and not {e["a"], e["b"]} <= set(owners[name]):
        ok = f"a customer whose sites include both {e['a']!r} and {e['b']!r}"
        raise _err("partial-trust customer does not own both ends", file, where, name, ok)


def _customer_for(a: str, b: str, owners: dict[str, list[str]]) -> str:
    """First customer (by name) owning both a and b, else the per-pair customer."""
    for name in sorted(owners):
        if a in owners[name] and b in owners[name]:
            return name
    return f"pair:{a}-{b}"


def _check_sndlib(bits: int, refresh_s: float, channels: float, file: str | None) -> None:
    checks = (
        ("demand.sndlib_key_bits", bits),
        ("demand.sndlib_refresh_s", refresh_s),
        ("demand.sndlib_channels_per_unit", channels),
    )
    for path, value in checks:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e12:
            raise _err("must be a positive number", file, path, value, "a number > 0")


# ---------------------------------------------------------------------------------- helpers


def _endpoint_ids(endpoints: list[str], sites: pd.DataFrame, file: Any) -> set[str]:
    """Site ids of ``endpoints``, each given by site id or by a name no other site has."""
    ids = [str(s) for s in sites["site"]]
    by_name: dict[str, list[str]] = {}
    for site, name in zip(ids, sites["name"].astype(str).tolist(), strict=True):
        by_name.setdefault(name, []).append(site)
    known, out = set(ids), set()
    for i, ref in enumerate(endpoints):
        ref = str(ref)
        match = [ref] if ref in known else by_name.get(ref, [])
        if len(match) != 1:
            why = "ambiguous site name" if match else "unknown site"
            close = difflib.get_close_matches(ref, [*by_name, *ids], n=4, cutoff=0.6)
            hint = ", ".join(repr(c) for c in close) or ", ".join(repr(s) for s in ids[:4])
            allowed = f"a site id, or a name only one site has (e.g. {hint})"
            raise _err(why, file, f"demand.endpoints[{i}]", ref, allowed)
        out.add(match[0])
    return out


def _known(site: str, order: dict[str, int], file: Any, where: str) -> str:
    if site not in order:
        few = ", ".join(repr(s) for s in list(order)[:6]) + (", ..." if len(order) > 6 else "")
        raise _err("unknown site", file, where, site, f"a site of the network ({few})")
    return site


def _rate(value: Any, file: Any, where: str) -> float:
    x = finite_float(value)
    if not (math.isfinite(x) and x >= 0):
        raise _err("key rate must be a number ≥ 0", file, where, value, "bits per second ≥ 0")
    return x


def _frame(rows: list[tuple], columns: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


def _err(message: str, file: Any, path: str, value: Any, allowed: str) -> QroadInputError:
    """A QroadInputError naming file, key path, bad value and what is allowed."""
    return QroadInputError(message, file=file, path=path, value=value, allowed=allowed)
