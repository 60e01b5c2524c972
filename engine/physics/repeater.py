"""Quantum repeater chains and the entanglement-based (BBM92) key they carry.

- ``bbm92_key_fraction``: secret fraction of BBM92 (Bennett, Brassard, Mermin, PRL 68, 557
  (1992)) with one-way post-processing, r = 1 − h(Q) − f h(Q) (Shor–Preskill / Lo–Chau).
- ``repeater_chain``: probabilistic nested entanglement swapping without distillation, the
  average-time formula of Sangouard, Simon, de Riedmatten, Gisin, Rev. Mod. Phys. 83, 33
  (2011), Sec. III.B (the (3/2)ⁿ nesting factor is derived there for small success
  probabilities).
- ``repeater_qec_chain``: a coarse model of repeaters with error-correction encoding (Jiang
  et al., PRA 79, 032325 (2009); Jing & Razavi, Phys. Rev. Applied 14, 064037 (2020)).
- ``repeater_key_rate_bps`` and ``repeater_qec_key_rate_bps``: secret key in bits per second.
"""

from __future__ import annotations

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


def repeater_qec_chain(
    length_km: ArrayLike,
    *,
    node_spacing_km: float,
    rate_per_node_hz: float,
    p_hop_success: float,
) -> FloatArray:
    """Coarse model of an encoded (QEC) repeater chain: logical pairs per second.

    Jiang et al. PRA 79, 032325 (2009) connect encoded memories hop by hop; their pair rate
    is set by local operations, independent of the total length to first order. Here:
        N_hops = max(1, ⌈L / node_spacing⌉),  R = rate_per_node · p_hop^N_hops ,
    where ``rate_per_node_hz`` is the encoded-pair generation rate of one node (an input from
    the catalogue) and ``p_hop_success`` the probability that a hop's encoded connection is not
    lost (heralded failures discard the pair). This is not a derivation of Jiang's or
    Jing–Razavi's protocol-level rates, only a rate-per-node scaling with their structure.
    """
    if node_spacing_km <= 0.0 or rate_per_node_hz <= 0.0:
        raise ValueError("node_spacing_km and rate_per_node_hz must be positive")
    _check_prob("p_hop_success", p_hop_success)
    length = _check_lengths(length_km)
    hops = np.maximum(np.ceil(length / node_spacing_km - 1e-9), 1.0)
    return finite_nonneg(rate_per_node_hz * np.power(p_hop_success, hops))


def repeater_qec_key_rate_bps(
    length_km: ArrayLike,
    *,
    node_spacing_km: float,
    rate_per_node_hz: float,
    p_hop_success: float,
    logical_error_per_hop: float,
    f_ec: float,
    sifting: float = 1.0,
) -> FloatArray:
    """Secret bits per second over a ``repeater_qec_chain`` with BBM92 key extraction.

    Residual logical errors are independent bit flips of probability e per hop, so after
    N hops Q = [1 − (1 − 2e)^N]/2 (Jing & Razavi 2020 track the QBER of encoded chains the same
    way, per logical error); K = sifting · R · r(Q) with r from ``bbm92_key_fraction``.
    """
    _check_prob("logical_error_per_hop", logical_error_per_hop, allow_zero=True)
    _check_prob("sifting", sifting)
    length = _check_lengths(length_km)
    pairs = repeater_qec_chain(
        length,
        node_spacing_km=node_spacing_km,
        rate_per_node_hz=rate_per_node_hz,
        p_hop_success=p_hop_success,
    )
    hops = np.maximum(np.ceil(length / node_spacing_km - 1e-9), 1.0)
    qber = 0.5 * (1.0 - np.power(1.0 - 2.0 * min(logical_error_per_hop, 0.5), hops))
    return finite_nonneg(sifting * pairs * bbm92_key_fraction(qber, f_ec))
