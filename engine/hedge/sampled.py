"""Futures from a sweep folder: ``qroad hedge --from-sweep SWEEP_DIR --samples N``.

The first N samples of a Latin hypercube sweep (``design.parquet``: sample -> drawn milestone
years and multipliers, written by ``qroad sweep`` before it solves anything) become N
futures ``s000``, ``s001``, ... of probability 1/N each. Each future is the hedge's
scenario (the file and ``--set``) with its sample's drawn values applied by
``engine.sweep.sampling.sample_scenario``, exactly as the sweep applied them.

EEV needs an "expected" future whose plan is held everywhere. Among sampled futures there
is no middle timeline, so it is the sample closest to the mean of the N samples (drawn
inputs scaled by their ranges, Euclidean distance; ties go to the lower sample number).

Every problem is a ``QroadInputError`` naming the flag and the value (exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.errors import QroadInputError
from engine.paths import DATA_DIR
from engine.scenario import Scenario
from engine.sweep.sampling import sample_scenario
from engine.sweep.store import is_sweep_dir, read_summary_table, read_sweep_meta

SWEEP_KIND, LHS_MODE = "qroad-sweep", "latin_hypercube"
EXPECTED_RULE = (
    "the sample closest to the mean of the sampled futures (drawn inputs scaled by their "
    "ranges, Euclidean distance; ties to the lower sample number)"
)


@dataclass
class SweepFutures:
    """N sampled futures: names, probabilities, scenarios, the expected one, provenance."""

    futures: list[tuple[str, float]]
    scenarios: dict[str, Scenario]
    expected: str
    provenance: dict[str, Any] = field(default_factory=dict)


def future_name(sample: int, count: int) -> str:
    """``s000``, ``s001``, ... (more digits when there are more than 1000 samples)."""
    return f"s{sample:0{max(3, len(str(count - 1)))}d}"


def read_design(sweep_dir: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """The sweep's ``sweep.json`` and design; a folder that is not a Latin hypercube sweep
    folder raises ``QroadInputError`` naming ``--from-sweep``."""
    shown = str(sweep_dir)
    allowed = "a folder written by qroad sweep (without --one-at-a-time), e.g. results/NAME-sweep"
    if not Path(sweep_dir).is_dir() or not is_sweep_dir(sweep_dir):
        raise QroadInputError(
            "not a sweep folder (no sweep.json)", path="--from-sweep", value=shown, allowed=allowed
        )
    try:
        meta = read_sweep_meta(sweep_dir)
        design = read_summary_table(sweep_dir, "design")
    except (OSError, ValueError) as exc:
        raise QroadInputError(
            f"unreadable sweep folder ({exc})", path="--from-sweep", value=shown, allowed=allowed
        ) from None
    if meta.get("kind") != SWEEP_KIND or "sample" not in design.columns or design.empty:
        raise QroadInputError(
            "not a sweep folder (no sweep design)", path="--from-sweep", value=shown,
            allowed=allowed,
        )  # fmt: skip
    if meta.get("mode") != LHS_MODE:
        raise QroadInputError(
            "a one-at-a-time sweep's samples are not draws of equal probability",
            path="--from-sweep", value=shown, allowed=allowed,
        )  # fmt: skip
    return meta, design.sort_values("sample", kind="stable").reset_index(drop=True)


def closest_to_mean(rows: pd.DataFrame, inputs: list[dict[str, Any]]) -> int:
    """Position in ``rows`` of the row closest to their mean, each input scaled by its range
    (``high - low``; inputs with no range are left out). The first row on ties."""
    ranges = {i["name"]: float(i["high"]) - float(i["low"]) for i in inputs}
    columns = [c for c in rows.columns if ranges.get(c, 0.0) > 0]
    if not columns or len(rows) < 2:
        return 0
    values = rows[columns].to_numpy(dtype=float) / np.array([ranges[c] for c in columns])
    distance = np.linalg.norm(values - values.mean(axis=0), axis=1)
    return int(np.flatnonzero(distance <= distance.min() + 1e-12)[0])


def sweep_futures(sweep_dir: Path, samples: int, base: Scenario, path: Path) -> SweepFutures:
    """The first ``samples`` futures of sweep folder ``sweep_dir`` for scenario ``base``
    (loaded from ``path``), each of probability 1/``samples`` (module docstring)."""
    meta, design = read_design(sweep_dir)
    if not 1 <= samples <= len(design):
        raise QroadInputError(
            "more samples asked for than the sweep holds" if samples > 0 else "no samples",
            path="--samples", value=samples,
            allowed=f"1 to {len(design)} (the samples of {sweep_dir})",
        )  # fmt: skip
    if meta.get("scenario") != base.name:
        raise QroadInputError(
            f"the sweep is of scenario {meta.get('scenario')!r}, not {base.name!r}",
            path="--from-sweep", value=str(sweep_dir),
            allowed=f"a sweep of scenario {base.name!r}",
        )  # fmt: skip
    rows = design.head(samples)
    drawn = [c for c in rows.columns if c not in ("sample", "oat_input", "oat_level")]
    context = {
        "data_dir": DATA_DIR,
        "base_dir": Path(path).resolve().parent,
        "source_file": Path(path).resolve(),
    }
    names, scenarios, values = [], {}, {}
    for record in rows.to_dict("records"):
        sample = int(record["sample"])
        name = future_name(sample, len(design))
        row = {c: record[c] for c in drawn}
        data = sample_scenario(base, row, sample)
        scenarios[name] = Scenario.model_validate(data, context=context)
        names.append(name)
        values[name] = {"sample": sample, **{c: _plain(v) for c, v in row.items()}}
    expected = names[closest_to_mean(rows[drawn], list(meta.get("inputs", [])))]
    provenance = {
        "sweep_dir": str(sweep_dir),
        "sweep_fingerprint": meta.get("fingerprint"),
        "sweep_seed": meta.get("seed"),
        "sweep_samples": len(design),
        "samples": samples,
        "drawn": values,
        "expected_rule": EXPECTED_RULE,
    }
    return SweepFutures([(n, 1.0 / samples) for n in names], scenarios, expected, provenance)


def _plain(value: Any) -> Any:
    """A numpy scalar as a JSON-friendly Python number."""
    return value.item() if isinstance(value, np.generic) else value
