"""Finite-key decoy-state BB84 (two decoys, general attacks), Lim et al. 2014.

Lim, Curty, Walenta, Xu, Zbinden, "Concise security bounds for practical decoy-state quantum
key distribution", PRA 89, 022307 (2014) (LCWXZ). Protocol: biased bases (key basis X with
probability q_x for both users, check basis Z otherwise), three intensities μ₁ > μ₂ + μ₃,
μ₂ > μ₃ ≥ 0 sent with probabilities p₁, p₂, p₃; key from X events of all intensities.

Bounds (LCWXZ Eqs. 1–5; counts n, errors m, per basis and intensity k):

* τₙ = Σ_k e^(−k) kⁿ p_k / n!  (probability that Alice sends n photons)
* n^±_{X,k} = (e^k/p_k)[n_{X,k} ± √(n_X/2 · ln(21/ε_sec))], likewise m^±_{Z,k} with m_Z
* Eq. (2)  s_{X,0} ≥ τ₀(μ₂n⁻_{X,μ₃} − μ₃n⁺_{X,μ₂})/(μ₂ − μ₃)
* Eq. (3)  s_{X,1} ≥ τ₁μ₁[n⁻_{X,μ₂} − n⁺_{X,μ₃} − (μ₂² − μ₃²)/μ₁² (n⁺_{X,μ₁} − s_{X,0}/τ₀)]
           / [μ₁(μ₂ − μ₃) − μ₂² + μ₃²]; the same two formulas give s_{Z,0}, s_{Z,1}
* Eq. (4)  v_{Z,1} ≤ τ₁(m⁺_{Z,μ₂} − m⁻_{Z,μ₃})/(μ₂ − μ₃)
* Eq. (5)  φ_X ≤ v_{Z,1}/s_{Z,1} + γ(ε_sec, v_{Z,1}/s_{Z,1}, s_{Z,1}, s_{X,1}),
           γ(a,b,c,d) = √[(c+d)(1−b)b/(cd ln2) · log₂((c+d)/(cd(1−b)b) · 21²/a²)]
* Eq. (1)  ℓ = s_{X,0} + s_{X,1}[1 − h(φ_X)] − λ_EC − 6 log₂(21/ε_sec) − log₂(2/ε_cor)

Channel model (LCWXZ Sec. IV), expected values used as the observed counts: with
η = η_det·10^(−αL/10) and Y₀ the background yield of Bob's detection (Y₀ = 2p_dc for two
detectors of dark-count probability p_dc), the detection probability of intensity k is
D_k = 1 − (1 − Y₀)e^(−ηk), with after-pulses R_k = D_k(1 + p_ap), and the error
probability e_k = Y₀/2 + e_d(1 − e^(−ηk)) + p_ap D_k/2. λ_EC = f_EC n_X h(m_X/n_X).
Assumptions stated: the paper prints η_ch (fibre only) inside the misalignment term of e_k;
here the detected-photon transmittance η is used, consistent with D_k and with GLLP/MQZL.
The floor in Eq. (1) is dropped (ℓ as a real number). ε_sec is a fixed input (the paper
sets ε_sec = κℓ with κ = 10⁻¹⁵).

Free parameters μ₁, μ₂, q_x, p₁, p₂ are optimised per distance (as in LCWXZ) by coordinate
ascent, each step a vectorised golden-section search (``common.maximise_1d``); μ₃ is fixed
to the paper's 2×10⁻⁴. Any of them can be fixed by the caller instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from engine.physics.common import (
    FloatArray,
    check_decoy_channel,
    check_nonneg_lengths,
    finite_nonneg,
    maximise_1d,
)

BlockKind = Literal["pulses", "sifted"]

MU3_LCWXZ = 2e-4
"""Weakest intensity μ₃ of LCWXZ Sec. IV (mean photons per pulse)."""

_LN2 = np.log(2.0)
_SWEEPS = 3


def _h(p: FloatArray) -> FloatArray:
    """Binary entropy in bits for p in [0, ½]; p = 0 gives 0."""
    p = np.clip(p, 1e-300, 0.5)
    return -(p * np.log(p) + (1.0 - p) * np.log1p(-p)) / _LN2


def _gamma(a: float, b: FloatArray, c: FloatArray, d: FloatArray) -> FloatArray:
    """LCWXZ Eq. (5): γ(a,b,c,d) = √[(c+d)(1−b)b/(cd ln2) log₂((c+d)/(cd(1−b)b) 21²/a²)]."""
    bb = (1.0 - b) * b
    arg = (c + d) / (c * d * bb) * (21.0 / a) ** 2
    return np.sqrt((c + d) * bb / (c * d * _LN2) * np.log2(arg))


def _decoy_bounds(
    counts: tuple[FloatArray, FloatArray, FloatArray],
    total: FloatArray,
    mus: tuple[FloatArray, FloatArray, FloatArray],
    probs: tuple[FloatArray, FloatArray, FloatArray],
    taus: tuple[FloatArray, FloatArray],
    ln_term: float,
) -> tuple[FloatArray, FloatArray]:
    """LCWXZ Eqs. (2)–(3): lower bounds (s₀, s₁) on vacuum and single-photon detections."""
    m1, m2, m3 = mus
    delta = np.sqrt(total / 2.0 * ln_term)
    plus = [np.exp(k) / p * (n + delta) for k, p, n in zip(mus, probs, counts, strict=True)]
    minus = [np.exp(k) / p * (n - delta) for k, p, n in zip(mus, probs, counts, strict=True)]
    tau0, tau1 = taus
    s0 = np.maximum(tau0 * (m2 * minus[2] - m3 * plus[1]) / (m2 - m3), 0.0)
    s1 = (
        tau1
        * m1
        * (minus[1] - plus[2] - (m2**2 - m3**2) / m1**2 * (plus[0] - s0 / tau0))
        / (m1 * (m2 - m3) - m2**2 + m3**2)
    )
    return s0, s1


def _key_per_pulse(
    eta: FloatArray,
    block: float,
    kind: BlockKind,
    mu1: FloatArray,
    mu2: FloatArray,
    mu3: float,
    q_x: FloatArray,
    p1: FloatArray,
    p2: FloatArray,
    *,
    y0: float,
    e_d: float,
    f_ec: float,
    p_ap: float,
    eps_sec: float,
    eps_cor: float,
) -> FloatArray:
    """ℓ/N of LCWXZ Eq. (1) for the channel model of their Sec. IV (may be negative)."""
    p3 = 1.0 - p1 - p2
    mus = (mu1, mu2, np.full_like(mu1, mu3))
    probs = (p1, p2, p3)
    det, err = [], []
    for k in mus:
        clicks = -np.expm1(-eta * k)
        d_k = y0 + (1.0 - y0) * clicks
        det.append(d_k * (1.0 + p_ap))
        err.append(0.5 * y0 + e_d * clicks + 0.5 * p_ap * d_k)
    qx2, qz2 = q_x * q_x, (1.0 - q_x) ** 2
    det_x_per_pulse = qx2 * sum(p * d for p, d in zip(probs, det, strict=True))
    pulses = block / det_x_per_pulse if kind == "sifted" else np.broadcast_to(block, eta.shape)
    n_x = tuple(pulses * qx2 * p * d for p, d in zip(probs, det, strict=True))
    n_z = tuple(pulses * qz2 * p * d for p, d in zip(probs, det, strict=True))
    m_z = tuple(pulses * qz2 * p * e for p, e in zip(probs, err, strict=True))
    m_x_total = pulses * qx2 * sum(p * e for p, e in zip(probs, err, strict=True))

    ell, ok = key_length_from_counts(
        n_x, n_z, m_z, m_x_total, mus, probs, f_ec=f_ec, eps_sec=eps_sec, eps_cor=eps_cor
    )
    return np.where(ok, ell / pulses, -1.0)


def key_length_from_counts(
    n_x: tuple[FloatArray, FloatArray, FloatArray],
    n_z: tuple[FloatArray, FloatArray, FloatArray],
    m_z: tuple[FloatArray, FloatArray, FloatArray],
    m_x_total: FloatArray,
    mus: tuple[FloatArray, FloatArray, FloatArray],
    probs: tuple[FloatArray, FloatArray, FloatArray],
    *,
    f_ec: float,
    eps_sec: float,
    eps_cor: float,
) -> tuple[FloatArray, FloatArray]:
    """LCWXZ Eq. (1) key length ℓ (bits, may be negative) from observed counts, and where the
    bounds prove anything (``ok``).

    ``n_x``/``n_z``: detections per intensity (μ₁, μ₂, μ₃) in the key basis X and the test
    basis Z; ``m_z`` their Z errors; ``m_x_total`` all X errors (for λ_EC = f n_X h(m_X/n_X));
    ``mus`` and ``probs`` the intensities and their probabilities. Eqs. (2)–(5) bound the
    vacuum and single-photon X detections and the single-photon phase error.
    """
    n_x_total, n_z_total, m_z_total = sum(n_x), sum(n_z), sum(m_z)
    mu2, mu3 = mus[1], mus[2]
    p2, p3 = probs[1], probs[2]
    taus = tuple(
        sum(p * np.exp(-k) * k**n for p, k in zip(probs, mus, strict=True)) for n in (0, 1)
    )
    ln_term = np.log(21.0 / eps_sec)
    s_x0, s_x1 = _decoy_bounds(n_x, n_x_total, mus, probs, taus, ln_term)
    _, s_z1 = _decoy_bounds(n_z, n_z_total, mus, probs, taus, ln_term)
    delta_m = np.sqrt(m_z_total / 2.0 * ln_term)
    m_plus_2 = np.exp(mu2) / p2 * (m_z[1] + delta_m)
    m_minus_3 = np.exp(mu3) / p3 * (m_z[2] - delta_m)
    v_z1 = taus[1] * (m_plus_2 - m_minus_3) / (mu2 - mu3)

    ok = (s_x1 > 0) & (s_z1 > 0)
    s_z1_safe = np.where(ok, s_z1, 1.0)
    s_x1_safe = np.where(ok, s_x1, 1.0)
    b = np.clip(v_z1 / s_z1_safe, 1e-12, 0.5)
    phi = b + _gamma(eps_sec, b, s_z1_safe, s_x1_safe)
    ok &= np.isfinite(phi) & (phi < 0.5)
    leak = f_ec * n_x_total * _h(m_x_total / n_x_total)
    overhead = 6.0 * np.log2(21.0 / eps_sec) + np.log2(2.0 / eps_cor)
    ell = s_x0 + s_x1_safe * (1.0 - _h(phi)) - leak - overhead
    return ell, ok


def decoy_bb84_finite(
    length_km: ArrayLike,
    *,
    block_size: float,
    eps_sec: float,
    eps_cor: float,
    alpha_db_per_km: float,
    eta_det: float,
    y0: float,
    e_d: float,
    f_ec: float,
    p_ap: float = 0.0,
    block: BlockKind = "pulses",
    mu: float | None = None,
    mu2: float | None = None,
    mu3: float = MU3_LCWXZ,
    q_x: float | None = None,
    probabilities: tuple[float, float, float] | None = None,
) -> FloatArray:
    """Finite-key two-decoy BB84 key rate ℓ/N, secret bits per pulse (LCWXZ PRA 89 022307).

    ℓ = s_{X,0} + s_{X,1}[1 − h(φ_X)] − f_EC n_X h(E_X) − 6 log₂(21/ε_sec) − log₂(2/ε_cor)
    (their Eq. 1) with s_{X,0}, s_{X,1}, v_{Z,1}, φ_X from their Eqs. (2)–(5); see the module
    docstring for the channel model. The rate vanishes for short blocks and tends to the
    asymptotic two-decoy rate (with q_x → 1) as the block grows.

    Args:
        length_km: fibre length(s) in km, any shape, ≥ 0.
        block_size: N, the number of pulses Alice sends (``block="pulses"``), or n_X, the
            post-processing block of key-basis detections as in LCWXZ Fig. 1
            (``block="sifted"``).
        eps_sec, eps_cor: secrecy and correctness parameters, in (0, 1).
        alpha_db_per_km: fibre loss (dB/km).
        eta_det: Bob's detection efficiency, in (0, 1].
        y0: background yield of Bob's detection per pulse (2p_dc for two detectors).
        e_d: misalignment error probability (LCWXZ e_mis).
        f_ec: error-correction inefficiency (≥ 1).
        p_ap: after-pulse probability (LCWXZ p_ap; 0 by default).
        mu, mu2: signal and decoy intensities μ₁, μ₂; ``None`` optimises them.
        mu3: weakest intensity μ₃ (fixed; LCWXZ use 2×10⁻⁴).
        q_x: key-basis probability; ``None`` optimises it.
        probabilities: (p₁, p₂, p₃) of the three intensities; ``None`` optimises them.

    Returns:
        Secret key bits per pulse, same shape as ``length_km``; 0 where no key.
    """
    try:  # YAML 1.1 reads "1.0e7" as a string; accept any float-like value.
        block_size, eps_sec, eps_cor = float(block_size), float(eps_sec), float(eps_cor)
    except (TypeError, ValueError) as err:
        raise ValueError(f"block_size, eps_sec and eps_cor must be numbers: {err}") from None
    _check_block(block_size, eps_sec, eps_cor)
    check_decoy_channel(alpha_db_per_km, eta_det, y0, e_d, f_ec)
    if not 0 <= p_ap < 1:
        raise ValueError(f"p_ap must be in [0, 1), got {p_ap}")
    if block not in ("pulses", "sifted"):
        raise ValueError(f"block must be 'pulses' or 'sifted', got {block!r}")
    length = check_nonneg_lengths(length_km)
    if not 0 <= mu3 < 0.1:
        raise ValueError(f"mu3 must be in [0, 0.1), got {mu3}")
    if mu2 is not None and not mu2 > mu3:
        raise ValueError(f"mu2 must exceed mu3 ({mu3}), got {mu2}")
    if mu is not None and not mu > (mu2 if mu2 is not None else mu3) + mu3:
        raise ValueError(f"mu must exceed mu2 + mu3, got {mu}")
    if q_x is not None and not 0 < q_x < 1:
        raise ValueError(f"q_x must be in (0, 1), got {q_x}")
    if probabilities is not None:
        if len(probabilities) != 3 or min(probabilities) <= 0:
            raise ValueError(f"probabilities must be three positive numbers, got {probabilities}")
        if abs(sum(probabilities) - 1.0) > 1e-9:
            raise ValueError(f"probabilities must sum to 1, got {probabilities}")

    eta = eta_det * np.power(10.0, -alpha_db_per_km * length / 10.0)
    shape = eta.shape
    const = {"y0": y0, "e_d": e_d, "f_ec": f_ec, "p_ap": p_ap, "eps_sec": eps_sec}
    const["eps_cor"] = eps_cor

    # Free coordinates: μ₁; r_μ (μ₂ = μ₃ + r_μ(μ₁ − 2μ₃)); q_x; p₁; r_p (p₂ = r_p(1 − p₁)).
    x = {
        "mu1": np.full(shape, 0.5 if mu is None else mu),
        "r_mu": np.full(shape, 0.3),
        "q_x": np.full(shape, 0.8 if q_x is None else q_x),
        "p1": np.full(shape, 0.7 if probabilities is None else probabilities[0]),
        "r_p": np.full(shape, 0.5),
    }
    if probabilities is not None:
        x["r_p"] = np.full(shape, probabilities[1] / (1.0 - probabilities[0]))

    def rate(v: dict[str, FloatArray]) -> FloatArray:
        mu1 = v["mu1"]
        mu2_v = mu3 + v["r_mu"] * (mu1 - 2.0 * mu3) if mu2 is None else np.full(shape, mu2)
        p2 = v["r_p"] * (1.0 - v["p1"])
        with np.errstate(all="ignore"):
            return _key_per_pulse(
                eta, block_size, block, mu1, mu2_v, mu3, v["q_x"], v["p1"], p2, **const
            )

    free: list[tuple[str, float, float, bool]] = []
    _coarse_start(x, rate, mu is None, mu2 is None, q_x is None, probabilities is None)
    if mu is None:
        lower = max(3.0 * mu3, 1e-3) if mu2 is None else 1.001 * (mu2 + mu3)
        free.append(("mu1", lower, 1.2, True))
    if mu2 is None:
        free.append(("r_mu", 0.005, 0.95, False))
    if q_x is None:
        free.append(("q_x", 0.01, 0.995, False))
    if probabilities is None:
        free += [("p1", 0.005, 0.98, True), ("r_p", 0.02, 0.98, False)]
    for _ in range(_SWEEPS if free else 0):
        for name, lo, hi, log_scale in free:

            def objective(candidate: FloatArray, name: str = name) -> FloatArray:
                trial = dict(x)
                trial[name] = np.broadcast_to(candidate, shape)
                return rate(trial)

            current = rate(x)
            best, value = maximise_1d(
                objective,
                lo,
                hi,
                shape,
                log_scale=log_scale,
                grid_points=12,
                refine_iterations=20,
            )
            x[name] = np.where(value > current, best, x[name])
    return finite_nonneg(rate(x))


def _coarse_start(
    x: dict[str, FloatArray],
    rate: Callable[[dict[str, FloatArray]], FloatArray],
    *free: bool,
) -> None:
    """Replace ``x`` in place by the best point of a coarse joint grid over the free
    coordinates (μ₁, r_μ, q_x, and p₁ with r_p), so coordinate ascent starts near the optimum
    even where most of the parameter space gives no key."""
    levels = {
        "mu1": (0.25, 0.45, 0.7),
        "r_mu": (0.1, 0.25, 0.5),
        "q_x": (0.3, 0.6, 0.9),
        "p1": (0.03, 0.2, 0.7),
        "r_p": (0.3, 0.7),
    }
    names = [n for n, f in zip(("mu1", "r_mu", "q_x", "p1"), free, strict=True) if f]
    if free[3]:
        names.append("r_p")
    if not names:
        return
    best_value = rate(x)
    best = dict(x)
    for combo in itertools.product(*(levels[n] for n in names)):
        trial = dict(x)
        trial.update({n: np.full_like(x[n], v) for n, v in zip(names, combo, strict=True)})
        value = rate(trial)
        better = value > best_value
        best_value = np.where(better, value, best_value)
        best = {n: np.where(better, trial[n], best[n]) for n in best}
    x.update(best)


def _check_block(block_size: float, eps_sec: float, eps_cor: float) -> None:
    """ValueError for a block size below 1 or an ε outside (0, 1)."""
    if not (np.isfinite(block_size) and block_size >= 1):
        raise ValueError(f"block_size must be a finite number >= 1, got {block_size}")
    for name, eps in (("eps_sec", eps_sec), ("eps_cor", eps_cor)):
        if not 0 < eps < 1:
            raise ValueError(f"{name} must be in (0, 1), got {eps}")
