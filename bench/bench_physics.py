"""Throughput of the engine.physics rate models, in distance points per second on one core.

Run: ``make bench`` or ``.venv/bin/python bench/bench_physics.py [--points N] [--repeat R]``.
Each model is evaluated on up to N distances between 0 and 400 km (fewer for slow models,
sized to about two seconds of work) with its default preset, once
with the intensity optimised at every distance (``mu=None`` / ``v_a=None``) and, where the
model has one, once at a fixed intensity. The best of R repeats is reported. Pin to one core
with ``taskset -c 0`` for the figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from datetime import date

import numpy as np

from engine import physics
from engine.presets import preset, preset_info, preset_names

# model -> (free-intensity keyword, a fixed value for it)
FIXED_INTENSITY: dict[str, tuple[str, float]] = {
    "decoy_bb84": ("mu", 0.5),
    "mdi_qkd": ("mu", 0.3),
    "cv_qkd": ("v_a", 4.0),
}


def _default_preset(model: str) -> str:
    names = [n for n in preset_names() if preset_info(n)["model"] == model]
    defaults = [n for n in names if preset_info(n).get("default")]
    return (defaults or names)[0]


def _best_time_s(func: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    lengths_km = np.linspace(0.0, 400.0, args.points)
    print(f"# {date.today()} {platform.node()} {platform.processor() or platform.machine()}")
    print(f"# python {platform.python_version()}, numpy {np.__version__}, {args.points} points")
    print("| model | mode | points timed | points/s |")
    print("|---|---|---|---|")
    models = sorted({preset_info(n)["model"] for n in preset_names()})
    for model in models:
        func = getattr(physics, model)
        params = preset(_default_preset(model))
        modes: list[tuple[str, dict]] = [("as preset", params)]
        if model in FIXED_INTENSITY:
            key, value = FIXED_INTENSITY[model]
            modes = [("optimised", {**params, key: None}), ("fixed", {**params, key: value})]
        for mode, kwargs in modes:
            # size the run to about two seconds, so slow models (finite key) finish too
            probe = lengths_km[:: max(1, args.points // 1000)]
            rate = len(probe) / _best_time_s(lambda f=func, kw=kwargs, g=probe: f(g, **kw), 1)
            n = int(min(args.points, max(1000, 2.0 * rate)))
            grid = np.linspace(0.0, 400.0, n)
            seconds = _best_time_s(lambda f=func, kw=kwargs, g=grid: f(g, **kw), args.repeat)
            print(f"| {model} | {mode} | {n:,} | {n / seconds:,.0f} |")


if __name__ == "__main__":
    main()
