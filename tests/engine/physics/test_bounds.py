"""Repeaterless bounds: PLOB (Pirandola et al., Nat. Commun. 8, 15043 (2017), Eq. 4) and
TGW (Takeoka, Guha, Wilde, Nat. Commun. 5, 5235 (2014), Eq. 2)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import physics

LN2 = np.log(2.0)


def test_plob_exact_values_by_hand() -> None:
    """−log₂(1−η): η = ½ gives 1 bit, η = ¾ gives 2 bits, η = 0 gives 0 (PLOB Eq. 4)."""
    np.testing.assert_allclose(physics.plob(np.array([0.0, 0.5, 0.75])), [0.0, 1.0, 2.0])


def test_tgw_exact_values_by_hand() -> None:
    """log₂((1+η)/(1−η)): η = ⅓ gives log₂2 = 1 bit, η = ⅗ gives log₂4 = 2 bits (TGW Eq. 2)."""
    np.testing.assert_allclose(physics.tgw(np.array([1 / 3, 3 / 5])), [1.0, 2.0], rtol=1e-12)


def test_plob_accurate_at_200_db() -> None:
    """1000 km of 0.2 dB/km fibre is 200 dB, η = 1e-20: PLOB = η/ln2 (1.44 η) to 1e-12.

    The naive −log₂(1−η) gives 0 there; PLOB's paper quotes the high-loss limit 1.44 η.
    """
    eta = physics.transmittance(1000.0, 0.2)
    np.testing.assert_allclose(eta, 1e-20, rtol=1e-12)
    np.testing.assert_allclose(physics.plob(eta), eta / LN2, rtol=1e-12)
    np.testing.assert_allclose(physics.tgw(eta), 2 * eta / LN2, rtol=1e-12)


def test_small_eta_limits_1_44_and_2_89() -> None:
    """PLOB ≈ 1.44 η and TGW ≈ 2.89 η at low transmittance (the papers' high-loss limits)."""
    eta = np.array([1e-4, 1e-8, 1e-14])
    np.testing.assert_allclose(physics.plob(eta) / eta, 1.4427, rtol=1e-3)
    np.testing.assert_allclose(physics.tgw(eta) / eta, 2.8854, rtol=1e-3)


def test_shapes_scalar_and_array() -> None:
    """Scalars give 0-d arrays, arrays keep their shape."""
    assert np.shape(physics.plob(0.5)) == ()
    assert physics.tgw(np.full((2, 3), 0.1)).shape == (2, 3)


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=0.0, max_value=0.999999), st.floats(min_value=0.0, max_value=0.999999))
def test_bounds_properties(eta_a: float, eta_b: float) -> None:
    """Both bounds are finite, ≥ 0, non-decreasing in η, and PLOB ≤ TGW (TGW is looser)."""
    lo, hi = sorted((eta_a, eta_b))
    p = physics.plob(np.array([lo, hi]))
    t = physics.tgw(np.array([lo, hi]))
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    assert p[0] <= p[1] and t[0] <= t[1]
    assert np.all(p <= t * (1 + 1e-12))
