"""Static reports and downloads of finished runs: one offline HTML file, one zip per run.

``build_report(run_dirs, out_path)`` writes a single self-contained HTML page (plotly.js
embedded once, inline; no external scripts, fonts or map tiles) holding the Compare view,
a network map per run and each run's scenario assumptions. ``run_zip_bytes(run_dir)`` packs
a run's Parquet tables, scenario YAML and manifest into one zip for download.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from engine.charts import compare_figures
from engine.charts_map import network_map_figure
from engine.results import TABLE_NAMES, read_manifest, read_table
from engine.scenario.timeline import load_roadmap, milestone_years
from engine.yaml_io import read_yaml_mapping

SCENARIO_FILE = "scenario.yaml"


def read_runs(run_dirs: Sequence[Path]) -> dict[str, pd.DataFrame]:
    """Every results table of the given runs, concatenated (one ``scenario`` column)."""
    return {name: read_table(list(run_dirs), name) for name in TABLE_NAMES}


def run_scenario_dict(run_dir: Path) -> dict[str, Any]:
    """The run's resolved scenario: ``scenario.yaml`` in the folder, else the manifest's copy
    (``scenario_resolved``, written by engine.pipeline), else ``{}``."""
    path = Path(run_dir) / SCENARIO_FILE
    if path.is_file():
        return read_yaml_mapping(path)
    resolved = read_manifest(run_dir).get("scenario_resolved")
    return dict(resolved) if isinstance(resolved, dict) else {}


def milestones_frame(timelines: Mapping[str, str | Mapping[str, int]]) -> pd.DataFrame:
    """Milestone years per timeline: columns ``timeline``, ``milestone`` (label), ``year``.

    ``timelines`` maps a display name to a timeline name (``early``…) or a mapping
    milestone -> year.
    """
    roadmap = load_roadmap()
    labels = {m.id: m.label for m in roadmap.milestones}
    rows = []
    for name, spec in timelines.items():
        for milestone, year in milestone_years(spec, roadmap).items():
            rows.append({"timeline": name, "milestone": labels[milestone], "year": int(year)})
    return pd.DataFrame(rows, columns=["timeline", "milestone", "year"])


def run_timelines(run_dirs: Sequence[Path]) -> dict[str, str | Mapping[str, int]]:
    """Timeline of each run: its name (shared by runs using it) or ``<scenario> (custom)``."""
    out: dict[str, str | Mapping[str, int]] = {}
    for run_dir in run_dirs:
        spec = run_scenario_dict(run_dir).get("timeline")
        if isinstance(spec, str):
            out[spec] = spec
        elif isinstance(spec, Mapping):
            out[f"{Path(run_dir).name} (custom)"] = {str(k): int(v) for k, v in spec.items()}
    return out


def assumptions_table(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """Headline assumptions per run (rows: setting, columns: scenario), as display strings."""
    columns: dict[str, dict[str, str]] = {}
    for run_dir in run_dirs:
        manifest = read_manifest(run_dir)
        scen = run_scenario_dict(run_dir)
        horizon = scen.get("horizon") or {}
        demand = scen.get("demand") or {}
        econ = scen.get("economics") or {}
        techs = scen.get("technologies") or {}
        gap = manifest.get("gap")
        columns[str(manifest["scenario"])] = {
            "description": str(scen.get("description", "")),
            "timeline": _short(scen.get("timeline", "")),
            "horizon (years)": (
                f"{horizon.get('start_year', '?')}–{horizon.get('end_year', '?')}, "
                f"{horizon.get('period_years', '?')}-year periods"
            ),
            "network": _short((scen.get("network") or {}).get("topology", "sites and spans")),
            "base key rate (bit/s)": _short(demand.get("base_key_rate_bps", "")),
            "demand growth (%/year)": _pct(demand.get("growth_per_year")),
            "trust mix": _short(demand.get("trust_mix", "")),
            "technologies enabled": _short(techs.get("enabled", "")),
            "technology overrides": _short(techs.get("overrides", "")),
            "discount rate (%/year)": _pct(econ.get("discount_rate")),
            "budget (€/period)": _short(econ.get("budget_eur_per_period", "none")),
            "solver status": str(manifest.get("status", "")),
            "optimality gap (%)": "" if gap is None else f"{100 * float(gap):.2f}",
        }
    return pd.DataFrame(columns)


def _short(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_short(v)}" for k, v in value.items())
    return "none" if value is None else str(value)


def _pct(value: Any) -> str:
    return "" if value is None else f"{100 * float(value):g}"


def _figure_html(fig: go.Figure, first: bool) -> str:
    return fig.to_html(full_html=False, include_plotlyjs="inline" if first else False)


def build_report(run_dirs: list[Path], out_path: Path) -> Path:
    """Write one self-contained offline HTML report of ``run_dirs`` to ``out_path``.

    It holds the assumptions of every run, the Compare charts (served key by phase, served
    share by trust class, equipment, cumulative cost, adoption, roadmap timeline) and each
    run's network map in its last period. Returns ``out_path``.
    """
    if not run_dirs:
        raise ValueError("build_report needs at least one run folder")
    run_dirs = [Path(d) for d in run_dirs]
    tables = read_runs(run_dirs)
    names = [str(read_manifest(d)["scenario"]) for d in run_dirs]
    figures = compare_figures(tables, milestones_frame(run_timelines(run_dirs)))
    for name in names:
        periods = tables["builds"].loc[tables["builds"]["scenario"] == name, "period"]
        if periods.empty:
            continue
        period = int(periods.max())
        fig = network_map_figure(
            tables["sites"],
            tables["links"],
            tables["builds"],
            tables["flows"],
            tables["equipment"],
            scenario=name,
            period=period,
        )
        figures.append((f"Network map: {name}, period {period}", fig))
    title = "qroad report: " + ", ".join(names)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1200px}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
        "text-align:left;vertical-align:top}</style>",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<h2>Scenario assumptions</h2>",
        assumptions_table(run_dirs).to_html(escape=True),
    ]
    for i, (heading, fig) in enumerate(figures):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(_figure_html(fig, first=i == 0))
    parts.append("</body></html>")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(parts), encoding="utf-8")
    return out_path


def run_zip_bytes(run_dir: Path) -> bytes:
    """A zip of the run's Parquet tables, ``scenario.yaml`` and ``manifest.json``.

    Files sit under a folder named after the run; raises ``ResultsReadError`` if the folder
    is not a readable run.
    """
    run_dir = Path(run_dir)
    read_manifest(run_dir)
    names = [f"{t}.parquet" for t in TABLE_NAMES] + [SCENARIO_FILE, "manifest.json"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            path = run_dir / name
            if path.is_file():
                zf.write(path, arcname=f"{run_dir.name}/{name}")
    return buf.getvalue()
