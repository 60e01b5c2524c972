"""The results store: atomic run folders, the fixed table schemas, version checks."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from engine.results import (
    SCHEMA_VERSION,
    TABLE_NAMES,
    TABLE_SCHEMAS,
    ResultsReadError,
    RunExistsError,
    read_manifest,
    read_table,
    write_run,
)


def test_write_then_read_round_trips_every_table(tmp_path: Path, results_tables) -> None:
    run = write_run(tmp_path, "uk-mid", results_tables(), {"status": "optimal"})
    assert run == tmp_path / "uk-mid"
    assert sorted(p.name for p in run.iterdir()) == sorted(
        [f"{n}.parquet" for n in TABLE_NAMES] + ["manifest.json"]
    )
    for name in TABLE_NAMES:
        schema = pq.read_schema(run / f"{name}.parquet")
        assert schema.names == TABLE_SCHEMAS[name].names
    served = read_table(run, "served")
    assert served.loc[0, "scenario"] == "uk-mid"
    assert served.loc[0, "served_bps"] == 5.0
    assert read_manifest(run)["schema_version"] == SCHEMA_VERSION


def test_existing_run_is_never_overwritten_silently(tmp_path: Path, results_tables) -> None:
    write_run(tmp_path, "s", results_tables(5.0), {})
    with pytest.raises(RunExistsError, match="--overwrite"):
        write_run(tmp_path, "s", results_tables(7.0), {})
    assert read_table(tmp_path / "s", "served").loc[0, "served_bps"] == 5.0
    write_run(tmp_path, "s", results_tables(7.0), {}, overwrite=True)
    assert read_table(tmp_path / "s", "served").loc[0, "served_bps"] == 7.0
    assert [p.name for p in tmp_path.iterdir()] == ["s"]


def test_failed_write_leaves_no_folder(tmp_path: Path, results_tables) -> None:
    tables = results_tables()
    tables["costs"] = tables["costs"].drop(columns=["discounted_eur"])
    with pytest.raises(KeyError, match="discounted_eur"):
        write_run(tmp_path, "broken", tables, {})
    assert list(tmp_path.iterdir()) == []


def test_runs_concatenate_with_a_scenario_column(tmp_path: Path, results_tables) -> None:
    a = write_run(tmp_path, "a", results_tables(1.0), {})
    b = write_run(tmp_path, "b", results_tables(2.0), {})
    served = read_table([a, b], "served")
    assert served[["scenario", "served_bps"]].values.tolist() == [["a", 1.0], ["b", 2.0]]


def test_unknown_schema_major_version_is_refused(tmp_path: Path, results_tables) -> None:
    run = write_run(tmp_path, "s", results_tables(), {})
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["schema_version"] = "99.0"
    (run / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResultsReadError, match=r"99\.0"):
        read_table(run, "sites")


def test_sites_carry_their_kind_and_default_to_network_sites(tmp_path: Path, results_tables):
    """The sites table's ``kind`` tells network sites from field huts; a frame without the
    column (a hand-made ModelData) is written as all network sites."""
    tables = results_tables()
    assert "kind" not in tables["sites"].columns
    sites = read_table(write_run(tmp_path, "plain", tables, {}), "sites")
    assert set(sites["kind"]) == {"site"}
    hut = {"site": "A~B@50km", "name": "field hut A–B 50 km", "lon": 0.5, "lat": 51.5}
    tables["sites"] = tables["sites"].assign(kind="site")
    tables["sites"].loc[len(tables["sites"])] = {**hut, "kind": "field"}
    sites = read_table(write_run(tmp_path, "huts", tables, {}), "sites").set_index("site")
    assert sites.loc["A~B@50km", "kind"] == "field"
