"""What ``qroad run`` and ``qroad hedge`` share on the command line (a leaf: no project
imports, so ``engine.cli`` and ``engine.hedge.console`` both use it without a cycle)."""

from __future__ import annotations

EXIT_OK, EXIT_TIME_LIMIT, EXIT_BAD_INPUT, EXIT_NO_PLAN = 0, 1, 2, 3  # engine.cli's docstring


def solver_overrides(time_limit_s: float | None, mip_gap: float | None) -> list[str]:
    """``--time-limit``/``--mip-gap`` as the scenario overrides they stand for."""
    sets = []
    if time_limit_s is not None:
        sets.append(f"solver.time_limit_s={time_limit_s}")
    if mip_gap is not None:
        sets.append(f"solver.mip_gap={mip_gap}")
    return sets


def meur_text(eur: float | None) -> str:
    """EUR as ``"1,234.57 M€"``, or ``"n/a"``."""
    return "n/a" if eur is None else f"{eur / 1e6:,.2f} M€"
