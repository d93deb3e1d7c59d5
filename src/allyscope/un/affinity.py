"""Dyadic affinity of UN General Assembly voting: agreement, coincidence, S, kappa and pi.

For every period (calendar year of the vote date, or UN session) the votes form a
``country x roll call`` matrix ``V`` of codes ``1 = yes, 2 = abstain, 3 = no, 0 = no
recorded vote``. With one-hot indicators ``Y_k = (V == k)`` the 3 x 3 table of joint
votes of every pair of countries comes from matrix products, ``n_kl = Y_k @ Y_l.T``;
all measures are functions of that table (see docs/un.md for the formulas):

* ``agree`` -- share of identical votes (yes-yes, abstain-abstain, no-no);
* ``coincidence`` -- the US State Department's voting coincidence, identical / (identical +
  opposite) over the roll calls where both voted yes or no (abstentions do not count);
* ``s_score`` -- Signorino and Ritter's S on the three-point scale,
  ``1 - 2 * mean(d) / d_max`` with the absolute distance ``|x - y|`` (``d_max = 2``) or,
  with ``metric="squared"``, ``(x - y)^2`` (``d_max = 4``);
* ``kappa``, ``pi`` -- Cohen's kappa and Scott's pi on the three categories (Häge 2011):
  chance-corrected agreement, with chance from each state's own marginal distribution
  (kappa) or from the pooled one (pi);
* ``kappa_w``, ``pi_w`` -- their distance-weighted versions, ``1 - D_obs / D_chance`` with
  the same distance as the S-score.

Only roll calls on which both countries cast a recorded vote count (absences are
missing); ``n_votes`` is their number and ``n_yesno`` the number used by ``coincidence``.
``source`` says where the period's roll calls come from: ``unvotes`` (to 2019), ``undl``
(the UN Digital Library, 2020-2021) or ``unvotes+undl`` (session 74, September 2019 to
September 2020).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.un.data import FIRST_YEAR, ISSUES, LAST_YEAR, SOURCES, VoteData, load

MEASURES: tuple[str, ...] = ("agree", "coincidence", "s_score", "kappa", "pi", "kappa_w", "pi_w")
COUNTS: tuple[str, ...] = ("n_votes", "n_yesno")
METRICS = ("absolute", "squared")
PERIODS = ("year", "session")
#: values of the ``source`` column: the sources of a period's roll calls
SOURCE_LABELS: tuple[str, ...] = (*SOURCES, "+".join(SOURCES))


def period_sources(data: VoteData, period: str) -> pl.DataFrame:
    """``<period>, source``: where each period's roll calls come from (see module docs;
    null for vote data without a ``source`` column)."""
    if "source" not in data.roll_calls.columns:
        return (
            data.roll_calls.select(pl.col(period).cast(pl.Int32))
            .unique()
            .with_columns(pl.lit(None, dtype=pl.Enum(SOURCE_LABELS)).alias("source"))
        )
    return (
        data.roll_calls.group_by(period)
        .agg(pl.col("source").unique().sort().cast(pl.String).str.join("+").alias("source"))
        .select(pl.col(period).cast(pl.Int32), pl.col("source").cast(pl.Enum(SOURCE_LABELS)))
        .sort(period)
    )


_K = np.arange(1, 4, dtype=np.float64)


def _distance(metric: str) -> tuple[np.ndarray, float]:
    if metric not in METRICS:
        raise InvalidInputError(
            f"unknown distance metric {metric!r}", "use 'absolute' or 'squared'"
        )
    diff = np.abs(_K[:, None] - _K[None, :])
    return (diff, 2.0) if metric == "absolute" else (diff**2, 4.0)


def measures_from_counts(counts: np.ndarray, metric: str = "absolute") -> dict[str, np.ndarray]:
    """All affinity measures from joint vote tables.

    ``counts[..., k, l]`` is the number of roll calls on which state 1 voted ``k + 1`` and
    state 2 voted ``l + 1`` (1 yes, 2 abstain, 3 no). Returns float arrays with ``nan``
    where a measure is undefined (no shared votes; no chance disagreement for kappa/pi).
    """
    counts = np.asarray(counts)
    if counts.shape[-2:] != (3, 3):
        raise InvalidInputError(f"vote tables must be 3 x 3, not {counts.shape[-2:]}")
    d, dmax = _distance(metric)
    c = [[counts[..., k, m].astype(np.float64) for m in range(3)] for k in range(3)]
    off = [(k, m) for k in range(3) for m in range(3) if k != m]
    row = [c[k][0] + c[k][1] + c[k][2] for k in range(3)]  # state 1's votes
    col = [c[0][m] + c[1][m] + c[2][m] for m in range(3)]  # state 2's votes
    total = row[0] + row[1] + row[2]
    ident = c[0][0] + c[1][1] + c[2][2]
    same_yn = c[0][0] + c[2][2]
    yesno = same_yn + c[0][2] + c[2][0]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / np.where(total > 0, total, np.nan)
        p1 = [r * inv for r in row]
        p2 = [q * inv for q in col]
        pb = [(a + b) / 2 for a, b in zip(p1, p2, strict=True)]
        agree = ident * inv
        coincidence = same_yn / np.where(yesno > 0, yesno, np.nan)
        d_obs = sum(d[k, m] * c[k][m] for k, m in off) * inv
        s_score = 1 - 2 * d_obs / dmax
        pe_k = p1[0] * p2[0] + p1[1] * p2[1] + p1[2] * p2[2]
        pe_p = pb[0] ** 2 + pb[1] ** 2 + pb[2] ** 2
        kappa = (agree - pe_k) / np.where(1 - pe_k > 1e-12, 1 - pe_k, np.nan)
        pi = (agree - pe_p) / np.where(1 - pe_p > 1e-12, 1 - pe_p, np.nan)
        de_k = sum(d[k, m] * p1[k] * p2[m] for k, m in off)
        de_p = sum(d[k, m] * pb[k] * pb[m] for k, m in off)
        kappa_w = 1 - d_obs / np.where(de_k > 1e-12, de_k, np.nan)
        pi_w = 1 - d_obs / np.where(de_p > 1e-12, de_p, np.nan)
    return {
        "n_votes": np.rint(total).astype(np.int32),
        "n_yesno": np.rint(yesno).astype(np.int32),
        "agree": agree,
        "coincidence": coincidence,
        "s_score": s_score,
        "kappa": kappa,
        "pi": pi,
        "kappa_w": kappa_w,
        "pi_w": pi_w,
    }


def joint_counts(v: np.ndarray) -> np.ndarray:
    """Joint vote tables of every pair of rows of a vote matrix (codes 0-3, 0 missing).

    Returns ``counts[i, j, k, l]`` = number of columns where row ``i`` voted ``k + 1`` and
    row ``j`` voted ``l + 1``.
    """
    v = np.asarray(v)
    n = v.shape[0]
    y = np.concatenate([(v == k) for k in (1, 2, 3)], axis=0).astype(np.float32)
    c = y @ y.T  # exact: counts stay far below 2**24
    return np.rint(c).astype(np.int32).reshape(3, n, 3, n).transpose(1, 3, 0, 2)


def dyad_measures(
    x: Sequence[int | None], y: Sequence[int | None], metric: str = "absolute"
) -> dict[str, float | None]:
    """All measures for two vote vectors (codes 1 yes, 2 abstain, 3 no, 0 or None missing)."""
    a = np.array([0 if v is None else v for v in x], dtype=np.int8)
    b = np.array([0 if v is None else v for v in y], dtype=np.int8)
    if a.shape != b.shape:
        raise InvalidInputError("the two vote vectors differ in length")
    if not np.isin(a, (0, 1, 2, 3)).all() or not np.isin(b, (0, 1, 2, 3)).all():
        raise InvalidInputError("vote codes must be 1 (yes), 2 (abstain), 3 (no) or 0 (missing)")
    counts = joint_counts(np.stack([a, b]))[0, 1]
    out = measures_from_counts(counts, metric)
    return {
        k: (int(v) if k in COUNTS else (None if np.isnan(v) else float(v))) for k, v in out.items()
    }


def _period_slices(data: VoteData, period: str) -> tuple[np.ndarray, ...]:
    if period not in PERIODS:
        raise InvalidInputError(f"unknown period {period!r}", "use 'year' or 'session'")
    v = data.votes.sort(period, "rcid", "ccode")
    return (
        v[period].to_numpy(),
        v["rcid"].to_numpy(),
        v["ccode"].to_numpy(),
        v["vote"].to_numpy(),
    )


def _period_matrix(
    r: np.ndarray, c: np.ndarray, v: np.ndarray, rc_ids: np.ndarray, keep_cc: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """One period's country x roll-call vote matrix (0 missing), its countries and each
    roll call's row in the roll-call table; None where fewer than two countries voted."""
    sel = np.isin(r, rc_ids)
    if keep_cc is not None:
        sel &= np.isin(c, keep_cc)
    r, c, v = r[sel], c[sel], v[sel]
    if len(r) == 0:
        return None
    rids, ri = np.unique(r, return_inverse=True)
    cids, ci = np.unique(c, return_inverse=True)
    n = len(cids)
    if n < 2:
        return None
    mat = np.zeros((n, len(rids)), dtype=np.int8)
    mat[ci, ri] = v
    return cids, mat, np.searchsorted(rc_ids, rids)


def _issue_tables(
    mat: np.ndarray, pos: np.ndarray, issues: Sequence[str], flags: dict[str, np.ndarray]
) -> Iterator[tuple[str, np.ndarray]]:
    """Joint vote tables of every pair (``np.triu_indices`` order) per issue; issues with no
    roll call in the period give no tables."""
    n = mat.shape[0]
    iu, ju = np.triu_indices(n, 1)
    y = np.concatenate([(mat == k) for k in (1, 2, 3)], axis=0).astype(np.float32)
    for issue in issues:
        if issue == "all":
            yi = y
        else:
            cols = flags[issue][pos]
            if not cols.any():  # no roll call on this issue in the period: no rows
                continue
            yi = y[:, cols]
        prod = yi @ yi.T  # (3n x 3n): block (k, l) holds n_kl for all pairs
        tab = prod.reshape(3, n, 3, n).transpose(1, 3, 0, 2)[iu, ju]
        yield issue, np.rint(tab).astype(np.int16)


def compute(
    data: VoteData,
    *,
    period: str = "year",
    periods: Iterable[int] | None = None,
    ccodes: Iterable[int] | None = None,
    issues: Sequence[str] = ("all",),
    important_only: bool = False,
    metric: str = "absolute",
) -> pl.DataFrame:
    """Affinity of every pair of countries that both voted in a period (see module docs).

    Returns ``ccode1 < ccode2, <period>, issue, source, n_votes, n_yesno`` and
    :data:`MEASURES`, one row per dyad-period-issue. Dyads of countries that both cast
    recorded votes in the period appear even where they share no votes on an issue
    (``n_votes = 0``, measures null). A roll call whose issue codes are unknown (null: a
    later roll call whose title was not voted on before) counts only for ``"all"``.
    """
    _distance(metric)
    pcol, rcid, cc, vote = _period_slices(data, period)
    rc = data.roll_calls.sort("rcid")
    if important_only:
        rc = rc.filter(pl.col("important"))
    rc_ids = rc["rcid"].to_numpy()
    flags = {k: rc[k].fill_null(False).to_numpy() for k in ISSUES}
    keep_cc = None if ccodes is None else np.unique(np.fromiter(ccodes, dtype=np.int64))
    wanted = None if periods is None else set(int(p) for p in periods)

    bounds = np.flatnonzero(np.diff(pcol)) + 1
    starts = np.r_[0, bounds]
    ends = np.r_[bounds, len(pcol)]
    issue_ix = {k: i for i, k in enumerate(("all", *ISSUES))}
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("ccode1", "ccode2", "period", "issue")}
    tables: list[np.ndarray] = []
    for s, e in zip(starts, ends, strict=True):  # one pass per period (74), not per dyad
        p = int(pcol[s])
        if wanted is not None and p not in wanted:
            continue
        found = _period_matrix(rcid[s:e], cc[s:e], vote[s:e], rc_ids, keep_cc)
        if found is None:
            continue
        cids, mat, pos = found
        iu, ju = np.triu_indices(len(cids), 1)
        for issue, tab in _issue_tables(mat, pos, issues, flags):
            tables.append(tab)
            parts["ccode1"].append(cids[iu])
            parts["ccode2"].append(cids[ju])
            parts["period"].append(np.full(len(iu), p, dtype=np.int32))
            parts["issue"].append(np.full(len(iu), issue_ix[issue], dtype=np.uint8))
    if not tables:
        out = _frame({k: np.empty(0) for k in parts}, np.zeros((0, 3, 3)), period, metric)
    else:
        arrays = {k: np.concatenate(v) for k, v in parts.items()}
        out = _frame(arrays, np.concatenate(tables), period, metric)
    out = out.join(period_sources(data, period), on=period, how="left")
    return out.select("ccode1", "ccode2", period, "issue", "source", *COUNTS, *MEASURES)


def _frame(
    arrays: dict[str, np.ndarray], tables: np.ndarray, period: str, metric: str
) -> pl.DataFrame:
    names = ["all", *ISSUES]
    # in chunks: the float temporaries of 5.6 million tables at once would need gigabytes
    step = 500_000
    parts = [
        measures_from_counts(tables[i : i + step], metric) for i in range(0, len(tables), step)
    ]
    out = (
        {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        if parts
        else measures_from_counts(tables, metric)
    )
    return pl.DataFrame(
        {
            "ccode1": pl.Series(arrays["ccode1"], dtype=pl.Int32),
            "ccode2": pl.Series(arrays["ccode2"], dtype=pl.Int32),
            period: pl.Series(arrays["period"], dtype=pl.Int32),
            "issue": pl.Series(arrays["issue"].astype(np.uint8)).replace_strict(
                dict(enumerate(names)), return_dtype=pl.Enum(names)
            ),
            **{k: pl.Series(out[k], dtype=pl.Int32) for k in COUNTS},
            **{k: pl.Series(out[k], dtype=pl.Float64, nan_to_null=True) for k in MEASURES},
        }
    )


def period_range(period: str, start: int | None, end: int | None) -> list[int]:
    """The periods between ``start`` and ``end`` (inclusive), checked against the data's span."""
    lo, hi = (FIRST_YEAR, LAST_YEAR) if period == "year" else (1, LAST_YEAR - 1945)
    a = lo if start is None else int(start)
    b = hi if end is None else int(end)
    if a > b:
        raise InvalidInputError(
            f"empty {period} range {a}-{b}", "the start must not exceed the end"
        )
    if b < lo or a > hi:
        raise InvalidInputError(
            f"no UN votes in {period}s {a}-{b}",
            f"the UN voting data cover {period}s {lo}-{hi}",
        )
    return list(range(max(a, lo), min(b, hi) + 1))


class _CallableModule(types.ModuleType):
    """``allyscope.un.affinity(...)`` is the table API; the module holds the engine."""

    def __call__(self, *args: Any, **kwargs: Any) -> pl.DataFrame:
        from allyscope.un.api import affinity

        return affinity(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "MEASURES",
    "compute",
    "dyad_measures",
    "joint_counts",
    "load",
    "measures_from_counts",
    "period_range",
]
