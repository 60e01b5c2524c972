"""``solve_decomposed``: LP-selected candidates (``solver.strategy: decomposed``).

For networks too large for the exact MIP (the 852-site Europe backbone), the problem is
split in two: the LP relaxation of the full model chooses *which* candidate links are worth
considering, and the MIP decides *how many systems* of those to build, when:

1. **Bound and selection.** The LP relaxation of the full model (interior point, at most
   ``TimeBudget.decomposed_lp`` of the time limit). Its optimum is a valid lower bound of
   the exact model. A candidate link is kept when the relaxation builds any of it
   (``build > KEEP_TOL`` systems in some period); the others are dropped
   (``ModelData.restrict``: the link, its capacity, site and span rows go, so its arcs and
   flows disappear from the model).
2. **Plan.** The restricted model is built and solved by the exact stages
   (``solving.exact``: rounded LP start, relaxed-count MIP, MIP) in the time left, less
   ``TimeBudget.decomposed_evaluation`` of the limit for step 3.
3. **Check in the full model.** The plan is copied into the full model (variables the
   restricted model lacks are 0) and every constraint of the full model is evaluated
   (``plans.evaluate_plan``); its objective there is the plan's cost. A plan breaking a
   row is reported as ``error`` naming the worst rows.

``gap`` = (cost − LP bound) / cost: how far the plan can be from the exact optimum. Status is
``optimal`` when that is within ``mip_gap``, else ``time_limit``. The selection is a
heuristic: a link the relaxation leaves unused may belong to the best integer plan (the
relaxation spreads fractional systems over the links cheapest per bit/s, where an integer
plan may rather add one system of a dearer small link), so a plan may cost more here than
the exact one (tests/optimizer/test_decomposed.py: 20 against 11.5); the gap says how much
at most.

Without the LP in its share (the 852-site Europe backbone: IPX, HiGHS's interior point
method, does not finish a 0.23 M-variable relaxation in 15 minutes), the selection falls
back to the network's structure: the links whose fibre spans all lie on one of the
``ROUTES_K`` shortest routes between the two sites of some demand (links on no span, such as
satellites, are kept). The plan is found and checked the same way; its gap is then taken
against the LP relaxation of the first period alone (``first_period_bound``): valid, as
every cost is non-negative, far cheaper (Europe: 9 s against more than 900 s), but weak,
since the later periods' costs are left out.
"""

from __future__ import annotations

from itertools import islice, pairwise

import networkx as nx
import pyomo.environ as pyo

from optimizer.build import build_model
from optimizer.model_data import ModelData, rows
from optimizer.solving.exact import relaxation_bound, solve_exact
from optimizer.solving.options import SolveResult, gap_between, gap_text
from optimizer.solving.plans import copy_plan, evaluate_plan
from optimizer.solving.session import Session

KEEP_TOL = 1e-6  # systems: a link the relaxation builds more of than this is kept
ROUTES_K = 2  # without the LP: links on the k shortest fibre routes of each demand pair


def lp_selected_links(model: pyo.ConcreteModel) -> set[str]:
    """Links with ``build > KEEP_TOL`` in some period, read from the values in ``model``."""
    return {k[0] for k, v in model.build.items() if (v.value or 0.0) > KEEP_TOL}


def route_selected_links(data: ModelData, k: int = ROUTES_K) -> set[str]:
    """Links all of whose spans lie on one of the ``k`` shortest fibre routes (by span
    ``length_km``) between the two sites of some demand; links on no span are kept."""
    graph = nx.Graph()
    for span, a, b, km in rows(data.spans, "span", "site_a", "site_b", "length_km"):
        graph.add_edge(a, b, span=span, length_km=km)
    on_routes: set[str] = set()
    for a, b in set(rows(data.demands, "site_a", "site_b")):
        if a in graph and b in graph and nx.has_path(graph, a, b):
            for path in islice(nx.shortest_simple_paths(graph, a, b, "length_km"), k):
                on_routes.update(graph.edges[u, v]["span"] for u, v in pairwise(path))
    spans_of: dict[str, set[str]] = {}
    for link, span in rows(data.link_spans, "link", "span"):
        spans_of.setdefault(link, set()).add(span)
    return {ln for ln in data.links["link"].tolist() if spans_of.get(ln, set()) <= on_routes}


def first_period_bound(data: ModelData, session: Session) -> float | None:
    """The LP relaxation of the first period alone: a valid lower bound of the full model,
    because each full plan restricted to the first period is a plan of it, and every cost
    of the later periods is >= 0. Far smaller than the full LP."""
    first = int(data.periods["period"].min())
    return relaxation_bound(build_model(data.restrict(periods=[first])), session)


def _select(
    full: pyo.ConcreteModel, data: ModelData, session: Session
) -> tuple[float | None, set[str], str]:
    """The full LP relaxation within its share: (its bound or None, the links to plan on,
    a note saying how they were chosen)."""
    budget = session.options.budget
    seconds = budget.decomposed_lp_s(session.options.time_limit_s)
    bound = relaxation_bound(full, session.within(seconds)) if seconds > 0 else None
    if bound is not None:
        keep = lp_selected_links(full)
        return (
            bound,
            keep,
            f"plan on the {len(keep)} of {len(data.links)} candidate links the LP uses",
        )
    keep = route_selected_links(data)
    note = (
        f"no LP bound in its share: plan on the {len(keep)} of {len(data.links)} candidate "
        f"links along the {ROUTES_K} shortest fibre routes of each demand pair"
    )
    return None, keep, note


def solve_decomposed(full: pyo.ConcreteModel, data: ModelData, session: Session) -> SolveResult:
    """Bound and select by the LP, plan on the selection, check the plan in ``full`` (which
    then holds the plan's values, ready for ``extract``)."""
    options = session.options
    clock = session.clock()
    timings: dict[str, float] = {}
    clock.emit("lp")
    bound, keep, note = _select(full, data, session)
    notes = [note]
    timings["lp_s"] = round(clock.elapsed(), 4)
    clock.emit("lp_done", lp_bound=bound)
    clock.emit("decomposed_select", links=len(keep), of_links=len(data.links))
    sub_data = data.restrict(links=keep)
    sub = build_model(sub_data, relax_integers=options.relax_integers)
    timings["restricted_build_s"] = round(clock.elapsed() - timings["lp_s"], 4)
    seconds = options.budget.decomposed_plan_s(options.time_limit_s, clock.elapsed())
    res = solve_exact(sub, sub_data, session.within(seconds))
    timings["restricted_solve_s"] = round(res.timings_s.get("total_s", 0.0), 4)
    notes.append(f"restricted model: {res.status}, gap {gap_text(res.gap)}")
    if not res.has_solution:
        status = res.status if res.status != "optimal" else "error"
        return SolveResult(status, None, bound, None, bound, timings, res.solver_version,
                           "; ".join(notes))  # fmt: skip
    clock.emit("evaluate")
    t1 = clock.elapsed()
    copy_plan(sub, full)
    check = evaluate_plan(full)
    timings["evaluate_s"] = round(clock.elapsed() - t1, 4)
    timings["total_s"] = round(clock.elapsed(), 4)
    if not check.feasible:
        notes.append(f"the plan breaks {check.broken_rows()} of the full model")
        return SolveResult("error", None, bound, None, bound, timings, res.solver_version,
                           "; ".join(notes))  # fmt: skip
    objective = check.objective
    what = "its LP bound"
    if bound is None:
        clock.emit("lp")
        bound = first_period_bound(data, session.within(options.budget.bound_s(clock.left())))
        what = "the first period's LP bound (weaker: later periods' costs left out)"
        clock.emit("lp_done", lp_bound=bound)
    timings["total_s"] = round(clock.elapsed(), 4)
    bound = min(bound, objective) if bound is not None else None
    gap = gap_between(objective, bound)
    status = "optimal" if gap is not None and gap <= options.mip_gap else "time_limit"
    notes.append(f"checked on all {check.rows} rows of the full model; gap to {what} "
                 f"{gap_text(gap)}")  # fmt: skip
    clock.emit("done", status=status, objective=objective, bound=bound, gap=gap)
    return SolveResult(status, objective, bound, gap, bound, timings, res.solver_version,
                       "; ".join(notes))  # fmt: skip
