"""Exports of finished runs for people who work in spreadsheets and slides: every table as
CSV (one zip), one Excel workbook (openpyxl), charts as PNG or SVG (kaleido, which drives a
headless Chrome/Chromium), and the HTML report as bytes. All return bytes; none writes into
a run folder."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from engine.compare import capex_by_technology, cost_by_category, equipment_by_period
from engine.cost_breakdown import cost_by_item

IMAGE_FORMATS = ("png", "svg")
SHEET_NAME_MAX = 31  # Excel's limit


class ExportUnavailableError(RuntimeError):
    """An export needs something this machine lacks (kaleido, or a Chrome it can drive)."""


def export_tables(
    tables: Mapping[str, pd.DataFrame], run_dirs: Sequence[Path] | None = None
) -> dict[str, pd.DataFrame]:
    """The results tables plus the derived ones a reader wants: the cost table by period and
    category (M€ discounted, cost and penalty apart), capex by technology, equipment, and
    (given the run folders) the cost by technology, equipment and period."""
    out = dict(tables)
    if run_dirs:
        out["cost_by_item"] = cost_by_item(run_dirs)
    if "costs" in tables:
        out["cost_by_category"] = cost_by_category(tables["costs"])
    if "builds" in tables:
        out["capex_by_technology"] = capex_by_technology(tables["builds"])
    if "equipment" in tables:
        out["equipment_by_period"] = equipment_by_period(tables["equipment"])
    return out


def csv_zip_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """A zip holding ``<name>.csv`` for every table (UTF-8, header row, no index)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, frame in tables.items():
            zf.writestr(f"{name}.csv", frame.to_csv(index=False))
    return buf.getvalue()


def _sheet_names(names: Sequence[str]) -> list[str]:
    """Excel-safe, unique sheet names (at most 31 characters, no ``[]:*?/\\``)."""
    out: list[str] = []
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "_", name)[:SHEET_NAME_MAX] or "sheet"
        candidate, i = base, 2
        while candidate in out:
            suffix = f"~{i}"
            candidate, i = base[: SHEET_NAME_MAX - len(suffix)] + suffix, i + 1
        out.append(candidate)
    return out


def excel_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """One .xlsx workbook, a sheet per table (openpyxl), header row frozen."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for sheet, frame in zip(_sheet_names(list(tables)), tables.values(), strict=True):
            frame.to_excel(writer, sheet_name=sheet, index=False)
            writer.sheets[sheet].freeze_panes = "A2"
    return buf.getvalue()


def _check_kaleido() -> None:
    try:
        import kaleido  # noqa: F401
    except ImportError as err:
        raise ExportUnavailableError(
            "chart images need the kaleido package (pip install kaleido)"
        ) from err


def _unavailable(err: Exception) -> ExportUnavailableError:
    return ExportUnavailableError(
        f"kaleido could not draw the charts ({type(err).__name__}: {err}); it needs Chrome or "
        "Chromium (Debian: apt-get install chromium). The camera icon on each chart in the app "
        "saves it as an image instead."
    )


def figure_image(fig: go.Figure, fmt: str = "png", *, width: int = 1200) -> bytes:
    """The figure as PNG or SVG bytes through kaleido (which needs Chrome or Chromium on the
    machine); raises ``ExportUnavailableError`` saying what is missing."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"image format {fmt!r}: use one of {', '.join(IMAGE_FORMATS)}")
    _check_kaleido()
    try:
        return fig.to_image(format=fmt, width=width, height=int(fig.layout.height or 600))
    except Exception as err:  # kaleido reports a missing browser in several ways
        raise _unavailable(err) from err


def figures_zip_bytes(
    figures: Sequence[tuple[str, go.Figure]], fmt: str = "png", *, width: int = 1200
) -> bytes:
    """Every (title, figure) as ``<title>.<fmt>`` in one zip, drawn in one kaleido session
    (``plotly.io.write_images``: one browser start for all)."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"image format {fmt!r}: use one of {', '.join(IMAGE_FORMATS)}")
    _check_kaleido()
    stems = [re.sub(r"[^A-Za-z0-9._-]+", "-", t).strip("-").lower() or "chart" for t, _ in figures]
    stems = _sheet_names(stems)  # unique
    with tempfile.TemporaryDirectory(prefix="qroad-images-") as scratch:
        paths = [Path(scratch) / f"{s}.{fmt}" for s in stems]
        figs = [f for _, f in figures]
        try:
            pio.write_images(
                figs, paths, format=fmt, width=width,
                height=[int(f.layout.height or 600) for f in figs],
            )  # fmt: skip
        except Exception as err:
            raise _unavailable(err) from err
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in paths:
                zf.write(path, arcname=path.name)
        return buf.getvalue()


def report_bytes(run_dirs: Sequence[Path]) -> bytes:
    """The offline HTML report of the runs (``engine.report.build_report``) as bytes,
    written in a temporary folder."""
    from engine.report import build_report

    with tempfile.TemporaryDirectory(prefix="qroad-report-") as scratch:
        path = build_report([Path(d) for d in run_dirs], Path(scratch) / "report.html")
        return path.read_bytes()
