"""Roadmap milestones, timelines and periods."""

import itertools
import math
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import QroadInputError
from engine.scenario import load_roadmap, milestone_years, period_containing, periods

# The roadmap's milestone table (DESIGN.md, after Razavi 2021): each row's range in years
# after the roadmap's date, in the table's order; "+" marks an open-ended range.
TABLE_RANGES = "0-5 0-5 0-5 0-10 0-10 0-10 5-10 5-10+ 5-10+ 0-5 5-10 5-10 10-15 10-15+ 10-15+"


def test_roadmap_file_transcribes_the_milestone_table():
    roadmap = load_roadmap()
    ranges = [
        f"{m.from_year_offset}-{m.to_year_offset}" + "+" * m.open_ended for m in roadmap.milestones
    ]
    assert ranges == TABLE_RANGES.split()
    assert all(m.label.strip() and m.unlocks.strip() for m in roadmap.milestones)
    assert roadmap.base_year == 2021
    assert "Future Quantum Networks: A Roadmap" in roadmap.source
    assert roadmap.year_range("field_qec_repeaters") == (2031, 2036)
    m = roadmap.milestone("telecom_repeater_nodes")
    assert (m.from_year_offset, m.to_year_offset, m.open_ended) == (10, 15, True)
    assert [x.id for x in roadmap.milestones if x.open_ended] == [
        "memory_protocols_in_telecom",
        "satellite_ground_integration",
        "space_repeaters",
        "telecom_repeater_nodes",
    ]


def test_every_timeline_year_lies_in_its_range_and_is_ordered():
    roadmap = load_roadmap()
    early, mid, late = (roadmap.timelines[n] for n in ("early", "mid", "late"))
    for mid_id in roadmap.milestone_ids:
        first, last = roadmap.year_range(mid_id)
        open_ended = roadmap.milestone(mid_id).open_ended
        assert first <= early[mid_id] <= mid[mid_id] <= late[mid_id], mid_id
        assert mid[mid_id] <= last
        assert late[mid_id] <= last or open_ended, mid_id


def test_timelines_follow_the_rule_stated_in_the_file():
    roadmap = load_roadmap()
    for m in roadmap.milestones:
        base, lo, hi = roadmap.base_year, m.from_year_offset, m.to_year_offset
        extra = roadmap.late_open_ended_extra_years if m.open_ended else 0
        assert roadmap.timelines["early"][m.id] == base + lo
        assert roadmap.timelines["mid"][m.id] == base + math.ceil((lo + hi) / 2)
        assert roadmap.timelines["late"][m.id] == base + hi + extra


def test_milestone_years_by_name_by_mapping_and_from_a_scenario():
    assert milestone_years("early")["mdi_in_telecom"] == 2026
    years = milestone_years({"mdi_in_telecom": 2027})
    assert years["mdi_in_telecom"] == 2027
    assert years["space_repeaters"] == 2034  # mid for milestones the mapping leaves out
    assert milestone_years(SimpleNamespace(timeline="late"))["space_repeaters"] == 2041
    with pytest.raises(QroadInputError, match="unknown milestone"):
        milestone_years({"warp_drive": 2030})
    with pytest.raises(QroadInputError, match="unknown timeline"):
        milestone_years("someday")


def test_periods_of_the_standard_horizon():
    horizon = SimpleNamespace(start_year=2025, end_year=2050, period_years=5)
    assert periods(horizon) == [2025, 2030, 2035, 2040, 2045]
    assert period_containing(2033, horizon) == 2030
    assert period_containing(2050, horizon) is None


@settings(max_examples=50, deadline=None)
@given(
    start=st.integers(2000, 2100),
    length=st.integers(1, 60),
    step=st.integers(1, 10),
)
def test_periods_cover_the_horizon_without_gaps(start, length, step):
    horizon = SimpleNamespace(start_year=start, end_year=start + length, period_years=step)
    got = periods(horizon)
    assert got[0] == start
    assert all(b - a == step for a, b in itertools.pairwise(got))
    assert got[-1] < start + length <= got[-1] + step
    for year in range(start, start + length):
        assert period_containing(year, horizon) in got


# ------------------------------------------------------------------ order and effects
def test_dependent_milestones_say_so_in_the_data():
    """Lab chains before field chains, simple repeaters before encoded ones, MDI support
    before memory-enhanced protocols, satellite demonstrations before ground integration."""
    roadmap = load_roadmap()
    after = {m.id: set(m.after) for m in roadmap.milestones}
    assert after["field_simple_repeaters"] == {"lab_simple_repeaters"}
    assert after["lab_qec_repeaters"] == {"lab_simple_repeaters"}
    assert after["field_qec_repeaters"] == {"lab_qec_repeaters", "field_simple_repeaters"}
    assert after["memory_protocols_in_telecom"] == {"mdi_in_telecom"}
    assert after["satellite_ground_integration"] == {"satellite_demos"}
    assert after["telecom_repeater_nodes"] == {"field_simple_repeaters"}


def test_a_mapping_that_breaks_the_order_names_both_milestones():
    with pytest.raises(QroadInputError) as info:
        milestone_years({"lab_qec_repeaters": 2035})  # field_qec_repeaters stays at mid 2034
    err = info.value
    assert err.path == "timeline.field_qec_repeaters"
    assert "field_qec_repeaters" in str(err) and "lab_qec_repeaters" in str(err)
    assert milestone_years({"lab_qec_repeaters": 2034})["lab_qec_repeaters"] == 2034  # same year


def test_set_timeline_that_breaks_the_order_is_an_error(tmp_path):
    from engine.scenario import load_scenario

    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\nnetwork:\n  sites: [{id: A, lon: 0, lat: 0}, {id: B, lon: 1, lat: 0}]\n"
        "  spans: [{a: A, b: B, length_km: 50}]\n"
    )
    with pytest.raises(QroadInputError, match="lab_simple_repeaters"):  # at validation
        load_scenario(path, overrides=["timeline.field_simple_repeaters=2023"])  # mid lab 2024


def test_a_roadmap_whose_timeline_breaks_the_order_is_rejected(tmp_path):
    import yaml

    from engine.scenario.timeline import ROADMAP_PATH

    data = yaml.safe_load(ROADMAP_PATH.read_text())
    data["timelines"]["early"]["field_qec_repeaters"] = 2025  # before lab_qec (2026)
    bad = tmp_path / "roadmap.yaml"
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(QroadInputError) as info:
        load_roadmap(bad)
    assert "field_qec_repeaters" in str(info.value) and "lab_qec_repeaters" in str(info.value)
    data["timelines"]["early"]["field_qec_repeaters"] = 2031
    data["milestones"][0]["after"] = ["telecom_repeater_nodes"]
    data["milestones"][-1]["after"] = ["chip_qkd_modules"]
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(QroadInputError, match="cycle"):
        load_roadmap(bad)


def test_every_milestone_unlocks_something_or_says_why_not():
    """A milestone is some technology's availability milestone, has cost effects, or its
    `unlocks` says 'readiness only' with the reason."""
    from engine.catalogue import load_catalogue

    used = {t.milestone for t in load_catalogue().technologies.values()}
    for m in load_roadmap().milestones:
        assert m.id in used or m.effects or "readiness only" in m.unlocks, m.id
    wired = {m.id for m in load_roadmap().milestones if m.effects}
    assert wired == {"chip_qkd_modules", "qkd_standardisation", "telecom_repeater_nodes"}


def test_cost_steps_apply_from_the_milestone_year():
    """chip_qkd_modules (mid 2024) cuts bb84 capex by 30 % from the 2025 period; under late
    (2026) the 2025 period keeps the full price. telecom_repeater_nodes halves repeater-node
    equipment from its year (mid 2034) on: model_tables' costs show it."""
    from engine.catalogue import load_catalogue
    from engine.tech_periods import cost_factors, model_tables, technology_periods

    periods = [2025, 2030, 2035]
    mid = cost_factors(milestone_years("mid"), periods)
    late = cost_factors(milestone_years("late"), periods)
    assert mid["bb84"][2025] == (0.7, 0.8)  # chip step and standardisation's opex step
    assert late["bb84"][2025] == (1.0, 1.0) and late["bb84"][2030] == (0.7, 0.8)
    assert mid["repeater_node"][2030] == (1.0, 1.0) and mid["repeater_node"][2035] == (0.5, 0.5)
    catalogue = load_catalogue()
    rows = technology_periods(
        catalogue, enabled=["bb84"], periods=periods, milestone_years=milestone_years("mid")
    )
    base = catalogue.technologies["bb84"]
    assert rows["capex_eur"].iloc[0] == pytest.approx(base.capex_eur * 0.95**4 * 0.7)
    costs = model_tables(catalogue, rows, milestone_years=milestone_years("mid"))["costs"]
    costs = costs.set_index(["item", "period"])
    node = catalogue.equipment["repeater_node"].capex_eur
    assert costs.loc[("repeater_node", 2035), "capex_eur"] == pytest.approx(0.5 * node)
    assert costs.loc[("repeater_node", 2030), "capex_eur"] == pytest.approx(node)
