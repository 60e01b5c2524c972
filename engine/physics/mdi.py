"""Measurement-device-independent QKD with weak coherent pulses and infinite decoy states.

Protocol: Lo, Curty, Qi, PRL 108, 130503 (2012), key rate Eq. (1). The gains, error rates and
single-photon quantities of the polarisation-encoded, linear-optics Bell-state measurement are
the closed forms of Ma & Razavi, PRA 86, 062319 (2012), App. B, as restated for asymmetric arms
by Xu, Curty, Qi, Lo, NJP 15, 113007 (2013), appendix (the "asymptotic decoy" case, where the
single-photon yield Y₁₁ and phase error e₁₁ are known exactly).

Also holds the loss-grid optimiser shared with the twin-field model: the best intensity is
found exactly at fixed total-loss anchors (every 0.5 dB) and interpolated in between, so a
million distances cost one rate evaluation each plus a few hundred optimisations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from engine.physics.common import (
    FloatArray,
    as_float_array,
    maximise_1d,
)

ANCHOR_STEP_DB = 0.5
"""Spacing (dB of total fibre loss) of the anchors where intensities are optimised exactly."""

BLOCK = 8192
"""Elements per block when a rate formula is evaluated on many distances."""

LN10_OVER_10 = np.log(10.0) / 10.0
"""Converts a loss in dB to the exponent of e: 10^(−D/10) = e^(−D·ln10/10)."""

_MINUS_INV_LN2 = -1.0 / np.log(2.0)
"""−1/ln 2: converts −[q ln q + (1−q) ln(1−q)] to bits."""

ANCHOR_CAP_DB = 1000.0
"""Highest anchor; beyond it the intensities of the last anchor are reused."""


def check_lengths(length_km: ArrayLike) -> FloatArray:
    """Return the distances as a float array; ValueError if any is negative or not finite."""
    length = as_float_array(length_km)
    if not np.all(np.isfinite(length)):
        raise ValueError("length_km must be finite")
    if np.any(length < 0.0):
        raise ValueError("length_km must be >= 0")
    return length


def check_range(name: str, value: float, low: float, high: float) -> float:
    """Return ``value`` as float if low <= value <= high, else raise ValueError naming it."""
    v = float(value)
    if not (low <= v <= high):
        raise ValueError(f"{name} must be in [{low}, {high}], got {value!r}")
    return v


def check_fibre_link(
    length_km: ArrayLike, alpha_db_per_km: float, eta_det: float, e_d: float, f_ec: float
) -> tuple[FloatArray, float, float, float, float]:
    """The arguments every relayed fibre model (MDI, TF, memory-assisted) shares, checked and
    as floats: lengths (``check_lengths``), α ≥ 0, η_det in [0, 1], e_d in [0, ½], f ≥ 0."""
    return (
        check_lengths(length_km),
        check_range("alpha_db_per_km", alpha_db_per_km, 0.0, np.inf),
        check_range("eta_det", eta_det, 0.0, 1.0),
        check_range("e_d", e_d, 0.0, 0.5),
        check_range("f_ec", f_ec, 0.0, np.inf),
    )


def loss_anchors(loss_db: FloatArray) -> FloatArray:
    """Fixed anchors 0, 0.5, 1, … dB covering the largest loss asked for (at most the cap)."""
    top = float(np.max(loss_db, initial=0.0))
    n_anchor = int(np.ceil(min(top, ANCHOR_CAP_DB) / ANCHOR_STEP_DB)) + 1
    return np.arange(n_anchor, dtype=np.float64) * ANCHOR_STEP_DB


def from_anchors(loss_db: FloatArray, anchors: FloatArray, values: FloatArray) -> FloatArray:
    """Linear interpolation of per-anchor ``values`` at every loss (clamped beyond the ends).

    The anchors are k·ANCHOR_STEP_DB (``loss_anchors``), so the bracketing anchor is found by
    division instead of the binary search of ``np.interp``.
    """
    if anchors.size == 1:
        return np.full(loss_db.shape, float(values[0]))
    position = np.clip(loss_db * (1.0 / ANCHOR_STEP_DB), 0.0, anchors.size - 1.0)
    left = np.minimum(position.astype(np.intp), anchors.size - 2)
    return values[left] + (position - left) * (values[left + 1] - values[left])


def anchor_optimum(
    loss_db: FloatArray,
    objective: Callable[[FloatArray, FloatArray], FloatArray],
    lower: float,
    upper: float,
) -> tuple[FloatArray, FloatArray]:
    """Anchors (dB) and the parameter x in [lower, upper] maximising objective(anchor, x).

    The maximisation (``maximise_1d``, vectorised golden section) runs only at the fixed
    anchors of ``loss_anchors`` (every 0.5 dB); callers interpolate the optimum between
    anchors with ``from_anchors``. Because a key rate is stationary in its intensity at the
    optimum, interpolation costs only a second-order rate change (tested below 1e-4
    relative), and a distance's result does not depend on the other distances in the call,
    since the anchors are fixed.
    """
    anchors = loss_anchors(loss_db)
    x_best, _ = maximise_1d(lambda x: objective(anchors, x), lower, upper, anchors.shape)
    return anchors, x_best


def blockwise(fn: Callable[..., FloatArray], shape: tuple[int, ...], *flat: FloatArray):
    """``fn`` applied to aligned blocks of the 1-D arrays ``flat``, reshaped to ``shape``.

    Evaluating a long rate formula on blocks of ``BLOCK`` elements keeps its temporaries in
    cache, which is 2–3× faster than whole-array numpy for a million distances.
    """
    n = flat[0].size
    out = np.empty(n)
    for start in range(0, n, BLOCK):
        part = slice(start, start + BLOCK)
        out[part] = fn(*(a[part] for a in flat))
    return out.reshape(shape)


def clamp_rate(x: FloatArray) -> FloatArray:
    """In place: ``x`` set to 0 where negative, NaN or ±inf (as ``common.finite_nonneg``).

    ``fmax`` maps NaN, −inf, −0.0 and negatives to +0.0 in one pass; +inf is then zeroed.
    """
    np.fmax(x, 0.0, out=x)
    np.copyto(x, 0.0, where=x == np.inf)
    return x


def entropy_bits(p: FloatArray) -> FloatArray:
    """Binary entropy h(p) in bits of an error rate p ≤ 1/2; h(0) = 0.

    A leaner twin of ``common.binary_entropy`` for the hot paths (two logarithms, no NaN
    cleanup): arguments are clipped to [1e-300, 1/2], so rates above 1/2 are charged the full
    bit h = 1 (conservative), and −p log₂p underflows to 0 at p = 0. Evaluated as
    [q ln q + (1−q) ln(1−q)]·(−1/ln 2) with in-place ufuncs (four arrays, no others).
    """
    q = np.clip(p, 1e-300, 0.5)
    if q.ndim == 0:  # a 0-d array cannot take ``out=`` results as a plain scalar does
        return (q * np.log(q) + (1.0 - q) * np.log(1.0 - q)) * _MINUS_INV_LN2
    r = np.subtract(1.0, q)
    out = np.log(q)
    out *= q
    np.log(r, out=q)
    q *= r
    out += q
    out *= _MINUS_INV_LN2
    return out


def bessel_i0_series(u: FloatArray) -> FloatArray:
    """I₀(2√u) − 1 = Σ_{k≥1} u^k/(k!)² for u ≥ 0 (Abramowitz–Stegun 9.6.10), by Horner.

    Exact to double precision for u ≤ 10 with the number of terms chosen from max(u); the
    sum starts at k = 1 so small arguments keep full relative precision.
    """
    top = float(np.max(u, initial=0.0))
    n_terms, bound = 1, top
    while bound > 1e-17 * max(top, 1.0) and n_terms < 60:
        n_terms += 1
        bound *= top / (n_terms * n_terms)
    if n_terms == 1:
        return u * 1.0
    # Horner, acc ← (1 + acc·u)/k² from k = n−1 down to 1, starting at acc = 1/n², in place.
    acc = np.multiply(u, 1.0 / (n_terms * n_terms), out=np.empty(np.shape(u)))
    for k in range(n_terms - 1, 1, -1):
        acc += 1.0
        acc /= k * k
        acc *= u
    acc += 1.0
    acc *= u
    return acc


def _mdi_rate(
    eta_a: FloatArray,
    eta_b: FloatArray,
    mu: FloatArray | float,
    y0: float,
    e_d: float,
    f_ec: float,
) -> FloatArray:
    """Raw MDI-QKD key rate (bits per pulse pair, may be negative), μ_a = μ_b = μ.

    Ma–Razavi (2012) Eqs. (B7)–(B16) / Xu et al. (2013) appendix, with Y₀ the dark-count
    probability of each of the four detectors:
        μ′ = (η_a + η_b)μ,  x = √(η_aη_b)μ/2
        Q_C = 2(1−Y₀)² e^(−μ′/2) [1 − (1−Y₀)e^(−η_aμ/2)] [1 − (1−Y₀)e^(−η_bμ/2)]
        Q_E = 2Y₀(1−Y₀)² e^(−μ′/2) [I₀(2x) − (1−Y₀)e^(−μ′/2)]
        E_Z Q_Z = e_d Q_C + (1−e_d) Q_E,  Q_Z = Q_C + Q_E
        Y₁₁ = (1−Y₀)² [η_aη_b/2 + (2η_a + 2η_b − 3η_aη_b)Y₀ + 4(1−η_a)(1−η_b)Y₀²]
        e₁₁Y₁₁ = Y₁₁/2 − (1/2 − e_d)(1−Y₀)² η_aη_b/2
        R = μ² e^(−2μ) Y₁₁ [1 − h(e₁₁)] − f Q_Z h(E_Z)          (LCQ 2012 Eq. (1))
    The bracket of Q_E is rearranged without cancellation as
    [I₀(2x) − 1] + [1 − e^(−μ′/2)] + Y₀e^(−μ′/2), with I₀ from its power series in x².
    """
    # Every product and sum below is evaluated in the same order as the formulas above (only
    # in place, on shared subexpressions), so the result is bit-for-bit that of the plain
    # expression; the symmetric relay (eta_b is eta_a) reuses the arm-a terms.
    if np.ndim(eta_a) == 0 and np.ndim(eta_b) == 0 and np.ndim(mu) == 0:
        # 0-d inputs give numpy scalars, which cannot take ``out=``: evaluate as length 1.
        one = np.reshape(np.asarray(eta_a, dtype=np.float64), 1)
        other = one if eta_b is eta_a else np.reshape(np.asarray(eta_b, dtype=np.float64), 1)
        return _mdi_rate(one, other, mu, y0, e_d, f_ec)[0]
    symmetric = eta_b is eta_a
    keep2 = (1.0 - y0) ** 2
    m_a = np.multiply(-0.5 * mu, eta_a)
    np.expm1(m_a, out=m_a)  # e^(−η_aμ/2) − 1
    p_a = m_a + 1.0  # e^(−η_aμ/2)
    if symmetric:
        m_b, p_b = m_a, p_a
    else:
        m_b = np.multiply(-0.5 * mu, eta_b)
        np.expm1(m_b, out=m_b)
        p_b = m_b + 1.0
    e_half = np.multiply(p_a, p_b)  # e^(−μ′/2)
    click_a = p_a  # 1 − (1−Y₀)e^(−η_aμ/2) = Y₀e^(−η_aμ/2) − (e^(−η_aμ/2) − 1), in place
    click_a *= y0
    click_a -= m_a
    if symmetric:
        click_b = click_a
    else:
        click_b = p_b
        click_b *= y0
        click_b -= m_b
    q_c = np.multiply(2.0 * keep2, e_half)
    q_c *= click_a
    q_c *= click_b
    prod = np.multiply(eta_a, eta_b)
    if y0 > 0.0:
        lost = np.add(m_a, m_b)  # −(1 − e^(−μ′/2)) until negated
        buf = np.multiply(m_a, m_b, out=click_a)  # click terms are no longer needed
        lost += buf
        np.negative(lost, out=lost)
        bracket = bessel_i0_series(np.multiply(prod, 0.25 * mu * mu, out=buf))
        bracket += lost
        np.multiply(y0, e_half, out=lost)
        bracket += lost
        q_e = np.multiply(2.0 * y0 * keep2, e_half, out=e_half)
        q_e *= bracket
        q_z = np.add(q_c, q_e)
        err_z = np.multiply(e_d, q_c, out=q_c)
        np.multiply(1.0 - e_d, q_e, out=q_e)
        err_z += q_e
        err_z /= q_z
    else:
        q_z = q_c
        err_z = np.full(np.shape(q_c), e_d)
    y11 = np.add(eta_a, eta_b)
    y11 *= 2.0
    tmp = np.multiply(3.0, prod)
    y11 -= tmp
    y11 *= y0
    np.multiply(0.5, prod, out=tmp)
    y11 += tmp  # 0.5·prod + (2(η_a+η_b) − 3·prod)·Y₀
    one_a = np.subtract(1.0, eta_a)
    term = np.multiply(4.0 * y0 * y0, one_a, out=tmp)
    term *= one_a if symmetric else np.subtract(1.0, eta_b)
    y11 += term  # + 4Y₀²(1−η_a)(1−η_b)
    y11 *= keep2
    e11 = np.multiply((0.5 - e_d) * keep2 * 0.5, prod, out=prod)
    e11 /= y11
    np.subtract(0.5, e11, out=e11)
    gain11 = (mu * mu * np.exp(-2.0 * mu)) * y11
    h11 = entropy_bits(e11)
    np.subtract(1.0, h11, out=h11)
    gain11 *= h11
    h_z = entropy_bits(err_z)
    h_z *= np.multiply(f_ec, q_z, out=q_z)
    gain11 -= h_z
    return gain11


@np.errstate(all="ignore")  # under/overflow at 0 or 2000 km is cleaned by finite_nonneg
def mdi_qkd(
    length_km: ArrayLike,
    *,
    alpha_db_per_km: float,
    eta_det: float,
    y0: float,
    e_d: float,
    f_ec: float,
    mu: float | None = None,
    relay_fraction: float = 0.5,
) -> FloatArray:
    """Asymptotic decoy-state MDI-QKD secret key rate, bits per pulse pair.

    Lo–Curty–Qi, PRL 108, 130503 (2012), Eq. (1):
        R = Q₁₁^Z [1 − h(e₁₁^X)] − f Q_μμ^Z h(E_μμ^Z),   Q₁₁ = μ_aμ_b e^(−μ_a−μ_b) Y₁₁,
    with the closed forms of Ma–Razavi PRA 86, 062319 (2012) App. B and Xu–Curty–Qi–Lo
    NJP 15, 113007 (2013) appendix for Q, E, Y₁₁, e₁₁ (see ``_mdi_rate``). Infinitely many decoy
    intensities, so Y₁₁ and e₁₁ are exact; no finite-key effects; efficient basis choice (no
    sifting factor, as in LCQ's Eq. (1); Lo–Chau–Ardehali 2005, the convention of every
    protocol here, docs/physics.md).

    Arguments: ``length_km`` total Alice–Bob fibre length (km, array); the relay sits at
    ``relay_fraction`` of it from Alice, so η_a = η_det·10^(−α·relay_fraction·L/10) and
    η_b = η_det·10^(−α(1−relay_fraction)L/10) (dimensionless); ``alpha_db_per_km`` fibre loss
    (dB/km); ``eta_det`` detector efficiency; ``y0`` dark-count probability per detector per
    pulse; ``e_d`` misalignment error probability; ``f_ec`` error-correction inefficiency;
    ``mu`` the common signal intensity of both users (photons per pulse), or None to maximise
    the rate over μ ∈ [1e-4, 3] at every distance.

    Returns bits per pulse pair, same shape as ``length_km``; 0 where no key is possible.
    """
    length, alpha, eta_det, e_d, f_ec = check_fibre_link(
        length_km, alpha_db_per_km, eta_det, e_d, f_ec
    )
    y0 = check_range("y0", y0, 0.0, 0.5)
    frac = check_range("relay_fraction", relay_fraction, 0.0, 1.0)
    if mu is not None:
        mu = check_range("mu", mu, 0.0, np.inf)
    if eta_det == 0.0:
        return np.zeros(length.shape)

    decay_a = -LN10_OVER_10 * frac
    decay_b = -LN10_OVER_10 * (1.0 - frac)

    def arms(loss_db: FloatArray) -> tuple[FloatArray, FloatArray]:
        eta_a = np.multiply(decay_a, loss_db)
        np.exp(eta_a, out=eta_a)
        eta_a *= eta_det  # η_det·e^(−ln10·frac·D/10)
        if frac == 0.5:
            return eta_a, eta_a
        eta_b = np.multiply(decay_b, loss_db)
        np.exp(eta_b, out=eta_b)
        eta_b *= eta_det
        return eta_a, eta_b

    flat_length = length.ravel()
    anchors = mu_best = np.zeros(1)  # replaced below when μ is optimised
    if mu is None:

        def objective(anchor_db: FloatArray, m: FloatArray) -> FloatArray:
            eta_a, eta_b = arms(anchor_db)
            # Scale by the product of arm transmittances so every anchor's values are O(1).
            return _mdi_rate(eta_a, eta_b, m, y0, e_d, f_ec) / (eta_a * eta_b)

        # αL is monotonic in L, so the largest loss is α·max(L) exactly (anchors need no more).
        top_db = np.asarray([alpha * np.max(flat_length, initial=0.0)])
        anchors, mu_best = anchor_optimum(top_db, objective, 1e-4, 3.0)
    fixed_mu = mu

    def rate(length_part: FloatArray) -> FloatArray:
        loss_part = np.multiply(alpha, length_part)
        eta_a, eta_b = arms(loss_part)
        m = from_anchors(loss_part, anchors, mu_best) if fixed_mu is None else fixed_mu
        return clamp_rate(_mdi_rate(eta_a, eta_b, m, y0, e_d, f_ec))

    return blockwise(rate, length.shape, flat_length)
