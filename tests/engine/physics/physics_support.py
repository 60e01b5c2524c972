"""Checks and hypothesis strategies shared by the physics tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from numpy.typing import ArrayLike, NDArray


def sorted_lengths_km(*, min_size: int = 2, max_size: int) -> st.SearchStrategy[NDArray]:
    """Sorted arrays of fibre lengths between 0 and 2000 km."""
    lengths = st.lists(st.floats(0.0, 2000.0), min_size=min_size, max_size=max_size)
    return lengths.map(lambda values: np.sort(np.array(values)))


def assert_rate_contract(rate: ArrayLike, *, rel: float = 1e-9, floor: float = 1e-300) -> None:
    """The physics contract on rates at increasing distances: finite, never negative, and
    non-increasing up to rounding (each step may rise by at most rel·R + floor)."""
    r = np.asarray(rate)
    assert np.all(np.isfinite(r)) and np.all(r >= 0.0)
    assert np.all(np.diff(r) <= rel * r[:-1] + floor)
