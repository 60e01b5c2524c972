"""Tests of the GG02 CV-QKD model (engine.physics.cv)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from physics_support import assert_rate_contract

from engine.physics import cv_qkd, plob, transmittance
from engine.physics.cv import _g_pair
from engine.presets import preset

IDEAL = dict(alpha_db_per_km=0.2, eta_det=1.0, v_el=0.0, xi=0.0, beta=1.0)


@pytest.mark.parametrize("length_km", [10.0, 50.0, 100.0, 200.0])
def test_pure_loss_homodyne_limit(length_km):
    """Grosshans–Grangier PRL 88 057902 (2002), RR homodyne on a pure-loss channel: as V_A → ∞
    the key tends to ½log₂(1/(1−T)). At V_A = 1e6 SNU the gap is O(1/V_A): rel. tol 1e-4."""
    t = transmittance(length_km, 0.2)
    k = cv_qkd(length_km, **IDEAL, v_a=1e6)
    assert k == pytest.approx(0.5 * np.log2(1.0 / (1.0 - t)), rel=1e-4)


def test_pure_loss_homodyne_is_half_plob():
    """Same limit, stated against the PLOB bound (Pirandola et al. 2017): exactly ½ of it."""
    lengths = np.array([25.0, 75.0, 150.0])
    k = cv_qkd(lengths, **IDEAL, v_a=1e6)
    np.testing.assert_allclose(k / plob(transmittance(lengths, 0.2)), 0.5, rtol=1e-4)


def test_optimised_modulation_beats_fixed():
    """v_a=None maximises over V_A, so it is ≥ the key at the experiment's V_A = 18.5 SNU
    (Lodewyck 2007) and strictly larger at 50 km, where V_A = 18.5 gives no key (computed)."""
    p = preset("cv_lodewyck_2007")
    lengths = np.array([5.0, 25.0, 50.0])
    opt = cv_qkd(lengths, **p)
    fixed = cv_qkd(lengths, **{**p, "v_a": 18.5})
    assert np.all(opt >= fixed * (1 - 1e-9))
    assert fixed[2] == 0.0 and opt[2] > 1e-3


def test_lodewyck_parameters_give_kbps_at_25_km():
    """Computed value (no figure reproduced): with the Lodewyck et al. PRA 76 042305 (2007)
    parameters and their V_A = 18.5 SNU, K(25 km) = 0.04105 b/symbol, i.e. 20.5 kb/s at their
    500 kHz pulse rate before duty cycle and finite-size costs (they report ~2 kb/s net).
    Hand check: I_AB = ½log₂((V+χ)/(1+χ)) with T = 0.316. rel 1e-2."""
    k = cv_qkd(25.0, **{**preset("cv_lodewyck_2007"), "v_a": 18.5})
    assert k == pytest.approx(0.04105, rel=1e-2)


def test_heterodyne_ideal_small_t_slope():
    """Ideal heterodyne RR, V_A optimised, 500 km (T = 1e-10): computed value (no published
    figure) K = 7.204e-11 bits, i.e. K/PLOB ≈ 0.4993; checks precision at 100 dB. rel 1e-3."""
    k = cv_qkd(500.0, **IDEAL, detection="heterodyne")
    assert k == pytest.approx(7.204e-11, rel=1e-3)


def test_zero_at_extremes_and_finite():
    """0 km and 2000 km give finite non-negative values; 2000 km (400 dB) gives 0."""
    k = cv_qkd(np.array([0.0, 2000.0]), **preset("cv_lodewyck_2007"))
    assert np.all(np.isfinite(k)) and k[0] > 1.0 and k[1] == 0.0


def test_scalar_in_scalar_out():
    assert np.ndim(cv_qkd(10.0, **preset("cv_lodewyck_2007"))) == 0


@pytest.mark.parametrize(
    "bad",
    [dict(detection="direct"), dict(eta_det=0.0), dict(beta=1.5), dict(xi=-0.1), dict(v_a=-1.0)],
)
def test_bad_arguments(bad):
    with pytest.raises(ValueError):
        cv_qkd(10.0, **{**IDEAL, **bad})


def test_negative_length_rejected():
    with pytest.raises(ValueError):
        cv_qkd(-1.0, **IDEAL)


@settings(max_examples=30, deadline=None)
@given(
    eta=st.floats(0.3, 1.0),
    v_el=st.floats(0.0, 0.2),
    xi=st.floats(0.0, 0.05),
    beta=st.floats(0.85, 1.0),
    het=st.booleans(),
)
def test_properties(eta, v_el, xi, beta, het):
    """Non-negative, finite, non-increasing in distance, never above PLOB (any parameters)."""
    lengths = np.linspace(0.0, 2000.0, 41)
    k = cv_qkd(
        lengths,
        alpha_db_per_km=0.2,
        eta_det=eta,
        v_el=v_el,
        xi=xi,
        beta=beta,
        v_a=10.0,
        detection="heterodyne" if het else "homodyne",
    )
    assert_rate_contract(k, floor=1e-12)
    assert np.all(k <= plob(transmittance(lengths, 0.2)))


@settings(max_examples=10, deadline=None)
@given(xi=st.floats(0.0, 0.02), het=st.booleans())
def test_optimised_never_exceeds_plob(xi, het):
    """With V_A optimised and an ideal detector, still below PLOB at every distance."""
    lengths = np.linspace(0.0, 600.0, 31)
    k = cv_qkd(lengths, **{**IDEAL, "xi": xi}, detection="heterodyne" if het else "homodyne")
    assert np.all(k <= plob(transmittance(lengths, 0.2)))
    assert np.all(np.diff(k) <= 1e-12 + 1e-6 * k[:-1])


@pytest.mark.parametrize("name", ["cv_lodewyck_2007", "cv_ideal_homodyne"])
@pytest.mark.parametrize("detection", ["homodyne", "heterodyne"])
def test_table_optimisation_matches_per_point(name, detection):
    """Above 512 distances V_A is optimised on fixed loss anchors and interpolated (see
    cv._optimised_on_table); K is stationary in V_A, so it matches the per-point optimisation
    (inputs of <= 512 distances) to 1e-6 relative wherever K > 1e-7 bits, and within 1e-11 bits
    absolute everywhere (below ~1e-9 bits both are dominated by K's rounding noise)."""
    kw = {**preset(name), "detection": detection}
    lengths = np.concatenate([np.linspace(0.0, 3.0, 301), np.linspace(3.0, 600.0, 1200)])
    table = cv_qkd(lengths, **kw)
    direct = np.concatenate([cv_qkd(lengths[i : i + 500], **kw) for i in range(0, 1501, 500)])
    big = direct > 1e-7
    np.testing.assert_allclose(table[big], direct[big], rtol=1e-6)
    np.testing.assert_allclose(table, direct, rtol=1e-6, atol=1e-11)


def test_pair_entropy_closed_forms():
    """G(x) = (x+1)log2(x+1) - x log2 x: G(1) = 2 and G(2) = 3 log2 3 - 2 by hand, G(0) = 0."""
    nu_sq = np.array([9.0, 25.0, 1.0])  # ν = 2x + 1 for x = 1, 2, 0
    got = _g_pair(nu_sq, np.array([25.0, 1.0, 1.0]))
    np.testing.assert_allclose(got, [3 * np.log2(3.0), 3 * np.log2(3.0) - 2.0, 0.0], atol=1e-15)


@pytest.mark.parametrize("x_max", [1e-12, 1e-6, 1e-2, 1.0, 10.0, 1e3, 1e6])
def test_pair_entropy_against_extended_precision(x_max):
    """_g_pair (3 logs, rounding corrections) against the plain formula in np.longdouble
    (80-bit on x86), from the same double ν². Tolerance 5e-15 bits + 2e-15 relative: taking
    x = (√ν² − 1)/2 in double alone moves G by up to ~ε·log2(1 + 1/x) ≈ 3e-15 at x = 1e-7."""
    rng = np.random.default_rng(7)
    x1, x2 = rng.uniform(0.0, x_max, (2, 20_000))
    nu1_sq, nu2_sq = (2 * x1 + 1) ** 2, (2 * x2 + 1) ** 2

    def g_ref(nu_sq: np.ndarray) -> np.ndarray:
        x = np.maximum((np.sqrt(nu_sq.astype(np.longdouble)) - 1) / 2, np.longdouble(1e-300))
        return (np.log1p(x) + x * np.log1p(1 / x)) / np.log(np.longdouble(2))

    ref = g_ref(nu1_sq) + g_ref(nu2_sq)
    err = np.abs(_g_pair(nu1_sq, nu2_sq) - ref).astype(np.float64)
    assert np.all(err <= 5e-15 + 2e-15 * ref.astype(np.float64))
