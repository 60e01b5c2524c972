"""The rounded start (``warmstart.round_up_and_fix``) keeps the relaxation's capacity."""

from __future__ import annotations

import pyomo.environ as pyo

from optimizer.build import build_model
from optimizer.solving import warmstart


def test_rounding_keeps_capacity_when_the_relaxation_waits_for_a_faster_vintage(net) -> None:
    """One link: a system built in 2025 makes 10 bps, one built in 2030 makes 30 bps
    (lifetime 100 y: both stay). A relaxation with 0.1 systems in 2025 (1 bps) and 2.9 in
    2030 (87 bps) has 88 bps in 2030. Rounding the installed count (3.0 -> 3, one of them
    the 2025 system) gives 10 + 2 x 30 = 70 bps, short of 88; keeping the capacity builds
    1 in 2025 and ceil((88 - 10) / 30) = 3 in 2030: 100 bps."""
    n = net(periods=((2025, 5, 1.0), (2030, 5, 1.0))).tech("t", 1.0)
    n.link("L", "t", "A", "B", {2025: 10.0, 2030: 30.0}, max_systems=10, needs=[])
    model = build_model(n.demand("d", "A", "B", {2025: 1.0, 2030: 88.0}).data())
    saved = warmstart.relax(model)
    model.build["L", 2025].set_value(0.1)
    model.build["L", 2030].set_value(2.9)
    warmstart.round_up_and_fix(model, saved)
    assert model.build["L", 2025].value == 1
    assert model.build["L", 2030].value == 3
    made = sum(r * model.build["L", t].value for t, r in ((2025, 10.0), (2030, 30.0)))
    assert made == 100.0 >= pyo.value(10.0 * 0.1 + 30.0 * 2.9)
