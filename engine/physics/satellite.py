"""Satellite-to-ground decoy-state BB84 downlink (trusted satellite), after Micius.

Reference experiment: Liao et al., "Satellite-to-ground quantum key distribution", Nature 549,
43 (2017), arXiv:1707.00542: 500 km orbit, decoy BB84 at 100 MHz and 848.6 nm, kHz key over
645–1200 km slant range; one pass gave 300,939 secret bits in 273 s (≈ 1.1 kbit/s).

Model (each step is standard; the combination and the parameter values are stated in presets):
1. geometry: circular orbit at altitude h, spherical Earth; slant range ↔ elevation
   R(ε) = √((R_E+h)² − R_E²cos²ε) − R_E sin ε; a pass of given maximum elevation is the
   great-circle overflight with the station offset from the ground track (Earth rotation
   ignored), angular speed ω = √(GM/(R_E+h)³);
2. link transmittance η = η_geo · η_atm · η_point · η_receiver · η_detector with
   - η_geo either from a Gaussian beam truncated by the receiver aperture,
     η_geo = 1 − exp(−2a²/w²), w(R) = √(w₀² + (θR)²), θ the 1/e² half-angle divergence
     (Siegman, Lasers (1986), Ch. 17), or, when the beam is not described well enough for
     that, from a stated geometric loss L_geo at a reference range R_ref and the far-field
     inverse-square law, L_geo(R) = L_geo + 20·log₁₀(R/R_ref) dB (the same law the Gaussian
     beam follows once w ≫ a);
   - η_atm = η_zenith^(1/sin ε) (plane-parallel air mass), with η_zenith given, or derived
     from a stated atmospheric loss L_atm at R_ref: η_zenith = 10^(−L_atm·sin ε_ref/10);
   - a fixed pointing loss in dB, and the receiver-optics and detector efficiencies;
3. key per pulse: vacuum + weak decoy BB84 bounds of Ma, Qi, Zhao, Lo, PRA 72, 012326 (2005),
   Eqs. (34) (Y₁ lower bound) and (37) (e₁ upper bound), with the GLLP rate
   R = q{−Q_μ f h(E_μ) + Q₁[1 − h(e₁)]} of their Eq. (1) (asymptotic);
4. key per pass with its finite-key cost (``satellite_pass_key`` with ``eps_sec``, module
   ``engine.physics.satellite_pass``, which also sums the asymptotic key over a pass and
   gives the daily volume): one pass
   is one block; the expected detections and errors of each intensity and basis are summed
   over the pass and bounded as in Lim, Curty, Walenta, Xu, Zbinden, PRA 89, 022307 (2014),
   Eqs. (1)–(5) (``finite_key.key_length_from_counts``), with Micius's three intensities
   μ > ν > 0 = vacuum, their probabilities and symmetric bases (key from both bases, each
   basis's phase error bounded from the other's counts).

Sifting convention (docs/physics.md): Micius used symmetric bases, so the asymptotic rate's
``q`` = signal probability × basis match ½ (Liao 2017); this is the experiment being
reproduced, not the efficient-BB84 convention of the fibre technologies.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from engine.physics.common import FloatArray, as_float_array, binary_entropy, finite_nonneg

EARTH_RADIUS_KM = 6371.0
EARTH_GM_KM3_PER_S2 = 398600.4418


def slant_range_km(elevation_deg: ArrayLike, altitude_km: float) -> FloatArray:
    """Slant range (km) from ground station to satellite at elevation ε (deg), orbit altitude h.

    R = √((R_E+h)² − R_E² cos²ε) − R_E sin ε, spherical Earth of radius 6371 km.
    """
    e = np.radians(as_float_array(elevation_deg))
    r = EARTH_RADIUS_KM + altitude_km
    return np.sqrt(r * r - (EARTH_RADIUS_KM * np.cos(e)) ** 2) - EARTH_RADIUS_KM * np.sin(e)


def elevation_deg(slant_range: ArrayLike, altitude_km: float) -> FloatArray:
    """Elevation (deg) at which a satellite at altitude h is seen at the given slant range (km).

    sin ε = ((R_E+h)² − R_E² − R²) / (2 R_E R); ranges shorter than h clip to 90°, ranges
    beyond the horizon give negative elevations.
    """
    rng = np.maximum(as_float_array(slant_range), 1e-9)
    r = EARTH_RADIUS_KM + altitude_km
    s = (r * r - EARTH_RADIUS_KM**2 - rng * rng) / (2.0 * EARTH_RADIUS_KM * rng)
    return np.degrees(np.arcsin(np.clip(s, -1.0, 1.0)))


def _geometric_transmittance(
    rng_km: FloatArray,
    divergence_half_angle_urad: float | None,
    tx_aperture_m: float | None,
    rx_aperture_m: float | None,
    geometric_loss_db_at_ref: float | None,
    ref_range_km: float | None,
) -> FloatArray:
    """Collected fraction of the beam: Gaussian truncation, or a stated loss scaled as 1/R²."""
    beam = (divergence_half_angle_urad, tx_aperture_m, rx_aperture_m)
    if geometric_loss_db_at_ref is not None:
        if any(v is not None for v in beam):
            raise ValueError(
                "give either geometric_loss_db_at_ref or the beam (divergence and apertures)"
            )
        if geometric_loss_db_at_ref < 0.0 or ref_range_km is None or ref_range_km <= 0.0:
            raise ValueError("geometric_loss_db_at_ref ≥ 0 needs a positive ref_range_km")
        rng = np.maximum(rng_km, 1e-9)
        loss_db = geometric_loss_db_at_ref + 20.0 * np.log10(rng / ref_range_km)
        return np.minimum(10.0 ** (-loss_db / 10.0), 1.0)
    if any(v is None for v in beam):
        raise ValueError(
            "give the beam (divergence and both apertures) or geometric_loss_db_at_ref"
        )
    theta, w0_d, a_d = (float(v) for v in beam)  # type: ignore[arg-type]
    if theta <= 0.0 or w0_d <= 0.0 or a_d <= 0.0:
        raise ValueError("divergence and apertures must be positive")
    rng_m = rng_km * 1e3
    w = np.sqrt((w0_d / 2.0) ** 2 + (theta * 1e-6 * rng_m) ** 2)
    return -np.expm1(-2.0 * (a_d / 2.0) ** 2 / w**2)


def _zenith_transmittance(
    altitude_km: float,
    zenith_transmittance: float | None,
    atmosphere_loss_db_at_ref: float | None,
    ref_range_km: float | None,
) -> float:
    """η_zenith as given, or from a stated loss L_atm at R_ref: 10^(−L_atm·sin ε_ref/10)."""
    if (zenith_transmittance is None) == (atmosphere_loss_db_at_ref is None):
        raise ValueError("give exactly one of zenith_transmittance and atmosphere_loss_db_at_ref")
    if zenith_transmittance is not None:
        return float(zenith_transmittance)
    loss_db = float(atmosphere_loss_db_at_ref)  # type: ignore[arg-type]
    if loss_db < 0.0 or ref_range_km is None:
        raise ValueError("atmosphere_loss_db_at_ref ≥ 0 needs ref_range_km")
    sin_ref = float(np.sin(np.radians(elevation_deg(ref_range_km, altitude_km))))
    if ref_range_km < altitude_km or sin_ref <= 0.0:
        raise ValueError(f"ref_range_km {ref_range_km} is not a visible range at this altitude")
    return float(10.0 ** (-loss_db * sin_ref / 10.0))


def downlink_transmittance(
    slant_range: ArrayLike,
    *,
    altitude_km: float,
    divergence_half_angle_urad: float | None = None,
    tx_aperture_m: float | None = None,
    rx_aperture_m: float | None = None,
    zenith_transmittance: float | None = None,
    pointing_loss_db: float,
    eta_receiver: float,
    eta_detector: float = 1.0,
    geometric_loss_db_at_ref: float | None = None,
    atmosphere_loss_db_at_ref: float | None = None,
    ref_range_km: float | None = None,
) -> FloatArray:
    """Total transmittance from satellite output to detection, at slant range R (km).

    η = η_geo(R) · η_zenith^(1/sin ε) · 10^(−pointing_loss_db/10) · η_receiver · η_detector.
    η_geo: Gaussian beam, [1 − exp(−2a²/w(R)²)] with a = rx_aperture/2, w₀ = tx_aperture/2,
    w(R) = √(w₀² + (θR)²); or, with ``geometric_loss_db_at_ref`` L_g at ``ref_range_km``
    R_ref, 10^(−[L_g + 20 log₁₀(R/R_ref)]/10) capped at 1. η_zenith: ``zenith_transmittance``,
    or 10^(−L_atm sin ε_ref/10) from ``atmosphere_loss_db_at_ref`` L_atm at R_ref (exactly
    one of the two). ``eta_receiver`` is the ground optics (telescope to detector), kept apart
    from ``eta_detector`` so each can carry its own published value. Zero below the horizon.
    """
    for name, v in (("eta_receiver", eta_receiver), ("eta_detector", eta_detector)):
        if not 0.0 < v <= 1.0:
            raise ValueError(f"{name} must be in (0, 1], got {v}")
    if pointing_loss_db < 0.0:
        raise ValueError(f"pointing_loss_db must be non-negative, got {pointing_loss_db}")
    eta_zen = _zenith_transmittance(
        altitude_km, zenith_transmittance, atmosphere_loss_db_at_ref, ref_range_km
    )
    if not 0.0 < eta_zen <= 1.0:
        raise ValueError(f"zenith_transmittance must be in (0, 1], got {eta_zen}")
    rng = as_float_array(slant_range)
    eta_geo = _geometric_transmittance(
        rng,
        divergence_half_angle_urad,
        tx_aperture_m,
        rx_aperture_m,
        geometric_loss_db_at_ref,
        ref_range_km,
    )
    sin_e = np.sin(np.radians(elevation_deg(rng, altitude_km)))
    with np.errstate(divide="ignore"):
        eta_atm = np.where(sin_e > 0.0, eta_zen ** (1.0 / np.maximum(sin_e, 1e-12)), 0.0)
    fixed = 10.0 ** (-pointing_loss_db / 10.0) * eta_receiver * eta_detector
    return eta_geo * eta_atm * fixed


def sifted_bits_per_pulse(
    eta: ArrayLike,
    *,
    intensities: tuple[float, ...],
    probabilities: tuple[float, ...],
    y0: float,
    basis_match: float = 0.5,
) -> FloatArray:
    """Sifted bits per pulse: basis_match · Σᵢ pᵢ (Y₀ + 1 − e^(−η μᵢ)), over all intensities.

    Every detection whose basis matches is a sifted bit, whatever its intensity (the gain of a
    Poisson pulse, MQZL 2005 Eq. (8)); ``y0`` is the noise click probability per pulse.
    """
    if len(intensities) != len(probabilities) or not np.isclose(sum(probabilities), 1.0):
        raise ValueError("need one probability per intensity, summing to 1")
    e = as_float_array(eta)
    gain = sum(p * (y0 - np.expm1(-e * m)) for m, p in zip(intensities, probabilities, strict=True))
    return finite_nonneg(basis_match * gain)


def decoy_key_per_pulse(
    eta: ArrayLike, *, mu: float, nu: float, y0: float, e_d: float, f_ec: float, q: float
) -> FloatArray:
    """Vacuum+weak decoy BB84 key per signal pulse (MQZL 2005 Eqs. (1), (34), (37)).

    Q_x = Y₀ + 1 − e^(−ηx), E_xQ_x = Y₀/2 + e_d(1 − e^(−ηx)) for x ∈ {μ, ν};
    Y₁ ≥ μ/(μν−ν²)·[Q_ν e^ν − Q_μ e^μ ν²/μ² − (μ²−ν²)/μ² · Y₀];  e₁ ≤ (E_νQ_ν e^ν − Y₀/2)/(Y₁ν);
    R = q{−Q_μ f h(E_μ) + μe^(−μ)Y₁[1 − h(e₁)]}, 0 where negative.
    """
    e = as_float_array(eta)
    q_mu = y0 - np.expm1(-e * mu)
    q_nu = y0 - np.expm1(-e * nu)
    eq_mu = y0 / 2.0 - e_d * np.expm1(-e * mu)
    eq_nu = y0 / 2.0 - e_d * np.expm1(-e * nu)
    y1 = (mu / (mu * nu - nu * nu)) * (
        q_nu * np.exp(nu) - q_mu * np.exp(mu) * nu**2 / mu**2 - (mu**2 - nu**2) / mu**2 * y0
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = np.clip((eq_nu * np.exp(nu) - y0 / 2.0) / (y1 * nu), 0.0, 0.5)
        e_mu = eq_mu / q_mu
    rate = q * (
        -q_mu * f_ec * binary_entropy(e_mu) + mu * np.exp(-mu) * y1 * (1 - binary_entropy(e1))
    )
    return finite_nonneg(np.where(y1 > 0.0, rate, 0.0))


def satellite_key_rate(
    slant_range: ArrayLike,
    *,
    altitude_km: float,
    divergence_half_angle_urad: float | None = None,
    tx_aperture_m: float | None = None,
    rx_aperture_m: float | None = None,
    zenith_transmittance: float | None = None,
    pointing_loss_db: float,
    eta_receiver: float,
    mu: float,
    nu: float,
    y0: float,
    e_d: float,
    f_ec: float,
    q: float = 0.5,
    min_elevation_deg: float = 10.0,
    eta_detector: float = 1.0,
    geometric_loss_db_at_ref: float | None = None,
    atmosphere_loss_db_at_ref: float | None = None,
    ref_range_km: float | None = None,
) -> FloatArray:
    """Secret bits per pulse of a downlink at slant range R (km); 0 below ``min_elevation_deg``
    and for ranges shorter than the altitude (no such geometry).

    ``downlink_transmittance`` (its link arguments are passed through) then
    ``decoy_key_per_pulse``; ``q`` is the fraction of pulses that are signals in the matching
    basis (signal probability × basis-match probability).
    """
    if not (0.0 < nu < mu):
        raise ValueError(f"need 0 < nu < mu, got mu={mu}, nu={nu}")
    eta = downlink_transmittance(
        slant_range,
        altitude_km=altitude_km,
        divergence_half_angle_urad=divergence_half_angle_urad,
        tx_aperture_m=tx_aperture_m,
        rx_aperture_m=rx_aperture_m,
        zenith_transmittance=zenith_transmittance,
        pointing_loss_db=pointing_loss_db,
        eta_receiver=eta_receiver,
        eta_detector=eta_detector,
        geometric_loss_db_at_ref=geometric_loss_db_at_ref,
        atmosphere_loss_db_at_ref=atmosphere_loss_db_at_ref,
        ref_range_km=ref_range_km,
    )
    key = decoy_key_per_pulse(eta, mu=mu, nu=nu, y0=y0, e_d=e_d, f_ec=f_ec, q=q)
    rng = as_float_array(slant_range)
    visible = (elevation_deg(rng, altitude_km) >= min_elevation_deg) & (rng >= altitude_km - 1e-6)
    return np.where(visible, key, 0.0)


def pass_profile(
    max_elevation_deg: float, *, altitude_km: float, min_elevation_deg: float, time_step_s: float
) -> tuple[FloatArray, FloatArray]:
    """Times (s, 0 at closest approach) and slant ranges (km) while elevation ≥ the minimum.

    Central angle from the station: cos γ(t) = cos γ₀ cos(ωt), γ₀ the angle at closest approach
    (γ = arccos(R_E cos ε / (R_E+h)) − ε for elevation ε); slant range from the law of cosines.
    """
    if not 0.0 < max_elevation_deg <= 90.0 or min_elevation_deg >= max_elevation_deg:
        raise ValueError("need 0 < min_elevation_deg < max_elevation_deg ≤ 90")
    r = EARTH_RADIUS_KM + altitude_km
    omega = np.sqrt(EARTH_GM_KM3_PER_S2 / r**3)

    def central(e_deg: float) -> float:
        e = np.radians(e_deg)
        return float(np.arccos(EARTH_RADIUS_KM * np.cos(e) / r) - e)

    g0, g_min = central(max_elevation_deg), central(min_elevation_deg)
    half_s = np.arccos(np.clip(np.cos(g_min) / np.cos(g0), -1.0, 1.0)) / omega
    t = np.arange(-half_s, half_s + 1e-9, time_step_s)
    cos_g = np.cos(g0) * np.cos(omega * t)
    rng = np.sqrt(EARTH_RADIUS_KM**2 + r * r - 2.0 * EARTH_RADIUS_KM * r * cos_g)
    return t, rng
