"""Dynamic ideal points from UN General Assembly votes: a one-dimensional ordinal probit
with a random walk over time, estimated by accelerated Newton-type iterations.

Model (see docs/un.md). Country ``i`` has a position ``x[i, t]`` in every period ``t``
(calendar year or session) from its first to its last recorded vote. Each roll call
``j`` orders the votes ``no < abstain < yes`` and has a latent response

    z[i, j] = a[j] + b[j] * x[i, t(j)] + s[j] * e,   e ~ N(0, 1)

with the vote ``no`` if ``z < 0``, ``abstain`` if ``0 <= z < 1`` and ``yes`` if ``z >= 1``.
This is the ordered probit ``P(vote <= k) = Phi(g[j, k] - beta[j] * x)`` with unit
variance, written with its cutpoints moved to 0 and 1 (``s = 1 / (g2 - g1)``, ``b =
beta * s``; Imai, Lo and Olmsted 2016). A roll call on which only two of the three
answers occur is a binary probit with one cutpoint at 0 and ``s = 1``; unanimous roll
calls carry no information about positions and are left out.

Roll calls on nuclear weapons function differently for the states that have tested one:
their votes reflect their own arsenals as much as their alignment. :func:`layout` (the
default of :func:`allyscope.un.ideal_points`) therefore splits each such roll call in two,
one for the nuclear-armed states and one for all others, each with its own ``a, b, s``
(the usual remedy for differential item functioning; see docs/un.md).

Priors: ``x[i, first] ~ N(0, 1)``, ``x[i, t] ~ N(x[i, t-1], omega2)`` (a random walk;
``omega2 = 0.01`` by default),
``a[j], b[j] ~ N(0, s[j]^2 * 25)`` (i.e. N(0, 25) on the unit-variance scale) and
``s[j]^2 ~ InvGamma(1, 1)``. The estimates are the joint posterior mode of positions and
roll-call parameters. Three iteration maps are available; each takes one compiled pass
(two for ``ecme``) over all votes, in which the truncated-normal means and variances of
``z`` are taken:

* ``newton`` (default): from that one pass, Newton steps on the observed-data posterior
  for all trajectories (one tridiagonal system per country) and, simultaneously, for
  every roll call's ``(a, b)``, with the curvature floored; ``s^2`` by its EM update;
* ``ecme``: the same Newton steps one after the other, with a second pass in between;
* ``em``: EM with data augmentation (the trajectories by a tridiagonal solve, ``a, b``
  by ridge regression, ``s^2`` in closed form).

After each step, every period's positions are shifted and stretched to where the priors
are highest (moves that leave all vote probabilities unchanged, in the spirit of PX-EM),
and damped Anderson acceleration with restarts (Henderson and Varadhan 2019) combines
the last steps, guarded by the log posterior. Iteration stops when every block of
parameters correlates above ``1 - tol`` with its value three iterations earlier
(emIRT's criterion; default ``tol = 1e-8``, see docs/un.md).

Standard errors are the posterior standard deviations of the positions given the
roll-call parameters (Laplace approximation: the diagonal of the inverse of the
tridiagonal observed-information matrix), optionally replaced by a seeded parametric
bootstrap. The sign is fixed so that the United States (COW 2) is positive; the scale
is fixed by the priors.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import special

from allyscope.errors import InvalidInputError

_C = np.sqrt(2.0 / np.pi)
_R2 = np.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
US = 2

#: prior variances and hyperparameters
PRIOR_X0 = 1.0
PRIOR_AB = 25.0
PRIOR_S2 = (1.0, 1.0)  # inverse gamma shape, scale


# -- truncated normal moments (standardized), numerically stable --------------------------


def _upper(alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E and Var of a standard normal truncated to (alpha, inf)."""
    m = _C / special.erfcx(alpha / _R2)
    v = 1.0 + alpha * m - m * m
    return m, np.clip(v, 1e-10, 1.0)


def _lower(beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E and Var of a standard normal truncated to (-inf, beta)."""
    m, v = _upper(-beta)
    return -m, v


def _between(alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E and Var of a standard normal truncated to (alpha, beta), alpha < beta."""
    lam = np.empty_like(alpha)
    var_t = np.empty_like(alpha)
    flip = (alpha + beta) < 0  # reflect intervals below zero
    lo = np.where(flip, -beta, alpha)
    hi = np.where(flip, -alpha, beta)
    tail = lo >= 0
    # in the upper tail: scale numerator and denominator by exp(lo^2 / 2)
    lt, ht = lo[tail], hi[tail]
    r = np.exp(-0.5 * (ht - lt) * (ht + lt))
    den = 0.5 * (special.erfcx(lt / _R2) - special.erfcx(ht / _R2) * r)
    lam_t = _INV_SQRT_2PI * (1.0 - r) / den
    var_tt = 1.0 + _INV_SQRT_2PI * (lt - ht * r) / den - lam_t * lam_t
    # straddling zero: direct formulas are accurate
    lc, hc = lo[~tail], hi[~tail]
    z = special.ndtr(hc) - special.ndtr(lc)
    pl_, ph = np.exp(-0.5 * lc * lc) * _INV_SQRT_2PI, np.exp(-0.5 * hc * hc) * _INV_SQRT_2PI
    lam_c = (pl_ - ph) / z
    var_tc = 1.0 + (lc * pl_ - hc * ph) / z - lam_c * lam_c
    lam[tail], lam[~tail] = lam_t, lam_c
    var_t[tail], var_t[~tail] = var_tt, var_tc
    lam = np.where(flip, -lam, lam)
    return lam, np.clip(var_t, 1e-10, 1.0)


def _log_between(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    flip = (alpha + beta) < 0
    lo = np.where(flip, -beta, alpha)
    hi = np.where(flip, -alpha, beta)
    # log(Q(lo) - Q(hi)) = log Q(lo) + log1p(-Q(hi)/Q(lo)), Q(u) = Phi(-u)
    lq_lo, lq_hi = special.log_ndtr(-lo), special.log_ndtr(-hi)
    return lq_lo + np.log1p(-np.exp(lq_hi - lq_lo))


# -- problem layout ------------------------------------------------------------------------


@dataclass
class Problem:
    """The votes laid out for estimation: one latent response per country-roll call."""

    ccodes: np.ndarray  #: (nc,) COW codes
    periods: np.ndarray  #: (T,) period labels
    rcids: np.ndarray  #: (J,) roll calls kept
    first: np.ndarray  #: (nc,) first period index with a vote
    last: np.ndarray  #: (nc,) last period index with a vote
    three: np.ndarray  #: (J,) bool: all three answers occur
    cell: np.ndarray  #: (N,) index into the flattened nc x T grid of country-periods
    item: np.ndarray  #: (N,) roll-call index
    lo: np.ndarray  #: (N,) lower truncation point of z (-inf, 0 or 1)
    hi: np.ndarray  #: (N,) upper truncation point of z (0, 1 or inf)
    y: np.ndarray  #: (N,) answer: 0 no, 1 abstain, 2 yes
    n_cell: np.ndarray  #: (nc*T,) votes per country-period
    n_item: np.ndarray  #: (J,) votes per roll call
    omega2: float = 0.01
    bounds: np.ndarray = field(default_factory=lambda: np.zeros(2, dtype=np.int64))
    item_period: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    recentre: bool = True
    #: (N,) int8: how the vote truncates z (``allyscope.un._kernels.KIND``)
    kind: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ccodes), len(self.periods)


#: ECME: observed information is floored at this share of the complete-data information
CURVATURE_FLOOR = 0.3
#: the same floor in the simultaneous Newton steps of the default method (on the UN votes,
#: real and simulated, 0.05-0.3 converge reliably, 0.1 in the fewest iterations with a
#: margin; below about 0.02 the simultaneous steps overshoot and the iterations stall)
NEWTON_FLOOR = 0.1

#: observation chunks per kernel call: fixed, so that sums do not depend on the thread count
N_CHUNKS = 8


def prepare(votes: pl.DataFrame, period: str = "year", omega2: float = 0.01) -> Problem:
    """Lay out votes (``rcid, ccode, <period>, vote`` with 1 yes, 2 abstain, 3 no)."""
    if not omega2 > 0:
        raise InvalidInputError("the random-walk variance omega2 must be positive")
    v = votes.select("rcid", "ccode", pl.col(period).alias("period"), "vote")
    # ordinal answer 0 = no, 1 = abstain, 2 = yes
    v = v.with_columns((3 - pl.col("vote").cast(pl.Int8)).alias("y"))
    cats = (
        v.group_by("rcid")
        .agg(
            (pl.col("y") == 0).any().alias("has0"),
            (pl.col("y") == 1).any().alias("has1"),
            (pl.col("y") == 2).any().alias("has2"),
        )
        .with_columns((pl.col("has0").cast(pl.Int8) + pl.col("has1") + pl.col("has2")).alias("k"))
        .filter(pl.col("k") >= 2)  # unanimous roll calls say nothing about positions
        .sort("rcid")
    )
    v = v.join(cats.select("rcid"), on="rcid", how="semi")
    if v.height == 0:
        raise InvalidInputError(
            "no contested roll calls to scale", "select more periods or countries"
        )
    rcids = cats["rcid"].to_numpy()
    ccodes = np.sort(v["ccode"].unique().to_numpy())
    p_all = v["period"].to_numpy().astype(np.int64)
    periods = np.arange(p_all.min(), p_all.max() + 1)
    nc, T, J = len(ccodes), len(periods), len(rcids)
    ci = np.searchsorted(ccodes, v["ccode"].to_numpy())
    ti = p_all - periods[0]
    ji = np.searchsorted(rcids, v["rcid"].to_numpy())
    three_item = cats["k"].to_numpy() == 3
    item_period = np.zeros(J, dtype=np.int64)
    item_period[ji] = ti  # every roll call belongs to one period
    y = v["y"].to_numpy().astype(np.int8)
    three = three_item[ji]
    # three answers: cutpoints 0 and 1; two answers: one cutpoint at 0 between them
    low_ans = np.where(cats["has0"].to_numpy(), 0, 1)[ji]
    inf = np.inf
    lo = np.where(three, np.choose(y, [-inf, 0.0, 1.0]), np.where(y == low_ans, -inf, 0.0))
    hi = np.where(three, np.choose(y, [0.0, 1.0, inf]), np.where(y == low_ans, 0.0, inf))
    cell = ci * T + ti
    order = np.lexsort((ji, cell))
    first = np.full(nc, T, dtype=np.int64)
    last = np.full(nc, -1, dtype=np.int64)
    np.minimum.at(first, ci, ti)
    np.maximum.at(last, ci, ti)
    n = len(order)
    return Problem(
        ccodes=ccodes,
        periods=periods,
        rcids=rcids,
        first=first,
        last=last,
        three=three_item,
        cell=np.ascontiguousarray(cell[order], dtype=np.int64),
        item=np.ascontiguousarray(ji[order], dtype=np.int64),
        lo=np.ascontiguousarray(lo[order], dtype=np.float64),
        hi=np.ascontiguousarray(hi[order], dtype=np.float64),
        y=y[order],
        n_cell=np.bincount(cell, minlength=nc * T).astype(np.float64),
        n_item=np.bincount(ji, minlength=J).astype(np.float64),
        omega2=float(omega2),
        bounds=np.linspace(0, n, min(N_CHUNKS, max(n, 1)) + 1).astype(np.int64),
        item_period=item_period,
        kind=_kinds(lo[order], hi[order]),
    )


#: first nuclear test explosion of each state that has conducted one (COW code: date), from
#: the CTBTO's history of nuclear testing (India's 1974 test was declared "peaceful")
NUCLEAR_TESTS: dict[int, dt.date] = {
    2: dt.date(1945, 7, 16),  # United States
    365: dt.date(1949, 8, 29),  # Soviet Union
    200: dt.date(1952, 10, 3),  # United Kingdom
    220: dt.date(1960, 2, 13),  # France
    710: dt.date(1964, 10, 16),  # China
    750: dt.date(1974, 5, 18),  # India
    770: dt.date(1998, 5, 28),  # Pakistan
    731: dt.date(2006, 10, 9),  # North Korea
}
#: how :func:`layout` treats roll calls on nuclear weapons (issue ``nu``)
DIF_CHOICES = ("nuclear", "none")


def split_nuclear(votes: pl.DataFrame, roll_calls: pl.DataFrame) -> pl.DataFrame:
    """The votes with each roll call on nuclear weapons (issue ``nu``) split in two: the
    votes of states that had tested a nuclear weapon by the day of the vote move to roll
    call ``-rcid``, which gets parameters of its own. Adds a boolean column ``split``."""
    tests = pl.DataFrame(
        {"ccode": list(NUCLEAR_TESTS), "tested": list(NUCLEAR_TESTS.values())},
        schema={"ccode": votes.schema["ccode"], "tested": pl.Date},
    )
    nu = roll_calls.filter(pl.col("nu").fill_null(False)).select("rcid", "date")
    return (
        votes.join(nu, on="rcid", how="left")
        .join(tests, on="ccode", how="left")
        .with_columns((pl.col("date") >= pl.col("tested")).fill_null(False).alias("split"))
        .with_columns(
            pl.when(pl.col("split")).then(-pl.col("rcid")).otherwise("rcid").alias("rcid")
        )
        .drop("date", "tested")
    )


def layout(data, period: str = "year", omega2: float = 0.01, dif: str = "nuclear") -> Problem:
    """:func:`prepare` for :class:`allyscope.un.data.VoteData`: with ``dif="nuclear"`` (the
    default) roll calls on nuclear weapons are split by :func:`split_nuclear`; with
    ``"none"`` every state answers the same roll call."""
    if dif not in DIF_CHOICES:
        raise InvalidInputError(f"unknown dif {dif!r}", f"use one of {', '.join(DIF_CHOICES)}")
    votes = data.votes if dif == "none" else split_nuclear(data.votes, data.roll_calls)
    return prepare(votes, period, omega2=omega2)


def _kinds(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Code each vote's truncation region: above 0 or 1, below 0, or between 0 and 1."""
    from allyscope.un._kernels import KIND

    kind = np.full(len(lo), KIND["between"], dtype=np.int8)
    kind[np.isinf(hi) & (lo == 0.0)] = KIND["above0"]
    kind[np.isinf(hi) & (lo == 1.0)] = KIND["above1"]
    kind[np.isinf(lo)] = KIND["below0"]
    return kind


# -- E-step --------------------------------------------------------------------------------


def estep_reference(prob: Problem, x, a, b, s) -> tuple[np.ndarray, np.ndarray]:
    """Truncated-normal mean and standardized variance of every latent response (numpy).

    The estimation uses the compiled :func:`allyscope.un._kernels.estep_stats`; this plain
    version documents and checks it.
    """
    it = prob.item
    sj = s[it]
    mu = a[it] + b[it] * x.ravel()[prob.cell]
    alpha, beta = (prob.lo - mu) / sj, (prob.hi - mu) / sj
    lam = np.empty_like(mu)
    var = np.empty_like(mu)
    up = np.isinf(prob.hi)
    low = np.isinf(prob.lo)
    mid = ~(up | low)
    lam[up], var[up] = _upper(alpha[up])
    lam[low], var[low] = _lower(beta[low])
    lam[mid], var[mid] = _between(alpha[mid], beta[mid])
    return mu + sj * lam, var


def loglik(prob: Problem, x, a, b, s) -> float:
    """Observed-data log-likelihood of the votes."""
    from allyscope.un import _kernels as k

    return float(k.loglik(prob.cell, prob.item, prob.lo, prob.hi, x.ravel(), a, b, s, prob.bounds))


def loglik_reference(prob: Problem, x, a, b, s) -> float:
    """Observed-data log-likelihood (numpy version of the compiled kernel)."""
    it = prob.item
    sj = s[it]
    mu = a[it] + b[it] * x.ravel()[prob.cell]
    alpha, beta = (prob.lo - mu) / sj, (prob.hi - mu) / sj
    up = np.isinf(prob.hi)
    low = np.isinf(prob.lo)
    mid = ~(up | low)
    ll = special.log_ndtr(-alpha[up]).sum() + special.log_ndtr(beta[low]).sum()
    ll += _log_between(alpha[mid], beta[mid]).sum()
    return float(ll)


def log_prior(prob: Problem, x, a, b, s) -> float:
    """Log prior density (up to a constant) of positions and roll-call parameters."""
    s2 = s * s
    lp = _log_prior_x(prob, x)
    lp -= 0.5 * ((a * a + b * b) / (s2 * PRIOR_AB)).sum() + np.log(s2).sum()
    sh, sc = PRIOR_S2
    t3 = prob.three
    lp -= ((sh + 1) * np.log(s2[t3]) + sc / s2[t3]).sum()
    return float(lp)


def log_posterior(prob: Problem, x, a, b, s) -> float:
    """Log posterior (up to a constant) at the given parameters."""
    return loglik(prob, x, a, b, s) + log_prior(prob, x, a, b, s)


def _log_prior_x(prob: Problem, x: np.ndarray) -> float:
    nc, T = prob.shape
    rows = np.arange(nc)
    lp = -0.5 * (x[rows, prob.first] ** 2).sum() / PRIOR_X0
    t = np.arange(1, T)
    inside = (t[None, :] > prob.first[:, None]) & (t[None, :] <= prob.last[:, None])
    d = np.diff(x, axis=1)
    lp -= 0.5 * (d[inside] ** 2).sum() / prob.omega2
    return float(lp)


# -- M-step --------------------------------------------------------------------------------


def _tridiag(prob: Problem, prec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and super-diagonal of the block-diagonal precision of all trajectories."""
    from allyscope.un import _kernels as k

    nc, T = prob.shape
    prec = np.ascontiguousarray(prec, dtype=np.float64).reshape(nc, T)
    return k.trajectory_system(prob.first, prob.last, prec, 1.0 / PRIOR_X0, 1.0 / prob.omega2)


def solve_trajectories(diag: np.ndarray, off: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve the tridiagonal systems of all countries at once (Thomas algorithm over time)."""
    from allyscope.un import _kernels as k

    f64 = np.float64
    return k.thomas(
        np.ascontiguousarray(diag, dtype=f64),
        np.ascontiguousarray(off, dtype=f64),
        np.ascontiguousarray(rhs, dtype=f64),
    )


def trajectory_variances(diag: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Diagonal of the inverse of each country's tridiagonal precision matrix."""
    nc, T = diag.shape
    g = np.empty((nc, T))  # forward pivots
    h = np.empty((nc, T))  # backward pivots
    g[:, 0] = diag[:, 0]
    for t in range(1, T):
        g[:, t] = diag[:, t] - off[:, t - 1] ** 2 / g[:, t - 1]
    h[:, -1] = diag[:, -1]
    for t in range(T - 2, -1, -1):
        h[:, t] = diag[:, t] - off[:, t] ** 2 / h[:, t + 1]
    return 1.0 / (g + h - diag)


def xstep(prob: Problem, prec: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Positions given the data precision and right-hand side of every country-period."""
    nc, T = prob.shape
    diag, off = _tridiag(prob, prec)
    return solve_trajectories(diag, off, rhs.reshape(nc, T))


def itemstep(prob: Problem, sz, szz, sx, sxx, sxz):
    """Roll-call parameters from the sums over their votes (closed forms).

    ``(a, b)``: ridge regression of E[z] on (1, x) (prior precision 1/25 on the
    unit-variance scale); ``s^2``: posterior mode of the residual variance, for roll calls
    with all three answers (``s = 1`` otherwise).
    """
    n = prob.n_item
    p = 1.0 / PRIOR_AB
    a11, a12, a22 = n + p, sx, sxx + p
    det = a11 * a22 - a12 * a12
    a = (a22 * sz - a12 * sxz) / det
    b = (a11 * sxz - a12 * sz) / det
    return a, b, residual_variance(prob, a, b, sz, szz, sx, sxx, sxz)


def residual_variance(prob: Problem, a, b, sz, szz, sx, sxx, sxz) -> np.ndarray:
    """EM update of ``s^2`` given ``(a, b)`` and the sums of E[z], E[z^2] over each roll call's
    votes: the posterior mode of the residual variance (``s = 1`` on two-answer roll calls)."""
    n = prob.n_item
    p = 1.0 / PRIOR_AB
    t3 = prob.three
    rss = szz - 2 * a * sz - 2 * b * sxz + n * a * a + 2 * a * b * sx + b * b * sxx
    sh, sc = PRIOR_S2
    s2 = np.ones(len(n))
    s2[t3] = (rss[t3] + p * (a[t3] ** 2 + b[t3] ** 2) + 2 * sc) / (n[t3] + 2 + 2 * sh + 2)
    return s2


# -- moves along directions the likelihood cannot see ---------------------------------------


def _link_masks(prob: Problem) -> tuple[np.ndarray, np.ndarray]:
    _nc, T = prob.shape
    t = np.arange(T)[None, :]
    starts = t == prob.first[:, None]  # (nc, T): the first period of each country
    links = (t > prob.first[:, None]) & (t <= prob.last[:, None])  # random-walk step into t
    return starts, links


def _tridiag_solve1(diag: np.ndarray, off: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    if len(diag) == 1:
        return rhs / diag
    return solve_trajectories(diag[None, :], off[None, :], rhs[None, :])[0]


def recentre(prob: Problem, x, a, b, s, item_period: np.ndarray):
    """Shift and rescale the positions of each period where that raises the posterior.

    ``x[:, t] + d[t]`` with ``a[j] - b[j] d[t]``, and ``c[t] x[:, t]`` with ``b[j] / c[t]``,
    leave every vote probability unchanged; only the priors move. The best ``d`` solves a
    tridiagonal system, the best ``c`` takes a few Newton steps on a convex function of
    ``T`` variables. These moves take the iterations quickly along the slow, weakly
    identified directions of a dynamic scale (a parameter-expansion step in the spirit of
    PX-EM). Compiled; :func:`recentre_reference` is the same in numpy.
    """
    from allyscope.un import _kernels as k

    f64 = np.float64
    return k.recentre(
        prob.first,
        prob.last,
        np.ascontiguousarray(item_period, dtype=np.int64),
        np.ascontiguousarray(x, dtype=f64),
        np.ascontiguousarray(a, dtype=f64),
        np.ascontiguousarray(b, dtype=f64),
        np.ascontiguousarray(s, dtype=f64),
        1.0 / prob.omega2,
        PRIOR_AB,
    )


def recentre_reference(prob: Problem, x, a, b, s, item_period: np.ndarray):
    """:func:`recentre` in plain numpy."""
    nc, T = prob.shape
    w = 1.0 / prob.omega2
    starts, links = _link_masks(prob)
    inv_s2 = 1.0 / (PRIOR_AB * s * s)
    # location
    dx = np.zeros((nc, T))
    dx[:, 1:] = np.diff(x, axis=1)
    dx = np.where(links, dx, 0.0)
    m = links.sum(0).astype(np.float64)  # random-walk steps into each period
    n0 = starts.sum(0).astype(np.float64)
    bb = np.bincount(item_period, weights=b * b * inv_s2, minlength=T)
    ba = np.bincount(item_period, weights=b * a * inv_s2, minlength=T)
    sdx = dx.sum(0)
    g = np.where(starts, x, 0.0).sum(0) + w * (sdx - np.r_[sdx[1:], 0.0]) - ba
    h = n0 + w * (m + np.r_[m[1:], 0.0]) + bb + 1e-12
    d = _tridiag_solve1(h, -w * m[1:], -g)
    x = np.where(links | starts, x + d[None, :], x)
    a = a - b * d[item_period]
    # scale
    x_prev = np.zeros((nc, T))
    x_prev[:, 1:] = x[:, :-1]
    A = np.where(starts, x * x, 0.0).sum(0)
    X = np.where(links, x * x, 0.0).sum(0)
    Y = np.where(links, x_prev * x_prev, 0.0).sum(0)
    Z = np.where(links, x * x_prev, 0.0).sum(0)
    B = np.bincount(item_period, weights=b * b * inv_s2, minlength=T)
    c = np.ones(T)
    Y1 = np.r_[Y[1:], 0.0]
    Z1 = np.r_[Z[1:], 0.0]
    for _ in range(3):
        c_prev = np.r_[1.0, c[:-1]]
        c_next = np.r_[c[1:], 1.0]
        grad = A * c + w * (c * X - c_prev * Z) + w * (c * Y1 - c_next * Z1) - B / c**3
        hd = A + w * (X + Y1) + 3 * B / c**4 + 1e-12
        c = np.clip(c + _tridiag_solve1(hd, -w * Z[1:], -grad), 0.5 * c, 2.0 * c)
    x = np.where(links | starts, x * c[None, :], x)
    b = b / c[item_period]
    return x, a, b


# -- iterations ---------------------------------------------------------------------------


def _pack(x, a, b, s, prob: Problem) -> np.ndarray:
    return np.concatenate([x.ravel(), a, b, np.log(s[prob.three])])


def _unpack(theta: np.ndarray, prob: Problem):
    nc, T = prob.shape
    J = len(prob.rcids)
    n = nc * T
    x = theta[:n].reshape(nc, T)
    a = theta[n : n + J]
    b = theta[n + J : n + 2 * J]
    s = np.ones(J)
    s[prob.three] = np.exp(theta[n + 2 * J :])
    return x, a, b, s


def em_step(prob: Problem, theta: np.ndarray) -> tuple[np.ndarray, float]:
    """One EM iteration from ``theta``; also returns the log posterior *at* ``theta``.

    E-step, then the M-step for positions (all trajectories in one tridiagonal solve) and
    then for the roll calls.
    """
    from allyscope.un import _kernels as k

    nc, T = prob.shape
    J = len(prob.rcids)
    x, a, b, s = _unpack(theta, prob)
    ez, prec, rhs, sz, szz, ll = k.estep_stats(
        prob.cell, prob.item, prob.lo, prob.hi, x.ravel(), a, b, s, nc * T, J, prob.bounds
    )
    lp = ll + log_prior(prob, x, a, b, s)
    x = xstep(prob, prec, rhs)
    sx, sxx, sxz = k.item_stats(prob.cell, prob.item, x.ravel(), ez, J, prob.bounds)
    a, b, s2 = itemstep(prob, sz, szz, sx, sxx, sxz)
    s = np.sqrt(s2)
    if prob.recentre:
        x, a, b = recentre(prob, x, a, b, s, prob.item_period)
    return _pack(x, a, b, s, prob), float(lp)


def ecme_step(prob: Problem, theta: np.ndarray) -> tuple[np.ndarray, float]:
    """One ECME iteration from ``theta``; also returns the log posterior *at* ``theta``.

    Like :func:`em_step`, but the conditional maximizations for the positions and for
    ``(a, b)`` take Newton steps on the observed-data posterior (weights ``1 - Var z``)
    instead of maximizing the expected complete-data posterior (weights 1): where votes
    are nearly perfectly predicted the latter moves very slowly (Liu and Rubin 1994).
    Each conditional step starts from a fresh E-step; ``s^2`` keeps its EM update.
    """
    from allyscope.un import _kernels as k

    nc, T = prob.shape
    J = len(prob.rcids)
    x, a, b, s = _unpack(theta, prob)
    f = CURVATURE_FLOOR
    d, g, ll = k.newton_x_stats(
        prob.cell, prob.item, prob.lo, prob.hi, x.ravel(), a, b, s, nc * T, prob.bounds, f
    )
    lp = ll + log_prior(prob, x, a, b, s)
    diag, off = _tridiag(prob, d)
    x = solve_trajectories(diag, off, (d * x.ravel() + g).reshape(nc, T))
    st = k.newton_item_stats(
        prob.cell, prob.item, prob.lo, prob.hi, x.ravel(), a, b, s, J, prob.bounds, f
    )
    w0, w1, w2, ga, gb, sz, szz, sx, sxx, sxz = st
    a, b = _newton_ab(a, b, w0, w1, w2, ga, gb)
    s = np.sqrt(residual_variance(prob, a, b, sz, szz, sx, sxx, sxz))
    if prob.recentre:
        x, a, b = recentre(prob, x, a, b, s, prob.item_period)
    return _pack(x, a, b, s, prob), float(lp)


def _newton_ab(a, b, w0, w1, w2, ga, gb):
    """Newton step for every roll call's ``(a, b)``: curvature ``sum w (1, x)(1, x)'`` plus
    the prior's, scores ``ga, gb`` (all on the latent scale, i.e. times ``s^2``)."""
    p = 1.0 / PRIOR_AB
    h11, h12, h22 = w0 + p, w1, w2 + p
    r1 = w0 * a + w1 * b + ga
    r2 = w1 * a + w2 * b + gb
    det = h11 * h22 - h12 * h12
    return (h22 * r1 - h12 * r2) / det, (h11 * r2 - h12 * r1) / det


def newton_step(prob: Problem, theta: np.ndarray) -> tuple[np.ndarray, float]:
    """One iteration of the default method from ``theta``; also returns the log posterior
    *at* ``theta``.

    A single pass over the votes at ``theta`` gives the score and the (floored) observed
    information of the observed-data posterior for the positions and for every roll
    call's ``(a, b)``. Positions (one tridiagonal system per country) and ``(a, b)`` (a 2 x 2
    system per roll call) then take Newton steps *simultaneously*, each block holding the
    other at its value in ``theta`` (a block-diagonal Newton step); ``s^2`` takes its EM
    update. As in :func:`ecme_step` the steps use the observed information (weights
    ``max(1 - Var z, floor)``), which does not crawl where votes are nearly perfectly
    predicted, but one pass over the votes suffices instead of two.
    """
    from allyscope.un import _kernels as k

    nc, T = prob.shape
    J = len(prob.rcids)
    x, a, b, s = _unpack(theta, prob)
    xr = np.ascontiguousarray(x).ravel()
    cst, ist, ll = k.newton_pass(
        prob.cell, prob.item, prob.kind, xr, a, b, s, nc * T, J, prob.bounds, NEWTON_FLOOR
    )
    lp = ll + log_prior(prob, x, a, b, s)
    d, g = cst[:, 0], cst[:, 1]
    diag, off = _tridiag(prob, d)
    x_new = solve_trajectories(diag, off, (d * xr + g).reshape(nc, T))
    w0, w1, w2, ga, gb, szz, sx, sxx = (ist[:, q] for q in range(8))
    # E[z] = mu + s * lam per vote, summed: from the sums already taken, at the old (a, b)
    sz = prob.n_item * a + b * sx + ga
    sxz = a * sx + b * sxx + gb
    a, b = _newton_ab(a, b, w0, w1, w2, ga, gb)
    s = np.sqrt(residual_variance(prob, a, b, sz, szz, sx, sxx, sxz))
    if prob.recentre:
        x_new, a, b = recentre(prob, x_new, a, b, s, prob.item_period)
    return _pack(x_new, a, b, s, prob), float(lp)


def em_update(prob: Problem, theta: np.ndarray) -> np.ndarray:
    """One EM iteration (the EM map)."""
    return em_step(prob, theta)[0]


def em_update_reference(prob: Problem, theta: np.ndarray) -> np.ndarray:
    """:func:`em_update` in plain numpy (slower; used to check the compiled kernels)."""
    nc, T = prob.shape
    J = len(prob.rcids)
    x, a, b, s = _unpack(theta, prob)
    it = prob.item
    ez, vz = estep_reference(prob, x, a, b, s)
    s2 = s * s
    prec = np.bincount(prob.cell, weights=(b * b / s2)[it], minlength=nc * T)
    rhs = np.bincount(prob.cell, weights=(b / s2)[it] * (ez - a[it]), minlength=nc * T)
    x = xstep(prob, prec, rhs)
    xo = x.ravel()[prob.cell]

    def by_item(w):
        return np.bincount(it, weights=w, minlength=J)

    a, b, s2 = itemstep(
        prob,
        by_item(ez),
        by_item(ez * ez + vz * s2[it]),
        by_item(xo),
        by_item(xo * xo),
        by_item(xo * ez),
    )
    s = np.sqrt(s2)
    if prob.recentre:
        x, a, b = recentre_reference(prob, x, a, b, s, prob.item_period)
    return _pack(x, a, b, s, prob)


def initial_values(prob: Problem) -> np.ndarray:
    """Deterministic start: the first principal component of the country x roll-call matrix."""
    nc, T = prob.shape
    J = len(prob.rcids)
    country = prob.cell // T
    score = prob.y.astype(np.float64) - 1.0  # -1 no, 0 abstain, 1 yes
    m = np.zeros((nc, J))
    m[country, prob.item] = score
    obs = np.zeros((nc, J), dtype=bool)
    obs[country, prob.item] = True
    colmean = (m.sum(0) / np.maximum(obs.sum(0), 1))[None, :]
    m = np.where(obs, m - colmean, 0.0)
    _, vecs = np.linalg.eigh(m @ m.T)  # leading eigenvector of the country Gram matrix
    lead = vecs[:, -1]
    # LAPACK returns either sign: fix it (largest entry positive) so every machine starts alike
    lead = lead if lead[np.argmax(np.abs(lead))] >= 0 else -lead
    pc = lead / lead.std()
    return start_from(prob, np.repeat(pc[:, None], T, axis=1))


def _active(prob: Problem) -> np.ndarray:
    _nc, T = prob.shape
    t = np.arange(T)[None, :]
    return ((t >= prob.first[:, None]) & (t <= prob.last[:, None])).ravel()


def _corr_blocks(prob: Problem, new: np.ndarray, old: np.ndarray, active: np.ndarray) -> float:
    """Smallest correlation of the positions (``active`` ones), intercepts and slopes in
    ``new`` with those in ``old``."""
    from allyscope.un import _kernels as k

    nc, T = prob.shape
    idx = np.flatnonzero(active) if active.dtype == bool else active
    return float(k.corr_blocks(new, old, idx, nc * T, len(prob.rcids)))


@dataclass
class Fit:
    x: np.ndarray
    a: np.ndarray
    b: np.ndarray
    s: np.ndarray
    iterations: int  #: evaluations of the iteration map (one pass over the votes each)
    converged: bool
    seconds: float
    log_posterior: float
    history: list[float] = field(default_factory=list)  #: log posterior of every iterate


#: methods of :func:`fit`: the map one iteration applies
METHODS = ("newton", "ecme", "em")
#: convergence compares the parameters with their values this many iterations earlier
CONVERGENCE_LAG = 3
#: Anderson acceleration: past steps combined, and the damping schedule (Henderson and
#: Varadhan 2019): the step's coefficients are shrunk to a share ``1 / (1 + 1.2^(25 - k))``
#: of their least-squares norm in iteration ``k``: nearly full steps after 40 iterations
AA_MEMORY = 10
AA_KAPPA = 25.0
AA_ALPHA = 1.2
#: an extrapolated iterate is kept unless the log posterior falls by more than this share
MONOTONE_TOL = 1e-9


def _anderson_coefficients(gram: np.ndarray, r: np.ndarray, ratio: float) -> np.ndarray:
    """Coefficients ``gamma`` minimizing ``|f - dF gamma|^2 + lam |gamma|^2``, given
    ``gram = dF'dF`` and ``r = dF'f``, with the ridge ``lam`` chosen so that
    ``|gamma|^2 = ratio * |gamma_0|^2`` (``gamma_0``: least squares)."""
    evals, vecs = np.linalg.eigh(gram)
    top = evals[-1]
    keep = evals > top * 1e-14
    if not top > 0 or not keep.any():
        return np.zeros(len(r))
    d2, v = evals[keep], vecs[:, keep]
    pr = v.T @ r
    lam = 0.0
    if ratio < 1.0:
        target = ratio * float(np.sum((pr / d2) ** 2))
        lo, hi = np.log(top) - 40.0, np.log(top) + 40.0  # bisection on log(lam)
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if np.sum((pr / (d2 + np.exp(mid))) ** 2) > target:
                lo = mid
            else:
                hi = mid
        lam = float(np.exp(hi))
    return v @ (pr / (d2 + lam))


# the estimator's iteration (step, acceleration, monotonicity guard, convergence test) is
# kept whole to follow the method's published description step by step (docs/un.md)
def fit(  # noqa: C901, PLR0912, PLR0915
    prob: Problem,
    *,
    tol: float = 1e-8,
    max_iter: int = 2000,
    accelerate: bool = True,
    method: str = "newton",
    start: np.ndarray | None = None,
    progress=None,
) -> Fit:
    """Posterior mode, iterating :func:`newton_step` (``method="newton"``),
    :func:`ecme_step` or :func:`em_step`, accelerated unless ``accelerate=False``.

    Acceleration: Anderson mixing of the last ``AA_MEMORY`` steps, damped in the first
    iterations and restarted every ``AA_MEMORY`` iterations (DAAREM; Henderson and Varadhan
    2019). The log posterior of a point comes with the step taken from it: an iterate at
    which it falls is replaced by the plain step, and, should that fall too, by a plain EM
    step (which never lowers it), so that the log posterior of the iterates never falls
    (by more than a share ``MONOTONE_TOL`` of it, for rounding).
    Stops when the positions, the intercepts and the slopes each correlate above
    ``1 - tol`` with their values ``CONVERGENCE_LAG`` (3) iterations earlier.
    ``iterations`` counts evaluations of the iteration map.
    """
    from allyscope.un import _kernels as k

    t0 = time.perf_counter()
    steps = {"newton": newton_step, "ecme": ecme_step, "em": em_step}
    if method not in steps:
        raise InvalidInputError(f"unknown method {method!r}", f"use one of {', '.join(METHODS)}")
    step = steps[method]
    theta = initial_values(prob) if start is None else np.array(start, dtype=np.float64)
    nc, T = prob.shape
    J = len(prob.rcids)
    active = np.flatnonzero(_active(prob))
    n_eval = 0

    def F(th: np.ndarray) -> tuple[np.ndarray, float]:
        nonlocal n_eval
        n_eval += 1
        return step(prob, th)

    def ok(lp_new: float, lp_old: float, th: np.ndarray) -> bool:
        return bool(
            np.isfinite(lp_new)
            and lp_new >= lp_old - MONOTONE_TOL * abs(lp_old)
            and np.isfinite(th).all()
        )

    mem = AA_MEMORY if accelerate else 0
    dF = np.empty((mem, len(theta)))  # differences of successive residuals g - theta
    dG = np.empty((mem, len(theta)))  # differences of successive images g
    gram = np.empty((mem, mem))
    n_hist = 0
    g, lp = F(theta)
    f = g - theta
    history = [lp]
    past = [theta]
    converged = False
    it = 0
    while n_eval < max_iter:
        if n_hist:
            r = np.array([k.dot(dF[i], f) for i in range(n_hist)])
            ratio = 1.0 / (1.0 + AA_ALPHA ** (AA_KAPPA - it))
            gamma = _anderson_coefficients(gram[:n_hist, :n_hist], r, ratio)
            prop = k.combine(g, dG[:n_hist], gamma)
        else:
            prop = g
        g_new, lp_new = F(prop)
        if not ok(lp_new, lp, g_new):
            if n_hist:  # the extrapolation went astray: take the plain step instead
                n_hist = 0
                prop = g
                g_new, lp_new = F(prop)
            if not ok(lp_new, lp, g_new) and step is not em_step:
                prop = em_update(prob, theta)  # a plain EM step never lowers the posterior
                n_eval += 1
                g_new, lp_new = F(prop)
        f_new = g_new - prop
        if mem:
            if n_hist == mem:  # restart
                n_hist = 0
            dF[n_hist] = f_new - f
            dG[n_hist] = g_new - g
            for i in range(n_hist + 1):
                gram[i, n_hist] = gram[n_hist, i] = k.dot(dF[i], dF[n_hist])
            n_hist += 1
        theta, g, f, lp = prop, g_new, f_new, lp_new
        history.append(lp)
        past = [*past[-CONVERGENCE_LAG:], theta]
        it += 1
        if len(past) > CONVERGENCE_LAG:
            c = float(k.corr_blocks(theta, past[0], active, nc * T, J))
            if progress:
                progress(n_eval, c)
            if c > 1 - tol:
                converged = True
                break
    x, a, b, s = _unpack(theta, prob)
    return Fit(
        x=x.copy(),
        a=a.copy(),
        b=b.copy(),
        s=s.copy(),
        iterations=n_eval,
        converged=converged,
        seconds=time.perf_counter() - t0,
        log_posterior=float(lp),
        history=history,
    )


def posterior_sd(prob: Problem, f: Fit) -> np.ndarray:
    """Posterior SD of every position given the roll-call parameters (observed information)."""
    from allyscope.un import _kernels as k

    nc, T = prob.shape
    info = k.observed_information(
        prob.cell, prob.item, prob.lo, prob.hi, f.x.ravel(), f.a, f.b, f.s, nc * T, prob.bounds
    )
    diag, off = _tridiag(prob, info)
    return np.sqrt(trajectory_variances(diag, off))


def simulate(prob: Problem, x, a, b, s, rng: np.random.Generator) -> np.ndarray:
    """Draw ordinal answers (0 no, 1 abstain, 2 yes) for every observed country-roll call."""
    it = prob.item
    z = a[it] + b[it] * x.ravel()[prob.cell] + s[it] * rng.standard_normal(len(it))
    three = prob.three[it]
    y = np.where(three, np.where(z < 0, 0, np.where(z < 1, 1, 2)), np.where(z < 0, 0, 2))
    return y.astype(np.int8)


def relayout(prob: Problem, y: np.ndarray) -> Problem:
    """The same observations with new answers (0 no, 1 abstain, 2 yes), e.g. simulated ones."""
    _nc, T = prob.shape
    votes = pl.DataFrame(
        {
            "rcid": prob.rcids[prob.item],
            "ccode": prob.ccodes[prob.cell // T],
            "period": prob.periods[prob.cell % T],
            "vote": (3 - y).astype(np.int8),
        }
    )
    return prepare(votes, "period", prob.omega2)


def identify(prob: Problem, f: Fit, reference: int = US) -> None:
    """Flip the sign (in place) so that the reference state's mean position is positive."""
    i = np.searchsorted(prob.ccodes, reference)
    if i >= len(prob.ccodes) or prob.ccodes[i] != reference:
        return
    mean = f.x[i, prob.first[i] : prob.last[i] + 1].mean()
    if mean < 0:
        f.x *= -1.0
        f.b *= -1.0


def start_from(prob: Problem, x: np.ndarray) -> np.ndarray:
    """Starting values from given positions, with roll-call parameters fitted to them."""
    J = len(prob.rcids)
    a0, b0, s0 = np.zeros(J), np.zeros(J), np.ones(J)
    ez, vz = estep_reference(prob, x, a0, b0, s0)
    it = prob.item
    xo = x.ravel()[prob.cell]

    def by_item(w):
        return np.bincount(it, weights=w, minlength=J)

    a, b, s2 = itemstep(
        prob, by_item(ez), by_item(ez * ez + vz), by_item(xo), by_item(xo * xo), by_item(xo * ez)
    )
    return _pack(x, a, b, np.sqrt(s2), prob)


def bootstrap(prob: Problem, f: Fit, n_boot: int, seed: int, **fit_kw) -> np.ndarray:
    """Parametric bootstrap SD of every position: votes drawn from the fitted model, refitted.

    Replicate ``r`` uses ``numpy.random.default_rng([seed, r])``; the result does not depend
    on anything else.
    """
    nc, T = prob.shape
    draws = np.zeros((n_boot, nc, T))
    for r in range(n_boot):  # a few replicates, each a full fit
        rng = np.random.default_rng([seed, r])
        y = simulate(prob, f.x, f.a, f.b, f.s, rng)
        sim = relayout(prob, y)
        g = fit(sim, start=start_from(sim, _regrid(sim, prob, f.x)), **fit_kw)
        identify(sim, g)
        draws[r] = _regrid(prob, sim, g.x)
    return draws.std(axis=0, ddof=1) if n_boot > 1 else np.full((nc, T), np.nan)


def _regrid(target: Problem, source: Problem, x: np.ndarray) -> np.ndarray:
    """Positions of ``source``'s grid on ``target``'s grid (same countries and periods)."""
    out = np.zeros(target.shape)
    ti = np.searchsorted(target.ccodes, source.ccodes)
    pi = np.searchsorted(target.periods, source.periods)
    ok_c = (ti < len(target.ccodes)) & (
        target.ccodes[np.minimum(ti, len(target.ccodes) - 1)] == source.ccodes
    )
    ok_p = (pi < len(target.periods)) & (
        target.periods[np.minimum(pi, len(target.periods) - 1)] == source.periods
    )
    out[np.ix_(ti[ok_c], pi[ok_p])] = x[np.ix_(ok_c, ok_p)]
    return out
