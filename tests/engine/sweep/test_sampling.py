"""Uncertain inputs, designs (Latin hypercube, one at a time) and sample scenarios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from engine.catalogue import load_catalogue
from engine.errors import QroadInputError
from engine.scenario import Scenario, load_roadmap, load_scenario
from engine.scenario.timeline import DATA_DIR
from engine.sweep.sampling import (
    UncertainInput,
    check_inputs,
    latin_hypercube,
    one_at_a_time,
    sample_scenario,
    uncertain_inputs,
)

UNCERTAINTY = """
milestones: [mdi_in_telecom, space_repeaters]
capex_multiplier:
  bb84: {low: 0.5, high: 1.5}
  mdi: {distribution: triangular, low: 0.5, mode: 1.0, high: 2.0}
learning_multiplier:
  bb84: {distribution: loguniform, low: 0.5, high: 2.0}
"""


def _pair_text() -> str:
    """tests/data/pair.yaml under the late timeline, with MDI (its capex overridden) and the
    uncertainty section above, last (so ``split("uncertainty:")`` cuts it off)."""
    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "data" / "pair.yaml").read_text())
    data["timeline"] = "late"
    data["technologies"] = {"enabled": ["bb84", "mdi"], "overrides": {"mdi": {"capex_eur": 400000}}}
    data["uncertainty"] = yaml.safe_load(UNCERTAINTY)
    return yaml.safe_dump(data, sort_keys=False)


PAIR = _pair_text()


def _load(tmp_path: Path, text: str = PAIR, overrides: tuple[str, ...] = ()) -> Scenario:
    path = tmp_path / "pair.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path, overrides=overrides)


def test_inputs_take_ranges_from_the_roadmap_and_central_values(tmp_path: Path) -> None:
    inputs = {i.name: i for i in uncertain_inputs(_load(tmp_path))}
    roadmap = load_roadmap()
    assert list(inputs) == [
        "year.mdi_in_telecom",
        "year.space_repeaters",
        "capex_x.bb84",
        "capex_x.mdi",
        "learning_x.bb84",
    ]
    mdi = inputs["year.mdi_in_telecom"]
    assert (mdi.low, mdi.high) == (2026, 2031)  # 2021 + 5 .. 2021 + 10, closed range
    space = inputs["year.space_repeaters"]  # open-ended: up to the late timeline's year
    assert (space.low, space.high) == (2031, roadmap.timelines["late"]["space_repeaters"])
    assert mdi.central == roadmap.timelines["mid"]["mdi_in_telecom"]
    assert inputs["capex_x.bb84"].central == 1.0
    assert inputs["capex_x.mdi"].central == 1.0
    assert inputs["learning_x.bb84"].central == pytest.approx(1.0)


def test_without_a_section_every_milestone_is_uncertain(tmp_path: Path) -> None:
    text = PAIR.split("uncertainty:")[0]
    names = [i.name for i in uncertain_inputs(_load(tmp_path, text))]
    assert names == [f"year.{m}" for m in load_roadmap().milestone_ids]


def test_latin_hypercube_is_seeded_stratified_and_within_range(tmp_path: Path) -> None:
    inputs = uncertain_inputs(_load(tmp_path))
    a = latin_hypercube(inputs, 20, seed=7)
    pd.testing.assert_frame_equal(a, latin_hypercube(inputs, 20, seed=7))
    assert not a.equals(latin_hypercube(inputs, 20, seed=8))
    assert a["sample"].tolist() == list(range(20))
    for inp in inputs:
        assert a[inp.name].between(inp.low, inp.high).all()
    assert a["year.mdi_in_telecom"].dtype == np.int64
    assert set(a["year.mdi_in_telecom"]) == set(range(2026, 2032))  # 20 strata over 6 years
    # one sample per twentieth of the uniform multiplier's range
    strata = np.floor((a["capex_x.bb84"] - 0.5) / (1.0 / 20)).astype(int)
    assert sorted(strata) == list(range(20))


@pytest.mark.parametrize(
    ("dist", "u", "expected"),
    [
        ("uniform", [0.0, 0.5, 0.999], [1.0, 2.0, 2.998]),
        ("loguniform", [0.0, 0.5], [1.0, np.sqrt(3.0)]),
        ("triangular", [0.0, 0.5, 1.0], [1.0, 2.0, 3.0]),  # mode 2 = median of symmetric
    ],
)
def test_inverse_cdfs(dist: str, u: list[float], expected: list[float]) -> None:
    inp = UncertainInput("x", 1.0, 3.0, 2.0 if dist != "loguniform" else np.sqrt(3.0), dist)
    assert inp.value(np.array(u)) == pytest.approx(expected)


def test_one_at_a_time_moves_one_input_with_the_others_central(tmp_path: Path) -> None:
    inputs = uncertain_inputs(_load(tmp_path))
    design = one_at_a_time(inputs).set_index("sample")
    assert len(design) == 1 + 2 * len(inputs)
    central = {i.name: i.central for i in inputs}
    assert design.loc[0, list(central)].to_dict() == pytest.approx(central)
    for k, inp in enumerate(inputs):
        low, high = design.loc[2 * k + 1], design.loc[2 * k + 2]
        assert (low["oat_input"], low["oat_level"], low[inp.name]) == (inp.name, "low", inp.low)
        assert (high["oat_level"], high[inp.name]) == ("high", inp.high)
        others = [n for n in central if n != inp.name]
        assert low[others].to_dict() == pytest.approx({n: central[n] for n in others})


def test_sample_scenario_applies_years_and_multipliers(tmp_path: Path) -> None:
    scenario = _load(tmp_path)
    row = {
        "year.mdi_in_telecom": 2030,
        "year.space_repeaters": 2035,
        "capex_x.bb84": 0.5,
        "capex_x.mdi": 2.0,
        "learning_x.bb84": 2.0,
    }
    data = sample_scenario(scenario, row, 3)
    sample = Scenario.model_validate(data, context={"data_dir": DATA_DIR, "base_dir": tmp_path})
    assert sample.name == "pair-s0003" and sample.uncertainty is None
    years = sample.milestone_years()
    assert years["mdi_in_telecom"] == 2030 and years["space_repeaters"] == 2035
    late = load_roadmap().timelines["late"]
    assert years["field_qec_repeaters"] == late["field_qec_repeaters"]  # keeps the scenario's
    bb84 = load_catalogue().technologies["bb84"]
    over = sample.technologies.overrides
    assert over["bb84"].capex_eur == pytest.approx(0.5 * bb84.capex_eur)
    assert over["mdi"].capex_eur == pytest.approx(800000)  # the scenario's override × 2
    assert over["bb84"].learning_rate_per_year == pytest.approx(2 * bb84.learning_rate_per_year)
    assert scenario.technologies.overrides["mdi"].capex_eur == 400000  # base untouched


def test_bad_uncertainty_sections_name_the_key(tmp_path: Path) -> None:
    cases = {
        "uncertainty.milestones[0]": "uncertainty={milestones: [warp_drive]}",
        "uncertainty.capex_multiplier.fso": (
            "uncertainty={capex_multiplier: {fso: {low: 1, high: 2}}}"
        ),
        "uncertainty.capex_multiplier.bb84.high": (
            "uncertainty={capex_multiplier: {bb84: {low: 2.0, high: 1.0}}}"
        ),
        "uncertainty.capex_multiplier.bb84.mode": (
            "uncertainty={capex_multiplier: "
            "{bb84: {distribution: triangular, low: 1.0, high: 2.0}}}"
        ),
    }
    for key, override in cases.items():
        with pytest.raises(QroadInputError) as err:
            _load(tmp_path, overrides=(override,))
        assert err.value.path == key, err.value.format()


def test_learning_multiplier_may_not_reach_a_rate_of_one(tmp_path: Path) -> None:
    scenario = _load(
        tmp_path, overrides=("uncertainty={learning_multiplier: {bb84: {low: 1.0, high: 30.0}}}",)
    )
    with pytest.raises(QroadInputError, match="learning rate of 1 or more"):
        check_inputs(scenario, uncertain_inputs(scenario))


ORDERED = """
milestones: [lab_qec_repeaters, field_qec_repeaters, mdi_in_telecom,
             memory_protocols_in_telecom]
"""


def test_designs_draw_milestones_in_the_roadmaps_order(tmp_path: Path) -> None:
    """Every sample is a valid timeline: field QEC chains never before lab QEC chains, memory
    protocols never before MDI support (data/roadmap.yaml `after`), in both designs; the
    dependent milestone takes the year of the one it follows when drawn earlier."""
    text = (
        PAIR.split("uncertainty:")[0]
        + "uncertainty:\n"
        + "  "
        + ORDERED.strip().replace("\n", "\n  ")
    )
    inputs = uncertain_inputs(_load(tmp_path, text))
    roadmap = load_roadmap()
    for design in (latin_hypercube(inputs, 200, seed=3), one_at_a_time(inputs)):
        for _, row in design.iterrows():
            years = {
                k.removeprefix("year."): int(v) for k, v in row.items() if k.startswith("year.")
            }
            assert years["field_qec_repeaters"] >= years["lab_qec_repeaters"]
            assert years["memory_protocols_in_telecom"] >= years["mdi_in_telecom"]
            for mid, year in years.items():
                lo, hi = roadmap.year_range(mid)
                assert lo <= year <= hi + roadmap.late_open_ended_extra_years
    lhs = latin_hypercube(inputs, 200, seed=3)
    # drawn independently, mdi (2026-2031) would often exceed memory (2026-2036): repaired ties
    assert (lhs["year.memory_protocols_in_telecom"] == lhs["year.mdi_in_telecom"]).any()
    oat = one_at_a_time(inputs).set_index(["oat_input", "oat_level"])
    high = oat.loc[("year.mdi_in_telecom", "high")]
    assert high["year.mdi_in_telecom"] == 2031 and high["year.memory_protocols_in_telecom"] == 2031


def test_sample_scenario_keeps_the_order_against_the_scenarios_own_years(tmp_path: Path) -> None:
    """Under the scenario's late timeline (memory protocols 2036) a drawn MDI year of 2031
    moves nothing; under mid (memory protocols 2029) it moves memory protocols to 2031."""
    data = sample_scenario(_load(tmp_path), {"year.mdi_in_telecom": 2031}, 1)
    assert data["timeline"]["memory_protocols_in_telecom"] == 2036
    mid = _load(tmp_path, overrides=("timeline=mid",))
    data = sample_scenario(mid, {"year.mdi_in_telecom": 2031}, 2)
    assert data["timeline"]["mdi_in_telecom"] == 2031
    assert data["timeline"]["memory_protocols_in_telecom"] == 2031
