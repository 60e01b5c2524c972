"""The hedge command's inputs: futures (timelines with probabilities), risk and commit year.

Every problem is a ``QroadInputError`` naming the flag and the value (the CLI prints it on
one line and exits 2):

- ``--futures early:0.25,mid:0.5,late:0.25``: roadmap timelines (``data/roadmap.yaml``),
  each once, probabilities > 0 summing to 1 (within 1e-6);
- ``--risk expected | cvar:ALPHA:WEIGHT | regret`` (0 <= ALPHA < 1, WEIGHT >= 0);
- ``--commit-until YEAR``: after the horizon's first year and at most its end year;
- exactly one of ``--futures`` and ``--from-sweep``, and ``--samples`` with the latter only
  (its range and the folder are checked in ``engine.hedge.sampled``).
"""

from __future__ import annotations

import math
from pathlib import Path

from engine.errors import QroadInputError
from engine.scenario.timeline import load_roadmap
from optimizer.hedge import METHODS, Risk

PROBABILITY_TOL = 1e-6


def parse_futures(spec: str) -> list[tuple[str, float]]:
    """``"early:0.25,mid:0.5,late:0.25"`` -> [(timeline, probability)], checked."""
    timelines = load_roadmap().timelines
    allowed = "NAME:PROBABILITY,... with NAME in " + ", ".join(timelines)
    out: list[tuple[str, float]] = []
    for part in (p.strip() for p in spec.split(",")):
        name, sep, prob = part.partition(":")
        try:
            p = float(prob) if sep else math.nan
        except ValueError:
            p = math.nan
        if not math.isfinite(p) or not p > 0.0:
            raise QroadInputError(
                f"future {part!r} needs a probability > 0", path="--futures", value=spec,
                allowed=allowed,
            )  # fmt: skip
        if name not in timelines:
            raise QroadInputError(
                f"unknown timeline {name!r}", path="--futures", value=spec, allowed=allowed
            )
        if any(name == n for n, _ in out):
            raise QroadInputError(
                f"timeline {name!r} given twice", path="--futures", value=spec, allowed=allowed
            )
        out.append((name, p))
    total = sum(p for _, p in out)
    if abs(total - 1.0) > PROBABILITY_TOL:
        raise QroadInputError(
            f"probabilities sum to {total:g}, not 1", path="--futures", value=spec,
            allowed="probabilities summing to 1",
        )  # fmt: skip
    return out


def parse_risk(spec: str) -> Risk:
    """``expected``, ``regret`` or ``cvar:ALPHA:WEIGHT``."""
    allowed = "expected, regret, or cvar:ALPHA:WEIGHT with 0 <= ALPHA < 1 and WEIGHT >= 0"
    parts = spec.strip().split(":")
    if parts == ["expected"] or parts == ["regret"]:
        return Risk(parts[0])  # type: ignore[arg-type]
    if parts[0] == "cvar" and len(parts) == 3:
        try:
            return Risk("cvar", alpha=float(parts[1]), weight=float(parts[2]))
        except ValueError:
            pass
    raise QroadInputError("unknown risk measure", path="--risk", value=spec, allowed=allowed)


def parse_method(spec: str, risk: Risk) -> str:
    """``ef`` (extensive form), ``ph`` (progressive hedging; expected cost only) or ``auto``."""
    method = spec.strip().lower()
    if method not in METHODS:
        raise QroadInputError(
            "unknown hedging method", path="--method", value=spec, allowed=", ".join(METHODS)
        )
    if method == "ph" and risk.kind != "expected":
        raise QroadInputError(
            "progressive hedging minimises the expected cost", path="--method", value=spec,
            allowed=f"ef or auto with --risk {risk.label()}",
        )  # fmt: skip
    return method


def check_commit_year(year: int, start_year: int, end_year: int) -> int:
    """The commit year must leave at least one period committed and lie in the horizon."""
    if not start_year < year <= end_year:
        raise QroadInputError(
            "the commit year is outside the horizon", path="--commit-until", value=year,
            allowed=f"a year after {start_year} and at most {end_year}",
        )  # fmt: skip
    return year


def check_source(futures: str | None, from_sweep: Path | None, samples: int | None) -> None:
    """Exactly one of ``--futures`` and ``--from-sweep``; ``--samples`` goes with
    ``--from-sweep`` and nothing else."""
    either = "either --futures NAME:P,... or --from-sweep SWEEP_DIR --samples N"
    if futures is not None and from_sweep is not None:
        raise QroadInputError(
            "--futures and --from-sweep exclude each other", path="--from-sweep",
            value=str(from_sweep), allowed=either,
        )  # fmt: skip
    if futures is None and from_sweep is None:
        raise QroadInputError(
            "no futures given: pass --futures or --from-sweep", path="--futures", allowed=either
        )
    if from_sweep is None and samples is not None:
        raise QroadInputError(
            "--samples needs --from-sweep", path="--samples", value=samples, allowed=either
        )
    if from_sweep is not None and samples is None:
        raise QroadInputError("--from-sweep needs --samples N", path="--samples", allowed=either)
