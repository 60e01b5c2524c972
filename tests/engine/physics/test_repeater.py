"""Tests of the repeater-chain and BBM92 models (engine.physics.repeater)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from physics_support import assert_rate_contract

from engine.physics import bbm92_key_fraction, plob, repeater_chain, transmittance
from engine.physics.repeater import (
    chain_visibility,
    css_logical_error,
    effective_physical_error,
    repeater_key_rate_bps,
    repeater_qec_chain,
    repeater_qec_key_rate_bps,
)
from engine.presets import preset

CHAIN = dict(p_emission=0.01, eta_det=0.9, eta_memory=0.9, p_swap_bsm=0.5, n_modes=1)


def test_bbm92_threshold_11_percent():
    """Shor–Preskill threshold: with f = 1, r = 1 − 2h(Q) vanishes at Q = 11.00 %
    (h(0.110028) = ½). Positive just below, zero just above."""
    r = bbm92_key_fraction(np.array([0.0, 0.1095, 0.1105, 0.3]), 1.0)
    assert r[0] == pytest.approx(1.0)
    assert 0.0 < r[1] < 0.01
    assert r[2] == 0.0 and r[3] == 0.0


def test_bbm92_werner_visibility():
    """Werner state V = 0.9 → Q = 5 %: r = 1 − 2.16·h(0.05) = 1 − 2.16·0.286397 = 0.381382."""
    r = bbm92_key_fraction((1.0 - 0.9) / 2.0, 1.16)
    assert r == pytest.approx(1.0 - 2.16 * 0.286397, rel=1e-5)


def test_bbm92_bad_arguments():
    with pytest.raises(ValueError):
        bbm92_key_fraction(0.05, 0.9)
    with pytest.raises(ValueError):
        bbm92_key_fraction(1.5, 1.1)


def test_chain_rate_nesting0_by_hand():
    """Sangouard RMP 83 33 (2011) Sec. III.B with n = 0, L = 100 km: P₀ = 2·0.01·0.9·10^(−1)
    = 0.0018, read-out (0.9·0.9)² = 0.6561, T = L/c = 5e-4 s → 2.3620 pairs/s."""
    r = repeater_chain(100.0, nesting_level=0, **CHAIN)
    assert r == pytest.approx(0.0018 * 0.6561 / 5e-4, rel=1e-9)


def test_chain_rate_nesting1_by_hand():
    """n = 1, L = 100 km: L₀ = 50 km, P₀ = 0.018·10^(−0.5), P₁ = ½·0.6561,
    T = (3/2)(L₀/c) = 3.75e-4 s → 3.2669 pairs/s (Sangouard RMP T_tot formula)."""
    p0 = 0.018 * 10 ** (-0.5)
    expected = p0 * 0.5 * 0.6561 * 0.6561 / (1.5 * 50.0 / 2e5)
    assert repeater_chain(100.0, nesting_level=1, **CHAIN) == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(3.2669, rel=1e-4)


def test_nesting_scaling_ratio():
    """Adding a level at fixed L (single mode, L₀/c-limited) multiplies the rate by
    [η_t(L₀/4)/η_t(L₀/2)] · 2 · P_swap / (3/2), from T_tot = (3/2)ⁿ(L₀/c)/(P₀∏Pᵢ)."""
    length, n = 800.0, 2
    l0 = length / 2**n
    ratio = 10 ** (0.2 * (l0 / 2 - l0 / 4) / 10) * 2.0 * 0.5 * 0.6561 / 1.5
    r_n = repeater_chain(length, nesting_level=n, **CHAIN)
    r_n1 = repeater_chain(length, nesting_level=n + 1, **CHAIN)
    assert r_n1 / r_n == pytest.approx(ratio, rel=1e-9)


def test_multimode_small_p_scales_linearly():
    """With P₀ ≪ 1, m modes give ≈ m× the rate (1 − (1−P₀)^m ≈ mP₀): 10 modes at 1000 km."""
    one = repeater_chain(1000.0, nesting_level=3, **CHAIN)
    ten = repeater_chain(1000.0, nesting_level=3, **{**CHAIN, "n_modes": 10})
    assert ten / one == pytest.approx(10.0, rel=1e-2)


def test_visibility_composition():
    """2ⁿ links, 2ⁿ − 1 swaps: n = 3, V₀ = 0.99, V_s = 0.995 → 0.99⁸·0.995⁷ = 0.890795."""
    assert chain_visibility(3, 0.99, 0.995) == pytest.approx(0.99**8 * 0.995**7, rel=1e-12)


def test_preset_beats_plob_at_long_distance():
    """Computed: the default repeater preset gives 1.7 b/s at 600 km and 0.36 b/s at 1000 km,
    above PLOB for a 10 GHz direct link (1.4e-2 and 1.4e-10 b/s)."""
    p = preset("repeater_sangouard_multimode")
    lengths = np.array([600.0, 1000.0])
    key = repeater_key_rate_bps(lengths, **p)
    assert np.all(key > plob(transmittance(lengths, 0.2)) * 1e10)
    np.testing.assert_allclose(key, [1.7089, 0.36003], rtol=1e-3)


QEC = preset("repeater_qec_2g")
"""Second-generation chain (Muralidharan et al. 2016 "2G"): [[7,1,3]], t0 = 1 us, eta_c 0.7,
70 qubits per side, gate error 1e-3, measurement error 2.5e-4."""


def test_css_logical_error_by_hand():
    """[[7,1,3]] corrects one error: e_L = 1 − (1−ε)⁷ − 7ε(1−ε)⁶; at ε = 1e-2 that is
    1 − 0.932065 − 0.065904 = 2.031e-3 (≈ C(7,2)ε² = 2.1e-3)."""
    eps = 1e-2
    expected = 1 - (1 - eps) ** 7 - 7 * eps * (1 - eps) ** 6
    assert css_logical_error(eps, 7, 1) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(2.031e-3, rel=1e-3)
    assert css_logical_error(0.0, 7, 1) == 0.0


def test_effective_physical_error_by_hand():
    """ε = 2ε_M + ε_G + (2/3)(5/4)ε_G: ε_G = 1e-3, ε_M = 2.5e-4 → 5e-4 + 1e-3 + 8.333e-4."""
    assert effective_physical_error(1e-3, 2.5e-4) == pytest.approx(2.3333e-3, rel=1e-4)


def test_qec_chain_single_round_by_hand():
    """One round (max_rounds 1), 10 km links, n = 7, m = 7 (one qubit per pair), η_c = 1:
    p = ½·10^(−0.2) = 0.315479, P₁ = p⁷ per link; τ = 1 µs + 50 µs. Two links (20 km):
    R = p¹⁴/τ."""
    p = 0.5 * 10 ** (-0.2)
    kw = dict(node_spacing_km=10.0, eta_coupling=1.0, t_local_s=1e-6, qubits_per_side=7)
    r = repeater_qec_chain(20.0, **kw, max_rounds=1)
    assert r == pytest.approx(p**14 / 51e-6, rel=1e-12)


def test_qec_rate_is_set_by_the_elementary_link():
    """Muralidharan et al. (2016): a 2G chain's rate is set by its elementary links (HEG time
    τ = t0 + L0/c and success), not by the total length: with error-free operations and
    P_k → 1 it is flat in L. Here (70 qubits per side, up to 100 rounds) doubling the chain
    from 500 to 1000 km costs < 30 %, while doubling the spacing from 10 to 20 km at fixed
    length costs more than half."""
    kw = {k: QEC[k] for k in ("eta_coupling", "t_local_s", "qubits_per_side")}
    r500, r1000 = repeater_qec_chain(np.array([500.0, 1000.0]), node_spacing_km=10.0, **kw)
    assert 0.7 < r1000 / r500 < 1.0
    r20 = repeater_qec_chain(1000.0, node_spacing_km=20.0, **kw)
    assert r20 / r1000 < 0.5


def test_qec_errors_accumulate_with_links():
    """Q = [1 − (1 − 2e_L)^N]/2 over N links: the key falls with the node count at fixed
    spacing and vanishes when Q passes the BBM92 threshold. With gate error 1e-2 (ε = 2.33e-2,
    e_L ≈ 1.1e-2 per link) a 5 km spacing over 2000 km (400 links) gives Q ≈ ½: no key."""
    lengths = np.array([100.0, 1000.0, 2000.0])
    key = repeater_qec_key_rate_bps(lengths, **QEC)
    assert np.all(np.diff(key) < 0.0) and key[-1] > 0.0
    bad = repeater_qec_key_rate_bps(
        2000.0, **{**QEC, "eps_gate": 1e-2, "eps_meas": 2.5e-3, "node_spacing_km": 5.0}
    )
    assert bad == 0.0


def test_qec_key_by_hand():
    """K = R·r(Q), Q = [1 − (1 − 2e_L)^N]/2: 1000 km at 10 km → N = 100."""
    e_l = css_logical_error(effective_physical_error(1e-3, 2.5e-4), 7, 1)
    q = 0.5 * (1 - (1 - 2 * e_l) ** 100)
    pairs = repeater_qec_chain(
        1000.0,
        **{k: QEC[k] for k in ("node_spacing_km", "eta_coupling", "t_local_s", "qubits_per_side")},
    )
    key = repeater_qec_key_rate_bps(1000.0, **QEC)
    assert key == pytest.approx(pairs * float(bbm92_key_fraction(q, 1.16)), rel=1e-12)
    # n_links overrides ⌈L/L0⌉ (a chain laid out with unequal links)
    more = repeater_qec_key_rate_bps(1000.0, **{**QEC, "n_links": 120})
    assert more < key


@pytest.mark.parametrize(
    "bad",
    [
        dict(nesting_level=-1),
        dict(nesting_level=1.5),
        dict(p_emission=0.7),
        dict(eta_det=0.0),
        dict(n_modes=0),
        dict(min_attempt_period_s=0.0),
    ],
)
def test_chain_bad_arguments(bad):
    kwargs = {"nesting_level": 2, **CHAIN, **bad}
    with pytest.raises(ValueError):
        repeater_chain(100.0, **kwargs)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(0, 5),
    p=st.floats(1e-3, 0.5),
    eta=st.floats(0.05, 1.0),
    modes=st.integers(1, 1000),
    v0=st.floats(0.9, 1.0),
)
def test_properties(n, p, eta, modes, v0):
    """Non-negative, finite, non-increasing in distance from 0 to 2000 km."""
    lengths = np.linspace(0.0, 2000.0, 81)
    params = dict(nesting_level=n, p_emission=p, eta_det=eta, eta_memory=eta, n_modes=modes)
    for out in (
        repeater_chain(lengths, **params),
        repeater_key_rate_bps(lengths, **params, visibility_link=v0, visibility_swap=1.0, f_ec=1.1),
        repeater_qec_key_rate_bps(
            lengths,
            node_spacing_km=25.0,
            eta_coupling=eta,
            t_local_s=1e-6,
            qubits_per_side=14,
            eps_gate=(1 - v0) / 10,
            eps_meas=(1 - v0) / 40,
            f_ec=1.1,
        ),
    ):
        assert_rate_contract(out, rel=1e-12, floor=0.0)
