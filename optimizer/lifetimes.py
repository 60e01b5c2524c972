"""Lifetimes in years on a grid of periods: when an item serves, what each purchase costs,
and what is left of it at the horizon's end (docs/model.md, "Lifetimes and residual value").

Periods are whole blocks of years; a lifetime need not be a multiple of them. The rule:

- a purchase in period ``p`` (at the year ``p``) serves every period that starts while it
  is alive: ``t >= p`` and ``t - p < life``. Its *service years* ``S`` run from ``p`` to the
  end of the last such period (or to the next purchase of a renewed item);
- every service year costs ``capex / life`` (straight-line), so no rounding gives a free
  year: when ``S > life`` (a 7-year life serving two 5-year periods, ``S = 10``) the years
  beyond the life are paid as a ``(S - life) / life`` share of the purchase price in the
  last period served (a partial renewal); when ``S < life`` because the horizon ends, the
  ``(life - S) / life`` share left is credited as residual value at the horizon's end (as
  OSeMOSYS' SalvageValue and TIMES do, straight-line);
- equipment (a site's station) stays once installed and is bought again in the first period
  that starts at least ``life`` years after its previous purchase; each purchase is charged
  as above for the years until the next one (or the horizon's end);
- a missing (NaN) or non-positive lifetime means "lasts forever": it serves every later
  period, is never renewed or surcharged, and its whole price is left at the horizon's end.

So the undiscounted net capex of a purchase is ``capex x S / life`` for every case; the
discounting then weighs the price (at ``p``), a surcharge (at its period's start) and the
credit (at the horizon's end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Charge:
    """A share ``fraction`` of the price of the purchase made in ``price_period``, paid in
    period ``period`` (the purchase itself: fraction 1 in its own period)."""

    period: int
    price_period: int
    fraction: float


@dataclass(frozen=True)
class Schedule:
    """What one first purchase (and, for equipment, its renewals) costs over the horizon:
    the charges, and the residual credit at the horizon's end as (price period, fraction of
    that price), or None."""

    charges: tuple[Charge, ...]
    residual: tuple[int, float] | None


def lifetime_years(value: float) -> float:
    """A table's ``lifetime_years``: NaN or <= 0 means forever (``math.inf``)."""
    return math.inf if pd.isna(value) or value <= 0 else float(value)


def alive_periods(first: int, periods: list[int], life: float) -> list[int]:
    """The periods a purchase in ``first`` serves: those starting while it is alive."""
    return [t for t in periods if t >= first and t - first < life]


def renewals(first: int, periods: list[int], life: float) -> list[int]:
    """Purchase periods of equipment first installed in ``first``: the installation, then
    each first period starting at least ``life`` years after the previous purchase."""
    chain = [first]
    for t in periods:
        if t > chain[-1] and t - chain[-1] >= life:
            chain.append(t)
    return chain


def schedule(
    purchases: list[int], periods: list[int], years: dict[int, int], life: float
) -> Schedule:
    """Charges and residual credit of a chain of purchases (one purchase for a system; the
    installation and its renewals for equipment), each serving until the next one or, for
    the last, while it is alive (``alive_periods``)."""
    horizon_end = periods[-1] + years[periods[-1]]
    charges: list[Charge] = []
    residual = None
    for p, nxt in zip(purchases, [*purchases[1:], None], strict=True):
        served = [t for t in alive_periods(p, periods, life) if nxt is None or t < nxt]
        end = served[-1] + years[served[-1]]
        service = end - p
        charges.append(Charge(p, p, 1.0))
        if service > life:
            charges.append(Charge(served[-1], p, service / life - 1.0))
        elif service < life and end == horizon_end:
            residual = (p, 1.0 - service / life)
    return Schedule(tuple(charges), residual)
