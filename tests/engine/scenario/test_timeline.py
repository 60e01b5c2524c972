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
    years = milestone_years({"mdi_in_telecom": 2040})
    assert years["mdi_in_telecom"] == 2040
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
