"""Tests of the satellite downlink model (engine.physics.satellite), Micius as reference:
Liao et al., "Satellite-to-ground quantum key distribution", Nature 549, 43 (2017),
arXiv:1707.00542.

Inputs taken from the paper (the ``micius_2017_downlink`` preset): ~500 km orbit; 22 dB
diffraction loss at 1200 km; 3-8 dB atmospheric absorption and turbulence at 1200 km (midpoint
5.5 dB); pointing loss < 3 dB (midpoint 1.5 dB); ground optical efficiency ~16 %; detector
efficiency 50 %; dark counts < 25 Hz on each of 4 detectors in a 2 ns window; intensities
0.8 / 0.1 / 0 sent with probabilities 50 / 25 / 25 %; 100 MHz; average QBER 1.1 %. One input is
not published: the error-correction efficiency f = 1.16.

Anchors, none of which is an input: the 19 Dec 2016 pass (645-1200 km, 273 s) gave 3,551,136
detections, 1,671,072 sifted bits and 300,939 final (finite-key) bits; the sifted rate fell
from ~12 kbit/s at 645 km to ~1 kbit/s at 1200 km.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.physics import satellite_pass_key
from engine.physics.satellite import (
    downlink_transmittance,
    elevation_deg,
    pass_profile,
    satellite_key_rate,
    sifted_bits_per_pulse,
    slant_range_km,
)
from engine.physics.satellite_pass import satellite_daily_key_bits
from engine.presets import preset, preset_info

MICIUS = preset("micius_2017_downlink")
REP_HZ = float(preset_info("micius_2017_downlink")["repetition_rate_hz"])
PROTOCOL_KEYS = {"mu", "nu", "y0", "e_d", "f_ec", "q", "min_elevation_deg"}
LINK = {k: v for k, v in MICIUS.items() if k not in PROTOCOL_KEYS}
INTENSITIES = (0.8, 0.1, 0.0)  # Liao 2017: mu_s, mu_1, mu_2
PROBABILITIES = (0.5, 0.25, 0.25)  # Liao 2017: sent with 50 %, 25 %, 25 %

PUBLISHED_SIFTED_BITS = 1_671_072  # Liao 2017, 19 Dec 2016 pass
PUBLISHED_FINAL_KEY_BITS = 300_939  # Liao 2017, same pass, failure probability 1e-9
PUBLISHED_SIFTED_RATE_645_KM = 12e3  # Liao 2017: "~12 kbit/s at 645 km"
PUBLISHED_SIFTED_RATE_1200_KM = 1e3  # Liao 2017: "~1 kbit/s at 1200 km"

H = 500.0
BEAM_300_MM_TO_1_M = {"altitude_km": H, "tx_aperture_m": 0.3, "rx_aperture_m": 1.0}
"""Micius' 300 mm transmitter onto a 1 m ground telescope (the Gaussian-beam tests)."""
PEAK_645 = float(elevation_deg(645.0, H))
EDGE_1200 = float(elevation_deg(1200.0, H))


def _sifted_bps(slant_range, link):
    eta = downlink_transmittance(slant_range, **link)
    per_pulse = sifted_bits_per_pulse(
        eta, intensities=INTENSITIES, probabilities=PROBABILITIES, y0=MICIUS["y0"]
    )
    return REP_HZ * per_pulse


def _micius_pass_sifted_bits(link):
    """Sifted bits over the 645-1200 km window of a 500 km orbit (1 s rectangle rule)."""
    _, rng = pass_profile(PEAK_645, altitude_km=H, min_elevation_deg=EDGE_1200, time_step_s=1.0)
    return float(np.sum(_sifted_bps(rng, link)))


def _micius_pass_key_bits(params):
    return float(
        satellite_pass_key(
            PEAK_645, repetition_rate_hz=REP_HZ, **{**params, "min_elevation_deg": EDGE_1200}
        )
    )


# The published budget's two extremes: atmosphere 3 or 8 dB, pointing 0 or 3 dB.
LOW_LOSS = {"atmosphere_loss_db_at_ref": 3.0, "pointing_loss_db": 0.0}
HIGH_LOSS = {"atmosphere_loss_db_at_ref": 8.0, "pointing_loss_db": 3.0}


def test_slant_range_geometry_by_hand():
    """500 km orbit: zenith range = 500 km; 645 km ↔ 49.02°, 1200 km ↔ 19.81° from
    sin ε = ((R_E+h)² − R_E² − R²)/(2R_E R) with R_E = 6371 km."""
    np.testing.assert_allclose(slant_range_km(90.0, 500.0), 500.0, rtol=1e-12)
    np.testing.assert_allclose(elevation_deg([645.0, 1200.0], 500.0), [49.025, 19.806], atol=1e-3)
    np.testing.assert_allclose(slant_range_km(elevation_deg(1200.0, 500.0), 500.0), 1200.0)


def test_micius_key_window_duration():
    """Liao 2017: Micius's 645–1200 km key window on the 19 Dec 2016 pass lasted 273 s. A 500 km
    circular orbit peaking at 645 km range stays within 1200 km for 276 s here (tol 3 %)."""
    t, rng = pass_profile(PEAK_645, altitude_km=500.0, min_elevation_deg=EDGE_1200, time_step_s=0.1)
    assert t[-1] - t[0] == pytest.approx(273.0, rel=0.03)
    assert rng.min() == pytest.approx(645.0, abs=0.5) and rng.max() <= 1200.0 + 1e-6


def test_published_loss_budget_by_hand():
    """Preset budget from Liao 2017's numbers. At 1200 km: 22 (diffraction) + 5.5 (atmosphere)
    + 1.5 (pointing) + 7.959 (16 % optics) + 3.010 (50 % detectors) = 39.969 dB. At 645 km
    (ε = 49.025°): diffraction 22 − 20 log10(1200/645) = 16.607 dB, atmosphere
    5.5 · sin 19.806° / sin 49.025° = 2.468 dB, the rest unchanged → 31.545 dB."""
    eta = downlink_transmittance(np.array([1200.0, 645.0]), **LINK)
    np.testing.assert_allclose(-10 * np.log10(eta), [39.969, 31.545], atol=0.002)


def test_gaussian_beam_by_hand():
    """Gaussian-beam mode at 645 km (ε = 49.02°): w = √(0.15² + (5e-6·645e3)²) = 3.2285 m,
    η_geo = 1 − exp(−2·0.5²/w²) = 0.04683; η_atm = 0.8^(1/sin ε) = 0.7445; 3 dB pointing;
    η_rx = 0.25 → 23.60 dB total."""
    eta = downlink_transmittance(
        645.0,
        **BEAM_300_MM_TO_1_M,
        divergence_half_angle_urad=5.0,
        zenith_transmittance=0.8,
        pointing_loss_db=3.0,
        eta_receiver=0.25,
    )
    assert -10 * np.log10(eta) == pytest.approx(23.60, abs=0.02)


def test_published_diffraction_loss_is_between_the_two_readings_of_the_divergence():
    """Why the preset uses the paper's 22 dB rather than a Gaussian beam: "~10 µrad" from a
    300 mm aperture onto 1 m at 1200 km gives 18.6 dB read as the full 1/e² angle (θ = 5 µrad)
    and 24.6 dB read as the half-angle (θ = 10 µrad); the published figure lies in between."""

    def gaussian_db(theta_half_urad):
        eta = downlink_transmittance(
            1200.0,
            **BEAM_300_MM_TO_1_M,
            divergence_half_angle_urad=theta_half_urad,
            zenith_transmittance=1.0,
            pointing_loss_db=0.0,
            eta_receiver=1.0,
        )
        return float(-10 * np.log10(eta))

    assert gaussian_db(5.0) == pytest.approx(18.6, abs=0.05)
    assert gaussian_db(10.0) == pytest.approx(24.6, abs=0.05)
    assert gaussian_db(5.0) < MICIUS["geometric_loss_db_at_ref"] < gaussian_db(10.0)


def test_micius_sifted_key_per_pass_within_factor_1_5():
    """Anchor: 1,671,072 sifted bits in the 645-1200 km window (Liao 2017). From the published
    inputs only (budget midpoints, intensities and probabilities, 100 MHz, dark-count y0) the
    model gives 2.27e6 bits (1.36x); tolerance a factor 1.5 either way. The model is high
    because the midpoint budget is optimistic at low elevation (see the 1200 km rate test)."""
    sifted = _micius_pass_sifted_bits(LINK)
    assert sifted == pytest.approx(2.268e6, rel=0.01)
    assert 1 / 1.5 < sifted / PUBLISHED_SIFTED_BITS < 1.5


def test_micius_sifted_rate_at_645_km_within_factor_1_5():
    """Anchor: "~12 kbit/s at 645 km" (Liao 2017). Model at 645 km: 14.9 kbit/s (1.24x)."""
    rate = float(_sifted_bps(645.0, LINK))
    assert rate == pytest.approx(14.9e3, rel=0.01)
    assert 1 / 1.5 < rate / PUBLISHED_SIFTED_RATE_645_KM < 1.5


def test_published_budget_range_brackets_the_measured_sifted_key():
    """The published ranges (atmosphere 3-8 dB, pointing 0-3 dB at 1200 km) must bracket what
    was measured: the low-loss end gives more, the high-loss end less, both for the sifted key
    per pass (4.42e6 > 1,671,072 > 1.17e6 bits) and for the ~1 kbit/s at 1200 km
    (5.4 > 1 > 0.85 kbit/s). At the midpoint the 1200 km rate is 2.15 kbit/s (2.2x): the single
    significant figure of "~1 kbit/s" and the 5 dB width of the atmospheric range allow it."""
    low, high = {**LINK, **LOW_LOSS}, {**LINK, **HIGH_LOSS}
    assert _micius_pass_sifted_bits(low) > PUBLISHED_SIFTED_BITS > _micius_pass_sifted_bits(high)
    r_low, r_mid, r_high = (float(_sifted_bps(1200.0, p)) for p in (low, LINK, high))
    assert r_low > PUBLISHED_SIFTED_RATE_1200_KM > r_high
    assert r_mid == pytest.approx(2.15e3, rel=0.01)


def test_asymptotic_key_per_pass_overshoots_the_published_final_key():
    """Anchor: 300,939 final bits (Liao 2017). The asymptotic GLLP key from the published
    inputs is 5.93e5 bits, 1.97x: 1.36x in the sifted key (above) and 1.45x in key per sifted
    bit (model 0.26, published 300,939 / 1,671,072 = 0.18), the finite-key cost below."""
    key = _micius_pass_key_bits(MICIUS)
    assert key == pytest.approx(5.93e5, rel=0.01)
    key_per_sifted = key / _micius_pass_sifted_bits(LINK)
    assert key_per_sifted == pytest.approx(0.26, abs=0.01)


FINITE = {"eps_sec": 1e-9, "eps_cor": 1e-15, "intensity_probabilities": PROBABILITIES}
"""Liao 2017: failure probability 1e-9, intensities sent with 50/25/25 %; one pass is one
block (Lim et al. PRA 89, 022307 (2014) bounds); eps_cor 1e-15 is Lim et al.'s."""


def test_finite_key_cost_per_sifted_bit_matches_micius_within_10_percent():
    """With the finite-key cost the key per sifted bit is 0.197 with the published midpoint
    budget and 0.179 with 7.91 dB of atmosphere (below), against the published
    300,939 / 1,671,072 = 0.180 (tolerance 10 %). It falls as the link gets worse (0.154 at
    the published high-loss end, 8 dB and 3 dB pointing), since fewer counts bound e₁."""
    published = PUBLISHED_FINAL_KEY_BITS / PUBLISHED_SIFTED_BITS
    for params in (LINK, {**LINK, "atmosphere_loss_db_at_ref": 7.91}):
        key = _micius_pass_key_bits({**MICIUS, **params, **FINITE})
        ratio = key / _micius_pass_sifted_bits(params)
        assert ratio == pytest.approx(published, rel=0.10)
    worst = {**LINK, **HIGH_LOSS}
    ratio = _micius_pass_key_bits({**MICIUS, **worst, **FINITE}) / _micius_pass_sifted_bits(worst)
    assert ratio == pytest.approx(0.154, abs=0.002)


def test_micius_final_key_per_pass_within_25_percent():
    """Micius reproduced (Liao 2017, 19 Dec 2016 pass, 645-1200 km, 273 s). The atmospheric
    loss is published only as 3-8 dB at 1200 km: the value that reproduces the published
    sifted key (1,671,072 bits) is 7.91 dB, inside that range; with it the finite-key pass
    gives 299,600 bits against the published 300,939 (tolerance 25 %; the catalogue uses this
    value). With the midpoint 5.5 dB the finite key is 448,000 bits (1.49x), the loss budget's
    own uncertainty."""
    from scipy.optimize import brentq

    def sifted_gap(atm_db: float) -> float:
        return _micius_pass_sifted_bits({**LINK, "atmosphere_loss_db_at_ref": atm_db}) - (
            PUBLISHED_SIFTED_BITS
        )

    atm = brentq(sifted_gap, 3.0, 8.0, xtol=1e-4)
    assert 3.0 < atm < 8.0 and atm == pytest.approx(7.91, abs=0.01)
    key = _micius_pass_key_bits({**MICIUS, "atmosphere_loss_db_at_ref": atm, **FINITE})
    assert key == pytest.approx(PUBLISHED_FINAL_KEY_BITS, rel=0.25)
    assert key == pytest.approx(2.996e5, rel=0.01)
    midpoint = _micius_pass_key_bits({**MICIUS, **FINITE})
    assert midpoint == pytest.approx(4.48e5, rel=0.01)


def test_finite_key_needs_its_probabilities_and_vanishes_for_tiny_passes():
    with pytest.raises(ValueError):
        satellite_pass_key(60.0, repetition_rate_hz=REP_HZ, eps_sec=1e-9, **MICIUS)
    weak = {**MICIUS, "pointing_loss_db": 30.0, **FINITE}
    assert float(satellite_pass_key(30.0, repetition_rate_hz=REP_HZ, **weak)) == 0.0
    asym = satellite_pass_key(60.0, repetition_rate_hz=REP_HZ, **MICIUS)
    fin = satellite_pass_key(60.0, repetition_rate_hz=REP_HZ, **MICIUS, **FINITE)
    assert 0.0 < fin < asym


def test_pass_integral_converges_in_time_step():
    """Rectangle rule: 1 s and 0.1 s steps agree to 1 % for an overhead pass."""
    coarse = satellite_pass_key(90.0, repetition_rate_hz=REP_HZ, time_step_s=1.0, **MICIUS)
    fine = satellite_pass_key(90.0, repetition_rate_hz=REP_HZ, time_step_s=0.1, **MICIUS)
    assert coarse == pytest.approx(fine, rel=0.01)


def test_higher_passes_give_more_key():
    keys = satellite_pass_key(
        np.array([5.0, 20.0, 45.0, 90.0]), repetition_rate_hz=REP_HZ, **MICIUS
    )
    assert keys[0] == 0.0 and np.all(np.diff(keys) > 0.0)


def test_daily_key_by_hand():
    """Daily volume = passes/day × clear-sky probability × key/pass: 4 × 0.3 × 1e6 = 1.2e6."""
    assert satellite_daily_key_bits(1e6, passes_per_day=4, clear_sky_probability=0.3) == 1.2e6
    with pytest.raises(ValueError):
        satellite_daily_key_bits(1e6, passes_per_day=1, clear_sky_probability=1.5)


def test_bad_arguments():
    with pytest.raises(ValueError):
        satellite_key_rate(800.0, **{**MICIUS, "nu": 0.9})
    with pytest.raises(ValueError):
        satellite_key_rate(800.0, **{**MICIUS, "eta_receiver": 0.0})
    with pytest.raises(ValueError):
        satellite_key_rate(800.0, **{**MICIUS, "eta_detector": 1.5})
    with pytest.raises(ValueError):
        satellite_pass_key(45.0, repetition_rate_hz=0.0, **MICIUS)
    with pytest.raises(ValueError):  # two geometric models at once
        satellite_key_rate(800.0, **{**MICIUS, "divergence_half_angle_urad": 5.0})
    with pytest.raises(ValueError):  # two atmosphere models at once
        satellite_key_rate(800.0, **{**MICIUS, "zenith_transmittance": 0.8})
    with pytest.raises(ValueError):  # no geometric model
        satellite_key_rate(800.0, **{**MICIUS, "geometric_loss_db_at_ref": None})
    with pytest.raises(ValueError):  # reference range below the orbit
        satellite_key_rate(800.0, **{**MICIUS, "ref_range_km": 300.0})
    with pytest.raises(ValueError):
        sifted_bits_per_pulse(1e-3, intensities=(0.8, 0.1), probabilities=(0.5, 0.25), y0=0.0)


def test_ranges_below_altitude_and_beyond_horizon_give_zero():
    """0 km is shorter than the orbit altitude (no such geometry) and 3000 km is below 10°."""
    k = satellite_key_rate(np.array([0.0, 3000.0]), **MICIUS)
    np.testing.assert_array_equal(k, [0.0, 0.0])


@settings(max_examples=30, deadline=None)
@given(
    pointing=st.floats(0.0, 10.0),
    atmosphere=st.floats(0.0, 15.0),
    eta_rx=st.floats(0.05, 1.0),
    e_d=st.floats(0.0, 0.05),
    y0=st.floats(1e-8, 1e-5),
)
def test_properties(pointing, atmosphere, eta_rx, e_d, y0):
    """Non-negative, finite, non-increasing in slant range from 0 to 2000 km."""
    rng = np.linspace(0.0, 2000.0, 201)
    k = satellite_key_rate(
        rng,
        **{
            **MICIUS,
            "pointing_loss_db": pointing,
            "atmosphere_loss_db_at_ref": atmosphere,
            "eta_receiver": eta_rx,
            "e_d": e_d,
            "y0": y0,
        },
    )
    assert np.all(np.isfinite(k)) and np.all(k >= 0.0)
    above = rng >= 500.0
    assert np.all(np.diff(k[above]) <= 1e-15)
