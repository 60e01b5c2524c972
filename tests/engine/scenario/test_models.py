"""Model details: derived values and value checks not covered by the bad corpus."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.scenario import great_circle_km
from engine.scenario.demand_model import Demand, SndlibPolicy, TrustShares
from engine.scenario.network_model import Network

SITES = [{"id": "A", "lon": 0.0, "lat": 0.0}, {"id": "B", "lon": 1.0, "lat": 0.0}]


def test_great_circle_one_degree_on_the_equator():
    # 2 * pi * 6371.0088 km / 360 = 111.195 km
    assert great_circle_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(2 * math.pi * 6371.0088 / 360)


def test_span_without_length_is_great_circle_times_route_factor():
    net = Network(sites=SITES, spans=[{"a": "A", "b": "B"}], route_factor=1.5)
    assert net.span_length_km(net.spans[0]) == pytest.approx(111.195 * 1.5, rel=1e-4)
    net = Network(sites=SITES, spans=[{"a": "A", "b": "B", "length_km": 140}])
    assert net.span_length_km(net.spans[0]) == 140
    assert net.route_factor == 1.25  # the default (an assumption)


def test_bypass_and_margin_losses_default_to_one_db_each():
    net = Network(sites=SITES, spans=[{"a": "A", "b": "B"}])
    assert (net.bypass_loss_db, net.link_margin_db) == (1.0, 1.0)
    net = Network(sites=SITES, spans=[{"a": "A", "b": "B"}], bypass_loss_db=0, link_margin_db=3)
    assert (net.bypass_loss_db, net.link_margin_db) == (0.0, 3.0)
    for key, value in (("bypass_loss_db", -0.5), ("bypass_loss_db", 12), ("link_margin_db", 25)):
        with pytest.raises(ValidationError):
            Network(sites=SITES, spans=[{"a": "A", "b": "B"}], **{key: value})


def test_numeric_site_ids_become_strings():
    net = Network(
        sites=[{"id": 1, "lon": 0, "lat": 0}, {"id": 2, "lon": 1, "lat": 0}],
        spans=[{"a": 1, "b": 2}],
    )
    assert [s.id for s in net.sites] == ["1", "2"]


def test_sndlib_policy_turns_traffic_into_key_rate():
    # 10 units × 2 channels × 256 bit / 0.5 s = 10240 bit/s
    policy = SndlibPolicy(key_bits=256, refresh_s=0.5, channels_per_unit=2)
    assert policy.key_rate_bps(10) == 10240
    assert SndlibPolicy().key_rate_bps(1.0) == 256


def test_trust_shares_interpolate_linearly_and_hold_outside():
    demand = Demand(trust_mix={2030: {"trusted": 1.0}, 2040: {"trusted": 0.5, "trust_free": 0.5}})
    assert demand.trust_shares(2025) == {"trusted": 1.0, "partial": 0.0, "trust_free": 0.0}
    assert demand.trust_shares(2035) == pytest.approx(
        {"trusted": 0.75, "partial": 0.0, "trust_free": 0.25}
    )
    assert demand.trust_shares(2045)["trust_free"] == 0.5
    assert Demand().trust_shares(2030)["trusted"] == 1.0  # empty mix: all trusted


@settings(max_examples=50, deadline=None)
@given(
    a=st.floats(0, 1),
    b=st.floats(0, 1),
    nudge=st.sampled_from([0.0, 5e-7, -5e-7, 1e-5, -1e-5]),
)
def test_trust_shares_accept_sums_within_tolerance_only(a, b, nudge):
    rest = 1.0 - a - b + nudge
    if not 0 <= rest <= 1:
        return
    if abs(nudge) <= 1e-6:
        shares = TrustShares(trusted=a, partial=b, trust_free=rest)
        assert shares.trusted + shares.partial + shares.trust_free == pytest.approx(1, abs=1e-6)
    else:
        with pytest.raises(ValidationError, match="sum to 1"):
            TrustShares(trusted=a, partial=b, trust_free=rest)


def test_parallel_spans_are_rejected():
    with pytest.raises(ValidationError, match="duplicate span"):
        Network(sites=SITES, spans=[{"a": "A", "b": "B"}, {"a": "B", "b": "A"}])


def test_validate_refuses_a_timeline_out_of_the_roadmaps_order():
    """field QEC repeaters come after lab QEC repeaters (data/roadmap.yaml ``after``): a
    mapping dating them earlier than lab QEC's mid year is an error at validation (as at
    run time), naming both milestones."""
    from pathlib import Path

    from engine.errors import QroadInputError
    from engine.scenario import load_scenario
    from engine.scenario.timeline import load_roadmap

    lab = load_roadmap().timelines["mid"]["lab_qec_repeaters"]
    tiny = Path(__file__).resolve().parents[3] / "scenarios" / "tiny.yaml"
    with pytest.raises(QroadInputError) as err:
        load_scenario(tiny, overrides=[f"timeline={{field_qec_repeaters: {lab - 1}}}"])
    assert err.value.path == "timeline.field_qec_repeaters" and err.value.value == lab - 1
    assert "lab_qec_repeaters" in str(err.value)
