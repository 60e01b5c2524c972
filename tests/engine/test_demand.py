"""engine.demand: pair sources, growth, trust-mix interpolation, customers, key refresh, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from engine.demand import build_demands, sndlib_key_rate_bps, trust_shares
from engine.errors import QroadInputError
from optimizer.model_data import SCHEMA

SITES = pd.DataFrame(
    {"site": ["A", "B", "C", "D"], "name": list("ABCD"), "lon": [0.0] * 4, "lat": [0.0] * 4}
)
MIX = {2025: {"trusted": 1.0}, 2035: {"trusted": 0.6, "partial": 0.3, "trust_free": 0.1}}


def _build(**kw):
    args = {
        "pairs": "all",
        "sites": SITES,
        "periods": [2025],
        "base_key_rate_bps": 1000.0,
        "growth_per_year": 0.0,
        "trust_mix": {},
        "customers": {},
        "sndlib_demands": None,
        "start_year": 2025,
        "file": "s.yaml",
    }
    args.update(kw)
    return build_demands(**args)


def _rates(rates: pd.DataFrame, demand: str) -> dict[int, float]:
    sel = rates[rates["demand"] == demand]
    return dict(zip(sel["period"], sel["key_rate_bps"], strict=True))


def test_all_pairs_with_growth_match_the_contract() -> None:
    demands, rates, customers = _build(periods=[2025, 2030], growth_per_year=0.1)
    # 4 sites -> 6 unordered pairs, all trusted (empty mix), 2 periods each
    assert len(demands) == 6 and len(rates) == 12 and customers.empty
    assert demands["demand"].iloc[0] == "D0001-trusted"
    assert list(zip(demands.site_a, demands.site_b, strict=True))[:3] == [
        ("A", "B"),
        ("A", "C"),
        ("A", "D"),
    ]
    # 1000 bps x 1.1^5 = 1610.51 bps five years later
    assert _rates(rates, "D0001-trusted") == pytest.approx({2025: 1000.0, 2030: 1610.51})
    for name, table in (
        ("demands", demands),
        ("demand_rates", rates),
        ("customer_sites", customers),
    ):
        assert list(table.columns) == list(SCHEMA[name])
        assert isinstance(table.index, pd.RangeIndex)
    assert demands["paths"].dtype == "int64" and rates["period"].dtype == "int64"


def test_trust_shares_interpolate_and_hold() -> None:
    # halfway between 2025 and 2035: trusted (1 + 0.6)/2, partial 0.3/2, trust_free 0.1/2
    assert trust_shares(MIX, 2030) == pytest.approx(
        {"trusted": 0.8, "partial": 0.15, "trust_free": 0.05}
    )
    assert trust_shares(MIX, 2020) == {"trusted": 1.0, "partial": 0.0, "trust_free": 0.0}
    assert trust_shares(MIX, 2050) == pytest.approx(
        {"trusted": 0.6, "partial": 0.3, "trust_free": 0.1}
    )


def test_trust_mix_splits_each_pair_per_period() -> None:
    sites = SITES.iloc[:2]
    demands, rates, _ = _build(
        sites=sites, periods=[2025, 2030, 2040], trust_mix=MIX, growth_per_year=0.0
    )
    assert demands["demand"].tolist() == ["D0001-trusted", "D0001-partial", "D0001-trust_free"]
    assert _rates(rates, "D0001-trusted") == pytest.approx({2025: 1000, 2030: 800, 2040: 600})
    assert _rates(rates, "D0001-partial") == pytest.approx({2025: 0, 2030: 150, 2040: 300})
    assert _rates(rates, "D0001-trust_free") == pytest.approx({2025: 0, 2030: 50, 2040: 100})
    # with only 2025 in the horizon, classes that never get a share make no demand
    only_2025, _, _ = _build(sites=sites, periods=[2025], trust_mix=MIX)
    assert only_2025["trust"].tolist() == ["trusted"]


def test_partial_demands_get_a_customer() -> None:
    mix = {2025: {"partial": 1.0}}
    customers = {"zeta": ["A", "B"], "bank": ["C", "A", "B"]}
    demands, _, cust = _build(trust_mix=mix, customers=customers)
    by_pair = {(r.site_a, r.site_b): r.customer for r in demands.itertuples()}
    assert by_pair[("A", "B")] == "bank"  # both own A and B; "bank" sorts first
    assert by_pair[("A", "C")] == "bank"
    assert by_pair[("A", "D")] == "pair:A-D"  # nobody owns D
    assert by_pair[("C", "D")] == "pair:C-D"
    rows = list(zip(cust.customer, cust.site, strict=True))
    assert rows[:5] == [("bank", "C"), ("bank", "A"), ("bank", "B"), ("zeta", "A"), ("zeta", "B")]
    assert ("pair:A-D", "A") in rows and ("pair:A-D", "D") in rows
    assert len(rows) == 5 + 2 * 3  # per-pair customers for A-D, B-D, C-D


def test_sndlib_key_refresh_conversion_by_hand() -> None:
    matrix = pd.DataFrame(
        {"site_a": ["A", "B", "A"], "site_b": ["B", "A", "C"], "value": [2, 3, 1]}
    )
    demands, rates, _ = _build(pairs="sndlib", sndlib_demands=matrix)
    # A-B: 2 + 3 = 5 units; one 256-bit key per channel per second -> 5 x 256 = 1280 bps
    assert list(zip(demands.site_a, demands.site_b, strict=True)) == [("A", "B"), ("A", "C")]
    assert rates["key_rate_bps"].tolist() == [1280.0, 256.0]
    _, rates, _ = _build(
        pairs="sndlib",
        sndlib_demands=matrix,
        sndlib_refresh_s=10.0,
        sndlib_channels_per_unit=2.0,
    )
    # 5 units x 2 channels x 256 bits / 10 s = 256 bps
    assert rates["key_rate_bps"].tolist() == [256.0, 51.2]
    assert sndlib_key_rate_bps(5, 128, 2.0, 1.0) == 320.0


def test_germany50_sndlib_pairs() -> None:
    from engine.network import load_network

    net = load_network(
        topology="topohub:sndlib/germany50", data_dir=Path(__file__).parents[2] / "data"
    )
    demands, _, _ = _build(pairs="sndlib", sites=net.sites, sndlib_demands=net.sndlib_demands)
    # 662 directed entries, no pair listed in both directions -> 662 unordered pairs
    assert len(demands) == 662


def test_csv_pairs_with_explicit_trust_are_not_split(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text(
        "a,b,key_rate_bps,trust,customer,paths\nA,B,500,trust_free,,\nB,C,200,,,2\n"
    )
    demands, rates, _ = _build(pairs="d.csv", base_dir=tmp_path, trust_mix=MIX, periods=[2035])
    assert demands["demand"].tolist() == [
        "D0001-trust_free",
        "D0002-trusted",
        "D0002-partial",
        "D0002-trust_free",
    ]
    assert demands["paths"].tolist() == [1, 2, 2, 2]
    assert rates["key_rate_bps"].tolist() == pytest.approx([500, 120, 60, 20])


def test_inline_pairs_with_customer_and_paths() -> None:
    pairs = [{"a": "A", "b": "C", "key_rate_bps": 40, "trust": "partial", "customer": "bank"}]
    demands, rates, _ = _build(
        pairs=pairs, customers={"bank": ["A", "C"]}, periods=[2027], growth_per_year=0.5
    )
    assert demands.iloc[0].tolist() == ["D0001-partial", "A", "C", "partial", "bank", 1]
    assert rates["key_rate_bps"].tolist() == [90.0]  # 40 x 1.5^2


@pytest.mark.parametrize(
    ("kw", "path", "message"),
    [
        ({"pairs": [{"a": "A", "b": "Q", "key_rate_bps": 1}]}, "demand.pairs[0].b", "unknown site"),
        ({"pairs": [{"a": "A", "b": "A", "key_rate_bps": 1}]}, "demand.pairs[0].b", "different"),
        ({"pairs": [{"a": "A", "b": "B", "key_rate_bps": -1}]}, "demand.pairs[0].key_rate_bps",
         "≥ 0"),
        ({"pairs": [{"a": "A"}]}, "demand.pairs[0]", "needs a and b"),
        ({"pairs": [{"a": "A", "b": "B", "key_rate_bps": 1, "trust": "full"}]},
         "demand.pairs[0].trust", "unknown trust"),
        ({"pairs": [{"a": "A", "b": "B", "key_rate_bps": 1, "paths": 0}]},
         "demand.pairs[0].paths", "positive integer"),
        ({"pairs": [{"a": "A", "b": "D", "key_rate_bps": 1, "trust": "partial",
                     "customer": "bank"}], "customers": {"bank": ["A", "B"]}},
         "demand.pairs[0].customer", "own both"),
        ({"pairs": [{"a": "A", "b": "B", "key_rate_bps": 1, "customer": "nobody"}]},
         "demand.pairs[0].customer", "unknown customer"),
        ({"customers": {"bank": ["A", "X"]}}, "demand.customers.bank.sites[1]", "unknown site"),
        ({"pairs": "sndlib"}, "demand.pairs", "no SNDlib"),
        ({"trust_mix": {2030: {"trusted": 0.5, "partial": 0.3}}}, "demand.trust_mix.2030",
         "sum to 0.8"),
        ({"trust_mix": {2030: {"trusted": 0.5, "shared": 0.5}}}, "demand.trust_mix.2030.shared",
         "unknown trust"),
        ({"base_key_rate_bps": -5}, "demand.base_key_rate_bps", "≥ 0"),
        ({"growth_per_year": -1.5}, "demand.growth_per_year", "growth"),
        ({"sndlib_refresh_s": 0}, "demand.sndlib_refresh_s", "positive"),
    ],
)  # fmt: skip
def test_bad_demand_input(kw: dict, path: str, message: str) -> None:
    with pytest.raises(QroadInputError, match=message) as err:
        _build(**kw)
    assert (err.value.file, err.value.path) == ("s.yaml", path)


def test_endpoints_keep_only_pairs_among_them_by_id_or_name() -> None:
    sites = SITES.assign(name=["Aachen", "Bonn", "Celle", "Bonn"])
    demands, _, _ = _build(sites=sites, endpoints=["A", "Celle", "D"])
    # 3 endpoints -> 3 of the 6 pairs; B is only transit
    pairs = list(zip(demands.site_a, demands.site_b, strict=True))
    assert pairs == [("A", "C"), ("A", "D"), ("C", "D")]
    # numbered as kept
    assert list(demands["demand"]) == ["D0001-trusted", "D0002-trusted", "D0003-trusted"]


@pytest.mark.parametrize(
    ("ref", "message", "hint"),
    [("Bonn", "ambiguous site name", "'Bonn'"), ("Cele", "unknown site", "'Celle'")],
)
def test_endpoint_names_must_pick_one_site(ref: str, message: str, hint: str) -> None:
    sites = SITES.assign(name=["Aachen", "Bonn", "Celle", "Bonn"])
    with pytest.raises(QroadInputError, match=message) as err:
        _build(sites=sites, endpoints=["A", ref])
    assert (err.value.path, err.value.value) == ("demand.endpoints[1]", ref)
    assert hint in err.value.allowed


def test_unknown_site_lists_known_ids() -> None:
    with pytest.raises(QroadInputError) as err:
        _build(pairs=[{"a": "A", "b": "Q", "key_rate_bps": 1}])
    assert err.value.value == "Q" and "'A', 'B', 'C', 'D'" in err.value.allowed


def test_csv_errors_name_the_csv(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("x,b\nA,B\n")
    with pytest.raises(QroadInputError, match="missing columns") as err:
        _build(pairs="m.csv", base_dir=tmp_path)
    assert err.value.file == str(tmp_path / "m.csv") and "key_rate_bps" in err.value.allowed
    (tmp_path / "r.csv").write_text("a,b,rate\nA,B,5\n")
    with pytest.raises(QroadInputError, match="unknown demand key") as err:
        _build(pairs="r.csv", base_dir=tmp_path)
    assert err.value.path == "line 2.rate"
    (tmp_path / "u.csv").write_text("a,b,key_rate_bps\nA,B,5\nA,Z,1\n")
    with pytest.raises(QroadInputError, match="unknown site") as err:
        _build(pairs="u.csv", base_dir=tmp_path)
    assert (err.value.file, err.value.path) == (str(tmp_path / "u.csv"), "line 3.b")
    with pytest.raises(QroadInputError, match="not found"):
        _build(pairs="missing.csv", base_dir=tmp_path)


def test_a_pair_without_a_rate_asks_for_the_base_rate(tmp_path: Path) -> None:
    """``key_rate_bps`` omitted (a list entry, or an empty CSV cell) = base_key_rate_bps,
    as scenarios/beijing-shanghai.yaml relies on: validation and running agree."""
    demands, rates, _ = _build(
        pairs=[{"a": "A", "b": "B"}, {"a": "A", "b": "C", "key_rate_bps": 7}]
    )
    first = rates[rates["period"] == rates["period"].min()].set_index("demand")["key_rate_bps"]
    by_pair = dict(zip(demands["site_b"], demands["demand"], strict=True))
    assert first[by_pair["B"]] == pytest.approx(1000.0) and first[by_pair["C"]] == 7.0
    (tmp_path / "e.csv").write_text("a,b,key_rate_bps\nA,B,\nA,C,7\n")
    _, rates_csv, _ = _build(pairs="e.csv", base_dir=tmp_path)
    assert sorted(rates_csv.groupby("demand")["key_rate_bps"].first()) == sorted(first)
