"""Widget values that survive the widget not being drawn for a while.

Streamlit forgets a keyed widget's value in the first run that does not draw it (the
Scenario page's inputs while "Upload" is picked), so switching away and back would discard
the user's edits. These helpers keep the last value of each widget in a session-state
shadow and put it back when the widget is drawn again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

SHADOW = "_kept_widgets"


def _shadow() -> dict[str, Any]:
    return st.session_state.setdefault(SHADOW, {})


def kept(
    widget: Callable[..., Any], label: str, key: str, initial: dict[str, Any], **kw: Any
) -> Any:
    """``widget(label, key=key, **kw)`` started from ``initial`` (e.g. ``{"value": 3}``) the
    first time, from its last value when it comes back after not being drawn."""
    shadow = _shadow()
    if key not in st.session_state and key in shadow:
        st.session_state[key] = shadow[key]
    extra = {} if key in st.session_state else initial
    value = widget(label, key=key, **kw, **extra)
    shadow[key] = value
    return value


def kept_editor(data: pd.DataFrame, key: str, **kw: Any) -> pd.DataFrame:
    """``st.data_editor(data, key=key, **kw)`` that comes back with the user's edits: a
    fresh editor starts from the last edited table (the edits a live editor holds are
    relative to the table it started from, so that table is kept too)."""
    shadow = _shadow()
    if key not in st.session_state:
        shadow[f"{key}:start"] = shadow.get(f"{key}:latest", data)
    edited = st.data_editor(shadow.get(f"{key}:start", data), key=key, **kw)
    shadow[f"{key}:latest"] = edited
    return edited
