"""Write a hedged run's folder atomically: ``DIR/<name>-hedged/``.

Like ``engine.results.store.write_run``: everything goes into a hidden temporary folder
``.<name>.tmp-<pid>-<hex>`` beside the destination, which is renamed into place in one
``os.rename``; an existing folder is never replaced unless ``overwrite`` (then the old one
is moved aside first and removed only after the new one is in place). The contract's
tables get two columns after ``scenario``'s: ``future`` (the timeline) and
``probability``; ``commitments.parquet`` and ``regrets.parquet`` are written as given.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from engine.results.schema import SCHEMA_VERSION, TABLE_NAMES, to_arrow
from engine.results.store import MANIFEST, RunExistsError, clean_stale

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
    """Write ``out_dir/<run>/`` (module docstring) and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / run
    if final.exists() and not overwrite:
        raise RunExistsError(f"{final} exists; pass --overwrite to replace it")
    clean_stale(out_dir, run)
    tmp = out_dir / f".{run}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name in TABLE_NAMES:
            pq.write_table(hedged_arrow(name, tables[name], run), tmp / f"{name}.parquet")
        for name, frame in extra_tables.items():
            frame.reset_index(drop=True).to_parquet(tmp / f"{name}.parquet", index=False)
        for name, text in (extra_files or {}).items():
            (tmp / name).write_text(text, encoding="utf-8")
        body = {"schema_version": SCHEMA_VERSION, "scenario": run, "kind": "hedged", **manifest}
        (tmp / MANIFEST).write_text(json.dumps(body, indent=2, default=str), encoding="utf-8")
        for path in tmp.iterdir():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        _into_place(tmp, final, overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _into_place(tmp: Path, final: Path, overwrite: bool) -> None:
    old = None
    if final.exists() and overwrite:
        old = final.with_name(f".{final.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        os.rename(final, old)
    try:
        os.rename(tmp, final)  # fails if another writer created `final` meanwhile
    except OSError as exc:
        if old is not None:
            os.rename(old, final)
        raise RunExistsError(f"{final} was created by another run meanwhile") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_hedged(run_dir: Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """A hedged folder's manifest and its commitments and regrets tables."""
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("kind") != "hedged":
        raise ValueError(f"{run_dir} is not a hedged run (qroad hedge writes those)")
    tables = {name: pd.read_parquet(run_dir / f"{name}.parquet") for name in EXTRA_TABLES}
    return manifest, tables
