"""A sweep's folder: what it drew, how each sample ended, the sample tables, the summary.

```
DIR/<scenario>-sweep/
  sweep.json               scenario (resolved), seed, samples, mode, inputs, fingerprint, runs
  design.parquet           sample -> drawn inputs (and oat_input / oat_level for --one-at-a-time)
  records.jsonl            one line per sample attempt that ended (the resume log)
  data/<table>/sample=<i>/part-0.parquet   builds, equipment, served, flows, costs, phases
  samples.parquet          sample, inputs, status, reason, attempts, objective_eur, ...
  adoption.parquet         period, tech, samples_adopting, samples_solved, adoption_share
  percentiles.parquet      metric, period, phase, n, p05 ... p95, mean
  adoption_years.parquet   sample, tech, adoption_year
  tornado.parquet, tornado_adoption.parquet   (--one-at-a-time only)
```

A sample's partitions are written before its record, so a sample counts as done only when
its record says so; a rerun rewrites the partitions of samples without a finished record.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from engine.results import TABLE_SCHEMAS
from engine.sweep.task import SAMPLE_TABLES, SampleResult

SWEEP_FILE = "sweep.json"
RECORDS_FILE = "records.jsonl"
DATA_DIR_NAME = "data"
SUMMARY_TABLES = (
    "design",
    "samples",
    "adoption",
    "percentiles",
    "adoption_years",
    "tornado",
    "tornado_adoption",
)


class SweepMismatchError(ValueError):
    """The output folder holds a different sweep (other scenario, seed, size or inputs)."""


def fingerprint(spec: dict[str, Any]) -> str:
    """A short hash of what determines the samples (scenario, seed, size, mode, inputs)."""
    text = json.dumps(spec, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def open_sweep_dir(sweep_dir: Path, spec: dict[str, Any]) -> dict[str, Any]:
    """Create the folder, or check it holds the same sweep; count this run in ``runs``.

    Returns the sweep's metadata (``sweep.json``) with ``run`` = this run's number (1, 2...)."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    path = sweep_dir / SWEEP_FILE
    fp = fingerprint(spec)
    if path.is_file():
        meta = json.loads(path.read_text(encoding="utf-8"))
        if meta.get("fingerprint") != fp:
            raise SweepMismatchError(
                f"{sweep_dir} holds another sweep (scenario, seed, --samples, mode or "
                "uncertainty differ); pick another --out or delete the folder to start over"
            )
        meta["runs"] = int(meta.get("runs", 0)) + 1
    else:
        meta = {"kind": "qroad-sweep", **spec, "fingerprint": fp, "runs": 1}
    _write_text(path, json.dumps(meta, indent=2, default=str))
    return meta


def read_sweep_meta(sweep_dir: Path) -> dict[str, Any]:
    """``sweep.json`` of a sweep folder."""
    return json.loads((Path(sweep_dir) / SWEEP_FILE).read_text(encoding="utf-8"))


def is_sweep_dir(path: Path) -> bool:
    return (Path(path) / SWEEP_FILE).is_file()


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_records(sweep_dir: Path) -> dict[int, dict[str, Any]]:
    """The latest record per sample (a later line replaces an earlier one for its sample)."""
    path = Path(sweep_dir) / RECORDS_FILE
    records: dict[int, dict[str, Any]] = {}
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by an interrupted run: that sample is redone
            records[int(rec["sample"])] = rec
    return records


def append_record(sweep_dir: Path, record: dict[str, Any]) -> None:
    """Append one record and flush it to disk (the sample's done marker)."""
    with open(Path(sweep_dir) / RECORDS_FILE, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _partition(sweep_dir: Path, table: str, sample: int) -> Path:
    return Path(sweep_dir) / DATA_DIR_NAME / table / f"sample={sample}"


def write_sample_tables(sweep_dir: Path, result: SampleResult) -> None:
    """Write a sample's tables into the per-table datasets, replacing any earlier partition."""
    for name in SAMPLE_TABLES:
        part = _partition(sweep_dir, name, result.sample)
        if part.exists():
            shutil.rmtree(part)
        frame = result.tables.get(name)
        if frame is None:
            continue
        part.mkdir(parents=True)
        table = pa.Table.from_pandas(
            frame.reset_index(drop=True), schema=TABLE_SCHEMAS[name], preserve_index=False
        )
        tmp = part / ".part-0.parquet.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, part / "part-0.parquet")


def read_sample_table(
    sweep_dir: Path, name: str, samples: Iterable[int] | None = None
) -> pd.DataFrame:
    """Table ``name`` of every sample (or of ``samples``), with an int ``sample`` column."""
    if name not in SAMPLE_TABLES:
        raise KeyError(f"unknown sample table {name!r}; tables: {', '.join(SAMPLE_TABLES)}")
    root = Path(sweep_dir) / DATA_DIR_NAME / name
    schema = TABLE_SCHEMAS[name].append(pa.field("sample", pa.int64()))
    if not root.is_dir():
        return schema.empty_table().to_pandas()
    part = ds.partitioning(pa.schema([pa.field("sample", pa.int64())]), flavor="hive")
    dataset = ds.dataset(root, format="parquet", partitioning=part, schema=schema)
    filt = None if samples is None else ds.field("sample").isin(sorted(set(samples)))
    frame = dataset.to_table(filter=filt).to_pandas()
    return frame.sort_values(["sample", *frame.columns[1:3]], kind="stable").reset_index(drop=True)


def write_summary_table(sweep_dir: Path, name: str, frame: pd.DataFrame) -> None:
    tmp = Path(sweep_dir) / f".{name}.parquet.tmp"
    frame.reset_index(drop=True).to_parquet(tmp, index=False)
    os.replace(tmp, Path(sweep_dir) / f"{name}.parquet")


def read_summary_table(sweep_dir: Path, name: str) -> pd.DataFrame:
    """A sweep-level table (``samples``, ``adoption``, ``percentiles``...); empty if absent."""
    if name not in SUMMARY_TABLES:
        raise KeyError(f"unknown sweep table {name!r}; tables: {', '.join(SUMMARY_TABLES)}")
    path = Path(sweep_dir) / f"{name}.parquet"
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame()
