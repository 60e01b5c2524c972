"""Memory-assisted MDI-QKD with single-photon sources and heralded quantum memories.

Panayi, Razavi, Ma, Lütkenhaus, New J. Phys. 16, 043005 (2014) (also Abruzzo, Kampermann,
Bruß, PRA 89, 012301 (2014)): Alice and Bob send BB84-encoded single photons to two quantum
memories at the middle station. Each memory is loaded independently, with a local herald, at
every attempt; once both hold a qubit they are read out together into a Bell-state
measurement. The loading probability per attempt scales as the transmittance of one half of
the fibre, so the key rate scales as √η of the whole fibre; the price is that the first-loaded
memory dephases while it waits for the second.
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


def mean_attempts_both_loaded(p_load: ArrayLike) -> FloatArray:
    """Mean number of attempts until two memories, each loaded with probability p per attempt,
    both hold a qubit: E[max(N_A, N_B)] for independent geometric N_A, N_B (attempts).

        N_L = 1/p + 1/p − 1/(1 − (1−p)²) = (3 − 2p) / (p(2 − p))

    This is the N_L in the key rate of Panayi et al. (2014) (derived here from the two
    independent geometric loading processes; the same waiting-time result as for a two-link
    repeater). Infinite for p = 0.
    """
    p = np.asarray(p_load, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return (3.0 - 2.0 * p) / (p * (2.0 - p))


def mean_dephasing_factor(p_load: ArrayLike, decay_per_attempt: float) -> FloatArray:
    """E[e^(−|N_A − N_B| T/T₂)]: mean coherence left in the first-loaded memory (dimensionless).

    With x = e^(−T/T₂) and independent geometric loading times with success probability p,
    the wait j = |N_A − N_B| has P(0) = p/(2−p), P(j ≥ 1) = 2p(1−p)^j/(2−p), so
        E[x^j] = p (1 + (1−p)x) / ((2 − p)(1 − (1−p)x)).
    This averages the memory decoherence model of Panayi et al. (2014), a coherence decaying
    as e^(−t/T₂), over the loading statistics (derived here); it is 1 for T₂ → ∞ and → 0 when
    the mean wait ≫ T₂.
    """
    p = np.asarray(p_load, dtype=np.float64)
    x = decay_per_attempt
    one_minus_q = (1.0 - x) + p * x  # 1 − (1−p)x without cancellation when p ≪ 1
    return np.minimum(p * (2.0 - one_minus_q) / ((2.0 - p) * one_minus_q), 1.0)


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
) -> FloatArray:
    """Secret key rate of memory-assisted MDI-QKD, bits per second.

    Model (Panayi et al., NJP 16, 043005 (2014), single-photon sources and directly heralded
    memories; the expressions below are this module's rendering of their model): per attempt
    of period T = ``attempt_s`` each memory is loaded with
        p = η_write · 10^(−αL/20)          (one half of the fibre, L = ``length_km``),
    the mean number of attempts until both are loaded is N_L = (3 − 2p)/(p(2 − p)), and the
    loaded pair gives a Bell-state-measurement success (two of the four Bell states, linear
    optics) with probability
        Y = (η_read η_det)² / 2.
    Errors: e_Z = e_d (misalignment); the first-loaded qubit dephases with e^(−t/T₂) while it
    waits, which leaves Z-basis states alone and shrinks X-basis coherence, so
        e_X = 1/2 − V̄ (1/2 − e_d),   V̄ = E[e^(−|N_A−N_B|T/T₂)] (``mean_dephasing_factor``).
    Key rate (asymptotic, efficient basis choice, as in LCQ's MDI rate):
        R = Y [1 − h(e_X) − f h(e_Z)] / (N_L T)   bits/s.

    Simplified relative to the paper, stated exactly: ideal single-photon sources (no
    multi-photon or vacuum components, no decoy states); no dark counts or background at the
    memories' heralds or at the BSM detectors (the signature has no dark-count parameter); no
    memory-reset cut-off time; the memories' writing time and the heralding signals are all
    inside the attempt period T, and the final read-out/BSM time is neglected beside N_L T;
    only the waiting qubit dephases (the partner is read immediately).

    Arguments: ``alpha_db_per_km`` (dB/km); ``eta_det`` BSM detector efficiency; ``e_d``
    misalignment error; ``f_ec`` error-correction inefficiency; ``eta_write`` probability
    that a photon reaching a memory is stored and heralded; ``eta_read`` read-out efficiency;
    ``t2_s`` memory coherence time (s, may be inf); ``attempt_s`` attempt period T (s).

    Returns bits per second, same shape as ``length_km``; 0 where no key is possible.
    """
    length, alpha, eta_det, e_d, f_ec = check_fibre_link(
        length_km, alpha_db_per_km, eta_det, e_d, f_ec
    )
    eta_write = check_range("eta_write", eta_write, 0.0, 1.0)
    eta_read = check_range("eta_read", eta_read, 0.0, 1.0)
    t2_s = float(t2_s)
    attempt_s = float(attempt_s)
    if not t2_s > 0.0:
        raise ValueError(f"t2_s must be > 0, got {t2_s!r}")
    if not (np.isfinite(attempt_s) and attempt_s > 0.0):
        raise ValueError(f"attempt_s must be finite and > 0, got {attempt_s!r}")
    if eta_write == 0.0 or eta_read == 0.0 or eta_det == 0.0:
        return np.zeros(length.shape)

    decay = float(np.exp(-attempt_s / t2_s))
    leak = f_ec * float(entropy_bits(np.array(e_d)))
    bsm = 0.5 * (eta_read * eta_det) ** 2

    def rate(length_part: FloatArray) -> FloatArray:
        p_load = eta_write * np.exp(-LN10_OVER_10 * 0.5 * alpha * length_part)
        attempts = mean_attempts_both_loaded(p_load)
        visibility = mean_dephasing_factor(p_load, decay)
        # 1 − h(e_X) with e_X = 1/2 − δ, δ = V̄(1/2 − e_d), written with log1p so that it
        # stays exact (≈ 2δ²/ln2) when decoherence drives e_X to 1/2:
        # 1 − h(1/2 − δ) = [(1 + 2δ) ln(1 + 2δ) + (1 − 2δ) ln(1 − 2δ)] / (2 ln 2).
        two_d = np.minimum(2.0 * visibility * (0.5 - e_d), 1.0 - 1e-16)
        privacy = (1.0 + two_d) * np.log1p(two_d) + (1.0 - two_d) * np.log1p(-two_d)
        privacy = privacy / (2.0 * np.log(2.0))
        return finite_nonneg(bsm * (privacy - leak) / (attempts * attempt_s))

    return blockwise(rate, length.shape, length.ravel())
