"""Write a hedged run's folder atomically: ``DIR/<name>-hedged/``.

By ``engine.results.store.write_run``: everything goes into a hidden temporary folder
``.<name>.tmp-<pid>-<hex>`` beside the destination, which is renamed into place in one
``os.rename``; an existing folder is never replaced unless ``overwrite`` (then the old one
is moved aside first and removed only after the new one is in place). The contract's
tables get two columns after ``scenario``'s: ``future`` (the timeline) and
``probability``; ``commitments.parquet`` and ``regrets.parquet`` are written as given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from engine.results.schema import to_arrow
from engine.results.store import MANIFEST, write_run

EXTRA_TABLES = ("commitments", "regrets")


def hedged_arrow(name: str, frame: pd.DataFrame, run: str) -> pa.Table:
    """Contract table ``name`` (``frame`` has ``future`` and ``probability`` columns too)
    with those two columns appended to its schema."""
    table = to_arrow(name, frame, run)
    table = table.append_column(
        "future", pa.array(frame["future"].astype(str).tolist(), pa.string())
    )
    return table.append_column(
        "probability", pa.array(frame["probability"].astype(float).tolist(), pa.float64())
    )


def write_hedged(
    out_dir: Path,
    run: str,
    tables: Mapping[str, pd.DataFrame],
    extra_tables: Mapping[str, pd.DataFrame],
    manifest: Mapping[str, Any],
    *,
    extra_files: Mapping[str, str] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``out_dir/<run>/`` (module docstring) by ``write_run`` and return its path."""
    return write_run(
        out_dir,
        run,
        tables,
        {"kind": "hedged", **manifest},
        extra_files=extra_files,
        extra_tables=extra_tables,
        arrow=hedged_arrow,
        overwrite=overwrite,
    )


def read_hedged(run_dir: Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """A hedged folder's manifest and its commitments and regrets tables."""
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("kind") != "hedged":
        raise ValueError(f"{run_dir} is not a hedged run (qroad hedge writes those)")
    tables = {name: pd.read_parquet(run_dir / f"{name}.parquet") for name in EXTRA_TABLES}
    return manifest, tables
