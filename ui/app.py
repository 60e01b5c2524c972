"""qroad's Streamlit app: ``make ui`` (= ``streamlit run ui/app.py``).

Nine pages, each a thin script under ui/pages/ that gathers input and draws figures from
engine.charts (engine.charts_uncertainty for sweeps): Scenario, Run, Compare, Map, Explain,
Physics, Uncertainty, Decide now (engine.hedge.charts), Download.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent / "pages"


def main() -> None:
    """Set up the page and run the page the user picked in the sidebar."""
    st.set_page_config(page_title="qroad — QKD network roadmap", layout="wide")
    pages = [
        st.Page(PAGES_DIR / "compare.py", title="Compare", icon="📊", default=True),
        st.Page(PAGES_DIR / "scenario.py", title="Scenario", icon="📝"),
        st.Page(PAGES_DIR / "run.py", title="Run", icon="▶️"),
        st.Page(PAGES_DIR / "map.py", title="Map", icon="🗺️"),
        st.Page(PAGES_DIR / "explain.py", title="Explain", icon="💡"),
        st.Page(PAGES_DIR / "physics.py", title="Physics", icon="📈"),
        st.Page(PAGES_DIR / "uncertainty.py", title="Uncertainty", icon="🎲"),
        st.Page(PAGES_DIR / "decide.py", title="Decide now", icon="🧭"),
        st.Page(PAGES_DIR / "download.py", title="Download", icon="⬇️"),
    ]
    st.navigation(pages).run()


main()
