"""Rolling-origin backtests: train on the past, forecast the next years, score.

For each origin year ``t`` the models are trained on the outcome years 1946..``t`` only
(features of 1945..``t - 1``) and forecast, for every dyad not allied in ``t``, the
probability of an onset within ``t + 1 .. t + h``; the forecasts are scored against what
ATOP and the alliance records after it record. Origins run from 1970 to the last outcome
year (2025) minus ``h`` (2020 for five-year horizons).
Forecast windows of neighbouring origins overlap, so one onset is scored from up to
``h`` origins.

Scores, pooled over all origins:

* ROC-AUC and PR-AUC (average precision; the share of onsets among forecasts is its
  no-skill value);
* Brier score (mean squared error of the probability) and Brier skill against the base
  rate (the share of dyads with an onset within ``h`` years among the origins whose
  windows had closed at ``t``, a forecast that knows nothing about dyads);
* the percentile rank of each actual onset among all dyads at risk at its origin (100:
  ranked first; 50: no better than chance), summarized by its median, and the share of
  onsets ranked in the top 5% of their origin;
* calibration: forecasts grouped in probability bins, mean forecast against observed
  share, with a binomial 95% interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.forecast.data import (
    at_risk,
    horizon_outcomes,
    onset_events,
    to_matrix,
    training_table,
)
from allyscope.forecast.feature_table import feature_names, features
from allyscope.forecast.model import ForecastModel, check_horizon, check_model, fit_estimator
from allyscope.forecast.models import ESTIMATOR_TITLES, make_estimator
from allyscope.forecast.outcome import OUTCOME_LAST, TRAIN_FIRST, check_outcome
from allyscope.io import PNG_HINT as _PNG_HINT

FIRST_ORIGIN = 1970
#: probability bins of the calibration table
CAL_EDGES = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0)


@dataclass
class BacktestResult:
    """Per-dyad forecasts of every origin, and the scores computed from them."""

    predictions: pl.DataFrame
    horizon: int
    outcome: str
    origins: list[int]
    models: list[str]

    @property
    def table(self) -> pl.DataFrame:
        return score_table(self.predictions)

    @property
    def calibration(self) -> pl.DataFrame:
        return calibration_table(self.predictions)

    @property
    def by_origin(self) -> pl.DataFrame:
        return origin_table(self.predictions)

    def best_model(self) -> str:
        """The better model out of sample: higher PR-AUC, then lower Brier score."""
        t = self.table.filter(pl.col("model") != "base_rate")
        best = t.sort(["pr_auc", "brier", "model"], descending=[True, False, False]).row(
            0, named=True
        )
        return str(best["model"])


def check_origins(origins: Sequence[int], horizon: int) -> list[int]:
    last = OUTCOME_LAST - horizon
    out = sorted({int(o) for o in origins})
    if not out:
        raise InvalidInputError("no backtest origin years given")
    bad = [o for o in out if not TRAIN_FIRST + 10 <= o <= last]
    if bad:
        raise InvalidInputError(
            f"backtest origin years {bad[:5]} are out of range for a {horizon}-year horizon",
            f"choose origins in {TRAIN_FIRST + 10}-{last}: a model needs ten years of training "
            f"data and the {horizon}-year window must close by {OUTCOME_LAST}",
        )
    return out


def default_origins(horizon: int = 5, step: int = 1) -> list[int]:
    if step < 1:
        raise InvalidInputError(f"step must be at least 1 year, got {step}")
    return list(range(FIRST_ORIGIN, OUTCOME_LAST - horizon + 1, step))


def run_backtest(
    models: Sequence[str] = ("logit", "boost"),
    outcome: str = "defense",
    origins: Sequence[int] | None = None,
    horizon: int = 5,
    *,
    seed: int = 0,
    params: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> BacktestResult:
    """Train at every origin and forecast the next ``horizon`` years (uncached)."""
    outcome = check_outcome(outcome)
    horizon = check_horizon(horizon)
    kinds = [check_model(m) for m in models]
    origins = check_origins(origins if origins is not None else default_origins(horizon), horizon)
    params = params or {}
    names = feature_names(outcome)
    full = training_table(outcome, TRAIN_FIRST, OUTCOME_LAST)
    events = onset_events(full)
    feats = features(min(origins), max(origins))
    X_all = to_matrix(full, names)
    y_all = full["onset"].to_numpy().astype(np.float64)
    years = full["year"].to_numpy()
    parts: list[pl.DataFrame] = []
    total = len(origins) * len(kinds)
    done = 0
    for t in origins:
        rows = years <= t
        risk = at_risk(feats.filter(pl.col("year") == t), outcome)
        actual = horizon_outcomes(risk.select("ccode1", "ccode2", "year"), events, horizon)
        base = _base_rate(full, events, t, horizon, outcome)
        frame = risk.select("ccode1", "ccode2", pl.col("year").alias("origin")).with_columns(
            actual.alias("onset_within")
        )
        parts.append(
            frame.with_columns(pl.lit("base_rate").alias("model"), pl.lit(base).alias("prob"))
        )
        for kind in kinds:
            est = fit_estimator(kind, X_all[rows], y_all[rows], seed, names, **params.get(kind, {}))
            fm = ForecastModel(
                kind=kind,
                outcome=outcome,
                feature_names=names,
                estimator=est,
                ensemble=[],
                trained_through=t,
                seed=seed,
                params=params.get(kind, {}),
                data_hash="",
                version="",
                n_rows=int(rows.sum()),
                n_onsets=int(y_all[rows].sum()),
            )
            prob, _ = fm.horizon_proba(risk, horizon)
            parts.append(frame.with_columns(pl.lit(kind).alias("model"), pl.Series("prob", prob)))
            done += 1
            if progress:
                progress(done, total, f"{kind} {t}")
    preds = pl.concat(parts).select(
        "model", "origin", "ccode1", "ccode2", "prob", pl.col("onset_within").cast(pl.Int8)
    )
    return BacktestResult(preds, horizon, outcome, origins, kinds)


def _base_rate(full: pl.DataFrame, events: pl.DataFrame, t: int, h: int, outcome: str) -> float:
    """Share of at-risk dyads with an onset within ``h`` years, over the origins whose
    windows had closed by ``t`` (origins up to ``t - h``)."""
    past = full.filter(pl.col("info_year") <= t - h).select(
        "ccode1", "ccode2", pl.col("info_year").alias("year")
    )
    if past.height == 0:
        return float("nan")
    hit = horizon_outcomes(past, events, h)
    return float(hit.mean())  # type: ignore[arg-type]


def backtest(
    models: Sequence[str] = ("logit", "boost"),
    outcome: str = "defense",
    origins: Sequence[int] | None = None,
    horizon: int = 5,
    *,
    seed: int = 0,
    params: dict[str, dict[str, Any]] | None = None,
    refresh: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> BacktestResult:
    """:func:`run_backtest`, with each model's forecasts cached per data version, code
    and parameters (a model's forecasts at an origin do not depend on the other models)."""
    outcome = check_outcome(outcome)
    horizon = check_horizon(horizon)
    kinds = [check_model(m) for m in models]
    origins = check_origins(origins if origins is not None else default_origins(horizon), horizon)
    parts = []
    for i, kind in enumerate(kinds):
        preds = model_backtest(
            kind,
            outcome,
            origins,
            horizon,
            seed=seed,
            params=(params or {}).get(kind),
            refresh=refresh,
            progress=progress,
        )
        parts.append(preds if i == 0 else preds.filter(pl.col("model") != "base_rate"))
    return BacktestResult(pl.concat(parts), horizon, outcome, origins, kinds)


def backtest_key(
    kind: str,
    outcome: str,
    origins: Sequence[int],
    horizon: int,
    seed: int,
    params: dict[str, Any] | None,
) -> dict[str, Any]:
    """What a model's backtest forecasts depend on besides data and code: the cache key of
    the backtest and of everything computed from it alone."""
    return {
        "model": kind,
        "outcome": outcome,
        "origins": list(origins),
        "horizon": horizon,
        "seed": seed,
        "params": make_estimator(kind, **(params or {})).get_params(),
        "features": feature_names(outcome),
    }


def model_backtest(
    kind: str,
    outcome: str,
    origins: Sequence[int],
    horizon: int,
    *,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    refresh: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> pl.DataFrame:
    """One model's backtest forecasts (and the base rate's), cached."""
    from allyscope.store import cached_table

    kind = check_model(kind)
    return cached_table(
        "forecast_backtest",
        backtest_key(kind, outcome, origins, horizon, seed, params),
        lambda: (
            run_backtest(
                [kind],
                outcome,
                origins,
                horizon,
                seed=seed,
                params={kind: params or {}},
                progress=progress,
            ).predictions
        ),
        refresh=refresh,
    )


# -- scores -----------------------------------------------------------------------------


def _pct_rank() -> pl.Expr:
    n = pl.len().over("model", "origin")
    return ((pl.col("prob").rank("average").over("model", "origin") - 0.5) / n) * 100


def score_table(preds: pl.DataFrame) -> pl.DataFrame:
    """One row per model: ROC-AUC, PR-AUC, Brier, Brier skill, onset ranks, counts."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    ranked = preds.with_columns(_pct_rank().alias("pct_rank"))
    base = preds.filter(pl.col("model") == "base_rate")
    base_brier = (
        float(((base["prob"] - base["onset_within"]) ** 2).mean())  # type: ignore[arg-type]
        if base.height
        else float("nan")
    )
    rows = []
    order = [m for m in ("logit", "boost", "base_rate") if m in preds["model"].unique().to_list()]
    for m in order:
        d = ranked.filter(pl.col("model") == m)
        y = d["onset_within"].to_numpy()
        p = d["prob"].to_numpy()
        ok = ~np.isnan(p)
        y, p = y[ok], p[ok]
        brier = float(np.mean((p - y) ** 2))
        pos = d.filter(pl.col("onset_within") == 1)["pct_rank"]
        both = 0 < y.sum() < y.size
        rows.append(
            {
                "model": m,
                "title": ESTIMATOR_TITLES.get(m, "base rate (share of past dyads with an onset)"),
                "roc_auc": float(roc_auc_score(y, p)) if both else float("nan"),
                "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
                "brier": brier,
                "brier_skill": 1 - brier / base_brier if base_brier > 0 else float("nan"),
                "median_pct_rank": float(pos.median()) if pos.len() else float("nan"),  # type: ignore[arg-type]
                "top5pct_share": float((pos >= 95).mean()) if pos.len() else float("nan"),  # type: ignore[arg-type]
                "mean_forecast": float(p.mean()),
                "observed_rate": float(y.mean()),
                "origins": d["origin"].n_unique(),
                "forecasts": int(y.size),
                "onsets": int(y.sum()),
            }
        )
    return pl.DataFrame(rows)


def calibration_table(preds: pl.DataFrame, edges: Sequence[float] = CAL_EDGES) -> pl.DataFrame:
    """Forecasts binned by probability: mean forecast, observed share and its 95% interval."""
    labels = [f"{edges[i]:g}-{edges[i + 1]:g}" for i in range(len(edges) - 1)]
    d = preds.filter(pl.col("model") != "base_rate")
    # bin i holds edges[i] <= p < edges[i + 1] (the last bin includes 1)
    idx = np.clip(
        np.searchsorted(np.asarray(edges[1:-1]), d["prob"].to_numpy(), side="right"),
        0,
        len(labels) - 1,
    )
    d = d.with_columns(pl.Series("bin", np.asarray(labels, dtype=object)[idx], dtype=pl.String))
    out = (
        d.group_by("model", "bin")
        .agg(
            pl.len().alias("n"),
            pl.col("prob").mean().alias("mean_forecast"),
            pl.col("onset_within").mean().alias("observed"),
            pl.col("onset_within").sum().alias("onsets"),
        )
        .with_columns(pl.col("bin").replace_strict(labels, list(range(len(labels)))).alias("__o"))
        .sort("model", "__o")
        .drop("__o")
    )
    # Wilson score interval for the observed share
    z = 1.96
    n, ph = pl.col("n"), pl.col("observed")
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((ph * (1 - ph) / n + z * z / (4 * n * n)).sqrt()) / (1 + z * z / n)
    return out.with_columns(
        (centre - half).alias("observed_lo"), (centre + half).alias("observed_hi")
    )


def origin_table(preds: pl.DataFrame) -> pl.DataFrame:
    """Scores per model and origin year (PR-AUC, ROC-AUC, Brier, onsets)."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    rows = []
    for (m, t), d in preds.filter(pl.col("model") != "base_rate").group_by(
        "model", "origin", maintain_order=True
    ):
        y = d["onset_within"].to_numpy()
        p = d["prob"].to_numpy()
        both = 0 < y.sum() < y.size
        rows.append(
            {
                "model": m,
                "origin": t,
                "onsets": int(y.sum()),
                "roc_auc": float(roc_auc_score(y, p)) if both else None,
                "pr_auc": float(average_precision_score(y, p)) if both else None,
                "brier": float(np.mean((p - y) ** 2)),
            }
        )
    return pl.DataFrame(rows).sort("model", "origin")


# -- plot -----------------------------------------------------------------------------------

COLORS = {"logit": "#1f77b4", "boost": "#d62728"}


def calibration_figure(result: BacktestResult) -> Any:
    """A plotly figure: reliability diagram (left) and PR-AUC by origin year (right)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    cal = result.calibration
    by_origin = result.by_origin
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            f"Reliability: forecast vs observed ({result.horizon}-year onset)",
            "PR-AUC by origin year",
        ),
        horizontal_spacing=0.12,
    )
    fig.add_trace(
        go.Scatter(
            x=[1e-4, 1],
            y=[1e-4, 1],
            mode="lines",
            name="perfect calibration",
            line={"color": "#888", "dash": "dash"},
        ),
        row=1,
        col=1,
    )
    for m in result.models:
        c = cal.filter(pl.col("model") == m)
        lo = (c["observed"] - c["observed_lo"]).to_list()
        hi = (c["observed_hi"] - c["observed"]).to_list()
        fig.add_trace(
            go.Scatter(
                x=c["mean_forecast"].to_list(),
                y=[max(v, 1e-4) for v in c["observed"].to_list()],
                mode="lines+markers",
                name=ESTIMATOR_TITLES[m],
                marker={"color": COLORS.get(m), "size": 8},
                line={"color": COLORS.get(m)},
                error_y={"type": "data", "array": hi, "arrayminus": lo, "visible": True},
                customdata=np.column_stack([c["n"].to_numpy(), c["onsets"].to_numpy()]),
                hovertemplate="forecast %{x:.4f}<br>observed %{y:.4f}<br>"
                "%{customdata[0]} forecasts, %{customdata[1]} onsets<extra></extra>",
            ),
            row=1,
            col=1,
        )
        o = by_origin.filter(pl.col("model") == m)
        fig.add_trace(
            go.Scatter(
                x=o["origin"].to_list(),
                y=o["pr_auc"].to_list(),
                mode="lines+markers",
                name=f"{m}: PR-AUC",
                marker={"color": COLORS.get(m)},
                line={"color": COLORS.get(m)},
                showlegend=False,
            ),
            row=1,
            col=2,
        )
    ticks = {
        "tickvals": [1e-4, 1e-3, 1e-2, 0.1, 1],
        "ticktext": ["0.01%", "0.1%", "1%", "10%", "100%"],
    }
    fig.update_xaxes(type="log", title_text="mean forecast probability", row=1, col=1, **ticks)
    fig.update_yaxes(type="log", title_text="observed share with an onset", row=1, col=1, **ticks)
    fig.update_xaxes(title_text="origin year (train through t, forecast t+1..t+h)", row=1, col=2)
    fig.update_yaxes(title_text="PR-AUC", rangemode="tozero", row=1, col=2)
    fig.update_layout(
        title=f"Backtest of {result.outcome} pact onsets, origins {result.origins[0]}-"
        f"{result.origins[-1]}, horizon {result.horizon} years",
        height=520,
        width=1150,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.18},
    )
    return fig


#: how to enable the PNG copy of a figure (kaleido is an optional extra)
PNG_HINT = _PNG_HINT


class PngSkippedWarning(UserWarning):
    """A figure's PNG copy was not written; the HTML file holds the figure."""


def write_figure(
    result: BacktestResult, path: str, *, on_skip: Callable[[str], None] | None = None
) -> list[str]:
    """Write the calibration figure through :func:`allyscope.io.write_figure` (checked,
    atomic). Given ``FILE.html`` it writes the self-contained page and a PNG beside it when
    the optional ``kaleido`` package can draw one; given ``FILE.png`` only the PNG.
    Returns the files written.

    A PNG beside the HTML that cannot be drawn is skipped and ``on_skip`` is called with a
    message saying how to enable it (default: a :class:`PngSkippedWarning`).
    """
    import warnings
    from pathlib import Path

    from allyscope.io import write_figure as _write

    fig = calibration_figure(result)
    target = _write(fig, path)
    written = [str(target)]
    if target.suffix.lower() == ".png":
        return written
    png = target.with_suffix(".png")
    try:
        written.append(str(_write(fig, png)))
    except InvalidInputError as exc:  # kaleido missing, or without a browser to draw
        msg = f"{png} not written: {exc.message} ({exc.hint}); the figure is in {Path(target)}"
        if on_skip is None:
            warnings.warn(msg, PngSkippedWarning, stacklevel=2)
        else:
            on_skip(msg)
    return written


__all__ = [
    "PNG_HINT",
    "BacktestResult",
    "PngSkippedWarning",
    "backtest",
    "calibration_figure",
    "calibration_table",
    "default_origins",
    "origin_table",
    "run_backtest",
    "score_table",
    "write_figure",
]
