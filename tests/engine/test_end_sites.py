"""End sites are not trusted nodes, and field relays are bought (docs/candidates.md, "Site
equipment"): a plan with only trust-free demand, served end to end by twin-field QKD, has no
trusted node anywhere, and pays for each relay station where it stands, at a site or at a
field hut.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.prepare import prepare
from engine.scenario import load_scenario
from optimizer import SolveOptions, optimise

# tests/data/trust_free_line.yaml: A-B-C, two 60 km spans, trust-free demand only, TF only.
LINE = Path(__file__).resolve().parents[1] / "data" / "trust_free_line.yaml"


@pytest.fixture(scope="module")
def plan():
    data = prepare(load_scenario(LINE)).model_data
    result, tables = optimise(data, SolveOptions(time_limit_s=60, mip_gap=0.0, threads=1))
    assert result.status == "optimal"
    return data, tables


def test_trust_free_plan_installs_no_trusted_node(plan) -> None:
    _data, tables = plan
    served = tables["served"]
    assert (served["served_bps"] == served["demand_bps"]).all()
    installed = tables["equipment"][tables["equipment"]["installed"].astype(bool)]
    assert "trusted_node" not in set(installed["equipment"])
    # the only equipment: the two relays, one at site B, one in the field
    for _period, rows in installed.groupby("period"):
        assert set(zip(rows["site"], rows["equipment"], strict=True)) == {
            ("B", "relay"),
            ("A~B@30km", "relay"),
        }


def test_the_field_relay_is_a_site_of_the_plan(plan) -> None:
    data, _ = plan
    sites = data.sites.set_index("site")
    assert sites.loc["A~B@30km", "kind"] == "field"
    assert (sites.loc["A~B@30km", "lon"], sites.loc["A~B@30km", "lat"]) == (0.5, 50.0)
    assert set(data.link_sites["equipment"]) == {"relay"}  # link ends need nothing
