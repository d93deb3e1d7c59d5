"""Skill of backtest forecasts with cluster-bootstrap intervals, at dyad and event level.

Onsets come in treaty waves (:mod:`allyscope.forecast.events`): scored dyad by dyad, a
wave of 200 dyads counts as 200 independent hits. Every skill figure here therefore comes
with a **cluster bootstrap** interval that resamples whole waves:

* rows followed by an onset are clustered by the *event* of that onset (all forecasts of
  the dyads of one treaty wave, from every origin whose window contains it, form one
  cluster);
* rows not followed by an onset are clustered by *origin year* (the forecasts of one year
  share that year's inputs and shocks).

The two strata are resampled separately (events with replacement, origin years with
replacement), and every statistic is recomputed on the resample with each row weighted by
the number of times its cluster was drawn: a stratified cluster bootstrap (Field and
Welsh 2007). Intervals are percentile intervals (default 90%).

**Event level.** Dyad-level ROC and PR curves weigh a wave by its size. The event-level
versions weigh each event (at each origin) as one: the rows followed by an onset of event
``E`` at origin ``t`` get weight ``1 / (number of such rows)``, rows without an onset
weight 1. Event-level ROC-AUC is then the probability that a randomly chosen event's dyad
outranks a dyad without an onset, averaged over events rather than dyads. An event counts
as *foreseen* at an origin if at least one of its dyads is in the top 5% of that origin's
forecasts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from allyscope.forecast.calibration import EPS

#: percentile interval of every bootstrap figure
LEVEL = 0.90
N_BOOT = 1000
#: fewer replicates for the rank statistics (one sort of all rows each)
N_BOOT_RANKS = 200
#: probability bins of the reliability table
BINS = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0)


@dataclass
class Clusters:
    """Cluster index of every row and the stratum of every cluster."""

    index: np.ndarray  #: (n,) cluster of each row
    stratum: np.ndarray  #: (k,) 0: non-onset (origin) cluster, 1: onset (event) cluster
    names: list[str]

    @property
    def n_clusters(self) -> int:
        return int(self.stratum.size)

    def draws(self, n_boot: int, seed: int) -> np.ndarray:
        """``(n_boot, k)`` counts: how often each cluster is drawn in each replicate,
        resampling within strata."""
        rng = np.random.default_rng(seed)
        out = np.zeros((n_boot, self.n_clusters), dtype=np.int32)
        for s in (0, 1):
            ids = np.flatnonzero(self.stratum == s)
            if ids.size == 0:
                continue
            pick = rng.integers(0, ids.size, size=(n_boot, ids.size))
            for b in range(n_boot):
                out[b, ids] = np.bincount(pick[b], minlength=ids.size)
        return out


def make_clusters(frame: pl.DataFrame, negative_key: str = "origin") -> Clusters:
    """Clusters of forecast rows with columns ``origin``, ``onset_within`` and ``event``
    (the event of the onset that followed, null if none). Rows without an onset are
    clustered by ``negative_key`` (default: the origin year)."""
    label = (
        pl.when(pl.col("onset_within") == 1)
        .then(pl.concat_str(pl.lit("event:"), pl.col("event").fill_null("unknown")))
        .otherwise(pl.concat_str(pl.lit("other:"), pl.col(negative_key).cast(pl.String)))
    )
    labels = frame.select(label.alias("c"))["c"].to_numpy().astype(str)
    names, index = np.unique(labels, return_inverse=True)
    stratum = np.char.startswith(names.astype(str), "event:").astype(np.int8)
    return Clusters(index.astype(np.int64), stratum, names.tolist())


def _interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return (float("nan"), float("nan"))
    a = (1 - level) / 2
    lo, hi = np.quantile(v, [a, 1 - a])
    return (float(lo), float(hi))


# -- weighted ranking metrics ---------------------------------------------------------------


class _Ranker:
    """ROC-AUC and average precision of fixed scores under changing row weights: the
    sort and the groups of tied scores are computed once."""

    def __init__(self, y: np.ndarray, s: np.ndarray) -> None:
        self.order = np.argsort(s, kind="mergesort")
        self.y = y[self.order].astype(np.float64)
        ss = s[self.order]
        change = np.concatenate([[True], ss[1:] != ss[:-1]]) if ss.size else np.zeros(0, bool)
        self.start = np.flatnonzero(change)  # ascending groups of equal scores

    def auc(self, w: np.ndarray) -> float:
        ws = w[self.order]
        grp_pos = np.add.reduceat(ws * self.y, self.start)
        grp_neg = np.add.reduceat(ws * (1 - self.y), self.start)
        neg_below = np.concatenate([[0.0], np.cumsum(grp_neg)[:-1]])
        den = float(grp_pos.sum() * grp_neg.sum())
        return float((grp_pos * (neg_below + 0.5 * grp_neg)).sum()) / den if den > 0 else np.nan

    def ap(self, w: np.ndarray) -> float:
        ws = w[self.order]
        grp_pos = np.add.reduceat(ws * self.y, self.start)[::-1]  # descending scores
        grp_all = np.add.reduceat(ws, self.start)[::-1]
        tp, tot = np.cumsum(grp_pos), np.cumsum(grp_all)
        total_pos = float(tp[-1]) if tp.size else 0.0
        if total_pos <= 0:
            return float("nan")
        precision = np.where(tot > 0, tp / np.maximum(tot, 1e-300), 0.0)
        return float((grp_pos * precision).sum() / total_pos)


def weighted_auc(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> float:
    """ROC-AUC with row weights (tied scores count half)."""
    return _Ranker(np.asarray(y), np.asarray(s)).auc(np.asarray(w, dtype=np.float64))


def weighted_ap(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> float:
    """Average precision with row weights: the weighted mean, over onset rows, of the
    precision at their score (tied scores grouped, as scikit-learn does)."""
    return _Ranker(np.asarray(y), np.asarray(s)).ap(np.asarray(w, dtype=np.float64))


# -- statistics on one set of row weights ----------------------------------------------------


def _sums(
    p: np.ndarray, base: np.ndarray, y: np.ndarray, idx: np.ndarray, k: int
) -> dict[str, np.ndarray]:
    q = np.clip(p, EPS, 1 - EPS)
    return {
        "n": np.bincount(idx, minlength=k).astype(np.float64),
        "y": np.bincount(idx, weights=y, minlength=k),
        "se": np.bincount(idx, weights=(p - y) ** 2, minlength=k),
        "se_base": np.bincount(idx, weights=(base - y) ** 2, minlength=k),
        "ll": np.bincount(idx, weights=-(y * np.log(q) + (1 - y) * np.log1p(-q)), minlength=k),
        "p": np.bincount(idx, weights=p, minlength=k),
    }


def _ratio_stats(s: dict[str, np.ndarray], c: np.ndarray) -> dict[str, np.ndarray]:
    """Brier, base-rate Brier, skill, log loss, mean forecast, observed rate for count
    vectors ``c`` (``(b, k)`` or ``(k,)``)."""
    n = c @ s["n"]
    brier = (c @ s["se"]) / n
    base = (c @ s["se_base"]) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        skill = 1 - brier / base
    return {
        "brier": brier,
        "brier_base": base,
        "brier_skill": skill,
        "log_loss": (c @ s["ll"]) / n,
        "mean_forecast": (c @ s["p"]) / n,
        "observed_rate": (c @ s["y"]) / n,
    }


def event_weights(frame: pl.DataFrame) -> np.ndarray:
    """Row weights that count each event at each origin once (see module docs)."""
    w = frame.select(
        pl.when(pl.col("onset_within") == 1)
        .then(1.0 / pl.len().over("origin", "event"))
        .otherwise(1.0)
        .alias("w")
    )["w"]
    return w.to_numpy().astype(np.float64)


def pct_rank(frame: pl.DataFrame, col: str = "prob") -> np.ndarray:
    """Percentile rank of each row's forecast within its origin (100: ranked first)."""
    n = pl.len().over("origin")
    r = ((pl.col(col).rank("average").over("origin") - 0.5) / n) * 100
    return frame.select(r.alias("r"))["r"].to_numpy()


def skill(
    frame: pl.DataFrame,
    *,
    n_boot: int = N_BOOT,
    n_boot_ranks: int = N_BOOT_RANKS,
    seed: int = 0,
    level: float = LEVEL,
    negative_key: str = "origin",
) -> dict[str, float]:
    """Skill of one model's forecasts with cluster-bootstrap intervals.

    ``frame``: rows ``origin, prob, base, onset_within, event`` (``base``: the base-rate
    forecast of the same row). Returns point values and ``<name>_lo``/``<name>_hi``: Brier,
    base-rate Brier, Brier skill, log loss, mean forecast, observed rate, dyad- and
    event-level ROC-AUC and PR-AUC, onset rank (median percentile), share of onsets in the
    top 5% and share of events foreseen (a dyad in the top 5%); plus counts.
    """
    y = frame["onset_within"].to_numpy().astype(np.float64)
    p = frame["prob"].to_numpy().astype(np.float64)
    base = frame["base"].to_numpy().astype(np.float64)
    cl = make_clusters(frame, negative_key)
    k = cl.n_clusters
    sums = _sums(p, base, y, cl.index, k)
    ones = np.ones(k)
    out: dict[str, float] = {m: float(v) for m, v in _ratio_stats(sums, ones).items()}
    draws = cl.draws(n_boot, seed)
    boot = _ratio_stats(sums, draws.astype(np.float64))
    for m, v in boot.items():
        out[f"{m}_lo"], out[f"{m}_hi"] = _interval(np.asarray(v), level)
    out.update(_rank_stats(frame, y, p, cl, draws[:n_boot_ranks], level))
    out.update(
        {
            "forecasts": int(y.size),
            "onsets": int(y.sum()),
            "events": int(cl.stratum.sum()),
            "origins": int(frame["origin"].n_unique()),
        }
    )
    return out


def _rank_stats(
    frame: pl.DataFrame,
    y: np.ndarray,
    p: np.ndarray,
    cl: Clusters,
    draws: np.ndarray,
    level: float,
) -> dict[str, float]:
    rk = _Ranker(y, p)
    ew = event_weights(frame)
    ranks = pct_rank(frame.with_columns(pl.Series("prob", p)))
    pos = y == 1
    top = ranks >= 95
    ev = frame.select(pl.col("event"), pl.col("origin"))
    foreseen = (
        ev.with_columns(pl.Series("top", top), pl.Series("pos", pos))
        .filter(pl.col("pos"))
        .group_by("origin", "event")
        .agg(pl.col("top").any().alias("hit"))
    )

    def stats(w_rows: np.ndarray) -> tuple[float, ...]:
        return (rk.auc(w_rows), rk.ap(w_rows), rk.auc(w_rows * ew), rk.ap(w_rows * ew))

    point = stats(np.ones(y.size))
    reps = np.array([stats(d[cl.index].astype(np.float64)) for d in draws]) if len(draws) else None
    names = ("roc_auc", "pr_auc", "event_roc_auc", "event_pr_auc")
    out: dict[str, float] = {}
    for j, name in enumerate(names):
        out[name] = float(point[j])
        lo, hi = _interval(reps[:, j], level) if reps is not None else (float("nan"),) * 2
        out[f"{name}_lo"], out[f"{name}_hi"] = lo, hi
    out["median_pct_rank"] = float(np.median(ranks[pos])) if pos.any() else float("nan")
    out["top5pct_share"] = float(top[pos].mean()) if pos.any() else float("nan")
    out["events_foreseen_share"] = (
        float(foreseen["hit"].cast(pl.Float64).to_numpy().mean())
        if foreseen.height
        else float("nan")
    )
    out["base_pr_auc"] = float(y.mean())
    return out


def reliability(
    frame: pl.DataFrame,
    *,
    bins: Sequence[float] = BINS,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = LEVEL,
) -> pl.DataFrame:
    """Forecasts binned by probability: ``bin, lo, hi, n, onsets, events, mean_forecast,
    observed, observed_lo, observed_hi, covers`` (``covers``: the bin's cluster-bootstrap
    interval of the observed share contains its mean forecast)."""
    y = frame["onset_within"].to_numpy().astype(np.float64)
    p = frame["prob"].to_numpy().astype(np.float64)
    edges = np.asarray(bins, dtype=np.float64)
    b = np.clip(np.searchsorted(edges[1:-1], p, side="right"), 0, edges.size - 2)
    cl = make_clusters(frame)
    draws = cl.draws(n_boot, seed).astype(np.float64)
    rows = []
    for j in range(edges.size - 1):
        m = b == j
        if not m.any():
            continue
        k = cl.n_clusters
        n_c = np.bincount(cl.index[m], minlength=k).astype(np.float64)
        y_c = np.bincount(cl.index[m], weights=y[m], minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps = (draws @ y_c) / (draws @ n_c)
        lo, hi = _interval(reps, level)
        mean_p = float(p[m].mean())
        obs = float(y[m].mean())
        ev = frame.filter(pl.Series(m) & (pl.col("onset_within") == 1))["event"].n_unique()
        rows.append(
            {
                "bin": f"{edges[j]:g}-{edges[j + 1]:g}",
                "lo": float(edges[j]),
                "hi": float(edges[j + 1]),
                "n": int(m.sum()),
                "onsets": int(y[m].sum()),
                "events": int(ev),
                "mean_forecast": mean_p,
                "observed": obs,
                "observed_lo": lo,
                "observed_hi": hi,
                "covers": bool(lo <= mean_p <= hi),
            }
        )
    return pl.DataFrame(rows)


def band(table: pl.DataFrame, probability: float) -> dict[str, Any] | None:
    """The reliability row whose bin holds ``probability`` (None if that bin held no
    backtest forecast); the last bin is closed on the right."""
    if table.height == 0:
        return None
    top = float(BINS[-1])
    hit = table.filter(
        (pl.col("lo") <= probability)
        & ((pl.col("hi") > probability) | ((pl.col("hi") == top) & (probability == top)))
    )
    return hit.row(0, named=True) if hit.height else None


__all__ = [
    "BINS",
    "LEVEL",
    "N_BOOT",
    "Clusters",
    "band",
    "event_weights",
    "make_clusters",
    "pct_rank",
    "reliability",
    "skill",
    "weighted_ap",
    "weighted_auc",
]
