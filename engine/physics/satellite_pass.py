"""Key of a satellite pass, and per day: ``satellite_pass_key`` sums the downlink's key over
a pass (``engine.physics.satellite`` gives the channel and the key per pulse), asymptotic or
with its finite-key cost; ``satellite_daily_key_bits`` scales it to a day.

Finite key (the pass is one block): Lim, Curty, Walenta, Xu, Zbinden, PRA 89, 022307
(2014), Eqs. (1)–(5) (``finite_key.key_length_from_counts``), applied to the expected counts
of a Micius-type decoy downlink (Liao et al., Nature 549, 43 (2017)): intensities
μ > ν > 0 (vacuum), their probabilities, symmetric bases, key from both bases.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from engine.physics.common import FloatArray, as_float_array, finite_nonneg
from engine.physics.finite_key import key_length_from_counts
from engine.physics.satellite import (
    downlink_transmittance,
    elevation_deg,
    pass_profile,
    satellite_key_rate,
)

_PROTOCOL_KEYS = ("mu", "nu", "y0", "e_d", "f_ec", "q", "min_elevation_deg")


def finite_pass_key_bits(
    slant_ranges: ArrayLike,
    *,
    repetition_rate_hz: float,
    time_step_s: float,
    intensity_probabilities: tuple[float, float, float],
    eps_sec: float,
    eps_cor: float,
    basis_probability: float = 0.5,
    **link_params: float,
) -> float:
    """Secret bits of one pass treated as one finite block (LCWXZ 2014 Eqs. (1)–(5)).

    Over the visible samples R(t) of the pass, the expected counts of intensity k ∈ (μ, ν, 0)
    in basis B (both users chose B, probability p_B² with p_X = ``basis_probability``):
        n_{B,k} = Σ_t f Δt p_k p_B² D_k(t),  D_k = 1 − (1 − Y₀)e^(−η(t)k),
        m_{B,k} = Σ_t f Δt p_k p_B² [Y₀/2 + e_d(1 − e^(−η(t)k))],
    η(t) = ``downlink_transmittance``. Key from each basis with the other as test basis:
    ℓ = ℓ_X + ℓ_Z (``key_length_from_counts``; equal when p_X = ½). The overheads
    6 log₂(21/ε_sec) + log₂(2/ε_cor) are charged per basis (conservative by ~150 bits).
    Intensity fluctuations and the actual error-correction code are not modelled.
    """
    probs = tuple(float(p) for p in intensity_probabilities)
    if len(probs) != 3 or min(probs) <= 0.0 or not np.isclose(sum(probs), 1.0):
        raise ValueError("intensity_probabilities must be three positive numbers summing to 1")
    if not 0.0 < basis_probability < 1.0:
        raise ValueError(f"basis_probability must be in (0, 1), got {basis_probability}")
    mu, nu = float(link_params["mu"]), float(link_params["nu"])
    y0, e_d, f_ec = (float(link_params[k]) for k in ("y0", "e_d", "f_ec"))
    min_el = float(link_params.get("min_elevation_deg", 10.0))
    link = {k: v for k, v in link_params.items() if k not in _PROTOCOL_KEYS}
    rng = as_float_array(slant_ranges)
    visible = elevation_deg(rng, float(link["altitude_km"])) >= min_el
    eta = np.where(visible, downlink_transmittance(rng, **link), 0.0)  # type: ignore[arg-type]
    pulses = repetition_rate_hz * time_step_s * float(np.count_nonzero(visible))
    if pulses == 0.0:
        return 0.0
    mus = (mu, nu, 0.0)
    ell = 0.0
    for p_key in (basis_probability, 1.0 - basis_probability):
        p_test = 1.0 - p_key

        def counts(p_basis: float) -> tuple[list[float], list[float]]:
            det, err = [], []
            for k, p_k in zip(mus, probs, strict=True):
                clicks = -np.expm1(-eta[visible] * k)
                scale = repetition_rate_hz * time_step_s * p_k * p_basis**2
                det.append(scale * float(np.sum(y0 + (1.0 - y0) * clicks)))
                err.append(scale * float(np.sum(0.5 * y0 + e_d * clicks)))
            return det, err

        n_x, m_x = counts(p_key)
        n_z, m_z = counts(p_test)
        length, ok = key_length_from_counts(
            tuple(np.asarray(v) for v in n_x),  # type: ignore[arg-type]
            tuple(np.asarray(v) for v in n_z),  # type: ignore[arg-type]
            tuple(np.asarray(v) for v in m_z),  # type: ignore[arg-type]
            np.asarray(sum(m_x)),
            tuple(np.asarray(v) for v in mus),  # type: ignore[arg-type]
            tuple(np.asarray(v) for v in probs),  # type: ignore[arg-type]
            f_ec=f_ec,
            eps_sec=eps_sec,
            eps_cor=eps_cor,
        )
        ell += max(float(length), 0.0) if bool(ok) else 0.0
    return ell


def satellite_pass_key(
    max_elevation_deg: ArrayLike = 90.0,
    *,
    repetition_rate_hz: float,
    time_step_s: float = 1.0,
    eps_sec: float | None = None,
    eps_cor: float = 1e-15,
    intensity_probabilities: tuple[float, float, float] | None = None,
    basis_probability: float = 0.5,
    **link_params: float,
) -> FloatArray:
    """Secret bits in one pass over the visible arc, for each ``max_elevation_deg``.

    Asymptotic (``eps_sec`` None): Σ_t rate_hz · key_per_pulse(R(t)) · Δt. Finite key (an
    ``eps_sec`` and the three ``intensity_probabilities`` given): the pass is one block,
    ``finite_pass_key_bits``. ``max_elevation_deg`` (scalar or array; one pass per element)
    sets the pass geometry via ``pass_profile``; ``link_params`` are those of
    ``satellite_key_rate`` (including ``min_elevation_deg``, default 10°, which also bounds
    the arc). Rectangle rule with step ``time_step_s``. Passes peaking below the minimum
    elevation give 0.
    """
    if repetition_rate_hz <= 0.0 or time_step_s <= 0.0:
        raise ValueError("repetition_rate_hz and time_step_s must be positive")
    finite = eps_sec is not None
    if finite and intensity_probabilities is None:
        raise ValueError("a finite-key pass needs intensity_probabilities (mu, nu, vacuum)")
    min_el = float(link_params.get("min_elevation_deg", 10.0))
    altitude = float(link_params["altitude_km"])
    peaks = as_float_array(max_elevation_deg)
    out = np.zeros(peaks.shape)
    for idx, peak in np.ndenumerate(peaks):  # one arc per pass; arcs differ in length
        if not min_el < peak <= 90.0:
            continue
        _, rng = pass_profile(
            float(peak), altitude_km=altitude, min_elevation_deg=min_el, time_step_s=time_step_s
        )
        if finite:
            out[idx] = finite_pass_key_bits(
                rng,
                repetition_rate_hz=repetition_rate_hz,
                time_step_s=time_step_s,
                intensity_probabilities=intensity_probabilities,  # type: ignore[arg-type]
                eps_sec=float(eps_sec),  # type: ignore[arg-type]
                eps_cor=float(eps_cor),
                basis_probability=basis_probability,
                **link_params,
            )
            continue
        per_pulse = satellite_key_rate(rng, **link_params)  # type: ignore[arg-type]
        out[idx] = np.sum(per_pulse) * repetition_rate_hz * time_step_s
    return finite_nonneg(out)


def satellite_daily_key_bits(
    key_per_pass_bits: ArrayLike, *, passes_per_day: float, clear_sky_probability: float
) -> FloatArray:
    """Expected key per day = passes/day × P(clear sky) × key per pass (bits/day).

    Night-time passes only for Micius-class downlinks (daylight background); weather is an
    independent availability factor per pass.
    """
    if passes_per_day < 0.0 or not 0.0 <= clear_sky_probability <= 1.0:
        raise ValueError("passes_per_day ≥ 0 and clear_sky_probability in [0, 1] required")
    return finite_nonneg(passes_per_day * clear_sky_probability * as_float_array(key_per_pass_bits))
