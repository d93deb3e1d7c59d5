"""Validation of the de facto score against what it was not built from.

The score is never checked against the same year's alliance layer (a score that contains
shared allies would re-detect multilateral pacts and look perfect). Two targets instead:

``onset``
    *later formal onset*: among the dyad-years with no defense obligation at t (ATOP,
    extended with the sourced alliance records after 2018), does the score at t rank
    first the dyads whose defense obligation begins within ``horizon`` years (t+1 ...
    t+h)? Years t run from ``validation.first_year`` to the last year whose whole horizon
    the alliance data cover.
``dca``
    *defense cooperation agreements*: among the dyad-years with no DCAD agreement in force
    at t, does the score rank first the dyads that sign one within ``horizon`` years?
    (DCAD covers 1980-2010, so t runs 1980 to 2010 - h.) The ``dca`` component is left
    out of every variant for this target.

Each target is scored by its percentile within the year and basis (as users see it).
Variants: the score, the score without each component, and each component alone (on the
dyad-years where it is observed). Out of time: the score on the years up to and after
``validation.train_end``, and weights fitted by a non-negative logistic regression on the
years up to ``train_end``, tested on the later years.

Reported per variant: the number of dyad-years and positives, the ROC AUC and the average
precision (area under the precision-recall curve; compare it with the prevalence), each
with a bootstrap confidence interval, and the difference in AUC from the full score
(paired). The bootstrap resamples clusters, not dyad-years: positives by the year their
event happens (the dyads of one treaty or one wave of accessions begin together) and the
other dyad-years by their year t; both sets are resampled separately (stratified), with
the same draws for every variant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.network import defacto_score as D

if TYPE_CHECKING:
    from allyscope.settings import Settings

TARGETS: dict[str, str] = {
    "onset": "defense obligation begins within the horizon (non-allies at t)",
    "dca": "defense cooperation agreement signed within the horizon (none in force at t)",
}

COLUMNS = {
    "target": pl.String,
    "variant": pl.String,
    "years": pl.String,
    "n": pl.Int64,
    "n_positive": pl.Int64,
    "prevalence": pl.Float64,
    "auc": pl.Float64,
    "auc_low": pl.Float64,
    "auc_high": pl.Float64,
    "ap": pl.Float64,
    "ap_low": pl.Float64,
    "ap_high": pl.Float64,
    "d_auc": pl.Float64,
    "d_auc_low": pl.Float64,
    "d_auc_high": pl.Float64,
}


@dataclass
class Validation:
    """The validation figures (``table``, columns :data:`COLUMNS`) and how they were made."""

    table: pl.DataFrame
    horizon: int
    bootstrap: int
    level: float
    provenance: dict[str, str] = field(default_factory=dict)
    fitted_weights: dict[str, float] = field(default_factory=dict)


# -- samples ---------------------------------------------------------------------------------


def _event_years(df: pl.DataFrame, flag: str, horizon: int) -> pl.DataFrame:
    """For each dyad-year t, the first year in t+1 ... t+h with ``flag`` > 0 (``event``)."""
    ev = df.filter(pl.col(flag) > 0).select("ccode1", "ccode2", pl.col("year").alias("event"))
    return (
        ev.with_columns(
            pl.int_ranges(pl.col("event") - horizon, pl.col("event"), dtype=pl.Int32).alias("year")
        )
        .explode("year")
        .group_by("ccode1", "ccode2", "year")
        .agg(pl.col("event").min())
    )


def sample(
    target: str, settings: Settings | None = None, horizon: int | None = None
) -> pl.DataFrame:
    """The dyad-years of a target with their components and ``y`` (1 if the event happens
    within the horizon), ``event`` (its year) and ``t`` (the year of the score)."""
    from allyscope.sources.bounds import coverage

    st = D._settings(settings)
    h = horizon or st.defacto.horizon
    if target == "onset":
        flag, state, (a, b) = "formal_defense", "formal_defense", coverage("alliances_extended")
        a = max(a, st.defacto.validation_first_year)
        b = min(b, st.as_of.year)
    elif target == "dca":
        flag, state, (a, b) = "dca_signed", "dca_in_force", coverage("defense_cooperation")
    else:
        from allyscope.errors import UnknownNameError

        raise UnknownNameError("validation target", target, TARGETS)
    if b - h < a:
        raise InvalidInputError(f"no year has a whole {h}-year horizon in {a}-{b}")
    comp = D.components((a, b), settings=st)
    events = _event_years(comp, flag, h)
    return (
        comp.filter(pl.col("year").is_between(a, b - h) & (pl.col(state) == 0))
        .join(events, on=["ccode1", "ccode2", "year"], how="left")
        .with_columns(
            pl.col("event").is_not_null().cast(pl.Int8).alias("y"), pl.col("year").alias("t")
        )
    )


# -- rank statistics with a cluster bootstrap ------------------------------------------------


class _Ranks:
    """AUC and average precision of one score, for any cluster multiplicities."""

    def __init__(self, s: np.ndarray, y: np.ndarray, pcl: np.ndarray, ncl: np.ndarray) -> None:
        pos, neg = s[y == 1], s[y == 0]
        self.pcl, self.ncl = pcl[y == 1], ncl[y == 0]
        self.order = np.argsort(pos, kind="stable")
        asc = pos[self.order]
        self.first_ge = np.searchsorted(asc, pos, side="left")  # positives with s >= s_i
        self.clusters = np.unique(self.ncl)
        k = len(self.clusters)
        self.below = np.zeros((len(pos), k))
        self.ge = np.zeros((len(pos), k))
        self.nk = np.zeros(k)
        for j, c in enumerate(self.clusters):
            sk = np.sort(neg[self.ncl == c])
            lt = np.searchsorted(sk, pos, side="left")
            le = np.searchsorted(sk, pos, side="right")
            self.below[:, j] = lt + 0.5 * (le - lt)
            self.ge[:, j] = len(sk) - lt
            self.nk[j] = len(sk)

    def stats(self, wp: np.ndarray, vn: np.ndarray) -> tuple[float, float]:
        """(AUC, AP) with weight ``wp`` per positive and ``vn`` per negative cluster."""
        total_n = float(vn @ self.nk)
        total_p = float(wp.sum())
        if total_n == 0 or total_p == 0:
            return (np.nan, np.nan)
        auc = float(wp @ (self.below @ vn)) / (total_p * total_n)
        cum = np.concatenate([[0.0], np.cumsum(wp[self.order])])
        tp = total_p - cum[self.first_ge]
        fp = self.ge @ vn
        prec = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=wp > 0)
        ap = float(wp @ prec) / total_p
        return auc, ap


def _draws(ids: np.ndarray, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster multiplicities (reps x clusters) of a cluster bootstrap over ``ids``."""
    k = len(ids)
    picks = rng.integers(0, k, size=(reps, k))
    return np.stack([np.bincount(p, minlength=k) for p in picks]).astype(np.float64)


@dataclass
class _Boot:
    pos_ids: np.ndarray
    neg_ids: np.ndarray
    mp: np.ndarray  # reps x positive clusters
    mn: np.ndarray  # reps x negative clusters


def _boot(df: pl.DataFrame, reps: int, seed: int) -> _Boot:
    rng = np.random.default_rng(seed)
    pos_ids = np.unique(df.filter(pl.col("y") == 1)["event"].to_numpy())
    neg_ids = np.unique(df.filter(pl.col("y") == 0)["t"].to_numpy())
    return _Boot(pos_ids, neg_ids, _draws(pos_ids, reps, rng), _draws(neg_ids, reps, rng))


def _evaluate(part: pl.DataFrame, col: str, boot: _Boot) -> tuple[tuple, np.ndarray]:
    """Point (AUC, AP) and the bootstrap replicates (reps x 2) of score ``col``."""
    part = part.drop_nulls(col)
    y = part["y"].to_numpy()
    if part.height == 0 or y.min() == y.max():
        return (np.nan, np.nan), np.full((len(boot.mp), 2), np.nan)
    pcl = part["event"].fill_null(-1).to_numpy()
    r = _Ranks(part[col].to_numpy().astype(np.float64), y, pcl, part["t"].to_numpy())
    pi = np.searchsorted(boot.pos_ids, r.pcl)
    ni = np.searchsorted(boot.neg_ids, r.clusters)
    point = r.stats(np.ones(len(r.pcl)), np.ones(len(r.clusters)))
    reps = np.array([r.stats(mp[pi], mn[ni]) for mp, mn in zip(boot.mp, boot.mn, strict=True)])
    return point, reps


# -- variants --------------------------------------------------------------------------------


def _variants(weights: dict[str, float], drop: tuple[str, ...]) -> dict[str, dict[str, float]]:
    w = {c: v for c, v in weights.items() if c not in drop}
    used = D.used_components(w)
    out = {"score": w}
    if len(used) > 1:
        out.update({f"without {c}": {**w, c: 0.0} for c in used})
    out.update({f"{c} alone": {c: 1.0} for c in used})
    return out


def _percentile_columns(
    comp: pl.DataFrame,
    rows: pl.DataFrame,
    variants: dict[str, dict[str, float]],
    min_compared: int,
) -> pl.DataFrame:
    """``rows`` with one percentile column per variant (within year and basis)."""
    out = rows.select("ccode1", "ccode2", "year", "y", "event", "t")
    for i, w in enumerate(variants.values()):
        p = D.percentile_table(comp, w, min_compared).select(
            "ccode1", "ccode2", "year", pl.col("percentile").alias(f"v{i}")
        )
        out = out.join(p, on=["ccode1", "ccode2", "year"], how="left")
    return out


def _row(target, variant, years, part, col, boot, full, level) -> dict:
    point, reps = _evaluate(part, col, boot)
    lo, hi = 100 * (1 - level) / 2, 100 * (1 + level) / 2
    kept = part.drop_nulls(col)
    n, npos = kept.height, int(kept["y"].sum()) if kept.height else 0

    def ci(a: np.ndarray) -> tuple[float | None, float | None]:
        a = a[~np.isnan(a)]
        return (
            (float(np.percentile(a, lo)), float(np.percentile(a, hi))) if len(a) else (None, None)
        )

    row = {
        "target": target,
        "variant": variant,
        "years": years,
        "n": n,
        "n_positive": npos,
        "prevalence": npos / n if n else None,
        "auc": None if np.isnan(point[0]) else point[0],
        "auc_low": ci(reps[:, 0])[0],
        "auc_high": ci(reps[:, 0])[1],
        "ap": None if np.isnan(point[1]) else point[1],
        "ap_low": ci(reps[:, 1])[0],
        "ap_high": ci(reps[:, 1])[1],
        "d_auc": None,
        "d_auc_low": None,
        "d_auc_high": None,
    }
    if full is not None and variant != "score" and not np.isnan(point[0]):
        d = reps[:, 0] - full[1][:, 0]
        row.update(d_auc=point[0] - full[0][0], d_auc_low=ci(d)[0], d_auc_high=ci(d)[1])
    return row


def _target_rows(target: str, st: Settings, h: int, reps: int) -> tuple[list[dict], dict]:
    d = st.defacto
    rows = sample(target, st, h)
    t0, t1 = (int(v) for v in rows.select(pl.col("t").min(), pl.col("t").max().alias("u")).row(0))
    comp = D.components((t0, t1), settings=st)
    drop = ("dca",) if target == "dca" else ()
    variants = _variants(dict(d.weights), drop)
    cols = _percentile_columns(comp, rows, variants, d.min_compared)
    boot = _boot(cols, reps, d.validation_seed)
    span = f"{t0}-{t1}"
    full = _evaluate(cols, "v0", boot)
    out = [
        _row(target, name, span, cols, f"v{i}", boot, full, d.level)
        for i, name in enumerate(variants)
    ]
    later, fitted = _out_of_time(target, cols, rows, variants["score"], st, boot)
    return out + later, fitted


def _out_of_time(target, cols, rows, weights, st, boot) -> tuple[list[dict], dict[str, float]]:
    """The score before and after ``train_end``, and fitted weights tested after it."""
    d = st.defacto
    cut = d.train_end
    early = cols.filter(pl.col("t") <= cut)
    late = cols.filter(pl.col("t") > cut)
    out: list[dict] = []
    fitted: dict[str, float] = {}
    t0, t1 = int(cols["t"].min()), int(cols["t"].max())
    for part, span in ((early, f"{t0}-{cut}"), (late, f"{cut + 1}-{t1}")):
        if part.height and part["y"].n_unique() == 2:
            out.append(_row(target, f"score, years {span}", span, part, "v0", boot, None, d.level))
    if early.height and late.height and early["y"].n_unique() == 2 and late["y"].n_unique() == 2:
        fitted = _fit(rows, weights, cut)
        scored = late.join(
            _linear(rows.filter(pl.col("t") > cut), fitted), on=["ccode1", "ccode2", "year"]
        )
        out.append(
            _row(
                target,
                f"fitted weights (trained {t0}-{cut})",
                f"{cut + 1}-{t1}",
                scored,
                "fit",
                boot,
                None,
                d.level,
            )
        )
    return out, fitted


def _design(rows: pl.DataFrame, used: list[str]) -> np.ndarray:
    x = rows.select(used).to_numpy().astype(np.float64)
    obs = ~np.isnan(x)
    return np.hstack([np.nan_to_num(x, nan=0.0), obs.astype(np.float64)])


def _fit(rows: pl.DataFrame, weights: dict[str, float], cut: int) -> dict[str, float]:
    """Non-negative logistic weights of the used components (with free coefficients on
    whether each is observed), fitted on the years up to ``cut``."""
    used = D.used_components(weights)
    tr = rows.filter(pl.col("t") <= cut)
    x = _design(tr, used)
    y = tr["y"].to_numpy().astype(np.float64)
    coef, b0 = _fit_logit(x, y, nonneg=len(used))
    return {
        **dict(zip(used, coef[: len(used)].tolist(), strict=True)),
        **{f"observed:{c}": float(v) for c, v in zip(used, coef[len(used) :], strict=True)},
        "intercept": b0,
    }


def _linear(rows: pl.DataFrame, fitted: dict[str, float]) -> pl.DataFrame:
    used = [c for c in D.COMPONENTS if c in fitted]
    x = _design(rows, used)
    b = np.array([fitted[c] for c in used] + [fitted[f"observed:{c}"] for c in used])
    return rows.select("ccode1", "ccode2", "year").with_columns(
        pl.Series("fit", (x * b).sum(axis=1))
    )


def _fit_logit(x: np.ndarray, y: np.ndarray, nonneg: int, ridge: float = 1.0):
    """Penalized maximum likelihood, the first ``nonneg`` coefficients >= 0 (L-BFGS-B)."""
    from scipy.optimize import minimize

    n, k = x.shape

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b0, b = theta[0], theta[1:]
        eta = b0 + x @ b
        p = 1.0 / (1.0 + np.exp(-eta))
        r = p - y
        val = (np.logaddexp(0.0, eta) - y * eta).sum() / n + 0.5 * ridge * (b @ b) / n
        grad = np.concatenate([[r.sum() / n], (x.T @ r) / n + ridge * b / n])
        return float(val), grad

    prev = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    start = np.concatenate([[np.log(prev / (1 - prev))], np.zeros(k)])
    bounds = [(None, None)] + [(0.0, None)] * nonneg + [(None, None)] * (k - nonneg)
    res = minimize(
        f,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-8},
    )
    return res.x[1:], float(res.x[0])


def validate(
    *,
    settings: Settings | None = None,
    targets: tuple[str, ...] = tuple(TARGETS),
    horizon: int | None = None,
    bootstrap: int | None = None,
) -> Validation:
    """AUC and average precision of the score on each target (see the module
    documentation), with and without each component, with bootstrap intervals."""
    st = D._settings(settings)
    h = horizon or st.defacto.horizon
    reps = bootstrap or st.defacto.bootstrap
    rows: list[dict] = []
    fitted: dict[str, float] = {}
    for target in targets:
        r, f = _target_rows(target, st, h, reps)
        rows += r
        fitted = fitted or f
    table = pl.DataFrame(rows, schema=COLUMNS, orient="row")
    return Validation(table, h, reps, st.defacto.level, D.provenance(st), fitted)


__all__ = ["COLUMNS", "TARGETS", "Validation", "sample", "validate"]
