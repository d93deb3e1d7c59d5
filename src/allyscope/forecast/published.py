"""The published number: calibrated probabilities with intervals, ranks, information dates
and the backtest's record for forecasts of that size.

A forecast made at origin ``Y`` by a model trained on outcomes up to ``T`` (the
*trained-through* year: the last year whose alliance onsets the forecaster could see) is
published as a :class:`Headline`:

* ``probability`` -- the model's raw horizon probability passed through a calibrator
  (:mod:`allyscope.forecast.calibration`) fitted on the same model's rolling-backtest
  forecasts from the origins whose windows had closed by ``T`` (``o + h <= T``), with the
  method the rolling selection picks there. Nothing after ``T`` enters: neither the
  model, nor the calibrator, nor the events that cluster the bootstrap.
* ``interval`` -- 90% interval over paired bootstrap replicates: replicate ``b`` applies
  calibrator ``b`` (refitted on a stratified cluster-bootstrap resample of the calibration
  forecasts, treaty waves and origin years as clusters) to ensemble model ``b`` (refitted on
  a dyad cluster-bootstrap resample of the training years). It covers the estimation
  uncertainty of the model and of the calibration, not the chance of the event itself.
* ``rank`` and ``percentile`` -- the raw probability's place among every dyad at risk at
  the origin (rank 1: likeliest); calibration is monotone, so ranks are the model's own.
* ``band`` -- the reliability bin of the rolling backtest holding the calibrated
  probability: how often forecasts in that bin came true, with its cluster-bootstrap
  interval, the number of forecasts and of treaty waves behind it.
* ``information_date`` -- the date through which the alliance inputs (risk set, alliance
  history, alliance network: the strongest predictors) are observed, at most the end of
  the origin year; ``oldest_input`` names the input observed least recently (inputs past
  their source's end are carried, see ``carried_forward``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.forecast.calibration import (
    METHODS,
    MIN_ORIGINS,
    ProbabilityCalibrator,
    closed_origins,
    rolling_recalibration,
)
from allyscope.forecast.model import INTERVAL

#: backtest origins used for calibration: every year from the first backtest origin
CALIBRATION_STEP = 1


@dataclass(frozen=True)
class Band:
    """The backtest's record for forecasts in one probability bin."""

    bin: str
    lo: float
    hi: float
    mean_forecast: float
    observed: float
    observed_lo: float
    observed_hi: float
    n: int
    onsets: int
    events: int

    def record(self) -> str:
        """How often the bin's backtest forecasts came true, with the interval, the number
        of forecasts and of treaty waves; a bin without any onset says so instead of
        showing a zero-width interval, which a bootstrap of no events cannot widen."""
        if self.onsets == 0:
            return f"never ({self.n:,} forecasts, no onset among them)"
        return (
            f"{self.observed:.1%} of the time (90% interval {self.observed_lo:.1%}–"
            f"{self.observed_hi:.1%}; {self.n:,} forecasts, {self.events} treaty waves)"
        )


@dataclass(frozen=True)
class Headline:
    """A published forecast (see module docs). Probabilities are shares (0-1)."""

    probability: float
    interval: tuple[float, float] | None
    raw_probability: float
    rank: int | None
    at_risk: int | None
    percentile: float | None
    method: str
    band: Band | None
    information_date: dt.date
    oldest_input: tuple[str, dt.date] | None
    trained_through: int
    calibration_origins: tuple[int, int]
    interval_level: float = (INTERVAL[1] - INTERVAL[0]) / 100

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["information_date"] = self.information_date.isoformat()
        if self.oldest_input is not None:
            d["oldest_input"] = {
                "input": self.oldest_input[0],
                "data_through": self.oldest_input[1].isoformat(),
            }
        d["interval"] = list(self.interval) if self.interval else None
        d["calibration_origins"] = list(self.calibration_origins)
        return d

    def describe(self) -> str:
        """One line: probability, interval, rank, band, information date."""
        pct = f"{self.probability:.1%}"
        if self.interval:
            pct += f" (90% interval {self.interval[0]:.1%}–{self.interval[1]:.1%})"
        parts = [pct]
        if self.rank is not None and self.at_risk:
            parts.append(
                f"rank {self.rank:,} of {self.at_risk:,} (percentile {self.percentile:.1f})"
            )
        if self.band is not None:
            b = self.band
            parts.append(f"backtest forecasts of {b.lo:.1%}–{b.hi:.1%} came true {b.record()}")
        parts.append(f"information through {self.information_date.isoformat()}")
        return "; ".join(parts)


@dataclass
class Calibration:
    """A calibrator for one model, outcome, horizon and trained-through year."""

    model: str
    outcome: str
    horizon: int
    trained_through: int
    method: str
    calibrator: ProbabilityCalibrator
    boot: list[ProbabilityCalibrator]
    reliability: pl.DataFrame
    origins: list[int]
    n_forecasts: int
    n_onsets: int
    notes: list[str] = field(default_factory=list)

    def apply(self, p: np.ndarray) -> np.ndarray:
        return self.calibrator.predict(np.asarray(p, dtype=np.float64))

    def apply_draws(self, draws: np.ndarray) -> np.ndarray:
        """Paired replicates: calibrator ``b`` (cycled) applied to model draw ``b``."""
        draws = np.atleast_2d(draws)
        if not self.boot:
            return self.apply(draws)
        return np.stack(
            [self.boot[b % len(self.boot)].predict(draws[b]) for b in range(draws.shape[0])]
        )

    def band(self, probability: float) -> Band | None:
        from allyscope.forecast.skill import band

        row = band(self.reliability, probability)
        if row is None:
            return None
        return Band(**{k: row[k] for k in Band.__dataclass_fields__})


def earliest_calibrated(horizon: int, step: int = CALIBRATION_STEP) -> int:
    """The first trained-through year at which a ``horizon``-year forecast can be
    calibrated: :data:`MIN_ORIGINS` backtest origins have closed windows, and at least one
    of them has :data:`MIN_ORIGINS` closed origins of its own (to choose the method)."""
    from allyscope.forecast.backtesting import default_origins

    origins = default_origins(horizon, step)
    for t in range(origins[0], origins[-1] + horizon + 1):
        closed = closed_origins(origins, t, horizon)
        if len(closed) >= MIN_ORIGINS and any(
            len(closed_origins(origins, o, horizon)) >= MIN_ORIGINS for o in closed
        ):
            return t
    return origins[-1] + horizon + 1


#: calibrations fitted in this process, by their arguments and the warehouse's data
_FITTED: dict[tuple[Any, ...], Calibration] = {}


def calibration(
    model: str,
    outcome: str,
    horizon: int,
    trained_through: int,
    *,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    n_boot: int = 20,
    step: int = CALIBRATION_STEP,
    method: str | None = None,
    refresh: bool = False,
) -> Calibration:
    """Fit the calibrator a forecast trained through ``trained_through`` uses (see module
    docs). The rolling backtest and its rolling recalibration are cached on disk, the
    fitted calibration in memory for the process; ``refresh`` recomputes the
    recalibration and the fit from the backtest."""
    from allyscope.forecast.backtesting import default_origins
    from allyscope.store import open_warehouse

    origins = default_origins(horizon, step)
    closed = closed_origins(origins, trained_through, horizon)
    if len(closed) < MIN_ORIGINS:
        raise InvalidInputError(
            f"a {horizon}-year forecast trained through {trained_through} has only {len(closed)} "
            f"backtest origins with closed windows to calibrate on; it needs {MIN_ORIGINS}",
            f"train through {earliest_calibrated(horizon, step)} or later, or shorten the horizon",
        )
    key = (
        open_warehouse().data_hash,
        model,
        outcome,
        horizon,
        trained_through,
        seed,
        repr(sorted((params or {}).items())),
        n_boot,
        step,
        method,
    )
    if refresh or key not in _FITTED:
        _FITTED[key] = _fit_calibration(
            model,
            outcome,
            horizon,
            trained_through,
            origins,
            closed,
            seed,
            params,
            n_boot,
            method,
            refresh=refresh,
        )
    return _FITTED[key]


def rolled_backtest(
    model: str,
    outcome: str,
    origins: list[int],
    horizon: int,
    *,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    refresh: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A model's backtest forecasts and their rolling recalibration
    (:func:`~allyscope.forecast.calibration.rolling_recalibration`), both cached. The
    recalibrated forecasts of an origin use only origins closed before it, so the rows of
    the origins closed by any year equal those recalibrated from that year's view alone."""
    from allyscope.forecast.backtesting import backtest_key, model_backtest
    from allyscope.store import cached_table

    preds = model_backtest(model, outcome, origins, horizon, seed=seed, params=params)
    key = backtest_key(model, outcome, origins, horizon, seed, params) | {
        "methods": list(METHODS),
        "min_origins": MIN_ORIGINS,
    }
    rolled = cached_table(
        "forecast_rolled",
        key,
        lambda: rolling_recalibration(preds, horizon, methods=METHODS),
        refresh=refresh,
    )
    return preds, rolled


def _fit_calibration(
    model: str,
    outcome: str,
    horizon: int,
    trained_through: int,
    origins: list[int],
    closed: list[int],
    seed: int,
    params: dict[str, Any] | None,
    n_boot: int,
    method: str | None,
    *,
    refresh: bool = False,
) -> Calibration:
    from allyscope.forecast.evaluation import onset_events

    preds, rolled = rolled_backtest(
        model, outcome, origins, horizon, seed=seed, params=params, refresh=refresh
    )
    past = preds.filter(pl.col("origin").is_in(closed))
    rolled_past = rolled.filter(pl.col("origin").is_in(closed))
    events = onset_events(outcome).filter(pl.col("year") <= trained_through)
    chosen, rel = _rolling_choice(past, rolled_past, horizon, trained_through, events, method, seed)
    rows = past.filter(pl.col("model") == model)
    p = rows["prob"].to_numpy()
    y = rows["onset_within"].to_numpy().astype(np.float64)
    cal = ProbabilityCalibrator(chosen).fit(p, y)
    boot = _boot_calibrators(rows, events, horizon, chosen, n_boot, seed)
    return Calibration(
        model,
        outcome,
        horizon,
        trained_through,
        chosen,
        cal,
        boot,
        rel,
        closed,
        int(y.size),
        int(y.sum()),
    )


def _rolling_choice(
    past: pl.DataFrame,
    rolled: pl.DataFrame,
    horizon: int,
    trained_through: int,
    events: pl.DataFrame,
    method: str | None,
    seed: int,
) -> tuple[str, pl.DataFrame]:
    """The method chosen at ``trained_through`` and the reliability of the rolling,
    recalibrated forecasts with it."""
    from allyscope.forecast.calibration import FALLBACK, _choose, check_method
    from allyscope.forecast.evaluation import _frames
    from allyscope.forecast.skill import reliability

    if rolled.height == 0:
        raise InvalidInputError(
            f"no backtest origin closed by {trained_through} has {MIN_ORIGINS} closed "
            f"{horizon}-year windows before it",
            "train through a later year or shorten the horizon",
        )
    chosen = (
        check_method(method) if method else (_choose(rolled, horizon, trained_through) or FALLBACK)
    )
    frame = _frames(past, events, horizon, rolled=rolled)
    mine = frame.filter((pl.col("model") != "base_rate") & (pl.col("method") == chosen))
    return chosen, reliability(mine, seed=seed)


def _boot_calibrators(
    rows: pl.DataFrame, events: pl.DataFrame, horizon: int, method: str, n_boot: int, seed: int
) -> list[ProbabilityCalibrator]:
    from allyscope.forecast.events import assign_events
    from allyscope.forecast.skill import make_clusters

    if n_boot <= 0:
        return []
    framed = assign_events(
        rows.select("origin", "ccode1", "ccode2", "onset_within"), events, horizon
    )
    cl = make_clusters(framed)
    draws = cl.draws(n_boot, seed + 7919)
    p = rows["prob"].to_numpy()
    y = rows["onset_within"].to_numpy().astype(np.float64)
    out = []
    for d in draws:
        w = d[cl.index].astype(np.float64)
        out.append(ProbabilityCalibrator(method).fit(p, y, sample_weight=w))
    return out


# -- information dates ----------------------------------------------------------------------


def _through(source: str, fallback_year: int) -> dt.date:
    from allyscope.errors import AllyscopeError
    from allyscope.sources.bounds import data_through

    try:
        return data_through(source)
    except AllyscopeError:
        return dt.date(fallback_year, 12, 31)


def information(year: int, feature_names: list[str]) -> tuple[dt.date, tuple[str, dt.date] | None]:
    """``(information_date, oldest_input)`` of a forecast from origin ``year`` (see
    module docs)."""
    from allyscope.forecast.feature_table import feature_map

    end = dt.date(year, 12, 31)
    alliances = min(end, _through("alliances_extended", year))
    fmap = feature_map()
    oldest: tuple[str, dt.date] | None = None
    for name in feature_names:
        f = fmap[name]
        dates = [_through(s, f.coverage[1]) for s in f.sources] or [dt.date(f.coverage[1], 12, 31)]
        d = min(end, max(dates), dt.date(f.coverage[1], 12, 31))
        if oldest is None or d < oldest[1]:
            oldest = (name, d)
    return alliances, oldest


def rank_at_origin(raw_all: np.ndarray, raw: float) -> tuple[int, int, float]:
    """``(rank, at_risk, percentile)`` of probability ``raw`` among ``raw_all`` (rank 1:
    likeliest; percentile 100: ranked first)."""
    n = int(raw_all.size)
    above = int((raw_all > raw).sum())
    ties = int((raw_all == raw).sum())
    rank = above + 1
    pct = 100.0 * (n - above - 0.5 * max(ties, 1)) / n if n else float("nan")
    return rank, n, pct


def headline(
    cal: Calibration,
    raw: float,
    raw_draws: np.ndarray | None,
    *,
    raw_all: np.ndarray | None,
    year: int,
    feature_names: list[str],
) -> Headline:
    """The published :class:`Headline` for one raw probability and its ensemble draws."""
    prob = float(cal.apply(np.array([raw]))[0])
    interval = None
    if raw_draws is not None and np.size(raw_draws) > 1:
        reps = cal.apply_draws(np.asarray(raw_draws).reshape(-1, 1))[:, 0]
        lo, hi = np.percentile(reps, INTERVAL)
        interval = (float(lo), float(hi))
    rank = at_risk = pct = None
    if raw_all is not None and raw_all.size:
        rank, at_risk, pct = rank_at_origin(raw_all, raw)
    info, oldest = information(year, feature_names)
    return Headline(
        probability=prob,
        interval=interval,
        raw_probability=float(raw),
        rank=rank,
        at_risk=at_risk,
        percentile=pct,
        method=cal.method,
        band=cal.band(prob),
        information_date=info,
        oldest_input=oldest,
        trained_through=cal.trained_through,
        calibration_origins=(cal.origins[0], cal.origins[-1]),
    )


__all__ = [
    "CALIBRATION_STEP",
    "Band",
    "Calibration",
    "Headline",
    "calibration",
    "earliest_calibrated",
    "headline",
    "information",
    "rank_at_origin",
    "rolled_backtest",
]
