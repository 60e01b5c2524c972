"""Diagnosis of demands no technology can serve, on a three-site line (tests/data/line.yaml)."""

from __future__ import annotations

from pathlib import Path

from engine.diagnose import unservable_demands
from engine.prepare import prepare
from engine.scenario import load_scenario

LINE = Path(__file__).resolve().parents[1] / "data" / "line.yaml"


def test_only_relayed_trusted_key_can_cross_a_line_beyond_bb84_reach() -> None:
    """bb84 alone (deployed since 2017) on two 120 km spans: 240 km A–C is beyond its reach,
    so no A–C link exists. Trusted key relays at B; partial key may not (B is not the
    customer's); trust-free key needs an end-to-end A–C link: two demands unservable."""
    data = prepare(load_scenario(LINE)).model_data
    assert set(data.links["site_a"] + data.links["site_b"]) == {"AB", "BC"}
    lines = unservable_demands(data)
    assert len(lines) == 2
    assert any("(partial) in 2025" in line and "customer's own sites" in line for line in lines)
    assert any("(trust_free) in 2025" in line and "end-to-end" in line for line in lines)
