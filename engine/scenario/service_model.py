"""The ``demand.service:`` section: what the plan must do with the demand.

- ``must_serve`` (default): every demand a technology can serve in a period is served, at
  least ``min_share`` of it per trust class (default all of it), by hard rows; demands no
  available technology can serve are reported before solving and left out. The objective
  is the cost alone: "what does it cost to serve this demand?".
- ``penalty``: key may go unserved at ``economics.unserved_penalty_eur_per_bps_year``, the
  notional value of a bit/s of key for a year (value-of-key studies).
- ``budget``: within ``economics.budget_eur_per_period`` (required), serve as much key as
  possible — key-years weighted by ``weights`` per trust class (default 1), discounted like
  opex — and, among plans serving that much, the cheapest: "what can we serve with this
  budget?". Solved in two steps by the exact strategy.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from engine.scenario.common import Positive, Share, Strict, TrustName, fail

SERVICE_MODES = ("must_serve", "penalty", "budget")


class Service(Strict):
    mode: Literal[SERVICE_MODES] = "must_serve"
    min_share: dict[TrustName, Share] = Field(default_factory=dict)
    weights: dict[TrustName, Positive] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _keys_of_the_mode(self) -> Service:
        for key, mode in (("min_share", "must_serve"), ("weights", "budget")):
            value = getattr(self, key)
            if value and self.mode != mode:
                raise fail(
                    f"{key} only applies to mode {mode}",
                    (key,),
                    dict(value),
                    f"remove it, or set mode: {mode}",
                )
        return self

    def share(self, trust: str) -> float:
        """The share of a servable demand of class ``trust`` that must be served."""
        return float(self.min_share.get(trust, 1.0)) if self.mode == "must_serve" else 0.0

    def weight(self, trust: str) -> float:
        """The value of a bit/s of class ``trust`` relative to the others (budget mode)."""
        return float(self.weights.get(trust, 1.0))
