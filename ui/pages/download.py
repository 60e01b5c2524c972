"""Download page: one run as it was written (Parquet tables, scenario YAML, manifest, as a
zip), and for one or more runs every table as CSV, one Excel workbook, the offline HTML
report and the Compare charts as PNG or SVG (engine.exports)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import streamlit as st

from engine.charts import compare_figures
from engine.exports import (
    ExportUnavailableError,
    csv_zip_bytes,
    excel_bytes,
    export_tables,
    figures_zip_bytes,
    report_bytes,
)
from engine.report import milestones_frame, run_timelines, run_zip_bytes
from ui.common import load_tables, page_runs


def run_zip_section(runs: dict[str, Path]) -> None:
    """One run's folder as a zip, with its contents listed."""
    name = st.selectbox("Run", list(runs))
    data = run_zip_bytes(runs[name])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        contents = pd.DataFrame(
            [(i.filename, round(i.file_size / 1024, 1)) for i in zf.infolist()],
            columns=["File", "Size (kB)"],
        )
    st.metric("Zip size (kB)", f"{len(data) / 1024:.1f}")
    st.dataframe(contents, hide_index=True)
    st.download_button(
        f"Download {name}.zip", data=data, file_name=f"{name}.zip", mime="application/zip"
    )


def _keep(key: tuple, data: bytes) -> None:
    """Keep prepared bytes for the download button (the last four preparations)."""
    prepared = st.session_state.setdefault("prepared", {})
    prepared[key] = data
    for old in list(prepared)[:-4]:
        del prepared[old]


def _stem(chosen: list[str]) -> str:
    return chosen[0] if len(chosen) == 1 else f"qroad-{len(chosen)}-runs"


def exports_section(runs: dict[str, Path]) -> None:
    """CSV, Excel, HTML report and chart images of the chosen runs."""
    st.header("Tables, report and charts")
    wanted = [n for n in st.session_state.get("compare_runs", []) if n in runs]
    chosen = st.multiselect("Runs to export", list(runs), default=wanted or list(runs)[:1])
    if not chosen:
        st.info("Pick at least one run.")
        return
    dirs = [runs[n] for n in chosen]
    tables = export_tables(load_tables(dirs), dirs)
    stem = _stem(chosen)
    st.caption(
        f"{len(tables)} tables: the nine results tables (docs/results.md) plus the cost table "
        "by period and category, the cost by technology, equipment and period, capex by "
        "technology and equipment by period."
    )
    csv_col, xlsx_col = st.columns(2)
    csv_col.download_button(
        "Every table as CSV (zip)", csv_zip_bytes(tables), file_name=f"{stem}-csv.zip",
        mime="application/zip",
    )  # fmt: skip
    xlsx_col.download_button(
        "Excel workbook (.xlsx)", excel_bytes(tables), file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip
    key = ("report", tuple(chosen))
    if st.button("Prepare the HTML report"):
        _keep(key, report_bytes(dirs))
    prepared = st.session_state.get("prepared", {})
    if key in prepared:
        st.download_button(
            "Download the HTML report", prepared[key], file_name=f"{stem}-report.html",
            mime="text/html",
        )  # fmt: skip
    fmt = st.radio("Chart image format", ["png", "svg"], horizontal=True)
    image_key = ("images", tuple(chosen), fmt)
    if st.button(f"Prepare the charts as {fmt.upper()}"):
        figures = compare_figures(
            load_tables(dirs), milestones_frame(run_timelines(dirs)), run_names=list(runs)
        )
        try:
            _keep(image_key, figures_zip_bytes(figures, fmt))
        except ExportUnavailableError as err:
            st.warning(str(err))
    prepared = st.session_state.get("prepared", {})
    if image_key in prepared:
        st.download_button(
            f"Download the charts ({fmt.upper()}, zip)", prepared[image_key],
            file_name=f"{stem}-charts-{fmt}.zip", mime="application/zip",
        )  # fmt: skip


def main() -> None:
    """Draw the page."""
    runs = page_runs("Download a run")
    if not runs:
        return
    run_zip_section(runs)
    exports_section(runs)


main()
