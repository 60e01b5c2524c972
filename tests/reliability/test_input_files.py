"""Malformed network and demand files, file paths that leave the allowed folders, and YAML
tags that would run code: each is exit 2 with one line naming the file and key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_support import PAIR, check_rejection, error_lines, invoke

SITES = "site,name,lon,lat\nA,Alpha,0.0,50.0\nB,Beta,0.7,50.0\n"
SPANS = "site_a,site_b,length_km\nA,B,50\n"
GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <graph edgedefault="undirected">
    <node id="A"/><node id="B"/>
    <edge source="A" target="B"/>
  </graph>
</graphml>
"""
DEMAND_OK = "a,b,key_rate_bps\nA,B,1000\n"


def scenario_with(folder: Path, topology: str | None = None, pairs: str | None = None) -> Path:
    text = PAIR
    if topology is not None:
        start, end = text.index("  sites:"), text.index("demand:")
        text = text[:start] + f"  topology: {topology!r}\n" + text[end:]
    if pairs is not None:
        start, end = text.index("  pairs:"), text.index("technologies:")
        text = text[:start] + f"  pairs: {pairs!r}\n" + text[end:]
    path = folder / "scen.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def write_net(folder: Path, sites: str = SITES, spans: str = SPANS) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.csv").write_text(sites, encoding="utf-8")
    (folder / "spans.csv").write_text(spans, encoding="utf-8")


def run_rejected(scenario: Path, out: Path, key: str, *words: str) -> str:
    """``qroad run`` exits 2 naming ``key``, no run folder; return the message."""
    outcome = invoke(["run", str(scenario), "--out", str(out), "--quiet"], timeout_s=60)
    assert outcome.exit_code == 2, (outcome.exit_code, outcome.stdout, outcome.stderr)
    lines = error_lines(outcome)
    assert len(lines) == 1 and "Traceback" not in outcome.stderr, lines
    assert key in lines[0], lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert not out.exists() or not any(out.iterdir())
    return lines[0]


def test_csv_network_control_case_runs(tmp_path: Path) -> None:
    write_net(tmp_path / "net")
    outcome = invoke(["run", str(scenario_with(tmp_path, "./net")), "--out", str(tmp_path / "o")])
    assert outcome.exit_code == 0, outcome.stderr


@pytest.mark.parametrize(
    ("sites", "spans", "words"),
    [
        ("site,name,lat\nA,Alpha,50\nB,Beta,50\n", SPANS, ["lon"]),
        (SITES, "site_a,length_km\nA,50\n", ["site_b"]),
        (SITES, "site_a,site_b,length_km\nA,C,50\n", ["C"]),
        (SITES, "site_a,site_b,length_km\nA,B,fifty\n", ["fifty"]),
        ("", SPANS, []),
        ("\xff\xfe garbage", SPANS, []),
    ],
    ids=["sites-no-lon", "spans-no-site_b", "span-unknown-site", "bad-length", "empty", "binary"],
)
def test_malformed_csv_network(tmp_path: Path, sites: str, spans: str, words: list[str]) -> None:
    net = tmp_path / "net"
    write_net(net, spans=spans)
    (net / "sites.csv").write_bytes(sites.encode("latin-1"))
    line = run_rejected(scenario_with(tmp_path, "./net"), tmp_path / "out", "net/", *words)
    assert ".csv" in line


def test_graphml_without_coordinates_or_lengths(tmp_path: Path) -> None:
    (tmp_path / "g.graphml").write_text(GRAPHML, encoding="utf-8")
    line = run_rejected(scenario_with(tmp_path, "./g.graphml"), tmp_path / "out", "g.graphml")
    assert "nodes[A]: GraphML node has no coordinates" in line


def test_graphml_that_is_not_xml(tmp_path: Path) -> None:
    (tmp_path / "g.graphml").write_bytes(b"\x00\x01 not xml <graph")
    run_rejected(scenario_with(tmp_path, "./g.graphml"), tmp_path / "out", "g.graphml", "GraphML")


def test_unknown_topohub_key(tmp_path: Path) -> None:
    scen = scenario_with(tmp_path, "topohub:topozoo/NoSuchNetwork")
    run_rejected(scen, tmp_path / "out", "network.topology", "unknown topohub key")
    outcome = invoke(["validate", str(scen)])
    check_rejection(outcome, scen, need_key_path=True)
    assert outcome.exit_code == 2


@pytest.mark.parametrize(
    ("csv", "words"),
    [
        ("a,b,key_rate_bps\nA,Z,1000\n", ["Z"]),
        ("a,key_rate_bps\nA,1000\n", ["columns"]),
        ("a,b,key_rate_bps\nA,B,lots\n", ["lots"]),
        ("a,b,key_rate_bps\nA,B,-5\n", ["key_rate_bps"]),
        ("", []),
        ("\xff\xfe\x00garbage", []),
    ],
    ids=["unknown-site", "missing-column", "text-rate", "negative-rate", "empty", "binary"],
)
def test_malformed_demand_csv(tmp_path: Path, csv: str, words: list[str]) -> None:
    (tmp_path / "demand.csv").write_bytes(csv.encode("latin-1"))
    scen = scenario_with(tmp_path, pairs="./demand.csv")
    line = run_rejected(scen, tmp_path / "out", "demand.csv", *words)
    assert "demand" in line


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("topology", "../outside/net"),
        ("topology", "/etc"),
        ("topology", "networks/../../../outside/net"),
        ("pairs", "../outside/demand.csv"),
        ("pairs", "/tmp/../etc/demand.csv"),
    ],
)
def test_scenario_paths_cannot_escape(tmp_path: Path, key: str, value: str) -> None:
    write_net(tmp_path / "outside" / "net")
    (tmp_path / "outside" / "demand.csv").write_text(DEMAND_OK, encoding="utf-8")
    scen_dir = tmp_path / "scen"
    scen_dir.mkdir()
    scen = scenario_with(scen_dir, **{"topology" if key == "topology" else "pairs": value})
    outcome = invoke(["validate", str(scen)])
    check_rejection(outcome, scen, need_key_path=True)
    assert outcome.exit_code == 2
    line = error_lines(outcome)[0]
    section = "network" if key == "topology" else "demand"
    assert f"{section}.{key}: path leaves the scenario's folder and data/" in line, line
    run_rejected(scen, tmp_path / "out", f"{section}.{key}")


def test_paths_given_on_the_command_line_may_point_anywhere(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_net(outside / "net")
    (outside / "demand.csv").write_text(DEMAND_OK, encoding="utf-8")
    scen_dir = tmp_path / "scen"
    scen_dir.mkdir()
    write_net(scen_dir / "sub" / "net")
    scen = scenario_with(scen_dir, "./sub/net")  # below the scenario's folder: allowed
    assert invoke(["validate", str(scen)]).exit_code == 0
    sets = [
        "--set",
        f"network.topology={outside / 'net'}",
        "--set",
        f"demand.pairs={outside / 'demand.csv'}",
    ]
    outcome = invoke(["validate", str(scen), *sets])
    assert outcome.exit_code == 0, outcome.stderr


def test_python_tags_are_not_honoured(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for tag in (
        f"!!python/object/apply:os.system ['touch {marker}']",
        "!!python/name:os.system",
        f"!!python/object/new:subprocess.call [['touch', '{marker}']]",
    ):
        scen = tmp_path / "evil.yaml"
        scen.write_text(PAIR.replace("name: pair", f"name: {tag}"), encoding="utf-8")
        for args in (["validate", str(scen)], ["run", str(scen), "--out", str(tmp_path / "o")]):
            outcome = invoke(args)
            assert outcome.exit_code == 2 and outcome.exception is None
            assert "could not determine a constructor" in outcome.stderr
            assert not marker.exists() and not (tmp_path / "o").exists()
