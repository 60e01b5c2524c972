"""Twin-field QKD: sending-or-not-sending (SNS) and phase-matching (PM) variants, asymptotic.

Twin-field QKD (Lucamarini, Yuan, Dynes, Shields, Nature 557, 400 (2018)) interferes single
photons from Alice and Bob at an untrusted middle station, so one detected photon crossed only
half the channel and the key rate scales as √η of the whole fibre. Two variants with closed-
form asymptotic rates are implemented (infinitely many decoy intensities, no finite-key
effects, symmetric arms with the station at the midpoint, two detectors at the station):

* ``"sns"``: Wang, Yu, Hu, PRA 98, 062323 (2018), their asymptotic key-rate formula, with the
  Z-window gain and error worked out for phase-randomised coherent states;
* ``"pm"``: Ma, Zeng, Zhou, PRX 8, 031043 (2018), key rate Eq. (4) with phase slices.

Equation numbers for Ma–Zeng–Zhou follow arXiv:1805.05538 as transcribed in secondary
sources; they, and the Wang–Yu–Hu formula, were not re-read in the papers' text here.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from engine.physics.common import FloatArray, finite_nonneg, maximise_1d
from engine.physics.mdi import (
    LN10_OVER_10,
    anchor_optimum,
    bessel_i0_series,
    blockwise,
    check_fibre_link,
    check_range,
    entropy_bits,
    from_anchors,
    loss_anchors,
)

PM_MAX_PHOTONS = 9
"""Odd photon numbers 1, 3, …, 9 enter the PM phase-error bound; the rest count as errors."""


def phase_slice_error(phase_slices: int) -> float:
    """Bit error from discrete phase slices in PM-QKD (dimensionless probability).

    Alice's and Bob's random phases φ_a, φ_b are kept when they fall in the same slice of
    width 2π/M (or opposite slices), so the residual phase difference δ = φ_a − φ_b is
    triangular on [−2π/M, 2π/M]. A phase mismatch δ sends a fraction sin²(δ/2) of the light
    to the wrong detector, so
        e_δ = E[sin²(δ/2)] = [1 − E cos δ]/2 = [1 − (sin(π/M)/(π/M))²]/2,
    which is 0.64 % for M = 16. Derived here from the phase-slice sifting of Ma–Zeng–Zhou
    (2018) (not copied from a printed equation).
    """
    m = int(phase_slices)
    if m != phase_slices or m < 2 or m % 2:
        raise ValueError(f"phase_slices must be an even integer >= 2, got {phase_slices!r}")
    half_width = np.pi / m
    return 0.5 * (1.0 - (np.sin(half_width) / half_width) ** 2)


def _sns_rate(
    eta: FloatArray, mu: FloatArray, eps: FloatArray, p_dark: float, e_d: float, f_ec: float
) -> FloatArray:
    """SNS-TF key rate per pulse pair (may be negative); η is one arm's transmittance × η_det.

    Wang–Yu–Hu (2018), asymptotic key rate with infinitely many decoys:
        R = 2ε(1−ε) μ e^(−μ) s₁ [1 − h(e₁)] − f S_Z h(E_Z)
    Z windows: each side sends a phase-randomised coherent state μ with probability ε. With
    p = p_dark, the probabilities that exactly one of the two detectors clicks are
        P_nn   = 2p(1−p)                                   (neither sends)
        P_one  = 2(1−p) e^(−ημ/2) [1 − (1−p) e^(−ημ/2)]     (one sends)
        P_both = 2(1−p) e^(−ημ) I₀(ημ) − 2(1−p)² e^(−2ημ)   (both send, random relative phase)
        S_Z = (1−ε)² P_nn + 2ε(1−ε) P_one + ε² P_both,   E_Z S_Z = (1−ε)² P_nn + ε² P_both
    Single-photon (untagged) yield and phase error:
        s₁ = η(1−p) + 2(1−η) p(1−p),   e₁ s₁ = e_d η(1−p) + (1−η) p(1−p).
    Evaluated with expm1 and the I₀ power series so that no term cancels at 200 dB.
    """
    keep = 1.0 - p_dark
    z = eta * mu
    m_half = np.expm1(-0.5 * z)  # e^(−ημ/2) − 1, kept exact at 100 dB of loss
    p_nn = 2.0 * p_dark * keep
    p_one = 2.0 * keep * (1.0 + m_half) * (p_dark * (1.0 + m_half) - m_half)
    # e^(−z)I₀(z) − (1−p)e^(−2z) = e^(−z)[(I₀(z) − 1) − (e^(−z) − 1) + p e^(−z)]
    m_full = np.expm1(-z)
    p_both = (
        (2.0 * keep)
        * (1.0 + m_full)
        * (bessel_i0_series(0.25 * z * z) - m_full + p_dark * (1.0 + m_full))
    )
    none2 = (1.0 - eps) ** 2
    both2 = eps * eps
    one = 2.0 * eps * (1.0 - eps)
    wrong = none2 * p_nn + both2 * p_both
    s_z = wrong + one * p_one
    s1 = eta * keep + 2.0 * (1.0 - eta) * p_dark * keep
    e1 = (e_d * eta * keep + (1.0 - eta) * p_dark * keep) / s1
    key = one * mu * np.exp(-mu) * s1 * (1.0 - entropy_bits(e1))
    return key - f_ec * s_z * entropy_bits(wrong / s_z)


def _pm_rate(
    eta: FloatArray, mu: FloatArray, p_dark: float, e_total: float, f_ec: float, slices: int
) -> FloatArray:
    """PM-QKD key rate per pulse pair (may be negative); μ = μ_a + μ_b, η per arm × η_det.

    Ma–Zeng–Zhou (2018) Eq. (4): R = (2/M) Q_μ [1 − f h(E_μ^Z) − h(E_μ^X)], 2/M the phase-
    slice sifting. Honest channel (their App. B): Fock-state yields of the matched mode
        Y_k = (1−p)[1 − (1−2p)(1−η)^k],   Q_μ = Σ_k e^(−μ)μ^k/k! Y_k = (1−p)[1 − (1−2p)e^(−ημ)]
    and errors from misalignment e (``e_total``, including the phase-slice term) and dark
    counts: E_μ^Z Q_μ = (1−p)[e(1 − e^(−ημ)) + p e^(−ημ)],  e_k Y_k likewise with (1−η)^k.
    Phase error from photon-number parity with exact (infinite-decoy) yields, their Eq. (2):
        E_μ^X ≤ 1 − Σ_{k odd} q_k (1 − e_k),   q_k = e^(−μ) μ^k/k! · Y_k / Q_μ.
    """
    keep = 1.0 - p_dark
    seen = -np.expm1(-eta * mu)  # 1 − e^(−ημ)
    q_mu = keep * (seen + 2.0 * p_dark * (1.0 - seen))
    e_z = keep * (e_total * seen + p_dark * (1.0 - seen)) / q_mu
    good_odd = np.zeros(np.broadcast(eta, mu).shape)
    poisson = mu * np.exp(-mu)  # e^(−μ) μ^k / k! at k = 1
    log_miss = np.log1p(-np.minimum(eta, 1.0 - 1e-16))  # log(1 − η)
    for k in range(1, PM_MAX_PHOTONS + 1, 2):
        hit_k = -np.expm1(k * log_miss)  # 1 − (1−η)^k
        yield_k = keep * (hit_k + 2.0 * p_dark * (1.0 - hit_k))
        err_yield_k = keep * (e_total * hit_k + p_dark * (1.0 - hit_k))
        good_odd = good_odd + poisson * (yield_k - err_yield_k)
        poisson = poisson * mu * mu / ((k + 1) * (k + 2))
    e_x = 1.0 - good_odd / q_mu
    return (2.0 / slices) * q_mu * (1.0 - f_ec * entropy_bits(e_z) - entropy_bits(e_x))


@np.errstate(all="ignore")  # under/overflow at 0 or 2000 km is cleaned by finite_nonneg
def tf_qkd(
    length_km: ArrayLike,
    *,
    variant: Literal["sns", "pm"] = "sns",
    alpha_db_per_km: float,
    eta_det: float,
    p_dark: float,
    e_d: float,
    f_ec: float,
    phase_slices: int = 16,
) -> FloatArray:
    """Asymptotic twin-field QKD secret key rate, bits per pulse pair, intensities optimised.

    Lucamarini et al., Nature 557, 400 (2018) scheme; ``variant="sns"`` uses the sending-or-
    not-sending rate of Wang–Yu–Hu PRA 98, 062323 (2018) (see ``_sns_rate``), with the
    sending probability ε ∈ [1e-4, 0.5] and intensity μ ∈ [1e-3, 5] both maximised at every
    distance; ``variant="pm"`` uses the phase-matching rate of Ma–Zeng–Zhou PRX 8, 031043
    (2018) Eq. (4) (see ``_pm_rate``) with M = ``phase_slices`` (even), whose phase-slice
    error ``phase_slice_error(M)`` combines with e_d as e = e_d + e_δ − 2e_d e_δ, and the total
    intensity μ ∈ [1e-4, 5] maximised at every distance.

    Arguments: ``length_km`` Alice–Bob fibre length (km, array), the station at the midpoint,
    so each arm has η = η_det·10^(−αL/20); ``alpha_db_per_km`` (dB/km); ``eta_det`` detector
    efficiency; ``p_dark`` dark-count probability per detector per gate; ``e_d`` the optical
    misalignment (interference) error; ``f_ec`` error-correction inefficiency. The optimiser
    maximises rate/η (η one arm's transmittance), i.e. the rate normalised by √η of the fibre,
    so that values stay O(1) at 100 dB.

    Sifting convention (docs/physics.md): asymptotic, efficient basis choice (no ½ basis-
    sifting factor; SNS keeps its Z-window factor 2ε(1−ε), which is the protocol's own), as
    for MDI, memory-assisted MDI and the repeaters here (Lo–Chau–Ardehali 2005).

    Returns bits per pulse pair, same shape as ``length_km``; 0 where no key is possible.
    """
    length, alpha, eta_det, e_d, f_ec = check_fibre_link(
        length_km, alpha_db_per_km, eta_det, e_d, f_ec
    )
    p_dark = check_range("p_dark", p_dark, 0.0, 0.5)
    if variant not in ("sns", "pm"):
        raise ValueError(f"variant must be 'sns' or 'pm', got {variant!r}")
    e_slice = phase_slice_error(phase_slices)
    if eta_det == 0.0:
        return np.zeros(length.shape)

    def arm(loss_db: FloatArray) -> FloatArray:
        return eta_det * np.exp(-LN10_OVER_10 * 0.5 * loss_db)

    loss_db = (alpha * length).ravel()
    if variant == "pm":
        e_total = e_d + e_slice - 2.0 * e_d * e_slice

        def pm_objective(anchor_db: FloatArray, mu: FloatArray) -> FloatArray:
            eta_a = arm(anchor_db)
            return _pm_rate(eta_a, mu, p_dark, e_total, f_ec, phase_slices) / eta_a

        anchors, mu_best = anchor_optimum(loss_db, pm_objective, 1e-4, 5.0)

        def pm_block(loss_part: FloatArray) -> FloatArray:
            mu = from_anchors(loss_part, anchors, mu_best)
            return finite_nonneg(_pm_rate(arm(loss_part), mu, p_dark, e_total, f_ec, phase_slices))

        return blockwise(pm_block, length.shape, loss_db)

    anchors = loss_anchors(loss_db)
    eta_anchor = arm(anchors)

    def best_mu(eps: FloatArray) -> tuple[FloatArray, FloatArray]:
        return maximise_1d(
            lambda mu: _sns_rate(eta_anchor, mu, eps, p_dark, e_d, f_ec) / eta_anchor,
            1e-3,
            5.0,
            anchors.shape,
            grid_points=12,
            refine_iterations=20,
        )

    eps_best, _ = maximise_1d(
        lambda eps: best_mu(eps)[1],
        1e-4,
        0.5,
        anchors.shape,
        grid_points=12,
        refine_iterations=20,
    )
    mu_best, _ = best_mu(eps_best)

    def sns_block(loss_part: FloatArray) -> FloatArray:
        eps = from_anchors(loss_part, anchors, eps_best)
        mu = from_anchors(loss_part, anchors, mu_best)
        return finite_nonneg(_sns_rate(arm(loss_part), mu, eps, p_dark, e_d, f_ec))

    return blockwise(sns_block, length.shape, loss_db)
