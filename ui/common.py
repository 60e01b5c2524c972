"""Shared helpers of the Streamlit pages: where results and scenarios live, run pickers.

The results folder is ``$QROAD_RESULTS_DIR`` or ``<repo>/results``; bundled scenarios are
``$QROAD_SCENARIOS_DIR`` or ``<repo>/scenarios``. Nothing here computes anything: it lists
folders and reads results through engine.results.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from engine.report import read_runs
from engine.results import read_manifest

REPO_ROOT = Path(__file__).resolve().parents[1]
CHART_CONFIG = {  # the camera icon on every chart saves a PNG at twice the screen size
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def results_dir() -> Path:
    """Folder holding one sub-folder per run (the CLI's ``--out``)."""
    return Path(os.environ.get("QROAD_RESULTS_DIR", REPO_ROOT / "results"))


def scenarios_dir() -> Path:
    """Folder of bundled scenario YAML files."""
    return Path(os.environ.get("QROAD_SCENARIOS_DIR", REPO_ROOT / "scenarios"))


def bundled_scenarios() -> dict[str, Path]:
    """Runnable bundled scenarios by file name (``base*.yaml`` and hidden files left out)."""
    files = sorted(scenarios_dir().glob("*.yaml"))
    return {p.name: p for p in files if not p.name.startswith((".", "base"))}


def list_runs(folder: Path | None = None) -> dict[str, Path]:
    """Finished runs (folders with a readable manifest) by name, sorted; hidden ones and
    hedged plans (several futures in one folder: the Decide now page's) skipped."""
    folder = folder or results_dir()
    if not folder.is_dir():
        return {}
    runs: dict[str, Path] = {}
    for sub in sorted(folder.iterdir()):
        if sub.is_dir() and not sub.name.startswith(".") and (sub / "manifest.json").is_file():
            try:
                manifest = read_manifest(sub)
            except ValueError:
                continue
            if manifest.get("kind") != "hedged":
                runs[sub.name] = sub
    return runs


def no_runs_message() -> None:
    """Tell the user where runs are looked for and how to make one."""
    st.info(
        f"No finished runs in {results_dir()}. Run a scenario on the Run page, or "
        "`qroad run scenarios/tiny.yaml --out results` in a terminal."
    )


def page_runs(title: str) -> dict[str, Path]:
    """Draw a results page's title and return the finished runs (``list_runs``); when there
    are none, say where they are looked for and how to make one, and return ``{}``."""
    st.title(title)
    runs = list_runs()
    if not runs:
        no_runs_message()
    return runs


def page_run(title: str) -> tuple[str, Path] | None:
    """``page_runs`` with one run picked in a "Run" select box: its name and folder, or None
    when there is no run."""
    runs = page_runs(title)
    if not runs:
        return None
    name = st.selectbox("Run", list(runs))
    return name, runs[name]


def _stamp(run_dirs: tuple[Path, ...]) -> tuple[float, ...]:
    return tuple((d / "manifest.json").stat().st_mtime for d in run_dirs)


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_tables(run_dirs: tuple[str, ...], stamp: tuple[float, ...]) -> dict[str, pd.DataFrame]:
    del stamp  # part of the cache key only: a rewritten run is read again
    return read_runs([Path(d) for d in run_dirs])


def load_tables(run_dirs: list[Path]) -> dict[str, pd.DataFrame]:
    """All results tables of the runs, concatenated; cached until a run is rewritten."""
    dirs = tuple(run_dirs)
    return _cached_tables(tuple(str(d) for d in dirs), _stamp(dirs))
