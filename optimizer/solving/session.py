"""``Session``: what every stage of one solve shares.

The options (time limit, gap, budget, strategy), the progress callback, and the class that
runs HiGHS. Strategies get a session and ask it for runs (``session.run()``) and for the
session of a sub-solve (``session.within(seconds)``: a rolling step, decomposed's
restricted model), so a test can pass ``optimise`` a stand-in runner — the public seam —
instead of patching private names.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from optimizer.solving.budget import Clock
from optimizer.solving.highs_run import HighsRun
from optimizer.solving.options import Progress, SolveOptions


@dataclass(frozen=True)
class Session:
    """One solve's options, progress callback and HiGHS runner class."""

    options: SolveOptions = field(default_factory=SolveOptions)
    progress: Progress | None = None
    runner: type[HighsRun] = HighsRun

    def run(self) -> HighsRun:
        """A new runner (its own HiGHS instance and clock, from now) for this session."""
        return self.runner(self.options, self.progress)

    def within(self, time_limit_s: float, **changes: Any) -> Session:
        """The session of a sub-solve: ``time_limit_s`` and any other option ``changes``."""
        return replace(self, options=replace(self.options, time_limit_s=time_limit_s, **changes))

    def clock(self) -> Clock:
        """A clock started now against this session's time limit, reporting to its progress."""
        return Clock(self.options.time_limit_s, self.progress)
