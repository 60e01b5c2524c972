"""Static reports and downloads of finished runs: one offline HTML file, one zip per run.

``build_report(run_dirs, out_path)`` writes a single self-contained HTML page (plotly.js
embedded once, inline; no external scripts, fonts or map tiles) that opens with the headline
numbers of every run (cost apart from the unserved-key penalty and the unserved key), then
the assumptions with those that differ between runs highlighted, the cost table, the Compare
charts and a network map of every run in every period. ``split_run_dirs`` tells run folders
from other paths (a sweep folder, the report itself) so ``qroad report results/*`` can skip
them. ``run_zip_bytes(run_dir)`` packs a run's Parquet tables, scenario YAML and manifest into
one zip for download.
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
from engine.compare import cost_by_category, summary_table
from engine.cost_breakdown import cost_by_item
from engine.results import TABLE_NAMES, ResultsReadError, read_manifest, read_table
from engine.results.headline import solver_words
from engine.run_files import SCENARIO_FILE, run_scenario_dict
from engine.scenario.timeline import load_roadmap, milestone_years


def read_runs(run_dirs: Sequence[Path]) -> dict[str, pd.DataFrame]:
    """Every results table of the given runs, concatenated (one ``scenario`` column)."""
    return {name: read_table(list(run_dirs), name) for name in TABLE_NAMES}


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


def split_run_dirs(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The run folders among ``paths`` (a readable ``manifest.json``), and the others with
    why each is skipped (a sweep folder, a file such as an earlier report, ...)."""
    runs: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        if not path.is_dir():
            skipped.append((path, "not a folder"))
        elif not (path / "manifest.json").is_file():
            sweep = any(path.glob("*.parquet")) or (path / "samples").exists()
            why = "no manifest.json (a sweep's folder?)" if sweep else "no manifest.json"
            skipped.append((path, why))
        else:
            try:
                read_manifest(path)
            except (ResultsReadError, ValueError) as err:
                skipped.append((path, f"manifest not readable: {err}"))
            else:
                runs.append(path)
    return runs, skipped


def headline_table(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """The report's first table: per run (rows) the cost and its parts, the unserved-key
    penalty and the unserved key apart, and how the solver ended, with units."""
    summary = summary_table(run_dirs)
    meur = {
        "cost_eur": "Cost (M€, discounted: capex + opex − residual value)",
        "capex_eur": "Capex (M€, discounted)",
        "opex_eur": "Opex (M€, discounted)",
        "residual_value_eur": "Residual value (M€, discounted, credit)",
        "unserved_penalty_eur": "Unserved-key penalty (M€, discounted)",
    }
    table = pd.DataFrame({"Run": summary["scenario"]})
    for col, title in meur.items():
        table[title] = (summary[col] / 1e6).round(2)
    table["Unserved key, last period (bit/s)"] = summary["unserved_bps_last_period"].round(1)
    gap = summary["gap"].astype(float)
    table["Solver"] = [
        solver_words(str(status), g) for status, g in zip(summary["status"], gap, strict=True)
    ]
    return table.set_index("Run")


def differing_assumptions(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an ``assumptions_table`` whose values differ between the runs (the solver
    status and gap are results, not inputs, and are left out)."""
    inputs = table.drop(index=["solver status", "optimality gap (%)"], errors="ignore")
    if inputs.shape[1] < 2:
        return inputs.iloc[0:0]
    return inputs[inputs.nunique(axis=1) > 1]


def items_total(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """Discounted cost per item (rows: kind and item) and run (columns), all periods, M€."""
    items = cost_by_item(run_dirs)
    table = items.pivot_table(
        index=["kind", "item"], columns="scenario", values="total_discounted_eur", aggfunc="sum"
    ).fillna(0.0)
    table.columns.name = None
    return (table / 1e6).round(3)


def assumptions_html(table: pd.DataFrame) -> str:
    """The assumptions table as HTML, rows whose values differ between runs highlighted."""
    differs = table.nunique(axis=1) > 1 if table.shape[1] > 1 else pd.Series(False, table.index)
    rows = ["<table><tr><th>setting</th>"]
    rows += [f"<th>{html.escape(str(c))}</th>" for c in table.columns]
    rows.append("</tr>")
    for setting, values in table.iterrows():
        cls = ' class="differs"' if differs[setting] else ""
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in values)
        rows.append(f"<tr{cls}><th>{html.escape(str(setting))}</th>{cells}</tr>")
    rows.append("</table>")
    return "".join(rows)


def _figure_html(fig: go.Figure, first: bool) -> str:
    return fig.to_html(full_html=False, include_plotlyjs="inline" if first else False)


def _maps(tables: dict[str, pd.DataFrame], names: list[str]) -> list[tuple[str, go.Figure]]:
    """Every run's network map in every period (same extent for all periods of a run)."""
    figures = []
    for name in names:
        periods = tables["builds"].loc[tables["builds"]["scenario"] == name, "period"]
        for period in sorted(int(p) for p in periods.unique()):
            fig = network_map_figure(
                tables["sites"], tables["links"], tables["builds"], tables["flows"],
                tables["equipment"], scenario=name, period=period,
            )  # fmt: skip
            figures.append((f"Network map: {name}, period {period}", fig.update_layout(height=520)))
    return figures


STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:1200px}"
    "table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;"
    "padding:4px 8px;text-align:left;vertical-align:top}tr.differs td,tr.differs th"
    "{background:#fff3b0;font-weight:bold}"
)


def build_report(run_dirs: list[Path], out_path: Path) -> Path:
    """Write one self-contained offline HTML report of ``run_dirs`` to ``out_path``.

    It opens with the headline numbers (cost = discounted capex + opex − residual value; the
    unserved-key penalty and the unserved key apart), then every run's assumptions (those
    that differ between runs highlighted), the cost table by period and category, the
    Compare charts (served key by phase, served share by trust class, equipment, cumulative
    cost, adoption, roadmap timeline) and each run's network map in every period. Returns
    ``out_path``.
    """
    if not run_dirs:
        raise ValueError("build_report needs at least one run folder")
    run_dirs = [Path(d) for d in run_dirs]
    tables = read_runs(run_dirs)
    names = [str(read_manifest(d)["scenario"]) for d in run_dirs]
    figures = compare_figures(tables, milestones_frame(run_timelines(run_dirs)), run_names=names)
    figures += _maps(tables, names)
    title = "qroad report: " + ", ".join(names)
    costs = cost_by_category(tables["costs"]).round(3)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<h2>Headline</h2>",
        "<p>Cost is money: capex + opex − the residual value of hardware alive at the "
        "horizon's end, all discounted. The unserved-key penalty is a notional price on key "
        "not served, shown apart; the solver minimised their sum.</p>",
        headline_table(run_dirs).to_html(escape=True),
        "<h2>Scenario assumptions</h2>",
        "<p>Highlighted rows differ between the runs.</p>" if len(run_dirs) > 1 else "",
        assumptions_html(assumptions_table(run_dirs)),
        "<h2>Cost by period and category (M€, discounted)</h2>",
        costs.to_html(index=False, escape=True),
        "<h2>Cost by technology and site equipment (M€, discounted, all periods)</h2>",
        items_total(run_dirs).to_html(escape=True),
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
