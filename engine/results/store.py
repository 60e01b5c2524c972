"""Write and read one run's results folder: Parquet tables + ``manifest.json``.

A run is written into a hidden temporary folder beside its destination and renamed into
place in one ``os.rename``: an interrupted run leaves no half-written folder (a killed one may
leave a hidden ``.<name>.tmp-<pid>-*`` folder, which readers ignore and the next write of that
scenario removes), and a folder that already exists is never replaced unless
``overwrite=True`` (then the old folder is moved aside first and removed only after the new
one is in place).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from engine.results.schema import SCHEMA_VERSION, TABLE_NAMES, to_arrow

MANIFEST = "manifest.json"


class RunExistsError(FileExistsError):
    """The destination run folder exists and ``overwrite`` was not given."""


class ResultsReadError(ValueError):
    """A results folder is missing files or was written by an unknown schema version."""


def write_run(
    out_dir: Path,
    scenario: str,
    tables: Mapping[str, pd.DataFrame],
    manifest: Mapping[str, Any],
    *,
    extra_files: Mapping[str, str | bytes] | None = None,
    extra_tables: Mapping[str, pd.DataFrame] | None = None,
    arrow: Callable[[str, pd.DataFrame, str], pa.Table] = to_arrow,
    overwrite: bool = False,
) -> Path:
    """Write ``out_dir/<scenario>/`` atomically and return its path.

    ``tables`` must hold every table of the contract, each converted by ``arrow`` (a
    hedged run adds its futures' columns); ``extra_tables`` are written as Parquet as
    given, ``extra_files`` (name -> text/bytes) beside them (solver log, resolved scenario
    YAML, LP file).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / scenario
    if final.exists() and not overwrite:
        raise RunExistsError(f"{final} exists; pass --overwrite to replace it")
    clean_stale(out_dir, scenario)
    tmp = out_dir / f".{scenario}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name in TABLE_NAMES:
            pq.write_table(arrow(name, tables[name], scenario), tmp / f"{name}.parquet")
        for name, frame in (extra_tables or {}).items():
            frame.reset_index(drop=True).to_parquet(tmp / f"{name}.parquet", index=False)
        for name, content in (extra_files or {}).items():
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(tmp / name, mode) as fh:
                fh.write(content)
        body = {"schema_version": SCHEMA_VERSION, "scenario": scenario, **manifest}
        (tmp / MANIFEST).write_text(json.dumps(body, indent=2, default=str), encoding="utf-8")
        _fsync_dir(tmp)
        _move_into_place(tmp, final, overwrite=overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def clean_stale(out_dir: Path, scenario: str) -> None:
    """Remove what a killed writer of ``scenario`` left: hidden ``.<name>.tmp-<pid>-*``
    folders whose process is gone. A hidden ``.<name>.old-<pid>-*`` (the previous run, moved
    aside by ``--overwrite``) is put back when the run folder is missing, else removed.
    Folders of a live process are never touched (pids are of this machine)."""
    for kind in ("tmp", "old"):
        for path in Path(out_dir).glob(f".{scenario}.{kind}-*"):
            pid = path.name.rsplit(f".{kind}-", 1)[1].split("-")[0]
            if not pid.isdigit() or _alive(int(pid)):
                continue
            final = Path(out_dir) / scenario
            try:
                if kind == "old" and not final.exists():
                    os.rename(path, final)
                else:
                    shutil.rmtree(path)
            except OSError:
                continue  # another writer is cleaning it up at the same moment


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())


def _move_into_place(tmp: Path, final: Path, *, overwrite: bool) -> None:
    old: Path | None = None
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


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """The run's manifest, after checking its schema version is one this qroad reads."""
    path = Path(run_dir) / MANIFEST
    if not path.is_file():
        raise ResultsReadError(f"{run_dir}: no {MANIFEST}; not a qroad run folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ResultsReadError(f"{run_dir}: {MANIFEST} is not valid JSON ({err})") from None
    if not isinstance(manifest, dict):
        raise ResultsReadError(f"{run_dir}: {MANIFEST} is not a JSON object")
    version = str(manifest.get("schema_version", ""))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ResultsReadError(
            f"{run_dir}: results schema version {version!r} is not readable by this qroad "
            f"(reads {SCHEMA_VERSION.split('.')[0]}.x)"
        )
    return manifest


def read_table(run_dirs: Path | Iterable[Path], name: str) -> pd.DataFrame:
    """Table ``name`` of one or several runs, concatenated (they share one schema)."""
    if name not in TABLE_NAMES:
        raise KeyError(f"unknown results table {name!r}; tables: {', '.join(TABLE_NAMES)}")
    dirs = [Path(run_dirs)] if isinstance(run_dirs, str | Path) else [Path(d) for d in run_dirs]
    frames = []
    for run_dir in dirs:
        read_manifest(run_dir)
        frames.append(pq.read_table(run_dir / f"{name}.parquet").to_pandas())
    return pd.concat(frames, ignore_index=True)
