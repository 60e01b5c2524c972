"""``gc_paused``: Python's cycle collector off for a block that allocates millions of objects.

Preparing and building the model allocate millions of small objects (routes, table rows,
Pyomo expressions and constraint data) that reference counting frees or that live as long
as the model. Every so many allocations the cycle collector walks everything alive, which
on 50-100 sites took a third (prepare) to nearly half (build: gabriel-50, 10.1 s -> 5.6 s,
docs/benchmarks.md) of the time without freeing anything. Used by ``engine.prepare``,
``build_model`` and the solver runs (whose first run loads the model into HiGHS).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Automatic garbage collection off inside (restored after, as it was)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
