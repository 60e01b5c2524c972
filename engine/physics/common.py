"""Shared numerics for the rate models: channel transmittance, entropy, capacity bounds and a
vectorised maximiser over one free parameter (e.g. the signal intensity at every distance).

Everything here is pure numpy/scipy; nothing imports the rest of the project.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

SPEED_OF_LIGHT_FIBRE_KM_PER_S = 2.0e5
"""Group velocity of light in silica fibre, c/n with n ≈ 1.5 (km/s)."""


def as_float_array(x: ArrayLike) -> FloatArray:
    """Return ``x`` as a float64 array (0-d for scalars), without copying when possible."""
    return np.asarray(x, dtype=np.float64)


def check_nonneg_lengths(length_km: ArrayLike) -> FloatArray:
    """The distances as a float array; ValueError if any is negative or NaN (+inf is a
    length without key, not an error)."""
    length = as_float_array(length_km)
    if np.any(np.isnan(length)) or np.any(length < 0):
        raise ValueError("length_km must be >= 0 and not NaN")
    return length


def check_decoy_channel(
    alpha_db_per_km: float, eta_det: float, y0: float, e_d: float, f_ec: float
) -> None:
    """ValueError naming the first argument of a decoy-state BB84 channel out of its range:
    α ≥ 0 finite, η_det in (0, 1], background yield Y₀ in [0, 1), e_d in [0, ½], f ≥ 1."""
    if not np.isfinite(alpha_db_per_km) or alpha_db_per_km < 0:
        raise ValueError(f"alpha_db_per_km must be finite and >= 0, got {alpha_db_per_km}")
    if not 0 < eta_det <= 1:
        raise ValueError(f"eta_det must be in (0, 1], got {eta_det}")
    if not 0 <= y0 < 1:
        raise ValueError(f"y0 must be in [0, 1), got {y0}")
    if not 0 <= e_d <= 0.5:
        raise ValueError(f"e_d must be in [0, 0.5], got {e_d}")
    if not f_ec >= 1:
        raise ValueError(f"f_ec must be >= 1 (Shannon limit is 1), got {f_ec}")


def finite_nonneg(x: ArrayLike) -> FloatArray:
    """Clamp a computed key rate to the contract: 0 where negative, NaN or infinite."""
    arr = as_float_array(x)
    return np.where(np.isfinite(arr) & (arr > 0.0), arr, 0.0)


def transmittance(length_km: ArrayLike, alpha_db_per_km: float = 0.2) -> FloatArray:
    """Fibre transmittance η = 10^(−αL/10) (dimensionless), L in km, α in dB/km."""
    length = as_float_array(length_km)
    return np.power(10.0, -alpha_db_per_km * length / 10.0)


def binary_entropy(x: ArrayLike) -> FloatArray:
    """Binary entropy h(x) = −x log₂x − (1−x) log₂(1−x) in bits; h(0) = h(1) = 0.

    Arguments outside [0, 1] are clipped; h is symmetric so callers pass error rates ≤ 1/2.
    """
    p = np.clip(as_float_array(x), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -p * np.log2(p) - (1.0 - p) * np.log2(1.0 - p)
    return np.nan_to_num(out, nan=0.0)


def plob(eta: ArrayLike) -> FloatArray:
    """PLOB repeaterless bound, −log₂(1−η) secret bits per channel use.

    Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017), Eq. (4).
    Computed with ``log1p`` so it stays accurate at 200 dB (η = 1e-20), where ≈ 1.44 η.
    """
    e = np.clip(as_float_array(eta), 0.0, 1.0)
    with np.errstate(divide="ignore"):
        out = -np.log1p(-e) / np.log(2.0)
    return np.where(np.isfinite(out), out, np.inf)


def tgw(eta: ArrayLike) -> FloatArray:
    """TGW bound, log₂((1+η)/(1−η)) secret bits per channel use.

    Takeoka, Guha, Wilde, Nat. Commun. 5, 5235 (2014), Eq. (2); ≈ 2.89 η at low η.
    """
    e = np.clip(as_float_array(eta), 0.0, 1.0)
    with np.errstate(divide="ignore"):
        out = (np.log1p(e) - np.log1p(-e)) / np.log(2.0)
    return np.where(np.isfinite(out), out, np.inf)


def maximise_1d(
    objective: Callable[[FloatArray], FloatArray],
    lower: float,
    upper: float,
    shape: tuple[int, ...],
    *,
    log_scale: bool = True,
    grid_points: int = 24,
    refine_iterations: int = 30,
) -> tuple[FloatArray, FloatArray]:
    """Maximise ``objective(x)`` over x in [lower, upper] independently for every element.

    ``objective`` takes an array of candidate x values broadcastable to ``shape`` (the
    distances' shape) and returns the objective with that shape. A coarse grid (in log space
    when ``log_scale``) brackets the best point for every element at once, then golden-
    section search refines all brackets together, so there is no Python loop over distances.

    Returns ``(best_x, best_value)``, both of ``shape``. Suitable for unimodal objectives such
    as key rate versus intensity; the grid protects against a poor bracket.
    """
    lo_t = np.log(lower) if log_scale else lower
    hi_t = np.log(upper) if log_scale else upper
    to_x = np.exp if log_scale else (lambda v: v)
    grid = np.linspace(lo_t, hi_t, grid_points)
    values = np.stack([np.broadcast_to(objective(to_x(np.full(shape, g))), shape) for g in grid])
    values = np.where(np.isfinite(values), values, -np.inf)
    best = np.argmax(values, axis=0)
    step = grid[1] - grid[0]
    a = grid[0] + (np.maximum(best - 1, 0)) * step
    b = grid[0] + (np.minimum(best + 1, grid_points - 1)) * step
    a = np.broadcast_to(a, shape).astype(np.float64)
    b = np.broadcast_to(b, shape).astype(np.float64)
    inv_phi = (np.sqrt(5.0) - 1.0) / 2.0
    c = b - inv_phi * (b - a)
    d = a + inv_phi * (b - a)
    fc = np.where(np.isfinite(fc := objective(to_x(c))), fc, -np.inf)
    fd = np.where(np.isfinite(fd := objective(to_x(d))), fd, -np.inf)
    for _ in range(refine_iterations):
        left = fc >= fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new_c = b - inv_phi * (b - a)
        new_d = a + inv_phi * (b - a)
        c_next = np.where(left, new_c, d)
        d_next = np.where(left, c, new_d)
        f_new = objective(to_x(np.where(left, new_c, new_d)))
        f_new = np.where(np.isfinite(f_new), f_new, -np.inf)
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = c_next, d_next
    x_best = np.where(fc >= fd, c, d)
    v_best = np.maximum(fc, fd)
    grid_best = np.max(values, axis=0)
    use_grid = grid_best > v_best
    x_best = np.where(use_grid, grid[0] + best * step, x_best)
    v_best = np.where(use_grid, grid_best, v_best)
    return to_x(x_best), v_best
