"""Memory-assisted MDI-QKD with single-photon sources and directly heralded quantum memories.

Model: Panayi, Razavi, Ma, Lütkenhaus, "Memory-assisted measurement-device-independent quantum
key distribution", New J. Phys. 16, 043005 (2014) (arXiv:1309.3406), the scheme with directly
heralding memories; Abruzzo, Kampermann, Bruß, PRA 89, 012301 (2014) analyse the same set-up.
Alice and Bob send BB84-encoded single photons to two quantum memories at the middle station.
Each memory is loaded independently, with a local herald, at every attempt of period T; once
both hold a qubit they are read out together into a linear-optics Bell-state measurement
(BSM). Loading succeeds with the transmittance of half the fibre, so the rate scales as √η of
the whole fibre; the price is that the first-loaded memory dephases while it waits.

The paper's ingredients, each a term below: the source efficiency, the writing (loading and
heralding) efficiency η_w and the reading efficiency η_r of the memories, their coherence time
T₂ (dephasing e^(−t/T₂) of the stored qubit while it waits), dark counts at the heralds (false
loading) and at the BSM detectors, misalignment e_d, and the attempt period T, which a
memory's writing (access) time bounds from below. The paper's expressions could not be re-read
here (only its abstract was available), so the formulas are this module's rendering of the
model, each derived in its docstring; see docs/physics.md.

Conventions (docs/physics.md): asymptotic key (no finite-key cost), efficient BB84 with
biased bases (Lo, Chau, Ardehali, J. Cryptology 18, 133 (2005)), i.e. no ½ sifting factor,
the Z basis for key and the X basis to bound the phase error, as for MDI and TF here.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from engine.physics.common import FloatArray, finite_nonneg
from engine.physics.mdi import (
    LN10_OVER_10,
    blockwise,
    check_fibre_link,
    check_range,
    entropy_bits,
)

NEGLIGIBLE_BPS = 1e-12  # bit/s: rates below are reported as 0 (no key can be made)


def mean_attempts_both_loaded(p_load: ArrayLike) -> FloatArray:
    """Mean number of attempts until two memories, each loaded with probability p per attempt,
    both hold a qubit: E[max(N_A, N_B)] for independent geometric N_A, N_B (attempts).

        N_L = 1/p + 1/p − 1/(1 − (1−p)²) = (3 − 2p) / (p(2 − p))

    (E[max] = E[N_A] + E[N_B] − E[min], min geometric with success 1 − (1−p)²); the N_L of
    Panayi et al. (2014). ≈ 3/(2p) for small p; infinite for p = 0.
    """
    p = np.asarray(p_load, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return (3.0 - 2.0 * p) / (p * (2.0 - p))


def mean_dephasing_factor(p_load: ArrayLike, decay_per_attempt: float) -> FloatArray:
    """E[e^(−|N_A − N_B| T/T₂)]: mean coherence left in the first-loaded memory (dimensionless).

    With x = e^(−T/T₂) and independent geometric loading times with success probability p,
    the wait j = |N_A − N_B| has P(0) = p/(2−p), P(j ≥ 1) = 2p(1−p)^j/(2−p), so
        E[x^j] = p (1 + (1−p)x) / ((2 − p)(1 − (1−p)x)).
    This averages a coherence decaying as e^(−t/T₂) over the loading statistics; it is 1 for
    T₂ → ∞ and → 0 when the mean wait ≫ T₂.
    """
    p = np.asarray(p_load, dtype=np.float64)
    x = decay_per_attempt
    one_minus_q = (1.0 - x) + p * x  # 1 − (1−p)x without cancellation when p ≪ 1
    return np.minimum(p * (2.0 - one_minus_q) / ((2.0 - p) * one_minus_q), 1.0)


def bsm_yield(eta_a: ArrayLike, eta_b: ArrayLike, p_dark: float) -> FloatArray:
    """Probability that a linear-optics BSM on two single-photon inputs announces success.

    Ma & Razavi, PRA 86, 062319 (2012), App. B, single-photon yield with four detectors of
    dark-count probability Y₀ = ``p_dark`` each (as in engine.physics.mdi):
        Y = (1−Y₀)² [η_aη_b/2 + (2η_a + 2η_b − 3η_aη_b)Y₀ + 4(1−η_a)(1−η_b)Y₀²],
    η_a, η_b the probabilities that each input photon reaches and fires a detector. An empty
    memory is an input with η = 0: it succeeds only with dark counts.
    """
    a = np.asarray(eta_a, dtype=np.float64)
    b = np.asarray(eta_b, dtype=np.float64)
    y0 = p_dark
    return (1.0 - y0) ** 2 * (
        a * b / 2.0 + (2.0 * a + 2.0 * b - 3.0 * a * b) * y0 + 4.0 * (1.0 - a) * (1.0 - b) * y0**2
    )


def _privacy(delta: FloatArray) -> FloatArray:
    """1 − h(1/2 − δ) for 0 ≤ δ ≤ 1/2, written with log1p so that it stays exact (≈ 2δ²/ln 2)
    when the error rate approaches 1/2:
    1 − h(1/2 − δ) = [(1 + 2δ) ln(1 + 2δ) + (1 − 2δ) ln(1 − 2δ)] / (2 ln 2)."""
    two_d = np.clip(2.0 * delta, 0.0, 1.0 - 1e-16)
    out = (1.0 + two_d) * np.log1p(two_d) + (1.0 - two_d) * np.log1p(-two_d)
    return out / (2.0 * np.log(2.0))


@np.errstate(all="ignore")  # under/overflow at 0 or 2000 km is cleaned by finite_nonneg
def memory_mdi(
    length_km: ArrayLike,
    *,
    alpha_db_per_km: float,
    eta_det: float,
    e_d: float,
    f_ec: float,
    eta_write: float,
    eta_read: float,
    t2_s: float,
    attempt_s: float,
    eta_source: float = 1.0,
    p_dark: float = 0.0,
    p_false_herald: float = 0.0,
) -> FloatArray:
    """Secret key rate of memory-assisted MDI-QKD, bits per second.

    Per attempt of period T = ``attempt_s`` each memory is heralded as loaded with
        p_true = η_s η_w 10^(−αL/20)      (a photon from the source crossed half the fibre
                                            and was written; L = ``length_km``),
        p = p_true + (1 − p_true) p_f     (or a false herald, dark count of the herald, p_f),
    and the mean number of attempts until both are loaded is N_L = (3 − 2p)/(p(2 − p))
    (``mean_attempts_both_loaded``). A herald is genuine with probability g = p_true/p; a
    falsely heralded memory is empty. Read-out into the BSM: each genuine memory gives its
    photon with η_r, detected with η_det, so η₁ = η_r η_det; the BSM yield of a loaded pair is
        Y = g² Y(η₁, η₁) + 2g(1−g) Y(η₁, 0) + (1−g)² Y(0, 0)     (``bsm_yield``, dark counts
                                                                   Y₀ = ``p_dark`` per detector).
    Errors (MDI single-photon closed forms, Ma–Razavi App. B): only genuine pairs carry
    correlation, S = g² (1−Y₀)² η₁²/2, and
        e_Z Y = Y/2 − (1/2 − e_d) S,          e_X Y = Y/2 − (1/2 − e_d) V̄ S,
    where V̄ = E[e^(−|N_A−N_B|T/T₂)] (``mean_dephasing_factor``): dephasing of the waiting
    qubit leaves Z-basis states alone and shrinks X-basis coherence. Key (asymptotic,
    efficient basis choice, no sifting factor):
        R = Y [1 − h(e_X) − f h(e_Z)] / (N_L T)   bits/s.

    Stated simplifications: single-photon sources without multi-photon emission (Lo Piparo
    et al. 2015 show multi-excitations can wash out the advantage; a source that emits its
    photon with η_s is all that is modelled); no memory-reset cut-off; writing time and herald
    inside T, read-out/BSM time neglected beside N_L T; only the waiting qubit dephases;
    amplitude decay (T₁) is folded into η_r.

    Arguments: ``alpha_db_per_km`` (dB/km); ``eta_det`` BSM detector efficiency; ``e_d``
    misalignment error; ``f_ec`` error-correction inefficiency; ``eta_write`` probability that
    a photon reaching a memory is stored and heralded; ``eta_read`` read-out efficiency;
    ``t2_s`` memory coherence time (s, may be inf); ``attempt_s`` attempt period T (s);
    ``eta_source`` probability that a source puts its photon into the fibre per attempt;
    ``p_dark`` dark-count probability per BSM detector per read-out; ``p_false_herald``
    probability per attempt that an empty memory is heralded as loaded.

    Returns bits per second, same shape as ``length_km``; 0 where no key is possible.
    """
    length, alpha, eta_det, e_d, f_ec = check_fibre_link(
        length_km, alpha_db_per_km, eta_det, e_d, f_ec
    )
    eta_write = check_range("eta_write", eta_write, 0.0, 1.0)
    eta_read = check_range("eta_read", eta_read, 0.0, 1.0)
    eta_source = check_range("eta_source", eta_source, 0.0, 1.0)
    p_dark = check_range("p_dark", p_dark, 0.0, 0.5)
    p_false = check_range("p_false_herald", p_false_herald, 0.0, 0.5)
    t2_s = float(t2_s)
    attempt_s = float(attempt_s)
    if not t2_s > 0.0:
        raise ValueError(f"t2_s must be > 0, got {t2_s!r}")
    if not (np.isfinite(attempt_s) and attempt_s > 0.0):
        raise ValueError(f"attempt_s must be finite and > 0, got {attempt_s!r}")
    if eta_write == 0.0 or eta_read == 0.0 or eta_det == 0.0 or eta_source == 0.0:
        return np.zeros(length.shape)

    decay = float(np.exp(-attempt_s / t2_s))
    leak_rate = f_ec
    eta_1 = eta_read * eta_det
    y_tt, y_tf, y_ff = (
        float(bsm_yield(a, b, p_dark)) for a, b in ((eta_1, eta_1), (eta_1, 0.0), (0.0, 0.0))
    )
    signal = (1.0 - p_dark) ** 2 * eta_1**2 / 2.0

    def rate(length_part: FloatArray) -> FloatArray:
        p_true = eta_source * eta_write * np.exp(-LN10_OVER_10 * 0.5 * alpha * length_part)
        p_load = p_true + (1.0 - p_true) * p_false
        genuine = p_true / p_load
        yield_ = genuine**2 * y_tt + 2.0 * genuine * (1.0 - genuine) * y_tf
        yield_ += (1.0 - genuine) ** 2 * y_ff
        correlated = genuine**2 * signal * (0.5 - e_d)
        attempts = mean_attempts_both_loaded(p_load)
        visibility = mean_dephasing_factor(p_load, decay)
        e_z = 0.5 - correlated / yield_
        key = _privacy(visibility * correlated / yield_) - leak_rate * entropy_bits(e_z)
        bps = finite_nonneg(yield_ * key / (attempts * attempt_s))
        # where false heralds swamp the loaded photons (thousands of km) the key fraction is
        # a difference of near-equal terms and its rounding may flip its sign: below one bit
        # in ~30,000 years there is no key to speak of
        return np.where(bps < NEGLIGIBLE_BPS, 0.0, bps)

    return blockwise(rate, length.shape, length.ravel())
