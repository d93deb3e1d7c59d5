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


#: how each vote truncates its latent response: above the cutpoint 0 (``z > 0``), above the
#: cutpoint 1 (``z > 1``), below 0 (``z < 0``) or between the two (``0 < z < 1``)
KIND = {"above0": 0, "above1": 1, "below0": 2, "between": 3}

_ERFCX_WIDTH = 0.25  # width of the intervals of the piecewise erfcx approximation
_ERFCX_DEGREE = 10
_ERFCX_TOP = 26.0  # above: asymptotic series
_ERFCX_NCOEF = _ERFCX_DEGREE + 1


def _erfcx_table() -> np.ndarray:
    """Polynomial coefficients of erfcx on [k w, (k + 1) w], k = 0 .. top / w, flattened.

    Each piece is a degree-10 Chebyshev interpolant fitted at import to scipy's erfcx,
    converted to powers of the position ``t`` in [-1, 1] within its interval (so that the
    compiled code can evaluate it by Estrin's scheme, with a short dependency chain);
    relative error about 3e-15.
    """
    from numpy.polynomial import chebyshev
    from scipy import special

    w, deg = _ERFCX_WIDTH, _ERFCX_DEGREE
    k = np.arange(deg + 11)
    nodes = np.cos(np.pi * (k + 0.5) / len(k))
    starts = np.arange(0.0, _ERFCX_TOP, w)
    table = np.zeros((len(starts), _ERFCX_NCOEF))
    for i, a in enumerate(starts):
        table[i] = _power_coefficients(
            chebyshev.chebfit(nodes, special.erfcx(a + (nodes + 1) * w / 2), deg), _ERFCX_NCOEF
        )
    assert table.shape == (len(starts), _ERFCX_NCOEF) and np.isfinite(table).all()
    return np.ascontiguousarray(table.ravel())


def _power_coefficients(cheb: np.ndarray, ncoef: int) -> np.ndarray:
    """Power-basis coefficients of a Chebyshev series, always exactly ``ncoef`` of them.

    numpy's ``cheb2poly`` drops trailing coefficients that come out exactly zero, and whether
    a fitted top coefficient is exactly zero depends on the BLAS/LAPACK kernel that solved the
    least-squares fit. Pad (or, for a longer input, refuse) so the table's shape never does.
    """
    from numpy.polynomial import chebyshev

    power = np.asarray(chebyshev.cheb2poly(np.asarray(cheb, dtype=float)), dtype=float)
    if power.size > ncoef:
        raise ValueError(f"expected at most {ncoef} coefficients, got {power.size}")
    return np.pad(power, (0, ncoef - power.size))


_ERFCX = _erfcx_table()


@njit(cache=True, inline="always")
def erfcx_pos(x: float) -> float:
    """exp(x^2) * erfc(x) for x >= 0: piecewise polynomials, asymptotic series above 26."""
    if x >= _ERFCX_TOP:
        x2 = 1.0 / (x * x)
        series = 1.0 - 3.5 * x2 * (1.0 - 4.5 * x2)
        return _INV_SQRT_PI / x * (1.0 - 0.5 * x2 * (1.0 - 1.5 * x2 * (1.0 - 2.5 * x2 * series)))
    i = int(x * (1.0 / _ERFCX_WIDTH))
    t = (2.0 / _ERFCX_WIDTH) * (x - _ERFCX_WIDTH * i) - 1.0  # in [-1, 1]
    c = _ERFCX
    o = i * _ERFCX_NCOEF
    t2 = t * t
    t4 = t2 * t2
    q0 = (c[o] + c[o + 1] * t) + (c[o + 2] + c[o + 3] * t) * t2
    q1 = (c[o + 4] + c[o + 5] * t) + (c[o + 6] + c[o + 7] * t) * t2
    q2 = (c[o + 8] + c[o + 9] * t) + c[o + 10] * t2
    return q0 + t4 * (q1 + t4 * q2)


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
    x = abs(alpha) * (1.0 / _SQRT2)
    ex = erfcx_pos(x)
    if alpha >= 0.0:
        m = _SQRT_2_PI / ex
        return m, 1.0 + alpha * m - m * m, math.log(0.5 * ex) - x * x
    e = math.exp(-x * x)
    tail = 0.5 * e * ex  # Phi(alpha)
    m = e * _INV_SQRT_2PI / (1.0 - tail)
    return m, 1.0 + alpha * m - m * m, math.log1p(-tail)


@njit(cache=True, inline="always")
def _between(alpha: float, beta: float) -> tuple[float, float, float]:
    """Mean, variance and log probability of a standard normal truncated to (alpha, beta)."""
    flip = alpha + beta < 0.0  # reflect intervals below zero
    lo = -beta if flip else alpha
    hi = -alpha if flip else beta
    if lo >= 0.0:  # upper tail: numerator and denominator scaled by exp(lo^2 / 2)
        r = math.exp(-0.5 * (hi - lo) * (hi + lo))
        den = 0.5 * (erfcx_pos(lo * (1.0 / _SQRT2)) - erfcx_pos(hi * (1.0 / _SQRT2)) * r)
        q = _INV_SQRT_2PI / den
        m = (1.0 - r) * q
        v = 1.0 + (lo - hi * r) * q - m * m
        lp = math.log(den) - 0.5 * lo * lo
    else:  # straddling zero: Phi(hi) - Phi(lo) = 1 - Q(hi) - Q(-lo), Q(u) = 1 - Phi(u)
        pl = math.exp(-0.5 * lo * lo)
        ph = math.exp(-0.5 * hi * hi)
        z = 1.0 - 0.5 * (ph * erfcx_pos(hi * (1.0 / _SQRT2)) + pl * erfcx_pos(-lo * (1.0 / _SQRT2)))
        q = _INV_SQRT_2PI / z
        m = (pl - ph) * q
        v = 1.0 + (lo * pl - hi * ph) * q - m * m
        lp = math.log(z)
    if flip:
        m = -m
    return m, v, lp


@njit(cache=True, inline="always")
def trunc_moments(alpha: float, beta: float) -> tuple[float, float, float]:
    """Mean, variance and log probability of a standard normal truncated to (alpha, beta)."""
    if beta == np.inf:
        m, v, lp = _upper_tail(alpha)
    elif alpha == -np.inf:
        m, v, lp = _upper_tail(-beta)
        m = -m
    else:
        m, v, lp = _between(alpha, beta)
    return m, min(max(v, 1e-10), 1.0), lp


@njit(cache=True, inline="always")
def vote_moments(kind: int, mu: float, inv_s: float) -> tuple[float, float, float]:
    """:func:`trunc_moments` for a vote coded by :data:`KIND` (latent mean ``mu``, sd ``1/inv_s``)."""
    if kind == 3:
        m, v, lp = _between(-mu * inv_s, (1.0 - mu) * inv_s)
    elif kind == 2:
        m, v, lp = _upper_tail(mu * inv_s)
        m = -m
    else:
        m, v, lp = _upper_tail((kind - mu) * inv_s)
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


@njit(cache=True, parallel=True)
def newton_pass(cell, item, kind, x, a, b, s, n_cell, n_item, bounds, floor):
    """One pass for the simultaneous Newton step, at the given parameters.

    Per country-period (``(n_cell, 2)``): the floored observed information of the position
    ``D = sum b^2 max(1 - var, floor) / s^2`` and its score ``G = sum b * lam / s``. Per roll
    call (``(n_item, 8)``): ``w0, w1, w2 = sum w * (1, x, x^2)`` (``w = max(1 - var, floor)``),
    ``ga, gb = sum lam * s * (1, x)``, ``szz = sum E[z^2]``, ``sx, sxx = sum (x, x^2)``.
    And the log-likelihood. ``lam`` and ``var`` are the standardized truncated-normal mean
    and variance of each vote's latent response.
    """
    k = len(bounds) - 1
    inv_s = 1.0 / s
    b_s = b * inv_s
    s2 = s * s
    cacc = np.zeros((k, n_cell, 2))
    iacc = np.zeros((k, n_item, 8))
    ll = np.zeros(k)
    for c in prange(k):
        lsum = 0.0
        for o in range(bounds[c], bounds[c + 1]):
            j = item[o]
            g = cell[o]
            xg = x[g]
            mu = a[j] + b[j] * xg
            m, v, lp = vote_moments(kind[o], mu, inv_s[j])
            lsum += lp
            w = max(1.0 - v, floor)
            bs = b_s[j]
            cacc[c, g, 0] += bs * bs * w
            cacc[c, g, 1] += bs * m
            ms = m * s[j]
            ez = mu + ms
            wx = w * xg
            iacc[c, j, 0] += w
            iacc[c, j, 1] += wx
            iacc[c, j, 2] += wx * xg
            iacc[c, j, 3] += ms
            iacc[c, j, 4] += ms * xg
            iacc[c, j, 5] += ez * ez + v * s2[j]
            iacc[c, j, 6] += xg
            iacc[c, j, 7] += xg * xg
        ll[c] = lsum
    return _sum_chunks(cacc), _sum_chunks(iacc), ll.sum()


@njit(cache=True, parallel=True)
def _sum_chunks(acc):
    """Sum a ``(k, n, q)`` array over its first axis, always in the same order."""
    k, n, q = acc.shape
    out = np.empty((n, q))
    for i in prange(n):
        for r in range(q):
            t = 0.0
            for c in range(k):
                t += acc[c, i, r]
            out[i, r] = t
    return out


# -- small dense steps (fixed summation order, no BLAS) -------------------------------------


@njit(cache=True)
def thomas(diag, off, rhs):
    """Solve tridiagonal systems row by row: ``diag`` and ``rhs`` (n, T), ``off`` (n, T - 1)."""
    n, T = diag.shape
    x = np.empty((n, T))
    cp = np.empty(T)
    dp = np.empty(T)
    for i in range(n):
        den = diag[i, 0]
        cp[0] = off[i, 0] / den if T > 1 else 0.0
        dp[0] = rhs[i, 0] / den
        for t in range(1, T):
            den = diag[i, t] - off[i, t - 1] * cp[t - 1]
            if t < T - 1:
                cp[t] = off[i, t] / den
            dp[t] = (rhs[i, t] - off[i, t - 1] * dp[t - 1]) / den
        x[i, T - 1] = dp[T - 1]
        for t in range(T - 2, -1, -1):
            x[i, t] = dp[t] - cp[t] * x[i, t + 1]
    return x


@njit(cache=True)
def trajectory_system(first, last, prec, prior0, w):
    """Diagonal and super-diagonal of every trajectory's precision: data precision ``prec``
    (n, T), prior ``N(0, 1/prior0)`` at the first period, random-walk precision ``w``;
    periods outside a trajectory get a unit diagonal."""
    n, T = prec.shape
    diag = np.ones((n, T))
    off = np.zeros((n, max(T - 1, 1)))
    for i in range(n):
        f, l_ = first[i], last[i]
        for t in range(f, l_ + 1):
            d = prec[i, t]
            if t == f:
                d += prior0
            if t > f:
                d += w
            if t < l_:
                d += w
                off[i, t] = -w
            diag[i, t] = d
    return diag, off


# numba-compiled loop over periods and items: one fused pass, kept whole for speed
@njit(cache=True)
def recentre(first, last, item_period, x, a, b, s, w, prior_ab):  # noqa: C901, PLR0912, PLR0915
    """Shift and rescale the positions of each period to where the priors are highest.

    See :func:`allyscope.un.idealpoints.recentre`. Returns new ``x, a, b``.
    """
    n, T = x.shape
    J = len(a)
    x = x.copy()
    a = a.copy()
    b = b.copy()
    bb = np.zeros(T)
    ba = np.zeros(T)
    for j in range(J):
        q = 1.0 / (prior_ab * s[j] * s[j])
        bb[item_period[j]] += b[j] * b[j] * q
        ba[item_period[j]] += b[j] * a[j] * q
    # location: x[:, t] + d[t], a - b d[t]
    m = np.zeros(T)  # random-walk steps into each period
    n0 = np.zeros(T)  # trajectories starting in each period
    sdx = np.zeros(T)
    sx0 = np.zeros(T)
    for i in range(n):
        f = first[i]
        n0[f] += 1.0
        sx0[f] += x[i, f]
        for t in range(f + 1, last[i] + 1):
            m[t] += 1.0
            sdx[t] += x[i, t] - x[i, t - 1]
    g = np.empty(T)
    h = np.empty(T)
    for t in range(T):
        nxt_sdx = sdx[t + 1] if t < T - 1 else 0.0
        nxt_m = m[t + 1] if t < T - 1 else 0.0
        g[t] = sx0[t] + w * (sdx[t] - nxt_sdx) - ba[t]
        h[t] = n0[t] + w * (m[t] + nxt_m) + bb[t] + 1e-12
    d = _thomas1(h, -w * m[1:], -g)
    for i in range(n):
        for t in range(first[i], last[i] + 1):
            x[i, t] += d[t]
    for j in range(J):
        a[j] -= b[j] * d[item_period[j]]
    # scale: c[t] x[:, t], b / c[t]
    A = np.zeros(T)
    X = np.zeros(T)
    Y = np.zeros(T)
    Z = np.zeros(T)
    for i in range(n):
        f = first[i]
        A[f] += x[i, f] * x[i, f]
        for t in range(f + 1, last[i] + 1):
            X[t] += x[i, t] * x[i, t]
            Y[t] += x[i, t - 1] * x[i, t - 1]
            Z[t] += x[i, t] * x[i, t - 1]
    c = np.ones(T)
    grad = np.empty(T)
    hd = np.empty(T)
    for _ in range(3):
        for t in range(T):
            c_prev = c[t - 1] if t > 0 else 1.0
            c_next = c[t + 1] if t < T - 1 else 1.0
            y1 = Y[t + 1] if t < T - 1 else 0.0
            z1 = Z[t + 1] if t < T - 1 else 0.0
            c3 = c[t] * c[t] * c[t]
            grad[t] = (
                A[t] * c[t]
                + w * (c[t] * X[t] - c_prev * Z[t])
                + w * (c[t] * y1 - c_next * z1)
                - bb[t] / c3
            )
            hd[t] = A[t] + w * (X[t] + y1) + 3.0 * bb[t] / (c3 * c[t]) + 1e-12
        step = _thomas1(hd, -w * Z[1:], -grad)
        for t in range(T):
            c[t] = min(max(c[t] + step[t], 0.5 * c[t]), 2.0 * c[t])
    for i in range(n):
        for t in range(first[i], last[i] + 1):
            x[i, t] *= c[t]
    for j in range(J):
        b[j] /= c[item_period[j]]
    return x, a, b


@njit(cache=True)
def _thomas1(diag, off, rhs):
    T = len(diag)
    if T == 1:
        return rhs / diag
    return thomas(diag.reshape(1, T), off.reshape(1, max(T - 1, 1)), rhs.reshape(1, T))[0]


@njit(cache=True)
def _corr(u, v):
    n = len(u)
    mu = 0.0
    mv = 0.0
    for i in range(n):
        mu += u[i]
        mv += v[i]
    mu /= n
    mv /= n
    suv = 0.0
    suu = 0.0
    svv = 0.0
    for i in range(n):
        du = u[i] - mu
        dv = v[i] - mv
        suv += du * dv
        suu += du * du
        svv += dv * dv
    if suu == 0.0 or svv == 0.0:
        return 1.0 if suu == svv else 0.0
    return suv / math.sqrt(suu * svv)


@njit(cache=True)
def corr_blocks(new, old, active_idx, n_x, n_item):
    """Smallest correlation of positions (active ones), intercepts and slopes with old values."""
    u = np.empty(len(active_idx))
    v = np.empty(len(active_idx))
    for r in range(len(active_idx)):
        u[r] = new[active_idx[r]]
        v[r] = old[active_idx[r]]
    c = _corr(u, v)
    c = min(c, _corr(new[n_x : n_x + n_item], old[n_x : n_x + n_item]))
    return min(c, _corr(new[n_x + n_item : n_x + 2 * n_item], old[n_x + n_item : n_x + 2 * n_item]))


@njit(cache=True)
def dot(u, v):
    t = 0.0
    for i in range(len(u)):
        t += u[i] * v[i]
    return t


@njit(cache=True)
def combine(g, dg, gamma):
    """``g - sum_r gamma[r] * dg[r]`` (Anderson extrapolation)."""
    out = g.copy()
    for r in range(len(gamma)):
        gr = gamma[r]
        row = dg[r]
        for i in range(len(g)):
            out[i] -= gr * row[i]
    return out
