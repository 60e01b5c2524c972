"""Finite-key two-decoy BB84: Lim, Curty, Walenta, Xu, Zbinden, PRA 89, 022307 (2014)
("LCWXZ"), Sec. IV dedicated-fibre model and Fig. 1."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import physics
from engine.presets import preset, preset_info

# LCWXZ Sec. IV: 0.2 dB/km, η_Bob 10 %, p_dc 6e-7 per detector (Y₀ = 2p_dc), p_ap 4 %,
# e_mis 0.5 %, f_EC 1.16, ε_cor 1e-15.
LIM = {
    "alpha_db_per_km": 0.2,
    "eta_det": 0.1,
    "y0": 1.2e-6,
    "e_d": 5e-3,
    "f_ec": 1.16,
    "p_ap": 0.04,
    "eps_cor": 1e-15,
}
ASYMPTOTIC_KEYS = ("alpha_db_per_km", "eta_det", "y0", "e_d", "f_ec")


def test_lcwxz_block_1e4_reaches_about_135_km() -> None:
    """LCWXZ Sec. IV: "even if we use a block size of 10⁴, cryptographic keys can still be
    distributed over a fiber length of 135 km" (n_X = 10⁴, ε_sec = κℓ ≈ 1e-13).

    Computed here: cut-off 130 km (4 % short of the paper); tolerance ±6 km.
    """
    lengths = np.arange(120.0, 142.0, 0.5)
    rate = physics.decoy_bb84_finite(lengths, block_size=1e4, block="sifted", eps_sec=1e-13, **LIM)
    cutoff = lengths[rate > 0].max()
    assert abs(cutoff - 135.0) <= 6.0, cutoff


def test_lcwxz_ratio_1e9_over_1e7_at_100_km() -> None:
    """LCWXZ Sec. IV: at 100 km the key rate with n_X = 10⁹ is about 1.75 times the one with
    n_X = 10⁷. Computed here: 1.80; tolerance ±0.15. ε_sec = κℓ with κ = 1e-15 and ℓ ≈ 1e6
    and 1e8 bits gives 1e-9 and 1e-7."""
    r7 = physics.decoy_bb84_finite(100.0, block_size=1e7, block="sifted", eps_sec=1e-9, **LIM)
    r9 = physics.decoy_bb84_finite(100.0, block_size=1e9, block="sifted", eps_sec=1e-7, **LIM)
    assert r7 > 0
    assert abs(r9 / r7 - 1.75) <= 0.15, r9 / r7


def test_monotone_in_block_size_vanishing_and_approaching_asymptote() -> None:
    """No key from 10⁵ pulses; rate grows with N; by N = 10¹² it is at least half the
    asymptotic infinite-decoy rate with all pulses in the key basis (q = 1), and never above
    it. Same channel for both: after-pulses off (the asymptotic model has none). Computed:
    ratio 0.53–0.73 at N = 1e12, 0 to 100 km; LCWXZ give no figure per N, only the trend."""
    lengths = np.array([0.0, 50.0, 100.0])
    channel = {**LIM, "p_ap": 0.0}
    asymptotic = physics.decoy_bb84(lengths, q=1.0, **{k: LIM[k] for k in ASYMPTOTIC_KEYS})
    rates = np.array(
        [
            physics.decoy_bb84_finite(lengths, block_size=10.0**s, eps_sec=1e-10, **channel)
            for s in (5, 7, 9, 12)
        ]
    )
    assert np.all(rates[0] == 0)
    assert np.all(np.diff(rates, axis=0) >= 0)
    assert np.all(rates[-1] > 0.5 * asymptotic)
    assert np.all(rates <= asymptotic)


def test_fixed_parameters_by_hand_checkable_shape() -> None:
    """With every free parameter fixed the function evaluates LCWXZ Eq. (1) once; fixing
    parameters can only lower the optimised rate."""
    fixed = {"mu": 0.5, "mu2": 0.1, "q_x": 0.8, "probabilities": (0.7, 0.2, 0.1)}
    lengths = np.array([0.0, 50.0])
    r_fixed = physics.decoy_bb84_finite(lengths, block_size=1e10, eps_sec=1e-10, **LIM, **fixed)
    r_opt = physics.decoy_bb84_finite(lengths, block_size=1e10, eps_sec=1e-10, **LIM)
    assert np.all(r_fixed > 0) and np.all(r_fixed <= r_opt * (1 + 1e-9))


def test_extremes_and_shapes() -> None:
    """0 km and 2000 km: finite, non-negative (no key at 2000 km); scalar gives 0-d."""
    out = physics.decoy_bb84_finite(np.array([0.0, 2000.0]), block_size=1e10, eps_sec=1e-10, **LIM)
    assert out.shape == (2,) and out[0] > 0 and out[1] == 0
    assert np.shape(physics.decoy_bb84_finite(10.0, block_size=1e9, eps_sec=1e-9, **LIM)) == ()


def test_preset_lim_2014() -> None:
    """The default finite-key preset is LCWXZ's parameter set with n_X = 10⁷."""
    info = preset_info("lim_2014")
    assert info["model"] == "decoy_bb84_finite" and info.get("default") is True
    assert physics.decoy_bb84_finite(50.0, **preset("lim_2014")) > 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"block_size": 0.5},
        {"eps_sec": 0.0},
        {"eps_cor": 1.5},
        {"block": "bits"},
        {"mu2": 1e-5},
        {"probabilities": (0.5, 0.5, 0.5)},
        {"q_x": 1.0},
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict) -> None:
    base = {"block_size": 1e9, "eps_sec": 1e-9, **LIM}
    with pytest.raises(ValueError):
        physics.decoy_bb84_finite(10.0, **{**base, **kwargs})


@settings(max_examples=10, deadline=None)
@given(
    st.floats(4.0, 14.0),
    st.lists(st.floats(0.0, 2000.0), min_size=1, max_size=6),
    st.sampled_from(["pulses", "sifted"]),
)
def test_properties(log_block: float, lengths: list[float], block: str) -> None:
    """Finite and non-negative, and below PLOB of the overall transmittance η_det·η_fibre."""
    length = np.array(lengths)
    rate = physics.decoy_bb84_finite(
        length, block_size=10.0**log_block, block=block, eps_sec=1e-10, **LIM
    )
    assert np.all(np.isfinite(rate)) and np.all(rate >= 0)
    eta = LIM["eta_det"] * physics.transmittance(length, LIM["alpha_db_per_km"])
    assert np.all(rate <= physics.plob(eta))
