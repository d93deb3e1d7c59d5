"""Recalibration of forecast probabilities, fitted only on forecasts whose outcome is known.

The hazard models rank dyads well but their horizon probabilities are not calibrated: in
the backtests forecasts above 10% came true far less often than stated. A *calibrator* is
a monotone map from a model's raw probability to the share of such forecasts that came
true. Three are offered (:data:`METHODS`):

``platt``
    logistic regression of the outcome on the raw log-odds, ``logit q = a + b logit p``
    (Platt 2000): two parameters, smooth, cannot change the ranking.
``beta``
    beta calibration (Kull, Silva Filho and Flach 2017): ``logit q = c + a ln p - b ln(1 -
    p)`` with ``a, b >= 0`` (a term whose estimate is negative is dropped and the rest
    refitted, as the authors do); it can bend the low and the high end separately, which
    Platt scaling cannot.
``isotonic``
    isotonic regression of the outcome on the raw probability (Zadrozny and Elkan 2002):
    any monotone step function, fitted by pool-adjacent-violators (scikit-learn); ties
    ranks within a step.

Every calibrated probability is kept within ``[EPS, 1 - EPS]`` so that log loss stays
finite when a step of the isotonic fit saw no onset.

**Rolling-origin recalibration** (:func:`rolling_recalibration`). The backtest has, for
every origin ``t``, raw forecasts of onsets in ``t + 1 .. t + h``. The forecasts of origin
``t`` are recalibrated with a calibrator fitted on the forecasts of origins ``o <= t - h``
only -- the windows already closed at ``t``, whose outcomes a forecaster in ``t`` could
see -- and only once at least ``min_origins`` such origins exist. The method called
``selected`` uses, at each origin, the method with the lowest log loss (ties: Brier score)
on the recalibrated forecasts of the closed origins; so the choice of method is itself made
out of sample, and every method's figures are reported beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from scipy.special import expit, logit
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from allyscope.errors import InvalidInputError, UnknownNameError

METHODS: tuple[str, ...] = ("platt", "beta", "isotonic")
#: the method used when fewer closed origins exist than a choice needs
FALLBACK = "platt"
#: calibrated probabilities stay within [EPS, 1 - EPS]
EPS = 1e-6
#: closed origins a calibrator needs before it is used
MIN_ORIGINS = 5


def check_method(method: str) -> str:
    m = str(method).strip().lower()
    if m not in METHODS:
        raise UnknownNameError(
            "calibration method", str(method), list(METHODS), "use platt, beta or isotonic"
        )
    return m


def _clip(p: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(p, dtype=np.float64), EPS, 1.0 - EPS)


def _logistic_fit(Z: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Maximum-likelihood logistic coefficients (intercept first) by Newton-Raphson."""
    from allyscope.forecast.models import _firth_newton

    design = np.column_stack([np.ones(Z.shape[0]), Z])
    beta, _cov, _n = _firth_newton(design, y, w, False, 100, 1e-10)
    return beta


class ProbabilityCalibrator(BaseEstimator):
    """A monotone map from raw to calibrated probabilities (see module docs).

    ``fit(p, y, sample_weight=None)`` with raw probabilities ``p`` and 0/1 outcomes ``y``;
    ``predict(p)`` gives calibrated probabilities. Fitting is deterministic.
    Fitted attributes: ``coef_`` (Platt: ``a, b``; beta: ``c, a, b``), or
    ``isotonic_`` (scikit-learn's ``IsotonicRegression``); ``n_fit_``, ``events_fit_``.
    """

    def __init__(self, method: str = "platt") -> None:
        self.method = method

    def fit(self, p: Any, y: Any, sample_weight: Any | None = None) -> ProbabilityCalibrator:
        method = check_method(self.method)
        pa = _clip(np.ravel(p))
        ya = np.asarray(y, dtype=np.float64).ravel()
        w = np.ones(pa.size) if sample_weight is None else np.asarray(sample_weight, float)
        if pa.size != ya.size or w.size != pa.size:
            raise InvalidInputError("probabilities, outcomes and weights differ in length")
        if not np.isin(ya, (0.0, 1.0)).all():
            raise InvalidInputError("outcomes must be 0/1")
        events = float((w * ya).sum())
        if events <= 0 or events >= w.sum():
            raise InvalidInputError(
                "a calibrator needs forecasts that came true and forecasts that did not",
                "use more closed origins",
            )
        if method == "platt":
            self.coef_ = _logistic_fit(logit(pa)[:, None], ya, w)
        elif method == "beta":
            self.coef_ = _fit_beta(pa, ya, w)
        else:
            from sklearn.isotonic import IsotonicRegression

            self.isotonic_ = IsotonicRegression(
                y_min=EPS, y_max=1.0 - EPS, increasing=True, out_of_bounds="clip"
            ).fit(pa, ya, sample_weight=w)
        self.n_fit_ = int(pa.size)
        self.events_fit_ = events
        return self

    def predict(self, p: Any) -> np.ndarray:
        check_is_fitted(self, "n_fit_")
        pa = _clip(np.asarray(p, dtype=np.float64))
        shape = pa.shape
        flat = pa.ravel()
        method = check_method(self.method)
        if method == "platt":
            a, b = self.coef_
            out = expit(a + b * logit(flat))
        elif method == "beta":
            c, a, b = self.coef_
            out = expit(c + a * np.log(flat) - b * np.log1p(-flat))
        else:
            out = self.isotonic_.predict(flat)
        return _clip(out).reshape(shape)


def _fit_beta(p: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Beta calibration ``(c, a, b)`` with ``a, b >= 0`` (Kull et al. 2017)."""
    cols = np.column_stack([np.log(p), -np.log1p(-p)])
    beta = _logistic_fit(cols, y, w)
    c, a, b = (float(v) for v in beta)
    if a < 0:  # keep the -ln(1 - p) term only
        c, b = (float(v) for v in _logistic_fit(cols[:, [1]], y, w))
        a = 0.0
    elif b < 0:  # keep the ln p term only
        c, a = (float(v) for v in _logistic_fit(cols[:, [0]], y, w))
        b = 0.0
    return np.array([c, max(a, 0.0), max(b, 0.0)])


# -- scores of probability forecasts ---------------------------------------------------------


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((np.asarray(p) - np.asarray(y)) ** 2))


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood (natural log), probabilities kept within EPS of 0, 1."""
    q = _clip(p)
    ya = np.asarray(y, dtype=np.float64)
    return float(-np.mean(ya * np.log(q) + (1 - ya) * np.log1p(-q)))


# -- rolling-origin recalibration -------------------------------------------------------------


def closed_origins(origins: Sequence[int], t: int, horizon: int) -> list[int]:
    """The origins whose ``horizon``-year windows had closed at origin ``t``."""
    return [o for o in origins if o + horizon <= t]


def _fit_closed(
    raw: pl.DataFrame, t: int, horizon: int, methods: Sequence[str]
) -> dict[str, ProbabilityCalibrator]:
    past = raw.filter(pl.col("origin") <= t - horizon)
    p = past["prob"].to_numpy()
    y = past["onset_within"].to_numpy().astype(np.float64)
    return {m: ProbabilityCalibrator(m).fit(p, y) for m in methods}


def rolling_recalibration(
    preds: pl.DataFrame,
    horizon: int,
    *,
    methods: Sequence[str] = METHODS,
    min_origins: int = MIN_ORIGINS,
) -> pl.DataFrame:
    """Recalibrate backtest forecasts origin by origin (see module docs).

    ``preds``: backtest rows ``model, origin, ccode1, ccode2, prob, onset_within`` (the
    ``base_rate`` rows are passed through). Returns the same rows for the origins with at
    least ``min_origins`` closed origins, with a column ``method``: ``raw`` (the model's
    own probability), each of ``methods``, and ``selected``; plus the base rate's rows
    (method ``raw``) for the same origins.
    """
    methods = [check_method(m) for m in methods]
    origins = sorted(preds["origin"].unique().to_list())
    usable = [t for t in origins if len(closed_origins(origins, t, horizon)) >= min_origins]
    if not usable:
        raise InvalidInputError(
            f"no origin has {min_origins} closed {horizon}-year windows before it",
            "give more backtest origins (calibration needs earlier forecasts whose "
            "outcomes are known)",
        )
    cols = ["model", "origin", "ccode1", "ccode2", "prob", "onset_within"]
    parts: list[pl.DataFrame] = []
    for model in sorted(preds["model"].unique().to_list()):
        raw = preds.filter(pl.col("model") == model).select(cols)
        kept = raw.filter(pl.col("origin").is_in(usable))
        parts.append(kept.with_columns(pl.lit("raw").alias("method")))
        if model == "base_rate":
            continue
        for t in usable:
            fitted = _fit_closed(raw, t, horizon, methods)
            at = kept.filter(pl.col("origin") == t)
            p = at["prob"].to_numpy()
            for m, cal in fitted.items():
                parts.append(
                    at.with_columns(pl.Series("prob", cal.predict(p)), pl.lit(m).alias("method"))
                )
    out = pl.concat(parts).select("model", "method", *cols[1:])
    return pl.concat([out, _selected(out, horizon, methods)]).sort(
        "model", "method", "origin", "ccode1", "ccode2"
    )


def _origin_losses(out: pl.DataFrame) -> pl.DataFrame:
    """Summed log loss, squared error and row count per model, method and origin."""
    q = pl.col("prob").clip(EPS, 1 - EPS)
    y = pl.col("onset_within").cast(pl.Float64)
    return out.group_by("model", "method", "origin").agg(
        (-(y * q.log() + (1 - y) * (1 - q).log())).sum().alias("ll"),
        ((pl.col("prob") - y) ** 2).sum().alias("se"),
        pl.len().alias("n"),
    )


def selection(out: pl.DataFrame, horizon: int, methods: Sequence[str]) -> pl.DataFrame:
    """The method chosen at each origin: lowest log loss, then Brier, on the recalibrated
    forecasts of the origins closed by then (:data:`FALLBACK` before any exist)."""
    losses = _origin_losses(out.filter(pl.col("method").is_in(list(methods))))
    rows = []
    for (model,), lm in losses.group_by("model", maintain_order=True):
        origins = sorted(lm["origin"].unique().to_list())
        for t in origins:
            past = (
                lm.filter(pl.col("origin") <= t - horizon)
                .group_by("method")
                .agg(
                    (pl.col("ll").sum() / pl.col("n").sum()),
                    (pl.col("se").sum() / pl.col("n").sum()),
                )
                .sort("ll", "se", "method")
            )
            chosen = past["method"][0] if past.height else FALLBACK
            rows.append({"model": model, "origin": t, "chosen": chosen})
    return pl.DataFrame(rows, schema={"model": pl.String, "origin": pl.Int64, "chosen": pl.String})


def _selected(out: pl.DataFrame, horizon: int, methods: Sequence[str]) -> pl.DataFrame:
    sel = selection(out, horizon, methods).with_columns(pl.col("origin").cast(out["origin"].dtype))
    picked = out.join(sel, on=["model", "origin"], how="inner").filter(
        pl.col("method") == pl.col("chosen")
    )
    return picked.drop("chosen").with_columns(pl.lit("selected").alias("method"))


def _choose(rolled: pl.DataFrame, horizon: int, origin: int) -> str | None:
    losses = _origin_losses(
        rolled.filter(
            pl.col("method").is_in(list(METHODS)) & (pl.col("origin") <= origin - horizon)
        )
    )
    if losses.height == 0:
        return None
    best = (
        losses.group_by("method")
        .agg(pl.col("ll").sum() / pl.col("n").sum(), pl.col("se").sum() / pl.col("n").sum())
        .sort("ll", "se", "method")
    )
    return str(best["method"][0])


__all__ = [
    "EPS",
    "FALLBACK",
    "METHODS",
    "MIN_ORIGINS",
    "ProbabilityCalibrator",
    "brier",
    "check_method",
    "closed_origins",
    "log_loss",
    "rolling_recalibration",
    "selection",
]
