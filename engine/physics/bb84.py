"""Asymptotic decoy-state BB84 with weak coherent pulses (GLLP key rate).

Model (all rates in secret bits per pulse sent by Alice):

* Channel and detection, Lo–Ma–Chen PRL 94, 230504 (2005), Eqs. (5)–(8) and Ma–Qi–Zhao–Lo
  PRA 72, 012326 (2005) (MQZL) Eqs. (2)–(10): η = η_det·10^(−αL/10) is the overall
  transmittance (fibre × Bob's detection efficiency), the n-photon yield is
  Yₙ = Y₀ + 1 − (1−η)ⁿ (so Y₁ = Y₀ + η), the signal gain Q_μ = Y₀ + 1 − e^(−ημ), the
  error-weighted gain E_μQ_μ = e₀Y₀ + e_d(1 − e^(−ημ)) with e₀ = ½, the single-photon error
  rate e₁ = (e₀Y₀ + e_dη)/Y₁ and the single-photon gain Q₁ = μe^(−μ)Y₁.
* Key rate, GLLP (Gottesman–Lo–Lütkenhaus–Preskill QIC 4, 325 (2004)) as written in MQZL
  Eq. (1): R = q{−Q_μ f h(E_μ) + Q₁[1 − h(e₁)]}, q the sifting factor.
* Sifting convention (docs/physics.md): ``q`` defaults to ½ (symmetric BB84, as in the
  published GLLP/MQZL curves the tests reproduce). The catalogue plans every protocol with
  efficient, biased basis choice (Lo, Chau, Ardehali, J. Cryptology 18, 133 (2005)), where
  q → 1 asymptotically, as MDI, TF, memory-assisted MDI and the repeaters here assume; its
  point-to-point BB84 uses the finite-key model (``decoy_bb84_finite``), whose key-basis
  probability is optimised.
* ``decoy="infinite"``: Y₁ and e₁ are known exactly (infinitely many decoys, LMC 2005).
* ``decoy="vacuum+weak"``: Y₁ and e₁ replaced by the MQZL bounds from one vacuum and one
  weak decoy of intensity ν < μ, Eq. (34)
  Y₁ ≥ Y₁ᴸ = μ/(μν − ν²) · [Q_νe^ν − Q_μe^μ ν²/μ² − (μ² − ν²)/μ² · Y₀],
  and Eq. (37) e₁ ≤ e₁ᵁ = (E_νQ_νe^ν − e₀Y₀)/(Y₁ᴸν), with Q₁ᴸ = μe^(−μ)Y₁ᴸ.
  Asymptotically the vacuum decoy measures Y₀ exactly.

``mu=None`` optimises μ at every distance (golden section over all distances at once,
``common.maximise_1d``). For large inputs the optimiser runs on a table of transmittances
spanning the input and the optimal μ is interpolated in log η: the key rate is stationary
in μ at its optimum, so the interpolation error in μ enters the rate only at second order.
"""

from __future__ import annotations

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

DecoyMode = Literal["infinite", "vacuum+weak"]

E0_VACUUM_ERROR = 0.5
"""Error rate of background counts, e₀ = ½ (random bits)."""

MU_BOUNDS = (1e-3, 1.5)
"""Search interval for the optimised signal intensity (mean photons per pulse)."""

DEFAULT_NU = 0.05
"""Default weak-decoy intensity for ``vacuum+weak`` (MQZL discuss ν ≈ 0.02–0.1)."""

_TABLE_NODES = 512
"""Above this many distinct transmittances, optimise μ on a log-η table and interpolate."""


_CHUNK = 1 << 14
"""Elements per evaluation chunk (keeps temporaries in cache)."""

_INV_LN2 = 1.0 / np.log(2.0)
_LN10_OVER_10 = np.log(10.0) / 10.0


def _entropy(p: FloatArray) -> FloatArray:
    """Binary entropy h(p) in bits for p in [0, 1) (as ``common.binary_entropy``, faster).

    Callers pass error rates ≤ ½ or mask invalid entries afterwards; p = 0 gives 0.
    """
    p = np.maximum(p, 1e-300)
    return -(p * np.log(p) + (1.0 - p) * np.log(1.0 - p)) * _INV_LN2


def _check_common(
    alpha_db_per_km: float, eta_det: float, y0: float, e_d: float, f_ec: float, q: float
) -> None:
    check_decoy_channel(alpha_db_per_km, eta_det, y0, e_d, f_ec)
    if not 0 < q <= 1:
        raise ValueError(f"q must be in (0, 1], got {q}")


def _gain_and_errors(
    eta: FloatArray, mu: FloatArray | float, y0: float, e_d: float
) -> tuple[FloatArray, FloatArray]:
    """Q_μ = Y₀ + 1 − e^(−ημ) and E_μQ_μ = e₀Y₀ + e_d(1 − e^(−ημ)) (MQZL Eqs. 8–9)."""
    clicks = -np.expm1(-eta * mu)
    return y0 + clicks, E0_VACUUM_ERROR * y0 + e_d * clicks


def _gllp_rate(
    mu: FloatArray | float,
    q_mu: FloatArray,
    eq_mu: FloatArray,
    one_photon: FloatArray,
    f_ec: float,
    q: float,
) -> FloatArray:
    """GLLP rate q{μe^(−μ)·Y₁[1 − h(e₁)] − f Q_μ h(E_μ)} (MQZL Eq. 1) from the signal's gain
    Q_μ, its error-weighted gain E_μQ_μ and the single-photon term ``one_photon``."""
    leak = f_ec * q_mu * _entropy(eq_mu / q_mu)
    return q * (mu * np.exp(-mu) * one_photon - leak)


def _one_photon_vacuum_weak(
    mu: FloatArray | float, q_mu: FloatArray, eta: FloatArray, nu: float, y0: float, e_d: float
) -> FloatArray:
    """Y₁ᴸ[1 − h(e₁ᵁ)] from the MQZL vacuum+weak bounds Y₁ᴸ (Eq. 34) and e₁ᵁ (Eq. 37); 0
    where the bounds prove nothing (Y₁ᴸ ≤ 0 or e₁ᵁ ≥ ½)."""
    q_nu, eq_nu = _gain_and_errors(eta, nu, y0, e_d)
    e_nu = np.exp(nu)
    ratio2 = (nu / mu) ** 2
    y1_low = (
        mu / (mu * nu - nu * nu) * (q_nu * e_nu - q_mu * np.exp(mu) * ratio2 - (1 - ratio2) * y0)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        e1_up = (eq_nu * e_nu - E0_VACUUM_ERROR * y0) / (y1_low * nu)
    valid = (y1_low > 0) & (e1_up < 0.5)
    return np.where(valid, y1_low * (1.0 - _entropy(e1_up)), 0.0)


def decoy_bb84(
    length_km: ArrayLike,
    *,
    alpha_db_per_km: float,
    eta_det: float,
    y0: float,
    e_d: float,
    f_ec: float,
    q: float = 0.5,
    mu: float | None = None,
    decoy: DecoyMode = "infinite",
    nu: float | None = None,
) -> FloatArray:
    """Asymptotic decoy-state BB84 key rate, secret bits per pulse (GLLP + decoy states).

    R = q{−Q_μ f h(E_μ) + Q₁[1 − h(e₁)]}, MQZL PRA 72, 012326 (2005) Eq. (1), with
    η = η_det·10^(−αL/10), Q_μ = Y₀ + 1 − e^(−ημ), E_μQ_μ = Y₀/2 + e_d(1 − e^(−ημ)),
    Y₁ = Y₀ + η, e₁ = (Y₀/2 + e_dη)/Y₁, Q₁ = μe^(−μ)Y₁ (Lo–Ma–Chen PRL 94, 230504 (2005)).
    With ``decoy="vacuum+weak"``, Y₁ and e₁ are the MQZL bounds Eqs. (34) and (37) from a
    vacuum decoy and a weak decoy of intensity ``nu`` (default 0.05).

    Args:
        length_km: fibre length(s) in km, any shape, ≥ 0.
        alpha_db_per_km: fibre loss (dB/km).
        eta_det: Bob's detection efficiency (including his internal loss), in (0, 1].
        y0: background yield Y₀ of Bob's whole detection system per pulse.
        e_d: misalignment error probability of a detected photon.
        f_ec: error-correction inefficiency (≥ 1).
        q: sifting factor (½ for BB84 with unbiased bases; → 1 for efficient BB84,
            Lo–Chau–Ardehali 2005, the convention of the other protocols here).
        mu: signal intensity (mean photons per pulse); ``None`` optimises it per distance.
        decoy: ``"infinite"`` or ``"vacuum+weak"``.
        nu: weak-decoy intensity for ``"vacuum+weak"`` (must be < μ).

    Returns:
        Secret key bits per pulse, same shape as ``length_km``; 0 where no key.
    """
    _check_common(alpha_db_per_km, eta_det, y0, e_d, f_ec, q)
    length = check_nonneg_lengths(length_km)
    if decoy not in ("infinite", "vacuum+weak"):
        raise ValueError(f"decoy must be 'infinite' or 'vacuum+weak', got {decoy!r}")
    if mu is not None and not mu > 0:
        raise ValueError(f"mu must be > 0, got {mu}")
    if decoy == "infinite" and nu is not None:
        raise ValueError("nu is only used with decoy='vacuum+weak'")
    nu_val = DEFAULT_NU if nu is None else float(nu)
    if decoy == "vacuum+weak":
        if not 0 < nu_val < MU_BOUNDS[1]:
            raise ValueError(f"nu must be in (0, {MU_BOUNDS[1]}), got {nu_val}")
        if mu is not None and not mu > nu_val:
            raise ValueError(f"mu must exceed nu ({nu_val}), got {mu}")
    # η_det·10^(−αL/10), written as an exponential (same value as common.transmittance).
    eta = eta_det * np.exp(-alpha_db_per_km * _LN10_OVER_10 * length)
    return _rate_at_eta(eta, y0=y0, e_d=e_d, f_ec=f_ec, q=q, mu=mu, decoy=decoy, nu=nu_val)


def _objective_for(
    eta: FloatArray, *, y0: float, e_d: float, f_ec: float, q: float, decoy: DecoyMode, nu: float
) -> Callable[[FloatArray | float], FloatArray]:
    """Key rate as a function of μ at fixed transmittance(s) ``eta``."""
    exact: FloatArray | None = None  # Y₁[1 − h(e₁)], μ-free when Y₁ and e₁ are known exactly
    if decoy == "infinite":  # Y₁ = Y₀ + η, e₁ = (e₀Y₀ + e_dη)/Y₁
        y1 = y0 + eta
        with np.errstate(divide="ignore", invalid="ignore"):
            e1 = (E0_VACUUM_ERROR * y0 + e_d * eta) / y1
        exact = np.where(y1 > 0, y1 * (1.0 - _entropy(e1)), 0.0)

    def rate(mu: FloatArray | float) -> FloatArray:
        q_mu, eq_mu = _gain_and_errors(eta, mu, y0, e_d)
        if exact is not None:
            return _gllp_rate(mu, q_mu, eq_mu, exact, f_ec, q)
        one_photon = _one_photon_vacuum_weak(mu, q_mu, eta, nu, y0, e_d)
        return _gllp_rate(mu, q_mu, eq_mu, one_photon, f_ec, q)

    return rate


def _rate_at_eta(
    eta: FloatArray,
    *,
    y0: float,
    e_d: float,
    f_ec: float,
    q: float,
    mu: float | None,
    decoy: DecoyMode,
    nu: float,
) -> FloatArray:
    """Key rate at overall transmittance(s) ``eta``; optimises μ when ``mu`` is None."""
    settings = {"y0": y0, "e_d": e_d, "f_ec": f_ec, "q": q, "decoy": decoy, "nu": nu}
    if eta.size == 0:
        return np.zeros(eta.shape)
    flat = eta.reshape(-1)
    if mu is None:
        lower = MU_BOUNDS[0] if decoy == "infinite" else 1.02 * nu
        if flat.size <= _TABLE_NODES:
            mu_flat, _ = maximise_1d(
                _objective_for(flat, **settings), lower, MU_BOUNDS[1], flat.shape
            )
        else:
            log_eta = np.log(np.maximum(flat, 1e-300))
            # Below η = Y₀/10 the background dominates (e₁ > 0.45) and no key exists, so the
            # table only spans transmittances where the optimum matters.
            floor = np.log(y0 / 10.0) if y0 > 0 else -np.inf
            low = min(max(log_eta.min(), floor), log_eta.max())
            nodes = np.linspace(low, log_eta.max(), _TABLE_NODES)
            node_objective = _objective_for(np.exp(nodes), **settings)
            mu_nodes, _ = maximise_1d(node_objective, lower, MU_BOUNDS[1], nodes.shape)
            mu_flat = np.interp(log_eta, nodes, mu_nodes)
    out = np.empty(flat.shape)
    # Evaluate in cache-sized chunks: large temporaries cost more in page faults than in maths.
    for start in range(0, flat.size, _CHUNK):
        part = slice(start, start + _CHUNK)
        mu_part = mu if mu is not None else mu_flat[part]
        out[part] = finite_nonneg(_objective_for(flat[part], **settings)(mu_part))
    return out.reshape(eta.shape)
