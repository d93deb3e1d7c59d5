"""Forecasts for a dyad, a group of states, or every dyad at risk.

``forecast(["JPN", "KOR"], horizon=5)`` gives the probability that the two states begin
an ATOP defense pact within the five years after the origin year, a 90% interval, the
inputs that push the probability up or down for this dyad (*drivers*) and the historical
dyads whose inputs were most alike (*comparison dyads*) with what became of them.

For a group (``["USA", "JPN", "KOR"]``) it forecasts every pair and combines them into the
probability that *every* pair is allied by the end of the horizon. Pairs already allied in
the origin year count as 1 (their alliance is assumed to last). The combination assumes the
pairs form alliances independently given the model's inputs, so the group probability is
the product of the pair probabilities. Alliances are often multilateral (one treaty
creates all pairs at once), which makes pair onsets positively dependent: the product is
then too low. The result therefore also gives the Frechet bounds, which hold under any
dependence: ``max(0, sum p - (k - 1)) <= P(all) <= min p``; the independence product lies
between them and never exceeds the smallest pair probability.

Origins after the data end: the origin year defaults to the last year any input covers;
features of sources that end earlier are carried forward or treated as missing, as listed
in ``Forecast.carried_forward`` (ATOP alliance status itself ends in 2018).

Drivers are contributions to the log-odds of the first forecast year's hazard, relative
to the average dyad at risk in the origin year: for the logit ``coef * (z(x) - mean z)``
per standardized input (exact Shapley values of a linear model); for the boosted trees
interventional Shapley values estimated by permutation sampling against a seeded sample of
64 at-risk dyads of the origin year (:func:`allyscope.forecast.models.shapley_contributions`).

Comparison dyads: the nearest historical at-risk dyad-years (outcome known over the full
horizon) in standardized feature space -- every model input as a z-score over the
training rows, missing values at the mean (0) -- one row per dyad, Euclidean distance.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from allyscope import codes
from allyscope.errors import InvalidInputError
from allyscope.forecast.data import (
    at_risk,
    duration_column,
    horizon_outcomes,
    onset_events,
    to_matrix,
    training_table,
)
from allyscope.forecast.feature_table import (
    FIRST_INFO_YEAR,
    carried_forward,
    feature_map,
    features,
    last_input_year,
)
from allyscope.forecast.model import (
    DEFAULT_N_BOOT,
    INTERVAL,
    ForecastModel,
    check_horizon,
    train,
)
from allyscope.forecast.models import shapley_contributions
from allyscope.forecast.outcome import (
    ATOP_LAST,
    OUTCOME_LAST,
    OUTCOME_TITLES,
    check_outcome,
    status_column,
)
from allyscope.forecast.published import CALIBRATION_STEP, Calibration, Headline
from allyscope.panel.core import LIST_END

N_BACKGROUND = 64
N_PERMUTATIONS = 32


@dataclass
class PairForecast:
    """The forecast for one pair of a query."""

    ccode1: int
    ccode2: int
    name1: str
    name2: str
    allied: bool
    #: the published probability: calibrated (the model's own when calibrated=False)
    probability: float
    interval: tuple[float, float] | None
    drivers: pl.DataFrame | None = None
    neighbours: pl.DataFrame | None = None
    #: the model's own (uncalibrated) probability
    raw_probability: float | None = None
    #: calibrated probability, interval, rank, backtest band and information date
    headline: Headline | None = None

    @property
    def label(self) -> str:
        return f"{self.name1}–{self.name2}"


@dataclass
class Forecast:
    """A forecast for a dyad or group (see module docs)."""

    states: list[int]
    names: list[str]
    year: int
    horizon: int
    outcome: str
    model: dict[str, Any]
    pairs: list[PairForecast]
    group_probability: float
    group_interval: tuple[float, float] | None
    group_bounds: tuple[float, float]
    carried_forward: list[dict[str, Any]]
    scenario: str | None = None
    notes: list[str] = field(default_factory=list)
    #: the last outcome year the model and its calibrator saw
    trained_through: int | None = None
    #: the group's (or dyad's) published headline; a group has no rank or band
    group_headline: Headline | None = None
    #: the product of the pairs' raw probabilities
    group_raw_probability: float | None = None

    @property
    def headline(self) -> Headline | None:
        """The dyad's headline, or the group's."""
        return self.group_headline

    @property
    def is_group(self) -> bool:
        return len(self.states) > 2

    @property
    def probability(self) -> float:
        """The dyad's probability, or the group's (every pair allied)."""
        return self.group_probability

    @property
    def interval(self) -> tuple[float, float] | None:
        return self.group_interval

    def table(self) -> pl.DataFrame:
        """One row per pair: codes, names, allied at the origin, probability, interval."""
        return pl.DataFrame(
            [
                {
                    "ccode1": p.ccode1,
                    "ccode2": p.ccode2,
                    "state1": p.name1,
                    "state2": p.name2,
                    "year": self.year,
                    "horizon": self.horizon,
                    "allied": p.allied,
                    "probability": p.probability,
                    "lower": p.interval[0] if p.interval else None,
                    "upper": p.interval[1] if p.interval else None,
                    "raw_probability": p.raw_probability,
                    "rank": p.headline.rank if p.headline else None,
                    "percentile": p.headline.percentile if p.headline else None,
                }
                for p in self.pairs
            ],
            schema={
                "ccode1": pl.Int32,
                "ccode2": pl.Int32,
                "state1": pl.String,
                "state2": pl.String,
                "year": pl.Int32,
                "horizon": pl.Int32,
                "allied": pl.Boolean,
                "probability": pl.Float64,
                "lower": pl.Float64,
                "upper": pl.Float64,
                "raw_probability": pl.Float64,
                "rank": pl.Int64,
                "percentile": pl.Float64,
            },
        )

    def to_dict(self) -> dict[str, Any]:
        def frame(df: pl.DataFrame | None) -> list[dict[str, Any]] | None:
            return None if df is None else df.to_dicts()

        return {
            "states": self.states,
            "names": self.names,
            "origin_year": self.year,
            "horizon": self.horizon,
            "window": [self.year + 1, self.year + self.horizon],
            "outcome": self.outcome,
            "outcome_title": OUTCOME_TITLES[self.outcome],
            "model": self.model,
            "scenario": self.scenario,
            "probability": self.group_probability,
            "interval": list(self.group_interval) if self.group_interval else None,
            "interval_level": INTERVAL,
            "raw_probability": self.group_raw_probability,
            "trained_through": self.trained_through,
            "headline": self.group_headline.to_dict() if self.group_headline else None,
            "bounds_any_dependence": list(self.group_bounds) if self.is_group else None,
            "pairs": [
                {
                    "ccode1": p.ccode1,
                    "ccode2": p.ccode2,
                    "states": [p.name1, p.name2],
                    "allied": p.allied,
                    "probability": p.probability,
                    "interval": list(p.interval) if p.interval else None,
                    "raw_probability": p.raw_probability,
                    "headline": p.headline.to_dict() if p.headline else None,
                    "drivers": frame(p.drivers),
                    "neighbours": frame(p.neighbours),
                }
                for p in self.pairs
            ],
            "carried_forward": self.carried_forward,
            "notes": self.notes,
        }


# -- inputs -------------------------------------------------------------------------------


def resolve_states(states: Sequence[str | int], year: int) -> list[int]:
    """COW codes of ``states`` as of ``year`` (unknown names raise with suggestions)."""
    if isinstance(states, str | int):
        states = [states]
    out = codes.resolve_many(states, min(year, LIST_END["cow"].year))
    if len(out) < 2:
        raise InvalidInputError(
            "a forecast needs at least two states", "for example: allyscope forecast JPN KOR"
        )
    if len(out) > 12:
        raise InvalidInputError(
            f"{len(out)} states make {len(out) * (len(out) - 1) // 2} pairs",
            "forecast at most 12 states at once, or use --all-dyads",
        )
    return out


def check_year(year: int | None) -> int:
    top = last_input_year()
    if year is None:
        return top
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise InvalidInputError(f"year must be a whole number, got {year!r}") from None
    if not FIRST_INFO_YEAR + 1 <= y <= top:
        raise InvalidInputError(
            f"origin year {y} is out of range",
            f"choose {FIRST_INFO_YEAR + 1}-{top}: {top} is the last year any input covers "
            f"(alliance records run to {OUTCOME_LAST})",
        )
    return y


def _pair_rows(feats: pl.DataFrame, states: list[int], year: int) -> pl.DataFrame:
    pairs = [tuple(sorted(p)) for p in itertools.combinations(states, 2)]
    want = pl.DataFrame(
        {"ccode1": [p[0] for p in pairs], "ccode2": [p[1] for p in pairs]},
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32},
    ).with_row_index("__order")
    rows = want.join(feats, on=["ccode1", "ccode2"], how="left").sort("__order")
    missing = rows.filter(pl.col("year").is_null())
    if missing.height:
        absent = sorted(
            {
                c
                for c in states
                if feats.filter((pl.col("ccode1") == c) | (pl.col("ccode2") == c)).height == 0
            }
        )
        who = ", ".join(codes.name(c) for c in absent) or ", ".join(
            f"{codes.name(a)}–{codes.name(b)}"
            for a, b in missing.select("ccode1", "ccode2").iter_rows()
        )
        raise InvalidInputError(
            f"{who}: not in the state system in {year}, so there is no dyad to forecast",
            "choose an origin year in which every state exists (--year)",
        )
    return rows.drop("__order")


# -- scoring --------------------------------------------------------------------------------


def _draws(fm: ForecastModel, frame: pl.DataFrame, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    from allyscope.forecast.model import _compose

    X = fm.matrix(frame)
    dur = frame[duration_column(fm.outcome)].cast(pl.Float64).to_numpy()
    point = _compose(fm, X, dur, horizon, fm.estimator)
    if fm.ensemble:
        draws = np.stack([_compose(fm, X, dur, horizon, e) for e in fm.ensemble])
    else:
        draws = point[None, :]
    return point, draws


def _interval(draws: np.ndarray) -> np.ndarray:
    return np.percentile(draws, INTERVAL, axis=0)


def drivers(
    fm: ForecastModel, rows: pl.DataFrame, reference: pl.DataFrame, seed: int = 0
) -> list[pl.DataFrame]:
    """Per-row driver tables: feature, group, value, contribution (log-odds), sorted by
    absolute contribution (see module docs)."""
    X = fm.matrix(rows)
    R = fm.matrix(reference)
    est = fm.estimator
    if hasattr(est, "contributions"):
        contrib = est.contributions(X, R)
    else:
        rng = np.random.default_rng(seed)
        idx = rng.choice(R.shape[0], size=min(N_BACKGROUND, R.shape[0]), replace=False)
        contrib = shapley_contributions(
            est.decision_function, X, R[np.sort(idx)], N_PERMUTATIONS, seed
        )
    fmap = feature_map()
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing inputs: nan is right
        ref_mean = np.nanmean(R, axis=0)
    out = []
    for i in range(X.shape[0]):
        df = pl.DataFrame(
            {
                "feature": fm.feature_names,
                "group": [fmap[n].group for n in fm.feature_names],
                "value": X[i],
                "reference_mean": ref_mean,
                "contribution": contrib[i],
            }
        ).with_columns(pl.col("value").fill_nan(None), pl.col("reference_mean").fill_nan(None))
        out.append(  # ties (equal contributions) in a fixed order: by feature name
            df.sort(pl.col("contribution").abs(), "feature", descending=[True, False])
        )
    return out


def _standardizer(table: pl.DataFrame, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    X = to_matrix(table, names)
    mean = np.nanmean(X, axis=0)
    sd = np.nanstd(X, axis=0)
    return mean, np.where(sd > 1e-12, sd, 1.0)


def neighbours(
    fm: ForecastModel,
    rows: pl.DataFrame,
    horizon: int,
    k: int = 5,
    *,
    last_origin: int | None = None,
) -> list[pl.DataFrame]:
    """The ``k`` nearest historical at-risk dyads for each row (see module docs), with
    ``onset_within`` (an onset in the ``horizon`` years after that year)."""
    table = training_table(fm.outcome, 1946, min(fm.trained_through, OUTCOME_LAST))
    events = onset_events(table)
    last = (last_origin if last_origin is not None else fm.trained_through) - horizon
    hist = table.filter(pl.col("info_year") <= last).select(
        "ccode1", "ccode2", pl.col("info_year").alias("year"), *fm.feature_names
    )
    mean, sd = _standardizer(hist, fm.feature_names)
    H = (to_matrix(hist, fm.feature_names) - mean) / sd
    H = np.nan_to_num(H, nan=0.0)
    Q = np.nan_to_num((fm.matrix(rows) - mean) / sd, nan=0.0)
    keys = hist.select("ccode1", "ccode2", "year")
    out = []
    for i in range(Q.shape[0]):
        d = np.sqrt(((H - Q[i]) ** 2).sum(axis=1))
        same = (keys["ccode1"].to_numpy() == rows["ccode1"][i]) & (
            keys["ccode2"].to_numpy() == rows["ccode2"][i]
        )
        d[same] = np.inf
        cand = np.argpartition(d, min(k * 40, d.size - 1))[: k * 40]
        near = (
            keys[cand]
            .with_columns(pl.Series("distance", d[cand]))
            .sort("distance", "ccode1", "ccode2", "year")  # equal distances in a fixed order
            .unique(subset=["ccode1", "ccode2"], keep="first", maintain_order=True)
            .head(k)
        )
        near = near.with_columns(
            horizon_outcomes(near.select("ccode1", "ccode2", "year"), events, horizon).alias(
                "onset_within"
            ),
            pl.col("ccode1").map_elements(codes.name, return_dtype=pl.String).alias("state1"),
            pl.col("ccode2").map_elements(codes.name, return_dtype=pl.String).alias("state2"),
        )
        out.append(
            near.select("state1", "state2", "ccode1", "ccode2", "year", "distance", "onset_within")
        )
    return out


def _frechet(ps: Sequence[float]) -> tuple[float, float]:
    if not ps:
        return (1.0, 1.0)
    return (max(0.0, float(sum(ps)) - (len(ps) - 1)), float(min(ps)))


def check_trained_through(
    year: int | None,
    horizon: int | None = None,
    *,
    calibrated: bool = False,
    step: int = CALIBRATION_STEP,
) -> int:
    """The last outcome year a model may be trained on (default: the last observed). With
    ``calibrated``, also the earliest year whose closed backtest windows can calibrate a
    ``horizon``-year forecast -- checked before anything is fitted."""
    from allyscope.forecast.outcome import TRAIN_FIRST
    from allyscope.forecast.published import earliest_calibrated

    if year is None:
        return OUTCOME_LAST
    try:
        t = int(year)
    except (TypeError, ValueError):
        raise InvalidInputError(f"train-through must be a year, got {year!r}") from None
    first = TRAIN_FIRST + 10
    if calibrated and horizon is not None:
        first = max(first, earliest_calibrated(horizon, step))
    if not first <= t <= OUTCOME_LAST:
        why = (
            f"a calibrated {horizon}-year forecast needs earlier forecasts whose windows had "
            f"closed by then (in Python, calibrated=False publishes the model's own probability)"
            if calibrated and horizon is not None and first > TRAIN_FIRST + 10
            else "a model needs ten years of training data"
        )
        raise InvalidInputError(
            f"train-through year {t} is out of range",
            f"choose {first}-{OUTCOME_LAST}: onsets are observed to {OUTCOME_LAST}; {why}",
        )
    return t


def _already_allied(rows: pl.DataFrame, outcome: str, names: list[str], y: int) -> np.ndarray:
    allied = rows[status_column(outcome)].to_numpy() == 1
    if allied.all():
        what = OUTCOME_TITLES[outcome]
        who = " and ".join(names) if len(names) == 2 else "every pair of " + ", ".join(names)
        since = " (alliance records after ATOP)" if y > ATOP_LAST else ""
        raise InvalidInputError(
            f"{who} already {'has' if len(names) == 2 else 'have'} an {what} in {y}{since}: "
            "there is no onset to forecast",
            "forecast another dyad, another year (--year), or the outcome 'any' / 'defense'",
        )
    return allied


@dataclass
class _Scored:
    """Raw and published probabilities of the at-risk pairs of a query."""

    raw: np.ndarray
    raw_draws: np.ndarray  # (B, n) ensemble draws (B = 1 without an ensemble)
    published: np.ndarray
    published_draws: np.ndarray
    headlines: list[Headline | None]


def _score(
    fm: ForecastModel,
    rows: pl.DataFrame,
    reference: pl.DataFrame,
    horizon: int,
    y: int,
    cal: Calibration | None,
) -> _Scored:
    from allyscope.forecast.published import headline

    point, draws = _draws(fm, rows, horizon)
    if cal is None:
        return _Scored(point, draws, point, draws, [None] * point.size)
    # each pair is ranked against every other dyad at risk: the query's own rows enter with
    # the values scored here (a scenario's, if any), never twice
    others = reference.join(rows.select("ccode1", "ccode2"), on=["ccode1", "ccode2"], how="anti")
    raw_others, _ = fm.horizon_proba(others, horizon)
    heads: list[Headline | None] = [
        headline(
            cal,
            float(point[j]),
            draws[:, j] if fm.ensemble else None,
            raw_all=np.concatenate([raw_others, point]),
            year=y,
            feature_names=fm.feature_names,
        )
        for j in range(point.size)
    ]
    return _Scored(point, draws, cal.apply(point), cal.apply_draws(draws), heads)


def _pairs(
    rows: pl.DataFrame,
    allied: np.ndarray,
    sc: _Scored,
    fm: ForecastModel,
    drv: list[Any],
    nb: list[Any],
    n_drivers: int,
) -> list[PairForecast]:
    lo, hi = _interval(sc.published_draws)
    pairs: list[PairForecast] = []
    j = 0
    for r, is_allied in zip(rows.iter_rows(named=True), allied, strict=True):
        n1, n2 = codes.name(r["ccode1"]), codes.name(r["ccode2"])
        if is_allied:
            pairs.append(PairForecast(r["ccode1"], r["ccode2"], n1, n2, True, 1.0, None))
            continue
        d = drv[j]
        pairs.append(
            PairForecast(
                r["ccode1"],
                r["ccode2"],
                n1,
                n2,
                False,
                float(sc.published[j]),
                (float(lo[j]), float(hi[j])) if fm.ensemble else None,
                d.head(n_drivers) if d is not None else None,
                nb[j],
                raw_probability=float(sc.raw[j]),
                headline=sc.headlines[j],
            )
        )
        j += 1
    return pairs


def _group_headline(
    sc: _Scored, cal: Calibration | None, y: int, fm: ForecastModel
) -> tuple[float, tuple[float, float] | None, Headline | None]:
    """Group probability (product over at-risk pairs), its interval and headline; a
    dyad's group headline is its pair's."""
    g_point = float(np.prod(sc.published))
    g_draws = np.prod(sc.published_draws, axis=1)
    g_int = tuple(float(v) for v in np.percentile(g_draws, INTERVAL)) if fm.ensemble else None
    if cal is None:
        return g_point, g_int, None  # type: ignore[return-value]
    if sc.raw.size == 1:
        return g_point, g_int, sc.headlines[0]  # type: ignore[return-value]
    from allyscope.forecast.published import information

    info, oldest = information(y, fm.feature_names)
    head = Headline(
        probability=g_point,
        interval=g_int,  # type: ignore[arg-type]
        raw_probability=float(np.prod(sc.raw)),
        rank=None,
        at_risk=None,
        percentile=None,
        method=cal.method,
        band=None,
        information_date=info,
        oldest_input=oldest,
        trained_through=cal.trained_through,
        calibration_origins=(cal.origins[0], cal.origins[-1]),
    )
    return g_point, g_int, head  # type: ignore[return-value]


def _notes(pairs: list[PairForecast], y: int, trained_through: int) -> list[str]:
    notes = []
    for p in pairs:
        b = p.headline.band if p.headline else None
        if b is not None and not b.observed_lo <= p.probability <= b.observed_hi:
            notes.append(
                f"{p.label}: in the backtest, forecasts of {b.lo:.1%}-{b.hi:.1%} came true "
                f"{b.record()}: the calibrated probability sits outside that band"
            )
    if y > ATOP_LAST:
        notes.append(
            f"alliance status after {ATOP_LAST} comes from allyscope's sourced alliance records: "
            f"ATOP's dyads of {ATOP_LAST} are carried forward unless a record ends them "
            "(docs/alliances.md)"
        )
    if trained_through < y:
        notes.append(
            f"the model and its calibration saw outcomes up to {trained_through} only (origin {y})"
        )
    elif trained_through > y:
        notes.append(
            f"trained on outcomes up to {trained_through}, after the origin {y}: an in-sample "
            f"forecast (use --train-through {y} for what a forecaster in {y} could have known)"
        )
    return notes


def _fitted(
    model: str | None,
    outcome: str,
    horizon: int,
    trained_through: int,
    seed: int,
    n_boot: int,
    params: dict[str, Any] | None,
    calibrated: bool,
    step: int,
) -> tuple[ForecastModel, Calibration | None]:
    """The model trained through ``trained_through`` and, unless ``calibrated`` is off, the
    calibration its forecasts are published with (one calibrator per bootstrap refit)."""
    from allyscope.forecast.published import calibration

    fm = train(
        model, outcome, trained_through=trained_through, seed=seed, n_boot=n_boot, params=params
    )
    if not calibrated:
        return fm, None
    cal = calibration(
        fm.kind,
        outcome,
        horizon,
        trained_through,
        seed=seed,
        params=params,
        n_boot=max(len(fm.ensemble), 1),
        step=step,
    )
    return fm, cal


def forecast(
    states: Sequence[str | int],
    horizon: int = 5,
    *,
    year: int | None = None,
    model: str | None = None,
    outcome: str = "defense",
    scenario: Any | None = None,
    seed: int = 0,
    n_boot: int = DEFAULT_N_BOOT,
    trained_through: int | None = None,
    n_drivers: int = 8,
    n_neighbours: int = 5,
    explain: bool = True,
    calibrated: bool = True,
    params: dict[str, Any] | None = None,
    calibration_step: int = CALIBRATION_STEP,
) -> Forecast:
    """Forecast alliance onset for a dyad or group (see module docs).

    The published probability is calibrated (:mod:`allyscope.forecast.published`);
    ``calibrated=False`` publishes the model's own. ``trained_through``: the last outcome
    year the model and the calibrator may see (default: all data; the origin year itself
    for a pseudo-prospective forecast). ``scenario``: a
    :class:`~allyscope.forecast.scenarios.Scenario` (or spec mapping) applied to the
    origin-year inputs before scoring. ``params``: estimator parameters. Raises
    :class:`~allyscope.errors.InvalidInputError` for a dyad that is already allied.
    """
    from allyscope.forecast.scenarios import as_scenario

    outcome = check_outcome(outcome)
    horizon = check_horizon(horizon)
    y = check_year(year)
    t = check_trained_through(
        trained_through, horizon, calibrated=calibrated, step=calibration_step
    )
    ccodes = resolve_states(states, y)
    names = [codes.name(c) for c in ccodes]
    sc = as_scenario(scenario) if scenario is not None else None
    fm, cal = _fitted(
        model, outcome, horizon, t, seed, n_boot, params, calibrated, calibration_step
    )
    feats = features(y, y)
    rows = _pair_rows(feats, ccodes, y)
    allied = _already_allied(rows, outcome, names, y)
    notes: list[str] = []
    risk_rows = rows.filter(pl.col(status_column(outcome)) == 0)
    if sc is not None:
        risk_rows, sc_notes = sc.apply(risk_rows, ccodes, y)
        notes.extend(sc_notes)
    reference = at_risk(feats, outcome)
    scored = _score(fm, risk_rows, reference, horizon, y, cal)
    drv = drivers(fm, risk_rows, reference, seed) if explain else [None] * risk_rows.height
    nb = neighbours(fm, risk_rows, horizon, n_neighbours) if explain else [None] * risk_rows.height
    pairs = _pairs(rows, allied, scored, fm, drv, nb, n_drivers)
    g_point, g_int, g_head = _group_headline(scored, cal, y, fm)
    return Forecast(
        states=ccodes,
        names=names,
        year=y,
        horizon=horizon,
        outcome=outcome,
        model=fm.describe() | ({"calibration": cal.method} if cal else {}),
        pairs=pairs,
        group_probability=g_point,
        group_interval=g_int,
        group_bounds=_frechet([p.probability for p in pairs]),
        carried_forward=carried_forward(y),
        scenario=sc.name if sc is not None else None,
        notes=notes + _notes(pairs, y, t),
        trained_through=t,
        group_headline=g_head,
        group_raw_probability=float(np.prod(scored.raw)),
    )


def forecast_all(
    year: int | None = None,
    horizon: int = 5,
    *,
    model: str | None = None,
    outcome: str = "defense",
    seed: int = 0,
    n_boot: int = DEFAULT_N_BOOT,
    trained_through: int | None = None,
    intervals: bool = False,
    calibrated: bool = True,
    params: dict[str, Any] | None = None,
    calibration_step: int = CALIBRATION_STEP,
) -> pl.DataFrame:
    """Score every dyad at risk in origin year ``year``, sorted by probability (rank 1 =
    most likely). Columns: ``rank, ccode1, ccode2, state1, state2, year, horizon,
    probability`` (published: calibrated unless ``calibrated=False``), ``lower, upper``
    (with ``intervals=True``: paired bootstrap of model and calibrator; else null),
    ``raw_probability, percentile, band_observed, band_lo, band_hi`` (how often backtest
    forecasts in the probability's bin came true), ``trained_through, calibration``.

    ``trained_through=year`` gives the pseudo-prospective ranking: model and calibrator
    see only outcomes observable at the end of ``year``."""
    outcome = check_outcome(outcome)
    horizon = check_horizon(horizon)
    y = check_year(year)
    t = check_trained_through(
        trained_through, horizon, calibrated=calibrated, step=calibration_step
    )
    fm, cal = _fitted(
        model, outcome, horizon, t, seed, n_boot, params, calibrated, calibration_step
    )
    risk = at_risk(features(y, y), outcome)
    if intervals and fm.ensemble:
        point, draws = _draws(fm, risk, horizon)
        pub_draws = cal.apply_draws(draws) if cal is not None else draws
        lo, hi = _interval(pub_draws)
    else:
        point, _ = fm.horizon_proba(risk, horizon)
        lo = hi = np.full(point.size, np.nan)
    published = cal.apply(point) if cal is not None else point
    return _ranking(risk, y, horizon, t, point, published, lo, hi, cal)


def _ranking(
    risk: pl.DataFrame,
    y: int,
    horizon: int,
    t: int,
    raw: np.ndarray,
    published: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    cal: Calibration | None,
) -> pl.DataFrame:
    names = (
        codes.crosswalk()
        .filter(pl.col("year") == min(y, LIST_END["cow"].year))
        .select(pl.col("ccode").cast(pl.Int32), "name")
        .unique(subset=["ccode"], keep="first")
    )
    n = raw.size
    order_rank = pl.Series("raw", raw).rank("average", descending=False).to_numpy()
    pct = (order_rank - 0.5) / max(n, 1) * 100
    bands = _band_columns(published, cal)
    out = (
        risk.select("ccode1", "ccode2")
        .with_columns(
            pl.lit(y, pl.Int32).alias("year"),
            pl.lit(horizon, pl.Int32).alias("horizon"),
            pl.Series("probability", published),
            pl.Series("lower", lo).fill_nan(None),
            pl.Series("upper", hi).fill_nan(None),
            pl.Series("raw_probability", raw),
            pl.Series("percentile", pct),
            *bands,
            pl.lit(t, pl.Int32).alias("trained_through"),
            pl.lit(cal.method if cal else "none").alias("calibration"),
        )
        .join(names.rename({"ccode": "ccode1", "name": "state1"}), on="ccode1", how="left")
        .join(names.rename({"ccode": "ccode2", "name": "state2"}), on="ccode2", how="left")
        .sort(["raw_probability", "ccode1", "ccode2"], descending=[True, False, False])
        .with_row_index("rank", offset=1)
    )
    return out.select(
        pl.col("rank").cast(pl.Int32),
        "ccode1",
        "ccode2",
        "state1",
        "state2",
        "year",
        "horizon",
        "probability",
        "lower",
        "upper",
        "raw_probability",
        "percentile",
        "band_observed",
        "band_lo",
        "band_hi",
        "trained_through",
        "calibration",
    )


def _band_columns(published: np.ndarray, cal: Calibration | None) -> list[pl.Series]:
    n = published.size
    obs = np.full(n, np.nan)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    if cal is not None and cal.reliability.height:
        rel = cal.reliability
        edges = np.concatenate([rel["lo"].to_numpy(), rel["hi"].to_numpy()[-1:]])
        idx = np.clip(np.searchsorted(edges, published, side="right") - 1, 0, rel.height - 1)
        inside = (published >= edges[0]) & (published <= edges[-1])
        # bins missing from the table (no forecasts there) leave gaps: match by bounds
        ok = (
            inside
            & (rel["lo"].to_numpy()[idx] <= published)
            & (published <= rel["hi"].to_numpy()[idx])
        )
        obs[ok] = rel["observed"].to_numpy()[idx[ok]]
        lo[ok] = rel["observed_lo"].to_numpy()[idx[ok]]
        hi[ok] = rel["observed_hi"].to_numpy()[idx[ok]]
    return [
        pl.Series("band_observed", obs).fill_nan(None),
        pl.Series("band_lo", lo).fill_nan(None),
        pl.Series("band_hi", hi).fill_nan(None),
    ]


__all__ = [
    "Forecast",
    "PairForecast",
    "check_trained_through",
    "check_year",
    "drivers",
    "forecast",
    "forecast_all",
    "neighbours",
    "resolve_states",
]
