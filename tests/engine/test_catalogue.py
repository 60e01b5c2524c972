"""Technology catalogue: loading, source notes, timeline availability, learning, params."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from engine.catalogue import CATALOGUE_PATH, Equipment, Technology, load_catalogue
from engine.errors import QroadInputError
from engine.names import EQUIPMENT, TECHNOLOGIES
from engine.scenario import load_roadmap
from engine.scenario.models import EquipmentOverride, TechOverride
from engine.tech_periods import model_tables, technology_periods
from engine.yaml_io import read_yaml_mapping

MILESTONES = load_roadmap().milestone_ids

PERIODS = [2025, 2030, 2035, 2040, 2045]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _years(year: int = 2026) -> dict[str, int]:
    return {m: year for m in MILESTONES}


def test_catalogue_has_every_design_name(catalogue):
    assert set(catalogue.technologies) == set(TECHNOLOGIES)
    assert set(catalogue.equipment) == set(EQUIPMENT)
    trusted = {n for n, t in catalogue.technologies.items() if t.trusted_intermediary}
    assert trusted == {"satellite_trusted"}
    assert catalogue.technologies["mdi"].midpoint_equipment == "relay"
    assert catalogue.technologies["mdi_memory"].midpoint_equipment == "memory_station"
    assert catalogue.technologies["repeater"].intermediate_equipment == "repeater_node"
    assert "ground_station" in catalogue.technologies["satellite_entangled"].end_equipment


def test_every_number_has_a_source_or_assumption_note():
    raw = read_yaml_mapping(CATALOGUE_PATH)
    for section in ("technologies", "equipment"):
        for name, entry in raw[section].items():
            numbers = [
                k
                for k, v in entry.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            ]
            numbers += [
                f"params.{k}"
                for k, v in (entry.get("params") or {}).items()
                if isinstance(v, int | float)
            ]
            numbers += [f"improvements.{k}" for k in entry.get("improvements") or {}]
            for key in numbers:
                note = entry["sources"].get(key, "")
                assert isinstance(note, str) and len(note) > 10, f"{section}.{name}.{key}"
            for key in ("capex_eur", "opex_eur_per_year"):  # prices are assumptions
                assert "assumption" in entry["sources"][key], f"{section}.{name}.{key}"


def test_relative_equipment_costs_follow_karavias(catalogue):
    unit = catalogue.equipment["trusted_node"].capex_eur
    assert unit == catalogue.cost_unit_eur
    assert catalogue.equipment["relay"].capex_eur == pytest.approx(3.27 * unit)  # cold TF node
    bb84 = catalogue.technologies["bb84"].capex_eur
    assert bb84 == pytest.approx((0.1 + 0.01) * unit)  # detector + source


def test_a_number_without_source_is_rejected(tmp_path: Path):
    raw = read_yaml_mapping(CATALOGUE_PATH)
    del raw["technologies"]["bb84"]["sources"]["capex_eur"]
    bad = tmp_path / "technologies.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(QroadInputError, match=r"technologies\.bb84\.sources\.capex_eur"):
        load_catalogue(bad)


def test_unknown_milestone_is_rejected(tmp_path: Path):
    raw = read_yaml_mapping(CATALOGUE_PATH)
    raw["technologies"]["tf"]["milestone"] = "warp_drive"
    bad = tmp_path / "technologies.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(QroadInputError, match="warp_drive"):
        load_catalogue(bad)


def test_link_ends_need_no_trusted_node(catalogue):
    """A user's own end site is part of the system price; trusted nodes are where key is
    relayed, which the optimiser decides. Links need only what their technology needs."""
    places = {
        name: (t.end_equipment, t.midpoint_equipment, t.intermediate_equipment)
        for name, t in catalogue.technologies.items()
    }
    assert all("trusted_node" not in (*ends, mid, inner) for ends, mid, inner in places.values())
    assert places["bb84"] == ((), "", "")
    assert places["tf"] == ((), "relay", "")
    assert places["repeater_qec"] == ((), "", "repeater_node")
    assert (
        places["satellite_trusted"]
        == places["satellite_entangled"]
        == (("ground_station",), "", "")
    )


def _write(tmp_path: Path, raw: dict) -> Path:
    bad = tmp_path / "technologies.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return bad


def test_trusted_node_as_link_equipment_is_rejected(tmp_path: Path):
    raw = read_yaml_mapping(CATALOGUE_PATH)
    raw["technologies"]["bb84"]["equipment"] = {"ends": ["trusted_node"]}
    with pytest.raises(QroadInputError, match=r"technologies\.bb84\.equipment: trusted_node"):
        load_catalogue(_write(tmp_path, raw))


def test_node_spacing_belongs_to_repeater_chains_and_needs_a_source(tmp_path: Path):
    raw = read_yaml_mapping(CATALOGUE_PATH)
    raw["technologies"]["bb84"]["max_node_spacing_km"] = 50
    with pytest.raises(QroadInputError, match=r"bb84\.max_node_spacing_km: only repeater"):
        load_catalogue(_write(tmp_path, raw))
    raw = read_yaml_mapping(CATALOGUE_PATH)
    raw["technologies"]["repeater"]["max_node_spacing_km"] = 50
    raw["technologies"]["repeater"]["sources"].pop("max_node_spacing_km", None)
    with pytest.raises(QroadInputError, match=r"repeater\.sources\.max_node_spacing_km"):
        load_catalogue(_write(tmp_path, raw))
    raw["technologies"]["repeater"]["sources"]["max_node_spacing_km"] = "assumption: a test"
    assert load_catalogue(_write(tmp_path, raw)).technologies["repeater"].max_node_spacing_km == 50


def test_learning_curve_by_hand(catalogue):
    tp = technology_periods(
        catalogue, enabled=["cv_qkd"], periods=PERIODS, milestone_years=_years()
    )
    capex = dict(zip(tp["period"], tp["capex_eur"], strict=True))
    # 80 000 EUR, 5 %/yr learning, available from 2026; x0.7 from chip_qkd_modules (2026 here,
    # a roadmap cost step, data/roadmap.yaml)
    assert capex[2030] == pytest.approx(80_000 * 0.95**4 * 0.7)
    assert capex[2045] == pytest.approx(80_000 * 0.95**19 * 0.7)
    assert capex[2025] == pytest.approx(80_000)  # not yet available: no learning yet
    assert list(tp["available"]) == [False, True, True, True, True]


def test_deployed_technology_is_available_whatever_the_timeline(catalogue):
    """bb84 is field-deployed since 2017 (available_since); learning runs from base year 2021."""
    tp = technology_periods(
        catalogue, enabled=["bb84"], periods=PERIODS, milestone_years=_years(2040)
    )
    assert list(tp["available"]) == [True] * 5
    capex = dict(zip(tp["period"], tp["capex_eur"], strict=True))
    assert capex[2025] == pytest.approx(110_000 * 0.95**4)


def test_never_available_before_its_milestone(catalogue):
    years = {m: 2024 + 2 * i for i, m in enumerate(MILESTONES)}  # distinct year per milestone
    periods = list(range(2021, 2061, 3))
    tp = technology_periods(catalogue, enabled=TECHNOLOGIES, periods=periods, milestone_years=years)
    for row in tp.itertuples():
        tech = catalogue.technologies[row.tech]
        year = tech.available_since or years[tech.milestone]
        assert row.available == (row.period >= year), (row.tech, row.period)


def test_available_year_override(catalogue):
    tp = technology_periods(
        catalogue,
        enabled=["repeater"],
        periods=PERIODS,
        milestone_years=_years(2030),
        overrides={"repeater": {"available_year": 2040, "capex_eur": 500_000.0}},
    )
    assert list(tp["available"]) == [False, False, False, True, True]
    row = tp[tp["period"] == 2045].iloc[0]
    # x0.7 from telecom_repeater_nodes (2030 here, a roadmap cost step, data/roadmap.yaml)
    assert row["capex_eur"] == pytest.approx(500_000 * (1 - 0.08) ** 5 * 0.7)


def test_improvements_and_param_overrides(catalogue):
    tp = technology_periods(
        catalogue, enabled=["bb84", "mdi_memory"], periods=[2030, 2060], milestone_years=_years()
    )
    bb84 = tp[tp["tech"] == "bb84"].set_index("period")["params"]
    # Bob's efficiency 10 % (Lim et al. 2014 preset) + 2 points/yr, capped at 0.6 (issue 18)
    assert bb84[2030]["eta_det"] == pytest.approx(0.10 + 0.02 * (2030 - 2021))
    assert bb84[2060]["eta_det"] == pytest.approx(0.6)  # capped
    memory = tp[tp["tech"] == "mdi_memory"].set_index("period")["params"]
    assert memory[2030]["t2_s"] == pytest.approx(0.01 * 1.5**9)
    assert memory[2060]["t2_s"] == pytest.approx(1.3)  # capped
    fixed = technology_periods(
        catalogue,
        enabled=["bb84"],
        periods=[2030, 2060],
        milestone_years=_years(),
        overrides={"bb84": {"params": {"eta_det": 0.5}}},
    )
    assert [p["eta_det"] for p in fixed["params"]] == [0.5, 0.5]


def test_bad_scenario_inputs_are_named(catalogue):
    with pytest.raises(QroadInputError, match=r"technologies\.enabled"):
        technology_periods(catalogue, enabled=["bb85"], periods=PERIODS, milestone_years=_years())
    years = _years()
    del years["mdi_in_telecom"]
    with pytest.raises(QroadInputError, match="mdi_in_telecom"):
        technology_periods(catalogue, enabled=["mdi"], periods=PERIODS, milestone_years=years)
    with pytest.raises(QroadInputError, match=r"overrides\.bb84"):
        technology_periods(
            catalogue,
            enabled=["bb84"],
            periods=PERIODS,
            milestone_years=years,
            overrides={"bb84": {"colour": "red"}},
        )


def test_model_tables(catalogue):
    tp = technology_periods(
        catalogue, enabled=["bb84", "mdi"], periods=PERIODS, milestone_years=_years()
    )
    tables = model_tables(catalogue, tp, equipment_overrides={"relay": {"capex_eur": 1.0}})
    assert list(tables["technologies"]["tech"]) == ["bb84", "mdi"]
    assert list(tables["technologies"]["phase"]) == ["I", "II"]
    assert set(tables["equipment"]["equipment"]) == set(EQUIPMENT)
    costs = tables["costs"].set_index(["item", "period"])
    assert len(costs) == (2 + len(EQUIPMENT)) * len(PERIODS)
    assert costs.loc[("relay", 2030), "capex_eur"] == 1.0
    assert costs.loc[("mdi", 2030), "capex_eur"] == pytest.approx(294_000 * 0.95**4)
    assert not costs.loc[("mdi", 2025), "available"]


def test_every_scenario_override_key_is_a_catalogue_field():
    """The keys a scenario may override (its pydantic models) name catalogue fields, so
    ``technology_periods`` can read each override where the catalogue value would be."""
    tech_fields = {f.name for f in dataclasses.fields(Technology)} | {"available_year"}
    assert set(TechOverride.model_fields) <= tech_fields
    assert set(EquipmentOverride.model_fields) <= {f.name for f in dataclasses.fields(Equipment)}


def test_improvements_are_capped(catalogue):
    """No physics parameter improves without bound: every growing improvement has a finite
    max and every shrinking one a finite min (issue 18: caps at published records)."""
    for tech in catalogue.technologies.values():
        for name, rule in tech.improvements.items():
            grows = rule.add_per_year > 0 or rule.multiply_per_year > 1
            shrinks = rule.add_per_year < 0 or rule.multiply_per_year < 1
            assert not grows or rule.max < float("inf"), (tech.name, name)
            assert not shrinks or rule.min > float("-inf"), (tech.name, name)


def test_detector_saturation_caps_the_rate(catalogue):
    """A technology's key per system never exceeds its max_count_rate_hz (bits <= detections):
    bb84 of 2060 (0.52 bit/pulse at 0 km) clocked at 5 GHz would make 262 Mb/s, capped at its
    60 M detections/s; the cap is set only where sourced."""
    import numpy as np

    from engine.capacity import key_rate_per_system_bps

    tp = technology_periods(
        catalogue,
        enabled=["bb84"],
        periods=[2060],
        milestone_years=_years(),
        overrides={"bb84": {"repetition_rate_hz": 5e9}},
    )
    row = tp.iloc[0].to_dict()
    capped = key_rate_per_system_bps(row, np.array([0.0, 1.0]), alpha_db_per_km=0.2)
    assert np.all(capped == 6e7)
    free = key_rate_per_system_bps({**row, "max_count_rate_hz": None}, [0.0], alpha_db_per_km=0.2)
    assert free[0] > capped[0]
    for tech in catalogue.technologies.values():
        if tech.max_count_rate_hz is not None:
            assert "max_count_rate_hz" in tech.sources, tech.name
