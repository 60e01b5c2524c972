"""optimizer.gc_pause: the cycle collector is off inside and left as it was found."""

from __future__ import annotations

import gc

import pytest

from optimizer.gc_pause import gc_paused


@pytest.mark.parametrize("before", [True, False])
def test_collector_off_inside_and_restored(before):
    (gc.enable if before else gc.disable)()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is before
        with pytest.raises(RuntimeError), gc_paused():
            raise RuntimeError("stage failed")
        assert gc.isenabled() is before
    finally:
        gc.enable()
