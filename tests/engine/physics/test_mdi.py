"""MDI-QKD (Lo–Curty–Qi PRL 108 130503 (2012); Ma–Razavi PRA 86 062319 (2012) App. B)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from physics_support import assert_rate_contract, sorted_lengths_km
from scipy.special import i0

from engine.physics import decoy_bb84, mdi_qkd, plob, transmittance
from engine.physics.common import maximise_1d
from engine.physics.mdi import (
    _mdi_rate,
    bessel_i0_series,
    entropy_bits,
    from_anchors,
    loss_anchors,
)

LCQ = {"alpha_db_per_km": 0.2, "eta_det": 0.145, "e_d": 0.015, "f_ec": 1.16}
"""Lo–Curty–Qi (2012) Fig. 2/3 simulation parameters without the background."""

Y0_PER_DETECTOR = 3.01e-6
"""LCQ's background 6.02e-6 of a two-detector receiver, per detector (Ma–Razavi Table I)."""


def _cutoff_km(rate_fn, lengths: np.ndarray) -> float:
    rates = rate_fn(lengths)
    return float(lengths[rates > 0].max())


def test_lcq_tolerates_40_db():
    """LCQ 2012 report that decoy MDI-QKD with their parameters tolerates over 40 dB of fibre
    loss (200 km at 0.2 dB/km, relay in the middle). Key must survive 200 km and be gone by
    240 km with either reading of their background (6.02e-6 per detector, or split over two
    detectors as in Ma–Razavi Table I). Computed cut-offs: 200.6 km and 230.6 km."""
    for y0 in (Y0_PER_DETECTOR, 6.02e-6):
        at = mdi_qkd(np.array([200.0, 240.0]), y0=y0, **LCQ)
        assert at[0] > 0.0
        assert at[1] == 0.0
    cut = _cutoff_km(lambda L: mdi_qkd(L, y0=Y0_PER_DETECTOR, **LCQ), np.arange(200, 240, 0.1))
    assert 225.0 < cut < 236.0  # 230.6 km computed here; no figure value to compare with


def test_no_background_gives_y11_half_eta_product_and_e11_ed():
    """With Y₀ = 0 (Ma–Razavi App. B): Y₁₁ = η_aη_b/2, e₁₁ = e_d, Q_Z = Q_C, E_Z = e_d, so
    R = μ²e^(−2μ)(η_aη_b/2)(1 − h(e_d)) − f·2e^(−μ′/2)(1−e^(−η_aμ/2))(1−e^(−η_bμ/2))·h(e_d),
    computed here by hand at 40 km with the relay at 30 % of the line."""
    mu, e_d, f = 0.4, 0.02, 1.16
    eta_a = 0.145 * 10 ** (-0.2 * 12 / 10)
    eta_b = 0.145 * 10 ** (-0.2 * 28 / 10)
    h = -e_d * np.log2(e_d) - (1 - e_d) * np.log2(1 - e_d)
    q_c = (
        2
        * np.exp(-(eta_a + eta_b) * mu / 2)
        * (1 - np.exp(-eta_a * mu / 2))
        * (1 - np.exp(-eta_b * mu / 2))
    )
    expected = mu**2 * np.exp(-2 * mu) * eta_a * eta_b / 2 * (1 - h) - f * q_c * h
    got = mdi_qkd(
        40.0,
        alpha_db_per_km=0.2,
        eta_det=0.145,
        y0=0.0,
        e_d=e_d,
        f_ec=f,
        mu=mu,
        relay_fraction=0.3,
    )
    assert got == pytest.approx(expected, rel=1e-12)


def test_bessel_series_matches_scipy():
    """I₀(2√u) − 1 by power series (Abramowitz–Stegun 9.6.10) against scipy.special.i0 at
    arguments where scipy's value has no cancellation."""
    u = np.array([0.01, 0.3, 1.0, 2.25, 6.0])
    assert np.allclose(bessel_i0_series(u), i0(2 * np.sqrt(u)) - 1.0, rtol=1e-13)


def test_entropy_bits_hand_values():
    """h(0) = 0, h(1/2) = 1, h(0.11) = 0.4999 (the BB84 threshold where 1 − 2h = 0)."""
    got = entropy_bits(np.array([0.0, 0.5, 0.11]))
    assert got[0] == pytest.approx(0.0, abs=1e-290)
    assert got[1] == pytest.approx(1.0, abs=1e-15)
    assert got[2] == pytest.approx(0.49992, abs=1e-5)


def test_mdi_reaches_further_than_decoy_bb84_with_same_detectors():
    """LCQ 2012 (abstract): MDI-QKD "doubles the secure distance with conventional lasers",
    i.e. against decoy BB84 with the same detectors. Same detectors here: the LCQ parameter
    set, BB84 receiver background Y₀ = 6.02e-6 (two detectors), MDI 3.01e-6 per detector.
    This model gives 159.5 km (BB84) against 230.6 km (MDI, as in ``test_lcq_tolerates_40_db``):
    MDI reaches further, by a factor 1.45, not LCQ's 2 (the cut-offs depend strongly on how
    the dark counts are split; with 6.02e-6 per MDI detector the factor is 1.26). Asserted:
    the published direction (MDI further, by more than a third) and, as computed here with
    no figure to compare with, the BB84 cut-off, so a change to either model shows."""
    lengths = np.arange(100.0, 260.0, 0.5)
    bb84_cut = _cutoff_km(lambda L: decoy_bb84(L, y0=6.02e-6, **LCQ), lengths)
    mdi_cut = _cutoff_km(lambda L: mdi_qkd(L, y0=Y0_PER_DETECTOR, **LCQ), lengths)
    assert bb84_cut == pytest.approx(159.5, abs=0.5)
    assert 1.35 < mdi_cut / bb84_cut < 2.2


def test_rate_scales_with_total_transmittance():
    """Without background the optimum μ does not depend on distance at low η and
    R ∝ η_aη_b = η_total: 50 km more fibre (10 dB) divides the rate by 10 (to O(η_arm))."""
    r = mdi_qkd(np.array([200.0, 250.0, 400.0, 450.0]), y0=0.0, **LCQ)
    assert r[0] / r[1] == pytest.approx(10.0, rel=2e-3)
    assert r[2] / r[3] == pytest.approx(10.0, rel=2e-5)


def test_interpolated_mu_matches_direct_optimisation():
    """μ is optimised on 0.5 dB anchors and interpolated; against a direct per-distance
    golden-section optimisation the rate differs by < 1e-4 relative (computed, no paper)."""
    lengths = np.random.default_rng(7).uniform(0.0, 225.0, 64)
    eta = 0.145 * transmittance(lengths / 2)
    mu, _ = maximise_1d(
        lambda m: _mdi_rate(eta, eta, m, 6.02e-6, 0.015, 1.16) / eta**2, 1e-4, 3.0, eta.shape
    )
    direct = np.maximum(_mdi_rate(eta, eta, mu, 6.02e-6, 0.015, 1.16), 0.0)
    got = mdi_qkd(lengths, y0=6.02e-6, **LCQ)
    assert np.allclose(got, direct, rtol=1e-4, atol=1e-12)


def test_symmetric_relay_beats_asymmetric_with_background():
    """Xu et al. NJP 15 113007 (2013) §5: with equal intensities, an off-centre relay lowers
    the rate when dark counts matter; at 150 km the midpoint is best."""
    rates = [float(mdi_qkd(150.0, y0=6.02e-6, relay_fraction=f, **LCQ)) for f in (0.5, 0.35, 0.2)]
    assert rates[0] > rates[1] > rates[2] >= 0.0


def test_shapes_and_edges():
    scalar = mdi_qkd(0.0, y0=6.02e-6, **LCQ)
    assert scalar.shape == ()
    grid = mdi_qkd(np.array([[0.0, 2000.0], [100.0, 1e4]]), y0=6.02e-6, **LCQ)
    assert grid.shape == (2, 2)
    assert np.all(np.isfinite(grid))
    assert grid[0, 1] == 0.0 and grid[1, 1] == 0.0
    ideal_far = mdi_qkd(2000.0, alpha_db_per_km=0.2, eta_det=1.0, y0=0.0, e_d=0.0, f_ec=1.0)
    # No noise at all: R = e^(−2)·η_total/2 with μ* = 1 at 400 dB.
    assert float(ideal_far) == pytest.approx(np.exp(-2) * 1e-40 / 2, rel=1e-3)


@pytest.mark.parametrize(
    "bad",
    [
        {"length_km": -1.0},
        {"length_km": np.nan},
        {"eta_det": 1.5},
        {"y0": -1e-6},
        {"e_d": 0.7},
        {"mu": -0.1},
        {"relay_fraction": 1.2},
    ],
)
def test_bad_arguments_raise_value_error(bad):
    kwargs = {"length_km": 10.0, "y0": 6.02e-6, **LCQ, **bad}
    with pytest.raises(ValueError):
        mdi_qkd(**kwargs)


@settings(max_examples=40, deadline=None)
@given(
    lengths=sorted_lengths_km(max_size=30),
    y0=st.sampled_from([0.0, 1e-7, 3.01e-6, 1e-4]),
    eta_det=st.floats(0.05, 1.0),
    e_d=st.floats(0.0, 0.1),
)
def test_properties(lengths, y0, eta_det, e_d):
    """Non-negative, finite, non-increasing in distance, and never above the PLOB bound of
    the whole fibre's transmittance (Pirandola et al. 2017)."""
    kw = {"alpha_db_per_km": 0.2, "eta_det": eta_det, "y0": y0, "e_d": e_d, "f_ec": 1.16}
    r = mdi_qkd(lengths, **kw)
    assert_rate_contract(r)
    assert np.all(r <= plob(transmittance(lengths)))


def test_anchor_interpolation_is_linear_interpolation():
    """from_anchors on the fixed 0.5 dB anchors equals numpy's linear interpolation."""
    anchors = loss_anchors(np.array([37.2]))
    assert anchors[-1] == 37.5 and anchors[1] == 0.5
    values = np.cos(anchors)
    losses = np.array([0.0, 0.1, 7.25, 37.2, 37.5, 50.0])
    assert np.allclose(
        from_anchors(losses, anchors, values), np.interp(losses, anchors, values), atol=1e-15
    )
