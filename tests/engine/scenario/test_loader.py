"""Loading: extends inheritance, merge rules, --set overrides, the --timeline flag."""

from pathlib import Path

import pytest

from engine.errors import QroadInputError
from engine.scenario import deep_merge, load_scenario, load_scenarios, validate_file
from engine.scenario.models import Scenario

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"

NET = """network:
  sites: [{id: A, lon: 0.0, lat: 51.0}, {id: B, lon: 1.0, lat: 51.0}, {id: C, lon: 1.0, lat: 52.0}]
  spans: [{a: A, b: B, length_km: 70}, {a: B, b: C, length_km: 80}]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        "parent.yaml",
        "name: parent\ndescription: the parent\n"
        + NET
        + "horizon: {start_year: 2025, end_year: 2050, period_years: 5}\n"
        "demand:\n  base_key_rate_bps: 500\n  growth_per_year: 0.1\n"
        "  trust_mix: {2025: {trusted: 1.0}, 2040: {trusted: 0.5, partial: 0.5}}\n"
        "technologies: {enabled: [bb84, mdi, tf],\n"
        "               overrides: {mdi: {capex_eur: 1000, lifetime_years: 8}}}\n"
        "solver: {time_limit_s: 60, threads: 1}\n",
    )


def test_child_overrides_parent_and_deep_merges(tmp_path: Path, parent: Path):
    child = write(
        tmp_path,
        "child.yaml",
        "extends: parent.yaml\ndemand: {base_key_rate_bps: 2000}\n"
        "technologies: {overrides: {mdi: {capex_eur: 250000}}}\nsolver: {threads: 2}\n",
    )
    s = load_scenario(child)
    assert s.demand.base_key_rate_bps == 2000  # child wins
    assert s.demand.growth_per_year == 0.1  # sibling key kept from parent
    assert s.technologies.overrides["mdi"].capex_eur == 250000
    assert s.technologies.overrides["mdi"].lifetime_years == 8  # merged key by key
    assert (s.solver.threads, s.solver.time_limit_s) == (2, 60)


def test_lists_replace_and_own_keys_are_not_inherited(tmp_path: Path, parent: Path):
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\ntechnologies: {enabled: [bb84]}\n")
    s = load_scenario(child)
    assert s.technologies.enabled == ("bb84",)
    assert s.name == "child"  # file stem, not the parent's name
    assert s.description == ""
    assert s.extends == "parent.yaml"


def test_trust_mix_replaces_as_a_whole(tmp_path: Path, parent: Path):
    child = write(
        tmp_path,
        "child.yaml",
        "extends: parent.yaml\ndemand: {trust_mix: {2030: {trust_free: 1.0}}}\n",
    )
    assert list(load_scenario(child).demand.trust_mix) == [2030]


def test_network_source_replaces_parent_source(tmp_path: Path, parent: Path):
    child = write(
        tmp_path,
        "child.yaml",
        "extends: parent.yaml\nnetwork: {topology: topohub:sndlib/nobel-eu}\n",
    )
    s = load_scenario(child)
    assert s.network.topology == "topohub:sndlib/nobel-eu"
    assert s.network.sites is None and s.network.spans is None


def test_three_level_chain_nearest_file_wins(tmp_path: Path, parent: Path):
    write(
        tmp_path,
        "mid/middle.yaml",
        "extends: ../parent.yaml\nsolver: {time_limit_s: 30, mip_gap: 0.05}\n",
    )
    leaf = write(tmp_path, "leaf.yaml", "extends: mid/middle.yaml\nsolver: {mip_gap: 0.02}\n")
    s = load_scenario(leaf)
    assert (s.solver.threads, s.solver.time_limit_s, s.solver.mip_gap) == (1, 30, 0.02)
    assert s.source_file == leaf.resolve()


def test_relative_path_is_relative_to_the_file_that_writes_it(tmp_path: Path):
    folder = tmp_path / "nets" / "mini"
    write(folder, "sites.csv", "site,name,lon,lat\nA,A,0,51\nB,B,1,51\n")
    write(folder, "spans.csv", "site_a,site_b,length_km\nA,B,70\n")
    write(tmp_path, "nets/base.yaml", "network: {topology: ./mini}\n")
    child = write(tmp_path, "child.yaml", "extends: nets/base.yaml\n")
    assert load_scenario(child).network.topology == str(folder.resolve())


def test_extends_stays_in_the_given_files_folder(tmp_path: Path, parent: Path):
    """A chain may climb back up to the given file's folder (leaf -> mid/middle ->
    ../parent, in test_three_level_chain_nearest_file_wins), but not above it: a scenario
    cannot make the loader read (and echo) any file on the machine."""
    child = write(tmp_path, "sub/child.yaml", "extends: ../parent.yaml\n")
    with pytest.raises(QroadInputError) as info:
        load_scenario(child)
    assert (info.value.path, info.value.value) == ("extends", "../parent.yaml")
    assert "scenarios/ or data/" in info.value.allowed
    bundled = write(tmp_path, "uk.yaml", f"extends: {SCENARIOS / 'tiny.yaml'}\nname: uk\n")
    assert load_scenario(bundled).name == "uk"


def test_cycle_is_detected_and_named(tmp_path: Path):
    write(tmp_path, "x.yaml", "extends: y.yaml\n" + NET)
    write(tmp_path, "y.yaml", "extends: z.yaml\n")
    write(tmp_path, "z.yaml", "extends: x.yaml\n")
    with pytest.raises(QroadInputError) as info:
        load_scenario(tmp_path / "x.yaml")
    assert info.value.path == "extends"
    assert info.value.value == "x.yaml -> y.yaml -> z.yaml -> x.yaml"


def test_self_extension_is_a_cycle(tmp_path: Path):
    me = write(tmp_path, "me.yaml", "extends: me.yaml\n" + NET)
    with pytest.raises(QroadInputError, match=r"me\.yaml -> me\.yaml"):
        load_scenario(me)


def test_set_overrides_numbers_strings_null_lists_and_new_keys(tmp_path: Path, parent: Path):
    s = load_scenario(
        parent,
        overrides=[
            "technologies.overrides.tf.capex_eur=2e5",  # YAML 1.2 float, key not in the file
            "solver.strategy=rolling",
            "economics.budget_eur_per_period=1.5e6",
            "economics.budget_eur_per_period=null",  # later override wins
            "network.spans[1].length_km=85",
            "demand.trust_mix.2040={trusted: 0.2, trust_free: 0.8}",
            "technologies.enabled=[bb84, tf]",
        ],
    )
    assert s.technologies.overrides["tf"].capex_eur == 200000.0
    assert s.technologies.overrides["mdi"].capex_eur == 1000  # untouched
    assert s.solver.strategy == "rolling"
    assert s.economics.budget_eur_per_period is None
    assert s.network.spans[1].length_km == 85
    assert s.demand.trust_mix[2040].trust_free == 0.8
    assert s.technologies.enabled == ("bb84", "tf")


@pytest.mark.parametrize(
    ("assignment", "path", "value"),
    [
        ("solver.nope=1", "solver.nope", "'nope'"),
        ("horizons.start_year=2030", "horizons", "'horizons'"),
        ("network.spans[7].length_km=5", "network.spans.7", "'7'"),
        ("solver.mip_gap", "solver.mip_gap", "'solver.mip_gap'"),
    ],
)
def test_bad_set_override_names_path_and_value(parent: Path, assignment, path, value):
    with pytest.raises(QroadInputError) as info:
        load_scenario(parent, overrides=[assignment])
    assert info.value.path == path
    assert f"got {value}" in str(info.value)
    assert info.value.allowed
    assert str(parent) in str(info.value)


def test_set_below_a_timeline_name_is_an_error_but_builds_a_mapping_from_the_default(
    parent: Path,
):
    # 2028: memory_protocols_in_telecom (mid 2029) comes after mdi_in_telecom (roadmap order)
    s = load_scenario(parent, overrides=["timeline.mdi_in_telecom=2028"])
    assert s.timeline == {"mdi_in_telecom": 2028}
    assert s.milestone_years()["mdi_in_telecom"] == 2028
    assert s.milestone_years()["field_qec_repeaters"] == 2034  # mid
    with pytest.raises(QroadInputError) as info:
        load_scenario(parent, overrides=["timeline=early", "timeline.mdi_in_telecom=2030"])
    assert (info.value.path, info.value.value) == ("timeline.mdi_in_telecom", "early")
    assert "timeline={...}" in info.value.allowed


def test_set_value_is_validated_like_the_file(parent: Path):
    lines = validate_file(parent, overrides=["solver.mip_gap=2"])
    assert lines == [f"{parent}: solver.mip_gap: out of range (got 2; allowed: a number <= 1.0)"]


def test_timeline_flag_beats_file_and_set(tmp_path: Path, parent: Path):
    assert load_scenario(parent).timeline == "mid"  # model default
    s = load_scenario(parent, overrides=["timeline=early"], timeline="late")
    assert s.timeline == "late"
    assert s.milestone_years()["space_repeaters"] == 2041
    with pytest.raises(QroadInputError, match="unknown timeline"):
        load_scenario(parent, timeline="someday")


def test_resolved_round_trips_and_scenario_is_frozen(parent: Path):
    s = load_scenario(parent)
    plain = s.resolved()
    assert plain["solver"]["time_limit_s"] == 60
    # defaults filled in
    assert plain["candidates"] == {
        "k_routes": 2,
        "min_key_rate_bps": 1.0,
        "express_hops": True,
        "hut_grid_km": None,
    }
    assert isinstance(plain["technologies"]["enabled"], list)
    again = Scenario.model_validate(plain)
    assert again.resolved() == plain
    assert again.source_file is None and s.source_file is not None
    with pytest.raises(ValueError, match="frozen"):
        s.name = "other"  # type: ignore[misc]


def test_load_scenarios_rejects_shared_names(tmp_path: Path, parent: Path):
    twin = write(tmp_path, "twin.yaml", "name: parent\nextends: parent.yaml\n")
    assert [s.name for s in load_scenarios([parent])] == ["parent"]
    with pytest.raises(QroadInputError) as info:
        load_scenarios([parent, twin])
    assert (info.value.path, info.value.value) == ("name", "parent")


def test_deep_merge_rules():
    parent = {"a": {"x": 1, "y": [1, 2]}, "b": 1, "timeline": {"m1": 2030}}
    child = {"a": {"y": [3]}, "timeline": {"m2": 2031}}
    assert deep_merge(parent, child) == {"a": {"x": 1, "y": [3]}, "b": 1, "timeline": {"m2": 2031}}
    assert parent["a"]["y"] == [1, 2]  # inputs untouched


def test_timeline_flag_names_the_variant() -> None:
    """--timeline late runs scenarios/tiny.yaml as tiny-late; --set name= wins over that."""
    from engine.scenario import load_scenario

    tiny = Path(__file__).resolve().parents[3] / "scenarios" / "tiny.yaml"
    late = load_scenario(tiny, timeline="late")
    assert (late.name, late.timeline) == ("tiny-late", "late")
    named = load_scenario(tiny, timeline="late", overrides=["name=t2"])
    assert named.name == "t2"
