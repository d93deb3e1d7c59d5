"""Compiled loops for the ideal-point EM: one pass over all votes per step.

Each kernel splits the observations into contiguous chunks, accumulates per-chunk
sums in private arrays (no races) in parallel and adds the chunks up in a fixed order,
so results do not depend on thread scheduling beyond floating-point summation order
within a chunk, which is fixed too.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_SQRT2 = math.sqrt(2.0)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erfcx_table(width: float = 0.5, top: float = 26.0, degree: int = 12) -> np.ndarray:
    """Chebyshev coefficients of erfcx on [k * width, (k + 1) * width], k = 0 .. top / width.

    Fitted at import to scipy's erfcx at Chebyshev nodes; relative error about 2e-15.
    """
    from numpy.polynomial import chebyshev
    from scipy import special

    k = np.arange(degree + 11)
    nodes = np.cos(np.pi * (k + 0.5) / len(k))
    starts = np.arange(0.0, top, width)
    return np.array(
        [
            chebyshev.chebfit(nodes, special.erfcx(a + (nodes + 1) * width / 2), degree)
            for a in starts
        ]
    )


_ERFCX = _erfcx_table()
_ERFCX_TOP = 26.0


@njit(cache=True, inline="always")
def erfcx_pos(x: float) -> float:
    """exp(x^2) * erfc(x) for x >= 0: piecewise Chebyshev series, asymptotic series above 26."""
    if x >= _ERFCX_TOP:
        x2 = 1.0 / (x * x)
        series = 1.0 - 3.5 * x2 * (1.0 - 4.5 * x2)
        return _INV_SQRT_PI / x * (1.0 - 0.5 * x2 * (1.0 - 1.5 * x2 * (1.0 - 2.5 * x2 * series)))
    i = int(x * 2.0)
    t = 4.0 * (x - 0.5 * i) - 1.0  # position within the interval, in [-1, 1]
    c = _ERFCX[i]
    b1 = 0.0
    b2 = 0.0
    for k in range(c.shape[0] - 1, 0, -1):  # Clenshaw recurrence
        b1, b2 = 2.0 * t * b1 - b2 + c[k], b1
    return t * b1 - b2 + c[0]


@njit(cache=True, inline="always")
def erfcx(x: float) -> float:
    """Scaled complementary error function exp(x^2) * erfc(x)."""
    if x >= 0.0:
        return erfcx_pos(x)
    return 2.0 * math.exp(x * x) - erfcx_pos(-x)


@njit(cache=True, inline="always")
def mills(u: float) -> float:
    """Inverse Mills ratio phi(u) / (1 - Phi(u))."""
    return _SQRT_2_PI / erfcx(u / _SQRT2)


@njit(cache=True, inline="always")
def log_q(u: float) -> float:
    """log(1 - Phi(u))."""
    if u > 0.0:
        return math.log(0.5 * erfcx(u / _SQRT2)) - 0.5 * u * u
    return math.log1p(-0.5 * math.erfc(-u / _SQRT2))


@njit(cache=True, inline="always")
def _upper_tail(alpha: float) -> tuple[float, float, float]:
    """Mean, variance and log probability of a standard normal truncated to (alpha, inf)."""
    if alpha >= 0.0:
        x = alpha / _SQRT2
        ex = erfcx_pos(x)
        m = _SQRT_2_PI / ex
        return m, 1.0 + alpha * m - m * m, math.log(0.5 * ex) - x * x
    x = -alpha / _SQRT2
    e = math.exp(-x * x)
    tail = 0.5 * e * erfcx_pos(x)  # Phi(alpha)
    m = e * _INV_SQRT_2PI / (1.0 - tail)
    return m, 1.0 + alpha * m - m * m, math.log1p(-tail)


@njit(cache=True, inline="always")
def trunc_moments(alpha: float, beta: float) -> tuple[float, float, float]:
    """Mean, variance and log probability of a standard normal truncated to (alpha, beta)."""
    if beta == np.inf:
        m, v, lp = _upper_tail(alpha)
    elif alpha == -np.inf:
        m, v, lp = _upper_tail(-beta)
        m = -m
    else:
        flip = alpha + beta < 0.0
        lo = -beta if flip else alpha
        hi = -alpha if flip else beta
        if lo >= 0.0:
            r = math.exp(-0.5 * (hi - lo) * (hi + lo))
            elo = erfcx_pos(lo / _SQRT2)
            den = 0.5 * (elo - erfcx_pos(hi / _SQRT2) * r)
            m = (1.0 - r) / (den * math.sqrt(2.0 * math.pi))
            v = 1.0 + (lo - hi * r) / (den * math.sqrt(2.0 * math.pi)) - m * m
            lp = math.log(den) - 0.5 * lo * lo
        else:
            z = 0.5 * (math.erfc(-hi / _SQRT2) - math.erfc(-lo / _SQRT2))
            pl = math.exp(-0.5 * lo * lo) / math.sqrt(2.0 * math.pi)
            ph = math.exp(-0.5 * hi * hi) / math.sqrt(2.0 * math.pi)
            m = (pl - ph) / z
            v = 1.0 + (lo * pl - hi * ph) / z - m * m
            lp = math.log(z)
        if flip:
            m = -m
    return m, min(max(v, 1e-10), 1.0), lp


@njit(cache=True, inline="always")
def log_prob(alpha: float, beta: float) -> float:
    """log P(alpha < e < beta) for a standard normal e."""
    if beta == np.inf:
        return log_q(alpha)
    if alpha == -np.inf:
        return log_q(-beta)
    flip = alpha + beta < 0.0
    lo = -beta if flip else alpha
    hi = -alpha if flip else beta
    if lo >= 0.0:
        a = log_q(lo)
        return a + math.log1p(-math.exp(log_q(hi) - a))
    return math.log(0.5 * (math.erfc(-hi / _SQRT2) - math.erfc(-lo / _SQRT2)))


def _chunks(n: int, k: int) -> np.ndarray:
    return np.linspace(0, n, k + 1).astype(np.int64)


@njit(cache=True, parallel=True)
def estep_stats(cell, item, lo, hi, x, a, b, s, n_cell, n_item, bounds):
    """E-step and the sums the M-step needs.

    Returns ``ez`` (truncated-normal means), per country-period ``prec = sum b^2/s^2`` and
    ``rhs = sum b (ez - a) / s^2``, per roll call ``sz = sum ez`` and
    ``szz = sum (ez^2 + var z)``, and the log-likelihood at the given parameters.
    """
    k = len(bounds) - 1
    n = len(cell)
    ez = np.empty(n)
    ll = np.zeros(k)
    prec = np.zeros((k, n_cell))
    rhs = np.zeros((k, n_cell))
    sz = np.zeros((k, n_item))
    szz = np.zeros((k, n_item))
    for c in prange(k):
        for o in range(bounds[c], bounds[c + 1]):
            j = item[o]
            g = cell[o]
            sj = s[j]
            mu = a[j] + b[j] * x[g]
            m, v, lp = trunc_moments((lo[o] - mu) / sj, (hi[o] - mu) / sj)
            e = mu + sj * m
            ez[o] = e
            ll[c] += lp
            w = b[j] / (sj * sj)
            prec[c, g] += w * b[j]
            rhs[c, g] += w * (e - a[j])
            sz[c, j] += e
            szz[c, j] += e * e + v * sj * sj
    return ez, prec.sum(axis=0), rhs.sum(axis=0), sz.sum(axis=0), szz.sum(axis=0), ll.sum()


@njit(cache=True, parallel=True)
def item_stats(cell, item, x, ez, n_item, bounds):
    """Per roll call: sum x, sum x^2, sum x * ez."""
    k = len(bounds) - 1
    sx = np.zeros((k, n_item))
    sxx = np.zeros((k, n_item))
    sxz = np.zeros((k, n_item))
    for c in prange(k):
        for o in range(bounds[c], bounds[c + 1]):
            j = item[o]
            xo = x[cell[o]]
            sx[c, j] += xo
            sxx[c, j] += xo * xo
            sxz[c, j] += xo * ez[o]
    return sx.sum(axis=0), sxx.sum(axis=0), sxz.sum(axis=0)


@njit(cache=True, parallel=True)
def loglik(cell, item, lo, hi, x, a, b, s, bounds):
    """Observed-data log-likelihood of all votes."""
    k = len(bounds) - 1
    part = np.zeros(k)
    for c in prange(k):
        acc = 0.0
        for o in range(bounds[c], bounds[c + 1]):
            j = item[o]
            mu = a[j] + b[j] * x[cell[o]]
            acc += log_prob((lo[o] - mu) / s[j], (hi[o] - mu) / s[j])
        part[c] = acc
    return part.sum()


@njit(cache=True, parallel=True)
def observed_information(cell, item, lo, hi, x, a, b, s, n_cell, bounds):
    """Per country-period: sum over votes of -d^2 log P / dx^2 = b^2 (1 - var) / s^2."""
    k = len(bounds) - 1
    info = np.zeros((k, n_cell))
    for c in prange(k):
        for o in range(bounds[c], bounds[c + 1]):
            j = item[o]
            sj = s[j]
            mu = a[j] + b[j] * x[cell[o]]
            _, v, _ = trunc_moments((lo[o] - mu) / sj, (hi[o] - mu) / sj)
            info[c, cell[o]] += b[j] * b[j] * (1.0 - v) / (sj * sj)
    return info.sum(axis=0)


@njit(cache=True, parallel=True)
def newton_x_stats(cell, item, lo, hi, x, a, b, s, n_cell, bounds, floor):
    """Per country-period: observed information ``D = sum b^2 max(1 - var, floor) / s^2``
    and score ``G = sum b * lam / s`` of the positions, and the log-likelihood."""
    k = len(bounds) - 1
    d = np.zeros((k, n_cell))
    g = np.zeros((k, n_cell))
    ll = np.zeros(k)
    for c in prange(k):
        for o in range(bounds[c], bounds[c + 1]):
            j = item[o]
            q = cell[o]
            sj = s[j]
            mu = a[j] + b[j] * x[q]
            m, v, lp = trunc_moments((lo[o] - mu) / sj, (hi[o] - mu) / sj)
            ll[c] += lp
            d[c, q] += b[j] * b[j] * max(1.0 - v, floor) / (sj * sj)
            g[c, q] += b[j] * m / sj
    return d.sum(axis=0), g.sum(axis=0), ll.sum()


@njit(cache=True, parallel=True)
def newton_item_stats(cell, item, lo, hi, x, a, b, s, n_item, bounds, floor):
    """Per roll call, at the given parameters: the observed-information sums
    ``w0, w1, w2 = sum max(1 - var, floor) * (1, x, x^2)`` and scores ``ga, gb = sum lam * s * (1, x)``
    for a Newton step on ``(a, b)``, and the E-step sums ``sz, szz, sx, sxx, sxz`` for the
    residual variance."""
    k = len(bounds) - 1
    out = np.zeros((k, 10, n_item))
    for c in prange(k):
        for o in range(bounds[c], bounds[c + 1]):
            j = item[o]
            sj = s[j]
            xo = x[cell[o]]
            mu = a[j] + b[j] * xo
            m, v, _ = trunc_moments((lo[o] - mu) / sj, (hi[o] - mu) / sj)
            w = max(1.0 - v, floor)
            e = mu + sj * m
            out[c, 0, j] += w
            out[c, 1, j] += w * xo
            out[c, 2, j] += w * xo * xo
            out[c, 3, j] += m * sj
            out[c, 4, j] += m * sj * xo
            out[c, 5, j] += e
            out[c, 6, j] += e * e + v * sj * sj
            out[c, 7, j] += xo
            out[c, 8, j] += xo * xo
            out[c, 9, j] += xo * e
    return out.sum(axis=0)
