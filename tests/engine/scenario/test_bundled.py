"""Every bundled scenario validates and says what the DESIGN asks of it."""

from pathlib import Path

import pytest

from engine.scenario import load_scenario, load_scenarios, validate_file

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_the_bundled_set_is_complete():
    assert {p.stem for p in FILES} >= {
        "base",
        "tiny",
        "uk-backbone",
        "uk-quantum-network",
        "germany50",
        "beijing-shanghai",
        "nobel-eu",
    }


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bundled_scenario_validates(path: Path):
    assert validate_file(path) == []
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.periods()[0] == 2025


def test_bundled_names_are_unique():
    assert len({s.name for s in load_scenarios(FILES)}) == len(FILES)


NAMED = {  # scenario: (network.topology, demand.pairs)
    "uk-backbone": ("topohub:topozoo/Janetbackbone", "all"),
    "germany50": ("topohub:sndlib/germany50", "sndlib"),
    "nobel-eu": ("topohub:sndlib/nobel-eu", "sndlib"),
    "uk-quantum-network": ("networks/uk_quantum_network", "all"),
}


@pytest.mark.parametrize("stem", sorted(NAMED))
def test_network_and_demand_of_named_scenarios(stem):
    s = load_scenario(SCENARIOS / f"{stem}.yaml")
    assert (s.network.topology, s.demand.pairs) == NAMED[stem]
    assert (s.horizon.start_year, s.horizon.end_year, s.horizon.period_years) == (2025, 2050, 5)


def test_tiny_is_a_small_inline_network():
    s = load_scenario(SCENARIOS / "tiny.yaml")
    assert s.network.is_inline and 4 <= len(s.network.sites) <= 6
    assert s.network.span_length_km(s.network.spans[-1]) > 0  # great-circle × route factor
    assert s.demand.customers["bank"].sites == ("LON", "CAM")


def test_europe_demand_is_among_its_12_capital_regions_only():
    from engine.prepare import demands_of, network_of

    s = load_scenario(SCENARIOS / "europe.yaml")
    net = network_of(s)
    assert (len(net.sites), len(s.demand.endpoints)) == (852, 12)
    demands, _, _ = demands_of(s, net)
    pairs = set(zip(demands.site_a, demands.site_b, strict=True))
    ends = {x for pair in pairs for x in pair}
    assert (len(pairs), len(ends)) == (12 * 11 // 2, 12)  # every capital pair, nothing else
    names = dict(zip(net.sites["site"], net.sites["name"], strict=True))
    assert {names[x] for x in ends} == set(s.demand.endpoints)
