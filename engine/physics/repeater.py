"""Quantum repeater chains and the entanglement-based (BBM92) key they carry.

- ``bbm92_key_fraction``: secret fraction of BBM92 (Bennett, Brassard, Mermin, PRL 68, 557
  (1992)) with one-way post-processing, r = 1 − h(Q) − f h(Q) (Shor–Preskill / Lo–Chau).
- ``repeater_chain``: probabilistic nested entanglement swapping without distillation, the
  average-time formula of Sangouard, Simon, de Riedmatten, Gisin, Rev. Mod. Phys. 83, 33
  (2011), Sec. III.B (the (3/2)ⁿ nesting factor is derived there for small success
  probabilities).
- ``repeater_qec_chain``: second-generation repeaters with error-correction encoding
  (Jiang, Taylor, Nemoto, Munro, Van Meter, Lukin, PRA 79, 032325 (2009)), in the form of the
  "2G" architecture of Muralidharan, Li, Lütkenhaus, Lukin, Jiang, Sci. Rep. 6, 20463 (2016):
  heralded entanglement generation over each elementary link, CSS encoding, deterministic
  encoded entanglement swapping; its rate is set by the elementary-link length and its error
  and success by the number of links.
- ``repeater_key_rate_bps`` and ``repeater_qec_key_rate_bps``: secret key in bits per second.

Convention (docs/physics.md): entanglement-based BB84 (BBM92) with efficient, biased basis
choice (Lo, Chau, Ardehali, J. Cryptology 18, 133 (2005)): ``sifting`` 1, asymptotic key.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from engine.physics.common import (
    SPEED_OF_LIGHT_FIBRE_KM_PER_S,
    FloatArray,
    as_float_array,
    binary_entropy,
    finite_nonneg,
)


def _check_lengths(length_km: ArrayLike) -> FloatArray:
    length = as_float_array(length_km)
    if np.any(length < 0.0) or not np.all(np.isfinite(length)):
        raise ValueError("length_km must be finite and non-negative")
    return length


def _check_prob(name: str, value: float, *, allow_zero: bool = False) -> None:
    low_ok = value >= 0.0 if allow_zero else value > 0.0
    if not (low_ok and value <= 1.0):
        raise ValueError(f"{name} must be in {'[0' if allow_zero else '(0'}, 1], got {value}")


def bbm92_key_fraction(qber: ArrayLike, f_ec: float) -> FloatArray:
    """BBM92 secret fraction r = 1 − h(Q) − f·h(Q) (bits per sifted bit), 0 where negative.

    Asymptotic one-way key rate for entanglement-based BB84 with equal bit and phase error
    rates Q (Shor & Preskill, PRL 85, 441 (2000), Eq. for the BB84 rate; Ma, Fung, Lo, PRA 76,
    012307 (2007) for BBM92). A Werner state of visibility V gives Q = (1 − V)/2. With f = 1
    the fraction vanishes at h(Q) = ½, Q ≈ 11.0 %.
    """
    if f_ec < 1.0:
        raise ValueError(f"f_ec must be ≥ 1, got {f_ec}")
    q = as_float_array(qber)
    if np.any(q < 0.0) or np.any(q > 1.0):
        raise ValueError("qber must lie in [0, 1]")
    h = binary_entropy(np.minimum(q, 0.5))
    return finite_nonneg(np.where(q < 0.5, 1.0 - (1.0 + f_ec) * h, 0.0))


def repeater_chain(
    length_km: ArrayLike,
    *,
    nesting_level: int,
    alpha_db_per_km: float = 0.2,
    p_emission: float,
    eta_det: float,
    eta_memory: float,
    p_swap_bsm: float = 0.5,
    n_modes: int = 1,
    min_attempt_period_s: float = 1e-6,
) -> FloatArray:
    """Entangled pairs per second delivered by a nested swapping chain without distillation.

    Sangouard et al. RMP 83, 33 (2011), Sec. III.B: with 2ⁿ elementary links of length
    L₀ = L/2ⁿ, an elementary attempt lasting L₀/c and success probabilities P₀ (elementary link)
    and Pᵢ (swap at level i), the average time to an end-to-end pair is
        T_tot = (3/2)ⁿ (L₀/c) / (P₀ P₁ … Pₙ) ,   c = 2×10⁵ km/s,
    where (3/2)ⁿ is their small-probability estimate of waiting for two neighbouring links.

    Choices made here (state them in presets):
    - elementary link by single-photon detection at the middle station (DLCZ-type, their
      Sec. III): P₀ = 2 p η_det η_t with η_t = 10^(−α(L₀/2)/10); ``n_modes`` temporal/spectral
      modes multiplex it to 1 − (1 − P₀)^m (their Sec. V on multimode memories);
    - every swap (and the final read-out of the two end memories) needs both memories read
      (``eta_memory`` each) and detected (``eta_det``), with intrinsic Bell-measurement success
      ``p_swap_bsm`` (½ for linear optics): Pᵢ = p_bsm (η_mem η_det)², i = 1..n, and a final
      factor (η_mem η_det)² so the result counts pairs detected at the end nodes;
    - the attempt period is max(L₀/c, ``min_attempt_period_s``) (local clock / memory reset
      time, > 0) so short chains stay finite.
    Memory decoherence is not modelled (memories are assumed to outlive T_tot).
    """
    if int(nesting_level) != nesting_level or nesting_level < 0:
        raise ValueError(f"nesting_level must be a non-negative integer, got {nesting_level}")
    if int(n_modes) != n_modes or n_modes < 1:
        raise ValueError(f"n_modes must be a positive integer, got {n_modes}")
    for name, value in (
        ("p_emission", p_emission),
        ("eta_det", eta_det),
        ("eta_memory", eta_memory),
        ("p_swap_bsm", p_swap_bsm),
    ):
        _check_prob(name, value)
    if p_emission > 0.5:
        raise ValueError(f"p_emission must be ≤ 0.5 (P₀ = 2pη ≤ 1), got {p_emission}")
    if alpha_db_per_km < 0.0:
        raise ValueError(f"alpha_db_per_km must be non-negative, got {alpha_db_per_km}")
    if min_attempt_period_s <= 0.0:
        raise ValueError(f"min_attempt_period_s must be positive, got {min_attempt_period_s}")
    length = _check_lengths(length_km)
    n = int(nesting_level)
    l0 = length / 2.0**n
    eta_t = np.power(10.0, -alpha_db_per_km * (l0 / 2.0) / 10.0)
    p0_single = 2.0 * p_emission * eta_det * eta_t
    p0 = -np.expm1(n_modes * np.log1p(-np.minimum(p0_single, 1.0 - 1e-16)))
    readout = (eta_memory * eta_det) ** 2
    p_swaps = (p_swap_bsm * readout) ** n
    period_s = np.maximum(l0 / SPEED_OF_LIGHT_FIBRE_KM_PER_S, min_attempt_period_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = p0 * p_swaps * readout / (1.5**n * period_s)
    return finite_nonneg(rate)


def chain_visibility(nesting_level: int, visibility_link: float, visibility_swap: float) -> float:
    """End-to-end Werner visibility V = V₀^(2ⁿ) · V_swap^(2ⁿ − 1).

    Swapping two Werner states of visibilities V₁, V₂ with a perfect Bell measurement gives a
    Werner state of visibility V₁V₂; an imperfect swap is modelled as a further depolarisation
    V_swap. A chain of 2ⁿ links has 2ⁿ − 1 swaps.
    """
    _check_prob("visibility_link", visibility_link, allow_zero=True)
    _check_prob("visibility_swap", visibility_swap, allow_zero=True)
    links = 2**nesting_level
    return float(visibility_link**links * visibility_swap ** (links - 1))


def repeater_key_rate_bps(
    length_km: ArrayLike,
    *,
    nesting_level: int,
    visibility_link: float,
    visibility_swap: float,
    f_ec: float,
    sifting: float = 1.0,
    **chain_params: float,
) -> FloatArray:
    """Secret bits per second from a ``repeater_chain`` used for BBM92.

    K = sifting · R_pairs(L) · r(Q),  Q = (1 − V)/2,  V = ``chain_visibility``; r from
    ``bbm92_key_fraction``. ``sifting`` is the basis-matching fraction (½ for symmetric BBM92,
    → 1 with the efficient biased-basis variant of Lo–Chau–Ardehali, J. Cryptol. 18, 133 (2005)).
    """
    _check_prob("sifting", sifting)
    pairs = repeater_chain(length_km, nesting_level=nesting_level, **chain_params)  # type: ignore[arg-type]
    v = chain_visibility(nesting_level, visibility_link, visibility_swap)
    return finite_nonneg(sifting * pairs * bbm92_key_fraction((1.0 - v) / 2.0, f_ec))


def css_logical_error(eps_physical: float, code_n: int, code_t: int) -> float:
    """Probability that an encoded connection of an [[n,1,2t+1]] CSS code flips the logical
    qubit in one basis: more than t of its n physical qubits in error (independent errors of
    probability ε), i.e. 1 − Σ_{k≤t} C(n,k) ε^k (1−ε)^(n−k).

    Muralidharan et al., Sci. Rep. 6, 20463 (2016), 2G analysis (Steane [[7,1,3]]: n = 7,
    t = 1): a connection corrects up to t errors per block and fails with the rest.
    """
    if int(code_n) != code_n or int(code_t) != code_t or code_n < 1 or not 0 <= code_t < code_n:
        raise ValueError(f"need integers 0 <= code_t < code_n, got n={code_n}, t={code_t}")
    _check_prob("eps_physical", eps_physical, allow_zero=True)
    correct = sum(
        math.comb(code_n, k) * eps_physical**k * (1.0 - eps_physical) ** (code_n - k)
        for k in range(code_t + 1)
    )
    return float(min(max(1.0 - correct, 0.0), 1.0))


def effective_physical_error(eps_gate: float, eps_meas: float) -> float:
    """Error per physical qubit of an encoded connection, ε = 2ε_M + ε_G + (2/3)(1 − F₀),
    with F₀ = 1 − (5/4)ε_G the fidelity of a purified elementary pair (gate-limited).

    The effective-error expression of the 2G analysis of Muralidharan et al. (2016) as used
    in a public reproduction of that paper; not re-read in the paper's text here.
    """
    _check_prob("eps_gate", eps_gate, allow_zero=True)
    _check_prob("eps_meas", eps_meas, allow_zero=True)
    f0 = 1.0 - 1.25 * eps_gate
    return float(min(2.0 * eps_meas + eps_gate + (2.0 / 3.0) * (1.0 - f0), 0.5))


def _link_count(length: FloatArray, node_spacing_km: float, n_links: int | None) -> FloatArray:
    """Elementary links: ``n_links`` when the caller knows them, else ⌈L / spacing⌉ (≥ 1)."""
    if n_links is not None:
        if int(n_links) != n_links or n_links < 1:
            raise ValueError(f"n_links must be a positive integer, got {n_links}")
        return np.full(length.shape, float(n_links))
    return np.maximum(np.ceil(length / node_spacing_km - 1e-9), 1.0)


def repeater_qec_chain(
    length_km: ArrayLike,
    *,
    node_spacing_km: float,
    alpha_db_per_km: float = 0.2,
    eta_coupling: float,
    t_local_s: float,
    qubits_per_side: int,
    code_n: int = 7,
    max_rounds: int = 100,
    n_links: int | None = None,
) -> FloatArray:
    """Encoded Bell pairs per second over a second-generation (HEG + QEC) repeater chain.

    Structure of Jiang et al., PRA 79, 032325 (2009), as compared in Muralidharan et al.,
    Sci. Rep. 6, 20463 (2016) ("2G"): each elementary link of length L₀ (``node_spacing_km``,
    the longest link of the chain) needs n = ``code_n`` physical Bell pairs, made by heralded
    entanglement generation (two photons meet at the link's middle) with success per attempt
        p = ½ η_c² 10^(−αL₀/10)
    (each photon crosses L₀/2 with coupling/detection efficiency η_c = ``eta_coupling``); an
    attempt lasts τ = t₀ + L₀/c (local operations ``t_local_s``, then the photons out and
    the herald back, c = 2×10⁵ km/s). Each node side has m = ``qubits_per_side`` memory
    qubits, m/n per physical pair, attempting in parallel; a link is ready after k rounds
    with P_k = [1 − (1 − p)^(k m/n)]^n. The encoded swaps are deterministic, so one cycle of
    k rounds delivers an end-to-end encoded pair when all N links are ready:
        R = max_k P_k^N / (k τ),   k = 1 … ``max_rounds``,
    N = ``n_links`` if given, else ⌈L/L₀⌉. The rate depends on L₀ (p and τ) and, through
    P_k^N, on the number of nodes; with P_k → 1 it no longer depends on L.

    Simplified: the physical pairs' purification is folded into the gate-limited fidelity of
    ``effective_physical_error``; memory decoherence within a cycle is neglected (τ ≪ T₂).
    """
    if node_spacing_km <= 0.0 or t_local_s < 0.0:
        raise ValueError("node_spacing_km must be positive and t_local_s non-negative")
    _check_prob("eta_coupling", eta_coupling)
    if int(qubits_per_side) != qubits_per_side or qubits_per_side < code_n or code_n < 1:
        raise ValueError(f"need integers qubits_per_side >= code_n >= 1, got {qubits_per_side}")
    if int(max_rounds) != max_rounds or max_rounds < 1:
        raise ValueError(f"max_rounds must be a positive integer, got {max_rounds}")
    if alpha_db_per_km < 0.0:
        raise ValueError(f"alpha_db_per_km must be non-negative, got {alpha_db_per_km}")
    length = _check_lengths(length_km)
    links = _link_count(length, node_spacing_km, n_links)
    p = 0.5 * eta_coupling**2 * 10.0 ** (-alpha_db_per_km * node_spacing_km / 10.0)
    tau = t_local_s + node_spacing_km / SPEED_OF_LIGHT_FIBRE_KM_PER_S
    rounds = np.arange(1, int(max_rounds) + 1, dtype=np.float64)
    per_pair = -np.expm1(rounds * (qubits_per_side / code_n) * np.log1p(-p))
    log_ready = code_n * np.log(per_pair)  # log P_k, one per k
    # log R_k = N log P_k − log(k τ); maximised over k for every length at once
    log_rate = links[..., None] * log_ready - np.log(rounds * tau)
    return finite_nonneg(np.exp(np.max(log_rate, axis=-1)))


def repeater_qec_key_rate_bps(
    length_km: ArrayLike,
    *,
    node_spacing_km: float,
    eta_coupling: float,
    t_local_s: float,
    qubits_per_side: int,
    eps_gate: float,
    eps_meas: float,
    f_ec: float,
    alpha_db_per_km: float = 0.2,
    code_n: int = 7,
    code_t: int = 1,
    max_rounds: int = 100,
    n_links: int | None = None,
    sifting: float = 1.0,
) -> FloatArray:
    """Secret bits per second over a ``repeater_qec_chain`` with BBM92 key extraction.

    Each of the N − 1 encoded swaps and the final read-out, N connections in all, flips the
    logical qubit in each basis with e_L = ``css_logical_error``(ε, n, t), ε from
    ``effective_physical_error``(ε_G, ε_M); independent flips compose to
        Q = [1 − (1 − 2e_L)^N] / 2     (the same in X and Z, Muralidharan et al. 2016),
    and K = sifting · R · r(Q), r from ``bbm92_key_fraction``.
    """
    _check_prob("sifting", sifting)
    length = _check_lengths(length_km)
    pairs = repeater_qec_chain(
        length,
        node_spacing_km=node_spacing_km,
        alpha_db_per_km=alpha_db_per_km,
        eta_coupling=eta_coupling,
        t_local_s=t_local_s,
        qubits_per_side=qubits_per_side,
        code_n=code_n,
        max_rounds=max_rounds,
        n_links=n_links,
    )
    e_l = css_logical_error(effective_physical_error(eps_gate, eps_meas), code_n, code_t)
    links = _link_count(length, node_spacing_km, n_links)
    qber = 0.5 * (1.0 - np.power(1.0 - 2.0 * min(e_l, 0.5), links))
    return finite_nonneg(sifting * pairs * bbm92_key_fraction(qber, f_ec))
