"""Continuous-variable QKD: GG02 with Gaussian-modulated coherent states, reverse reconciliation,
collective attacks, asymptotic key, trusted (calibrated) detector noise.

Protocol: Grosshans & Grangier, PRL 88, 057902 (2002). Key rate and Holevo bound with a trusted
noisy, lossy detector: Lodewyck et al., PRA 76, 042305 (2007), Sec. IV (the same expressions are
collected in Fossier et al., J. Phys. B 42, 114014 (2009) and reviewed in Laudenbach et al.,
Adv. Quantum Technol. 1, 1800011 (2018), Secs. 4 and 7.3). All variances are in shot-noise units.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from engine.physics.common import FloatArray, as_float_array, maximise_1d, transmittance

_LOG2E = 1.0 / np.log(2.0)
_LN10 = float(np.log(10.0))
_EPS = np.finfo(np.float64).eps
# K = βI_AB − χ_BE is a difference of O(1)–O(10) entropies; measured rounding error of the
# difference reaches ~1e-13 bits. Values below this floor are reported as 0.
_NOISE_FACTOR = 256.0
_NOISE_FLOOR_BITS = 1e-12

_BLOCK = 16384

TABLE_MIN_POINTS = 512
"""Above this many distances, V_A is optimised at fixed loss anchors and interpolated."""

TABLE_STEP_DB = 0.1
"""Spacing (dB of fibre loss) of the anchors where V_A is optimised exactly."""

TABLE_FINE_STEP_DB = 0.001
TABLE_FINE_BELOW_DB = 2.0
"""Below 2 dB the optimum V_A leaves its upper bound steeply, so anchors are 0.001 dB apart."""

V_A_MIN_SNU = 1e-2
V_A_MAX_SNU = 1e3


def _g_pair(nu1_sq: FloatArray, nu2_sq: FloatArray) -> FloatArray:
    """Entropy G(x₁) + G(x₂) in bits of two thermal modes given ν₁², ν₂² (x = (ν−1)/2, ν ≥ 1).

    G(x) = (x+1)log₂(x+1) − x log₂x, written as log₂(x+1) + x log₂(1+1/x) so it is accurate
    for large and small x (x is floored at 1e-300, where the second term is 0 to double
    precision). Two rewrites cost three ``log`` instead of four ``log1p``, which glibc makes
    ~2x dearer (docs/benchmarks.md): the two ``ln(x+1)`` are taken as one ``ln[(x₁+1)(x₂+1)]``
    (absolute error a few 1e-16), and ln(1+u), u = 1/x, as ln y + [u − (y−1)]/y with
    y = fl(1+u): for u ≤ 1, u − (y−1) is exactly what rounding dropped from 1+u (Sterbenz), so
    the first-order correction restores log1p's accuracy (the idea behind Goldberg, ACM Comput.
    Surv. 23, 5 (1991), Thm. 4). Tested against extended precision in tests/engine/physics/
    test_cv.py. The inputs are not modified.
    """
    if np.ndim(nu1_sq) == 0:
        return _g_pair(np.reshape(nu1_sq, 1), np.reshape(nu2_sq, 1))[0]
    x1 = np.maximum(nu1_sq, 1.0)
    x2 = np.maximum(nu2_sq, 1.0)
    for x in (x1, x2):
        np.sqrt(x, out=x)
        x -= 1.0
        x *= 0.5
        np.maximum(x, 1e-300, out=x)
    out = np.add(x1, 1.0)
    tail = np.add(x2, 1.0)
    out *= tail
    np.log(out, out=out)  # ln[(x₁+1)(x₂+1)]
    y = np.empty_like(x1)
    for x in (x1, x2):
        np.divide(1.0, x, out=tail)  # u = 1/x
        np.add(tail, 1.0, out=y)  # y = fl(1 + u)
        tail += 1.0 - y  # u − (y − 1): what rounding dropped from 1 + u
        tail /= y
        np.log(y, out=y)
        tail += y  # ln(1 + u) = ln y + [u − (y − 1)]/y
        tail *= x  # x·ln(1 + 1/x)
        out += tail
    out *= _LOG2E
    return out


def _larger_root(p: FloatArray, q: FloatArray, *, out: FloatArray, work: FloatArray) -> FloatArray:
    """½[p + √(p² − 4q)], the larger root of x² − px + q (the discriminant floored at 0),
    written into ``out``; ``work`` is overwritten, ``p`` and ``q`` are not."""
    np.multiply(p, p, out=out)
    np.multiply(4.0, q, out=work)
    out -= work
    np.maximum(out, 0.0, out=out)
    np.sqrt(out, out=out)
    out += p
    out *= 0.5
    return out


def _block_transmittance(length_km: FloatArray, alpha_db_per_km: float) -> FloatArray:
    """T = 10^(−αL/10) = exp(−αL·ln10/10) (``exp`` is ~3x cheaper than ``power`` here), capped
    just below 1 so that 1/T − 1 stays positive; a new array."""
    t = np.multiply(length_km, -alpha_db_per_km * _LN10 / 10.0)
    np.exp(t, out=t)
    return np.minimum(t, 1.0 - 1e-15, out=t)


def cv_key_terms(
    t: FloatArray,
    v_a: FloatArray,
    *,
    eta_det: float,
    v_el: float,
    xi: float,
    detection: str,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return (I_AB, S(E), S(E|B)) in bits per symbol for channel transmittance ``t``.

    Lodewyck et al. PRA 76 042305 (2007), Sec. IV, with V = V_A + 1 (SNU):
      χ_line = 1/T − 1 + ξ;  χ_hom = [(1−η) + v_el]/η;  χ_het = [1 + (1−η) + 2v_el]/η;
      χ_tot = χ_line + χ_det/T;
      I_AB = ½log₂[(V+χ_tot)/(1+χ_tot)] (homodyne), log₂[...] (heterodyne);
      λ²₁,₂ = ½[A ± √(A²−4B)], A = V²(1−2T) + 2T + T²(V+χ_line)², B = T²(Vχ_line+1)²;
      homodyne: C = [V√B + T(V+χ_line) + Aχ_hom]/[T(V+χ_tot)],
                D = √B(V+√Bχ_hom)/[T(V+χ_tot)];
      heterodyne: C = [Aχ_het² + B + 1 + 2χ_het(V√B + T(V+χ_line)) + 2T(V²−1)]/[T(V+χ_tot)]²,
                  D = [(V+√Bχ_het)/(T(V+χ_tot))]²;
      λ²₃,₄ = ½[C ± √(C²−4D)], λ₅ = 1;
      S(E) = G(λ₁) + G(λ₂), S(E|B) = G(λ₃) + G(λ₄).
    The smaller root of each quadratic is taken as B/λ₁² (resp. D/λ₃²) to avoid cancellation.

    Every expression is evaluated with in-place ufuncs on shared subexpressions, in the
    order written above; the entropies are summed pairwise by ``_g_pair``.
    """
    if np.ndim(t) == 0 and np.ndim(v_a) == 0:
        one = np.reshape(np.asarray(t, dtype=np.float64), 1)
        terms = cv_key_terms(one, v_a, eta_det=eta_det, v_el=v_el, xi=xi, detection=detection)
        return terms[0][0], terms[1][0], terms[2][0]
    homodyne = detection == "homodyne"
    v = v_a + 1.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if homodyne:
            chi_det = ((1.0 - eta_det) + v_el) / eta_det
        else:
            chi_det = (1.0 + (1.0 - eta_det) + 2.0 * v_el) / eta_det
        chi_line = np.divide(1.0, t)
        chi_line -= 1.0
        chi_line += xi  # 1/T − 1 + ξ
        chi_tot = np.divide(chi_det, t)
        chi_tot += chi_line
        v_tot = np.add(v, chi_tot)  # V + χ_tot
        i_ab = np.add(1.0, chi_tot)
        np.divide(v_tot, i_ab, out=i_ab)
        np.log2(i_ab, out=i_ab)
        if homodyne:
            i_ab *= 0.5
        den = np.multiply(t, v_tot, out=v_tot)  # T(V + χ_tot)
        t2 = np.multiply(t, t, out=chi_tot)  # T²
        v_line = np.add(v, chi_line)  # V + χ_line
        a = np.multiply(2.0, t)
        np.subtract(1.0, a, out=a)
        a *= v * v
        tmp = np.multiply(2.0, t)
        a += tmp
        np.multiply(v_line, v_line, out=tmp)
        tmp *= t2
        a += tmp  # V²(1−2T) + 2T + T²(V+χ_line)²
        b = np.multiply(v, chi_line, out=chi_line)
        b += 1.0
        np.multiply(b, b, out=b)
        b *= t2  # T²(Vχ_line + 1)²
        sqrt_b = np.sqrt(b, out=t2)
        l1sq = _larger_root(a, b, out=np.empty_like(a), work=tmp)
        if homodyne:
            c = np.multiply(v, sqrt_b)
            np.multiply(t, v_line, out=tmp)
            c += tmp
            np.multiply(a, chi_det, out=tmp)
            c += tmp
            c /= den
            d = np.multiply(sqrt_b, chi_det, out=v_line)
            np.add(v, d, out=d)
            d *= sqrt_b
            d /= den
        else:
            c = np.multiply(a, chi_det**2)
            c += b
            c += 1.0
            inner = np.multiply(v, sqrt_b)
            np.multiply(t, v_line, out=tmp)
            inner += tmp
            inner *= 2.0 * chi_det
            c += inner
            np.multiply(2.0, t, out=tmp)
            np.multiply(v, v, out=inner)
            inner -= 1.0
            tmp *= inner
            c += tmp
            np.multiply(den, den, out=tmp)
            c /= tmp
            d = np.multiply(sqrt_b, chi_det, out=v_line)
            np.add(v, d, out=d)
            d /= den
            np.multiply(d, d, out=d)
        l2sq = np.divide(b, l1sq, out=b)
        l3sq = _larger_root(c, d, out=a, work=tmp)
        l4sq = np.divide(d, l3sq, out=d)
        s_e = _g_pair(l1sq, l2sq)
        s_e_b = _g_pair(l3sq, l4sq)
    return i_ab, s_e, s_e_b


def _key(
    t: FloatArray,
    v_a: FloatArray,
    *,
    eta_det: float,
    v_el: float,
    xi: float,
    beta: float,
    detection: str,
) -> FloatArray:
    """K = βI_AB − [S(E) − S(E|B)], set to 0 where not above its floating-point noise."""
    i_ab, s_e, s_e_b = cv_key_terms(t, v_a, eta_det=eta_det, v_el=v_el, xi=xi, detection=detection)
    if np.ndim(i_ab) == 0:
        k = beta * i_ab - (s_e - s_e_b)
        terms = np.abs(beta * i_ab) + np.abs(s_e) + np.abs(s_e_b)
        noise = _NOISE_FLOOR_BITS + _NOISE_FACTOR * _EPS * terms
        ok = np.isfinite(k) & (k > noise) & (t > 0.0)
        return np.where(ok, k, 0.0)
    with np.errstate(invalid="ignore"):
        i_ab *= beta
        k = np.subtract(s_e, s_e_b)
        np.subtract(i_ab, k, out=k)  # βI_AB − (S(E) − S(E|B))
        i_ab += s_e
        i_ab += s_e_b  # |βI_AB| + |S(E)| + |S(E|B)|: all three are ≥ 0 (or NaN, then K = 0)
        i_ab *= _NOISE_FACTOR * _EPS
        i_ab += _NOISE_FLOOR_BITS  # rounding-noise floor of K
        ok = np.greater(k, i_ab)
        ok &= np.isfinite(k)
        ok &= np.greater(t, 0.0)
        np.logical_not(ok, out=ok)
        np.copyto(k, 0.0, where=ok)
    return k


def cv_qkd(
    length_km: ArrayLike,
    *,
    alpha_db_per_km: float,
    eta_det: float,
    v_el: float,
    xi: float,
    beta: float,
    v_a: float | None = None,
    detection: Literal["homodyne", "heterodyne"] = "homodyne",
) -> FloatArray:
    """Asymptotic GG02 secret key, reverse reconciliation, collective attacks (bits per symbol).

    K = β I_AB − χ_BE with χ_BE = S(E) − S(E|B) (Lodewyck et al. PRA 76 042305 (2007), Sec. IV;
    Laudenbach et al. Adv. Quantum Technol. 2018, Sec. 7.3; see ``cv_key_terms`` for every
    term). T = 10^(−αL/10) is the fibre transmittance; the detector efficiency ``eta_det`` and
    electronic noise ``v_el`` (SNU) are trusted and do not help Eve; ``xi`` is the excess noise
    referred to the channel input (SNU); ``beta`` the reconciliation efficiency.

    ``v_a`` is Alice's modulation variance in SNU; ``None`` maximises the key over V_A in
    [1e-2, 1e3] SNU independently at every distance (vectorised golden section).

    Rounding: K is a difference of O(1) entropies whose rounding error reaches ~1e-13 bits, so
    K below 1e-12 bits per symbol (1e-3 b/s even at 1 GBd) is reported as 0, not as noise.
    Sifting convention (docs/physics.md): none needed: with homodyne detection Alice keeps
    the quadrature Bob measured, so K is per symbol sent, asymptotic (no finite-key cost), as
    the other protocols' efficient-basis rates here.
    Returns an array of the shape of ``length_km``: 0 where no key, never negative or NaN.
    """
    if detection not in ("homodyne", "heterodyne"):
        raise ValueError(f"detection must be 'homodyne' or 'heterodyne', got {detection!r}")
    if not 0.0 < eta_det <= 1.0:
        raise ValueError(f"eta_det must be in (0, 1], got {eta_det}")
    if v_el < 0.0 or xi < 0.0:
        raise ValueError(f"v_el and xi must be non-negative, got v_el={v_el}, xi={xi}")
    if not 0.0 < beta <= 1.0:
        raise ValueError(f"beta must be in (0, 1], got {beta}")
    if alpha_db_per_km < 0.0:
        raise ValueError(f"alpha_db_per_km must be non-negative, got {alpha_db_per_km}")
    length = as_float_array(length_km)
    if np.any(length < 0.0) or not np.all(np.isfinite(length)):
        raise ValueError("length_km must be finite and non-negative")
    kwargs = dict(eta_det=eta_det, v_el=v_el, xi=xi, beta=beta, detection=detection)
    if v_a is not None:
        if v_a <= 0.0:
            raise ValueError(f"v_a must be positive (SNU), got {v_a}")
        flat = length.reshape(-1)
        out = np.empty(flat.shape)
        va = np.float64(v_a)
        for start in range(0, flat.size, _BLOCK):  # cache-sized blocks (docs/benchmarks.md)
            stop = start + _BLOCK
            t_part = _block_transmittance(flat[start:stop], alpha_db_per_km)
            out[start:stop] = _key(t_part, va, **kwargs)  # type: ignore[arg-type]
        return out.reshape(length.shape)
    t = np.minimum(transmittance(length, alpha_db_per_km), 1.0 - 1e-15)
    if length.size > TABLE_MIN_POINTS:
        return _optimised_on_table(length, alpha_db_per_km, kwargs)
    if length.ndim == 0:
        t = t.reshape(1)
    _, best = maximise_1d(
        lambda va: _key(t, va, **kwargs),  # type: ignore[arg-type]
        V_A_MIN_SNU,
        V_A_MAX_SNU,
        t.shape,
        grid_points=16,
        refine_iterations=24,
    )
    out = np.where(np.isfinite(best) & (best > 0.0), best, 0.0)
    return out.reshape(length.shape)


def _optimised_on_table(length: FloatArray, alpha_db_per_km: float, kwargs: dict) -> FloatArray:
    """K with V_A optimised, for many distances: exact optimisation at fixed loss anchors.

    ln V_A* is found (as in the per-point path) at anchors every ``TABLE_STEP_DB`` dB of fibre
    loss (``TABLE_FINE_STEP_DB`` below ``TABLE_FINE_BELOW_DB``) covering the input,
    interpolated linearly in loss in between, and K evaluated there.
    K is stationary in V_A at its optimum, so the interpolation error enters K only at second
    order (tested below 1e-6 relative against per-point optimisation where K > 1e-7 bits;
    below that K's own rounding noise, ~1e-13 bits, dominates both). The anchors are fixed
    multiples of the step, so a distance's result does not depend on the other distances
    beyond which anchors bracket it. Anchors past the key cut-off (no V_A gives a key) take
    the V_A of the last anchor with a key, so distances just below the cut-off are not
    interpolated towards a meaningless optimum.
    """
    flat = length.reshape(-1)
    loss = np.multiply(alpha_db_per_km, flat)
    lo, hi = float(np.min(loss)), float(np.max(loss))
    fine = np.arange(0.0, TABLE_FINE_BELOW_DB, TABLE_FINE_STEP_DB)
    coarse = (
        TABLE_FINE_BELOW_DB
        + np.arange(max(np.ceil((hi - TABLE_FINE_BELOW_DB) / TABLE_STEP_DB), 0.0) + 1.0)
        * TABLE_STEP_DB
    )
    anchors = np.concatenate([fine, coarse])
    # keep only the anchors bracketing the input (at least two)
    first = max(int(np.searchsorted(anchors, lo, side="right")) - 1, 0)
    last = min(max(int(np.searchsorted(anchors, hi, side="left")), first + 1), anchors.size - 1)
    anchors = anchors[first : last + 1]
    t_anchor = np.minimum(np.power(10.0, -anchors / 10.0), 1.0 - 1e-15)
    ln_va, best = maximise_1d(
        lambda va: _key(t_anchor, va, **kwargs),
        V_A_MIN_SNU,
        V_A_MAX_SNU,
        t_anchor.shape,
        grid_points=16,
        refine_iterations=24,
    )
    np.log(ln_va, out=ln_va)
    has_key = np.isfinite(best) & (best > 0.0)
    if has_key.any() and not has_key.all():
        # forward-fill from the last anchor with a key (and back-fill before the first)
        index = np.where(has_key, np.arange(has_key.size), 0)
        np.maximum.accumulate(index, out=index)
        first = int(np.argmax(has_key))
        index[:first] = first
        ln_va = ln_va[index]
    out = np.empty(flat.shape)
    for start in range(0, flat.size, _BLOCK):
        stop = start + _BLOCK
        loss_part = loss[start:stop]
        va = np.interp(loss_part, anchors, ln_va)
        np.exp(va, out=va)
        out[start:stop] = _key(
            _block_transmittance(flat[start:stop], alpha_db_per_km), va, **kwargs
        )
    return out.reshape(length.shape)
