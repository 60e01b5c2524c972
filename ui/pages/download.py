"""Download page: one run's Parquet tables, scenario YAML and manifest as a zip."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import streamlit as st

from engine.report import run_zip_bytes
from ui.common import page_run


def main() -> None:
    """Draw the page."""
    picked = page_run("Download a run")
    if picked is None:
        return
    name, run_dir = picked
    data = run_zip_bytes(run_dir)
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


main()
