"""Evaluation of backtest forecasts: raw and recalibrated, dyad and event level, with
cluster-bootstrap intervals (docs/forecast.md).

:func:`evaluate` takes a :class:`~allyscope.forecast.backtesting.BacktestResult` and returns
an :class:`Evaluation`:

* ``scores`` -- one row per model and method (``raw``: the model's own probability;
  ``platt``, ``beta``, ``isotonic``: recalibrated origin by origin on closed windows;
  ``selected``: the method chosen out of sample at each origin; and the ``base_rate``):
  Brier score and Brier skill against the base rate, log loss, ROC-AUC and PR-AUC at dyad
  and event level, onset ranks, each with a 90% stratified cluster-bootstrap interval
  (:mod:`allyscope.forecast.skill`). All methods are scored on the same origins: those
  with enough closed origins before them to fit a calibrator.
* ``reliability`` -- binned reliability per model for ``raw`` and ``selected``, with
  cluster-bootstrap intervals of the observed share and whether each covers the diagonal.
* ``by_kind`` -- ranking skill for onsets that were accessions to existing pacts and for
  new pacts, separately (:mod:`allyscope.forecast.events`).
* ``target`` -- the calibration target, per model: Brier skill of the selected recalibration above 0 with its whole
  interval, and every reliability bin covering the diagonal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from allyscope.forecast.calibration import METHODS, rolling_recalibration
from allyscope.forecast.skill import LEVEL, N_BOOT, reliability, skill

DYAD = ["ccode1", "ccode2"]


@dataclass
class Evaluation:
    """Scores of a backtest (see module docs)."""

    outcome: str
    horizon: int
    origins: list[int]
    scores: pl.DataFrame
    reliability: pl.DataFrame
    by_kind: pl.DataFrame
    events: pl.DataFrame
    target: dict[str, dict[str, Any]] = field(default_factory=dict)
    level: float = LEVEL

    def score(self, model: str, method: str = "selected") -> dict[str, Any]:
        row = self.scores.filter((pl.col("model") == model) & (pl.col("method") == method))
        if row.height == 0:
            from allyscope.errors import UnknownNameError

            raise UnknownNameError(
                "model and method", f"{model}/{method}", self.scores["model"].unique().to_list()
            )
        return row.row(0, named=True)


def onset_events(outcome: str) -> pl.DataFrame:
    """Every onset of ``outcome`` 1946 to the last outcome year, clustered into events
    (:func:`allyscope.forecast.events.cluster_onsets`), cached per data version."""
    from allyscope.forecast.events import cluster_onsets, record_kinds
    from allyscope.forecast.outcome import OUTCOME_LAST, TRAIN_FIRST, alliance_years, check_outcome
    from allyscope.store import cached_table

    outcome = check_outcome(outcome)

    def compute() -> pl.DataFrame:
        status = alliance_years(TRAIN_FIRST - 1, OUTCOME_LAST)
        events = cluster_onsets(status, outcome, record_kinds())
        return events.drop("records").filter(pl.col("year") >= TRAIN_FIRST)

    from allyscope.panel.alliances import load_records

    params = {"outcome": outcome, "records": load_records().sha256}
    return cached_table("forecast_onset_events", params, compute)


def _frames(
    preds: pl.DataFrame, events: pl.DataFrame, horizon: int, rolled: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Recalibrated rows with their base-rate forecast and the event that followed
    (``rolled``: the rolling recalibration of ``preds`` when it is already at hand)."""
    from allyscope.forecast.events import assign_events

    cal = rolled if rolled is not None else rolling_recalibration(preds, horizon, methods=METHODS)
    base = cal.filter(pl.col("model") == "base_rate").select(
        "origin", *DYAD, pl.col("prob").alias("base")
    )
    keys = cal.filter(pl.col("model") == "base_rate").select("origin", *DYAD)
    ev = assign_events(keys, events, horizon)
    return cal.join(base, on=["origin", *DYAD], how="left").join(
        ev, on=["origin", *DYAD], how="left"
    )


def evaluate(
    result: Any,
    *,
    n_boot: int = N_BOOT,
    seed: int = 0,
    events: pl.DataFrame | None = None,
) -> Evaluation:
    """Score a backtest (see module docs)."""
    ev = events if events is not None else onset_events(result.outcome)
    frame = _frames(result.predictions, ev, result.horizon)
    origins = sorted(frame["origin"].unique().to_list())
    scores, rel, kinds = [], [], []
    for (model, method), d in frame.group_by("model", "method", maintain_order=True):
        s = skill(d, n_boot=n_boot, seed=seed)
        scores.append({"model": model, "method": method, **s})
        if model != "base_rate" and method in ("raw", "selected"):
            r = reliability(d, n_boot=n_boot, seed=seed)
            rel.append(r.with_columns(pl.lit(model).alias("model"), pl.lit(method).alias("method")))
        if model != "base_rate" and method == "selected":
            kinds.extend(_by_kind(d, model, n_boot, seed))
    score_df = pl.DataFrame(scores).sort("model", "method")
    rel_df = pl.concat(rel).select("model", "method", pl.exclude("model", "method"))
    kind_df = pl.DataFrame(kinds) if kinds else pl.DataFrame()
    target = _target(score_df, rel_df)
    used = ev.filter(pl.col("year") > min(origins))
    return Evaluation(
        result.outcome, result.horizon, origins, score_df, rel_df, kind_df, used, target
    )


def _by_kind(d: pl.DataFrame, model: str, n_boot: int, seed: int) -> list[dict[str, Any]]:
    out = []
    for kind in ("accession", "new"):
        sub = d.filter((pl.col("onset_within") == 0) | (pl.col("kind") == kind))
        if sub.filter(pl.col("onset_within") == 1).height == 0:
            continue
        s = skill(sub, n_boot=min(n_boot, 200), n_boot_ranks=min(n_boot, 200), seed=seed)
        keep = (
            "roc_auc",
            "pr_auc",
            "event_roc_auc",
            "event_pr_auc",
            "median_pct_rank",
            "top5pct_share",
            "events_foreseen_share",
            "onsets",
            "events",
        )
        row: dict[str, Any] = {"model": model, "kind": kind}
        for k in keep:
            row[k] = s[k]
            if f"{k}_lo" in s:
                row[f"{k}_lo"], row[f"{k}_hi"] = s[f"{k}_lo"], s[f"{k}_hi"]
        out.append(row)
    return out


def _target(scores: pl.DataFrame, rel: pl.DataFrame) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for model in scores.filter(pl.col("model") != "base_rate")["model"].unique().sort():
        s = scores.filter((pl.col("model") == model) & (pl.col("method") == "selected"))
        r = rel.filter((pl.col("model") == model) & (pl.col("method") == "selected"))
        if s.height == 0:
            continue
        row = s.row(0, named=True)
        skill_ok = bool(row["brier_skill_lo"] > 0)
        covers = bool(r["covers"].all()) if r.height else False
        out[model] = {
            "brier_skill": row["brier_skill"],
            "brier_skill_interval": (row["brier_skill_lo"], row["brier_skill_hi"]),
            "skill_above_zero": skill_ok,
            "bins_cover_diagonal": covers,
            "bins_missing_diagonal": r.filter(~pl.col("covers"))["bin"].to_list(),
            "met": skill_ok and covers,
        }
    return out


def summary_table(ev: Evaluation) -> pl.DataFrame:
    """The scores in print order with formatted intervals (for the command line)."""

    def fmt(row: dict[str, Any], k: str, digits: int) -> str:
        v, lo, hi = row.get(k), row.get(f"{k}_lo"), row.get(f"{k}_hi")
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if lo is None or (isinstance(lo, float) and np.isnan(lo)):
            return f"{v:.{digits}f}"
        return f"{v:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"

    rows = []
    for r in ev.scores.iter_rows(named=True):
        rows.append(
            {
                "model": r["model"],
                "method": r["method"],
                "brier": fmt(r, "brier", 5),
                "brier_skill": fmt(r, "brier_skill", 3),
                "log_loss": fmt(r, "log_loss", 4),
                "roc_auc": fmt(r, "roc_auc", 3),
                "pr_auc": fmt(r, "pr_auc", 3),
                "event_roc_auc": fmt(r, "event_roc_auc", 3),
                "event_pr_auc": fmt(r, "event_pr_auc", 3),
            }
        )
    return pl.DataFrame(rows)


__all__ = ["Evaluation", "evaluate", "onset_events", "summary_table"]
