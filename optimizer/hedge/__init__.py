"""Hedged plans: one set of decisions for the periods before a commit year, shared by
every future (timeline), the later decisions each future's own (docs/hedge.md).

``solve_hedge(futures, commit_until, risk=..., options=...)`` builds each future's model
with ``optimizer.build.build_model``, solves the futures alone and with each other's
commitments held, then the extensive form (``optimizer.hedge.extensive``) or progressive
hedging (``method="ph"``, ``optimizer.hedge.ph``), and returns a ``HedgeResult`` with the
commitments, the per-future tables and EVPI, VSS and regrets.
"""

from optimizer.hedge.commit import Commitment, commit_periods
from optimizer.hedge.extensive import Risk, build_extensive
from optimizer.hedge.ph import PHSettings
from optimizer.hedge.ph_plan import METHODS, choose_method
from optimizer.hedge.result import HedgeResult
from optimizer.hedge.solve import Future, check_futures, risk_value, solve_hedge

__all__ = [
    "METHODS",
    "Commitment",
    "Future",
    "HedgeResult",
    "PHSettings",
    "Risk",
    "build_extensive",
    "check_futures",
    "choose_method",
    "commit_periods",
    "risk_value",
    "solve_hedge",
]
