"""Diagnosis of demands no technology can serve, on a three-site line built from YAML."""

from __future__ import annotations

from pathlib import Path

from engine.diagnose import unservable_demands
from engine.prepare import prepare
from engine.scenario import load_scenario

LINE = """
name: line
timeline: mid
horizon: {start_year: 2025, end_year: 2030, period_years: 5}
network:
  sites:
    - {id: A, lon: 0.0, lat: 50.0}
    - {id: B, lon: 1.0, lat: 50.0}
    - {id: C, lon: 2.0, lat: 50.0}
  spans:
    - {a: A, b: B, length_km: 120}
    - {a: B, b: C, length_km: 120}
demand:
  pairs:
    - {a: A, b: C, key_rate_bps: 10, trust: trusted}
    - {a: A, b: C, key_rate_bps: 10, trust: partial}
    - {a: A, b: C, key_rate_bps: 10, trust: trust_free}
technologies:
  enabled: [bb84]
"""


def test_only_relayed_trusted_key_can_cross_a_line_beyond_bb84_reach(tmp_path: Path) -> None:
    """bb84 alone (deployed since 2017) on two 120 km spans: 240 km A–C is beyond its reach,
    so no A–C link exists. Trusted key relays at B; partial key may not (B is not the
    customer's); trust-free key needs an end-to-end A–C link: two demands unservable."""
    path = tmp_path / "line.yaml"
    path.write_text(LINE, encoding="utf-8")
    data = prepare(load_scenario(path)).model_data
    assert set(data.links["site_a"] + data.links["site_b"]) == {"AB", "BC"}
    lines = unservable_demands(data)
    assert len(lines) == 2
    assert any("(partial) in 2025" in line and "customer's own sites" in line for line in lines)
    assert any("(trust_free) in 2025" in line and "end-to-end" in line for line in lines)
