"""Hand-made ModelData for the optimizer tests: a small builder with explicit defaults.

``Net`` collects sites, technologies, equipment, links, demands and limits, and ``data()``
returns a validated ``ModelData``. Every cost and rate a test relies on is passed
explicitly by that test, so its docstring can recompute the optimum by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import pytest
from pyomo.contrib.appsi.base import TerminationCondition

from optimizer import ModelData, SolveOptions
from optimizer.solving.highs_run import HighsRun

NAN = math.nan


def fast_options(**kw) -> SolveOptions:
    """Exact solves for tiny models: zero gap, one thread, fixed seed."""
    base = dict(time_limit_s=30, mip_gap=0.0, threads=1, seed=0)
    return SolveOptions(**{**base, **kw})


class Net:
    """Builder for a tiny ModelData. Periods are ``(first_year, years, discount_factor)``,
    optionally followed by ``discounted_years`` (default ``years x discount_factor``: every
    year of the period at its first year's factor) and ``end_discount_factor`` (default 0:
    nothing is credited at the horizon's end, so a test that does not ask about residual
    value can price its plan without it)."""

    def __init__(self, periods=((2025, 1, 1.0),), penalty=1000.0, budgets=None):
        self.periods = [(p[0], p[1], p[2]) for p in periods]
        self.discounting = {
            p[0]: (p[3] if len(p) > 3 else p[1] * p[2], p[4] if len(p) > 4 else 0.0)
            for p in periods
        }
        self.penalty = penalty
        self.budgets = budgets or {}
        self.sites: list[str] = []
        self.techs, self.equips, self.costs, self.links = [], [], [], []  # rows (dicts)
        self.link_sites, self.link_spans, self.capacity, self.spans = [], [], [], []
        self.demands, self.rates, self.customers = [], [], []

    def _site(self, *names: str) -> None:
        for n in names:
            if n and n not in self.sites:
                self.sites.append(n)

    def _cost(self, item, capex, opex, available_from=None) -> None:
        for t, _, _ in self.periods:
            ok = available_from is None or t >= available_from
            self.costs.append(
                dict(item=item, period=t, capex_eur=capex, opex_eur_per_year=opex, available=ok)
            )

    def tech(self, name, capex, opex=0.0, phase="I", lifetime=100.0, trusted_intermediary=False,
             available_from=None) -> Net:  # fmt: skip
        self.techs.append(
            dict(tech=name, phase=phase, trusted_intermediary=trusted_intermediary,
                 lifetime_years=lifetime)
        )  # fmt: skip
        self._cost(name, capex, opex, available_from)
        return self

    def equip(self, name, capex, opex=0.0, lifetime=NAN, available_from=None) -> Net:
        self.equips.append(dict(equipment=name, lifetime_years=lifetime))
        self._cost(name, capex, opex, available_from)
        return self

    def link(self, name, tech, a, b, rate_bps, max_systems=10, needs=None, spans=(),
             relay_site="") -> Net:  # fmt: skip
        """``needs`` defaults to a trusted node at both ends; ``rate_bps`` may be per period."""
        self._site(a, b, relay_site)
        self.links.append(
            dict(link=name, tech=tech, site_a=a, site_b=b, length_km=50.0,
                 route=f"{a}>{b}", relay_site=relay_site, max_systems=max_systems)
        )  # fmt: skip
        needs = [(a, "trusted_node"), (b, "trusted_node")] if needs is None else needs
        for site, e in needs:
            self._site(site)
            self.link_sites.append(dict(link=name, site=site, equipment=e))
        for s in spans:
            self.link_spans.append(dict(link=name, span=s))
        for t, _, _ in self.periods:
            r = rate_bps.get(t, 0.0) if isinstance(rate_bps, dict) else rate_bps
            self.capacity.append(dict(link=name, period=t, key_rate_per_system_bps=float(r)))
        return self

    def span(self, name, a, b, max_systems=NAN) -> Net:
        self._site(a, b)
        self.spans.append(dict(span=name, site_a=a, site_b=b, length_km=50.0,
                               max_systems=max_systems))  # fmt: skip
        return self

    def demand(self, name, a, b, bps, trust="trusted", customer="", paths=1) -> Net:
        """``bps`` is one rate for every period or a {period: rate} dict."""
        self._site(a, b)
        self.demands.append(
            dict(demand=name, site_a=a, site_b=b, trust=trust, customer=customer, paths=paths)
        )
        for t, _, _ in self.periods:
            r = bps.get(t, 0.0) if isinstance(bps, dict) else bps
            self.rates.append(dict(demand=name, period=t, key_rate_bps=float(r)))
        return self

    def customer(self, name, sites) -> Net:
        self.customers += [dict(customer=name, site=s) for s in sites]
        return self

    def data(self) -> ModelData:
        def df(rows, cols):
            return pd.DataFrame(rows, columns=cols)

        per = [
            dict(period=t, years=y, discount_factor=f, discounted_years=self.discounting[t][0],
                 end_discount_factor=self.discounting[t][1], budget_eur=self.budgets.get(t, NAN))
            for t, y, f in self.periods
        ]  # fmt: skip
        return ModelData(
            sites=df([dict(site=s, name=s, lon=0.0, lat=0.0) for s in self.sites],
                     ["site", "name", "lon", "lat"]),
            spans=df(self.spans, ["span", "site_a", "site_b", "length_km", "max_systems"]),
            periods=df(per, ["period", "years", "discount_factor", "discounted_years",
                             "end_discount_factor", "budget_eur"]),
            technologies=df(self.techs,
                            ["tech", "phase", "trusted_intermediary", "lifetime_years"]),
            equipment=df(self.equips, ["equipment", "lifetime_years"]),
            costs=df(self.costs, ["item", "period", "capex_eur", "opex_eur_per_year",
                                  "available"]),
            links=df(self.links, ["link", "tech", "site_a", "site_b", "length_km", "route",
                                  "relay_site", "max_systems"]),
            link_sites=df(self.link_sites, ["link", "site", "equipment"]),
            link_spans=df(self.link_spans, ["link", "span"]),
            capacity=df(self.capacity, ["link", "period", "key_rate_per_system_bps"]),
            demands=df(self.demands, ["demand", "site_a", "site_b", "trust", "customer",
                                      "paths"]),
            demand_rates=df(self.rates, ["demand", "period", "key_rate_bps"]),
            customer_sites=df(self.customers, ["customer", "site"]),
            unserved_penalty_eur_per_bps_year=self.penalty,
        ).validate()  # fmt: skip


@pytest.fixture
def net() -> type[Net]:
    """The ``Net`` builder class (tests run in importlib mode, so it comes as a fixture)."""
    return Net


@pytest.fixture
def fast():
    """``fast_options(**overrides)``: exact, single-threaded solver settings."""
    return fast_options


Hook = Callable[[object, str, object, bool], tuple[object, bool]]


def scripted_runner(hook: Hook) -> type[HighsRun]:
    """A ``HighsRun`` whose every run is followed by ``hook(model, stage, results, ok)``,
    which returns the (results, ok) the strategy sees: ``optimise``'s ``runner`` seam, for
    making chosen runs fail or recording what they were given."""

    class Scripted(HighsRun):
        def solve(self, model, stage, warm=False, lp=False, limit=None):
            res, ok = super().solve(model, stage, warm=warm, lp=lp, limit=limit)
            return hook(model, stage, res, ok)

    return Scripted


def no_plan(res, termination: str = "maxTimeLimit") -> tuple[object, bool]:
    """``res`` made to say the run ended with ``termination`` and no solution."""
    res.best_feasible_objective = res.best_objective_bound = None
    res.termination_condition = TerminationCondition[termination]
    return res, False


@pytest.fixture
def scripted():
    """``scripted_runner(hook)``: a HighsRun class with a hook after every run."""
    return scripted_runner


@pytest.fixture(name="no_plan")
def no_plan_fixture():
    """``no_plan(results, termination="maxTimeLimit")``: a run made to find nothing."""
    return no_plan
