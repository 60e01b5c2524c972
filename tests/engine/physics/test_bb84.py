"""Asymptotic decoy-state BB84 (GLLP; Lo–Ma–Chen PRL 94, 230504 (2005); Ma–Qi–Zhao–Lo
PRA 72, 012326 (2005), "MQZL") against published statements and hand-checkable values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from physics_support import assert_rate_contract, sorted_lengths_km

from engine import physics
from engine.presets import preset

GYS = preset("gys_2004")  # α 0.21, η_det 4.5 %, Y₀ 1.7e-6, e_d 3.3 %, f 1.22


def test_gys_preset_is_the_papers_parameter_set() -> None:
    """LMC 2005 / MQZL 2005 use the Gobby–Yuan–Shields (2004) parameters."""
    assert GYS == {
        "alpha_db_per_km": 0.21,
        "eta_det": 0.045,
        "y0": 1.7e-6,
        "e_d": 0.033,
        "f_ec": 1.22,
    }


def test_ideal_channel_by_hand() -> None:
    """Y₀ = e_d = 0, η = 1: Q₁ = μe^(−μ), e₁ = E_μ = 0, so R = q μ e^(−μ).

    μ = 0.5, q = ½: R = 0.25·e^(−0.5) = 0.1516327; optimised μ = 1 gives q/e = 0.1839397.
    """
    ideal = {"alpha_db_per_km": 0.2, "eta_det": 1.0, "y0": 0.0, "e_d": 0.0, "f_ec": 1.2}
    np.testing.assert_allclose(physics.decoy_bb84(0.0, mu=0.5, **ideal), 0.1516327, rtol=1e-6)
    np.testing.assert_allclose(physics.decoy_bb84(0.0, **ideal), 0.5 / np.e, rtol=1e-6)
    # 100 km at 0.2 dB/km: η = 0.01, R = q μ e^(−μ) η maximal at μ = 1: 0.5·0.01/e.
    np.testing.assert_allclose(physics.decoy_bb84(100.0, **ideal), 0.005 / np.e, rtol=1e-6)


def test_gys_key_over_140_km_and_none_beyond_145_km() -> None:
    """LMC 2005 and MQZL 2005: with GYS parameters decoy BB84 gives key over 140 km.

    The cut-off computed here is 142.1 km (infinite decoys) and 141.0 km (vacuum + weak,
    ν = 0.05); the test brackets the papers' "over 140 km" by [140, 145] km.
    """
    lengths = np.arange(130.0, 150.0, 0.05)
    for decoy in ("infinite", "vacuum+weak"):
        rate = physics.decoy_bb84(lengths, **GYS, decoy=decoy)
        cutoff = lengths[rate > 0].max()
        assert 140.0 < cutoff < 145.0, (decoy, cutoff)
    assert physics.decoy_bb84(140.0, **GYS) > 0
    assert physics.decoy_bb84(145.0, **GYS) == 0


def test_vacuum_weak_approaches_infinite_decoy_as_nu_shrinks() -> None:
    """MQZL abstract: vacuum + weak decoy asymptotically approaches the infinite-decoy limit.

    Computed here (GYS): ratio ≈ 0.946 at ν = 0.05 and ≈ 0.999 at ν = 0.001, never above 1.
    """
    lengths = np.array([0.0, 50.0, 100.0, 130.0])
    infinite = physics.decoy_bb84(lengths, **GYS)
    ratios = [
        physics.decoy_bb84(lengths, **GYS, decoy="vacuum+weak", nu=nu) / infinite
        for nu in (0.1, 0.05, 0.01, 0.001)
    ]
    assert np.all(np.diff(np.array(ratios), axis=0) > 0)  # closer as ν shrinks
    assert np.all(ratios[-1] > 0.99) and np.all(ratios[-1] <= 1.0)


def test_scalar_array_and_extremes() -> None:
    """Shapes preserved; 0 km and 2000 km give finite, non-negative values (0 at 2000 km)."""
    assert np.shape(physics.decoy_bb84(10.0, **GYS)) == ()
    out = physics.decoy_bb84(np.array([[0.0, 2000.0], [50.0, 1e5]]), **GYS)
    assert out.shape == (2, 2)
    assert np.all(np.isfinite(out)) and out[0, 0] > 0 and out[0, 1] == 0 and out[1, 1] == 0
    assert physics.decoy_bb84(np.array([]), **GYS).shape == (0,)


def test_large_inputs_match_direct_optimisation() -> None:
    """Large inputs optimise μ on a log-η table (see bb84 module); the rate is stationary in
    μ, so it matches per-point optimisation to 1e-6 and never exceeds it."""
    lengths = np.linspace(0.0, 141.0, 300)
    direct = physics.decoy_bb84(lengths, **GYS, decoy="vacuum+weak")
    padded = np.concatenate([lengths, np.linspace(0.0, 2000.0, 5000)])
    table = physics.decoy_bb84(padded, **GYS, decoy="vacuum+weak")[: lengths.size]
    np.testing.assert_allclose(table, direct, rtol=1e-6)
    assert np.all(table <= direct * (1 + 1e-9))


def test_fixed_mu_below_optimised() -> None:
    """Optimising μ can only help: R(μ_opt) ≥ R(μ) for fixed μ = 0.1, 0.5, 0.9."""
    lengths = np.linspace(0.0, 140.0, 50)
    best = physics.decoy_bb84(lengths, **GYS)
    for mu in (0.1, 0.5, 0.9):
        assert np.all(physics.decoy_bb84(lengths, **GYS, mu=mu) <= best * (1 + 1e-9))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"eta_det": 0.0},
        {"e_d": 0.6},
        {"f_ec": 0.9},
        {"mu": -0.1},
        {"decoy": "two"},
        {"nu": 0.1},
        {"decoy": "vacuum+weak", "nu": 0.3, "mu": 0.2},
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict) -> None:
    """Bad parameters raise ValueError (the engine.physics contract)."""
    with pytest.raises(ValueError):
        physics.decoy_bb84(10.0, **{**GYS, **kwargs})


def test_negative_length_raises() -> None:
    with pytest.raises(ValueError):
        physics.decoy_bb84(np.array([1.0, -1.0]), **GYS)


params = st.fixed_dictionaries(
    {
        "alpha_db_per_km": st.floats(0.15, 0.4),
        "eta_det": st.floats(0.01, 1.0),
        "y0": st.floats(0.0, 1e-4),
        "e_d": st.floats(0.0, 0.1),
        "f_ec": st.floats(1.0, 1.5),
        "decoy": st.sampled_from(["infinite", "vacuum+weak"]),
    }
)


@settings(max_examples=40, deadline=None)
@given(params, sorted_lengths_km(min_size=1, max_size=20))
def test_properties_and_plob(p: dict, length: np.ndarray) -> None:
    """Finite, ≥ 0, non-increasing in distance, and below PLOB of the *overall*
    transmittance η_det·10^(−αL/10) (the stronger test: PLOB of the fibre alone is larger)."""
    rate = physics.decoy_bb84(length, **p)
    assert_rate_contract(rate)
    eta = p["eta_det"] * physics.transmittance(length, p["alpha_db_per_km"])
    assert np.all(rate <= physics.plob(eta))
