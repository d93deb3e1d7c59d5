"""Pseudo-prospective evaluation: forecast from an origin as a forecaster then could have,
and compare with what happened.

:func:`prospective` ranks every dyad at risk at ``origin`` with a model and a calibrator
that saw only outcomes observable at the end of ``origin`` (``trained_through=origin``),
then looks at the onsets of ``origin + 1 .. origin + horizon``: where each onset dyad was
ranked, what probability it was given, and, per onset event (treaty or treaty wave),
whether any of its dyads was near the top. With origin 2018 and horizon 7 this is the test
on the alliances of 2019-2025 coded in allyscope's records (docs/forecast.md).

Skill figures carry cluster-bootstrap intervals: onset dyads are resampled by event,
the other dyads one by one (a single origin has no origin years to cluster them by).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from allyscope.forecast.skill import LEVEL

DYAD = ["ccode1", "ccode2"]


@dataclass
class ProspectiveResult:
    """A pseudo-prospective forecast and its outcome (see module docs)."""

    origin: int
    horizon: int
    outcome: str
    model: str
    ranking: pl.DataFrame  #: every dyad at risk, with ``onset`` (0/1) and ``event``
    onsets: pl.DataFrame  #: the onset dyads with their rank, percentile and probability
    events: pl.DataFrame  #: one row per event: best rank, share of dyads in the top 1%/5%
    summary: dict[str, Any] = field(default_factory=dict)


def prospective(
    origin: int | None = None,
    horizon: int = 7,
    *,
    model: str | None = None,
    outcome: str = "defense",
    seed: int = 0,
    n_boot: int = 20,
    params: dict[str, Any] | None = None,
    calibration_step: int | None = None,
) -> ProspectiveResult:
    """Rank the dyads at risk at ``origin`` trained through ``origin`` and score the
    ranking against the onsets of the next ``horizon`` years (see module docs). Default
    origin: ATOP's last year, so that every scored onset comes from the alliance records."""
    from allyscope.forecast.evaluation import onset_events
    from allyscope.forecast.model import check_horizon, check_model
    from allyscope.forecast.outcome import ATOP_LAST, OUTCOME_LAST, check_outcome
    from allyscope.forecast.predict import forecast_all
    from allyscope.forecast.published import CALIBRATION_STEP

    outcome = check_outcome(outcome)
    horizon = check_horizon(horizon)
    kind = check_model(model)
    origin = ATOP_LAST if origin is None else int(origin)
    from allyscope.errors import InvalidInputError
    from allyscope.forecast.published import earliest_calibrated

    earliest = earliest_calibrated(horizon, calibration_step or CALIBRATION_STEP)
    if origin < earliest:
        raise InvalidInputError(
            f"a pseudo-prospective test from origin {origin} cannot be calibrated: too few "
            f"earlier {horizon}-year backtest windows had closed by then",
            f"choose an origin from {earliest} on, or a shorter horizon",
        )
    if origin + horizon > OUTCOME_LAST:
        raise InvalidInputError(
            f"the window {origin + 1}-{origin + horizon} runs past the last observed year "
            f"{OUTCOME_LAST}",
            f"choose an origin and horizon with origin + horizon <= {OUTCOME_LAST}",
        )
    ranking = forecast_all(
        origin,
        horizon,
        model=kind,
        outcome=outcome,
        seed=seed,
        n_boot=n_boot,
        trained_through=origin,
        intervals=True,
        params=params,
        calibration_step=calibration_step or CALIBRATION_STEP,
    )
    window = onset_events(outcome).filter(pl.col("year").is_between(origin + 1, origin + horizon))
    first = window.sort("year").unique(subset=DYAD, keep="first")
    ranked = ranking.join(
        first.select(*DYAD, pl.col("year").alias("onset_year"), "event", "kind"),
        on=DYAD,
        how="left",
    ).with_columns(pl.col("onset_year").is_not_null().cast(pl.Int8).alias("onset"))
    onsets = ranked.filter(pl.col("onset") == 1).sort("rank")
    not_at_risk = first.join(ranking.select(DYAD), on=DYAD, how="anti")
    return ProspectiveResult(
        origin,
        horizon,
        outcome,
        kind,
        ranked,
        onsets,
        _event_table(ranked, window),
        _summary(
            ranked, not_at_risk, base_rate(outcome, origin, horizon), n_boot_skill=1000, seed=seed
        ),
    )


def _event_table(ranked: pl.DataFrame, window: pl.DataFrame) -> pl.DataFrame:
    from allyscope import codes

    n = ranked.height
    hits = ranked.filter(pl.col("onset") == 1)
    if hits.height == 0:
        return pl.DataFrame()
    agg = (
        hits.group_by("event")
        .agg(
            pl.col("onset_year").first().alias("year"),
            pl.col("kind").first(),
            pl.len().alias("dyads_at_risk"),
            pl.col("rank").min().alias("best_rank"),
            pl.col("percentile").median().alias("median_percentile"),
            (pl.col("rank") <= max(1, round(0.01 * n))).mean().alias("share_top1pct"),
            (pl.col("rank") <= max(1, round(0.05 * n))).mean().alias("share_top5pct"),
            pl.col("probability").sum().alias("expected_dyads"),
            pl.col("probability").max().alias("max_probability"),
            pl.col("ccode1").first().alias("__a"),
            pl.col("ccode2").first().alias("__b"),
        )
        .sort("year", "best_rank")
    )
    sizes = window.group_by("event").agg(pl.len().alias("dyads"))
    return (
        agg.join(sizes, on="event", how="left")
        .with_columns(
            pl.struct("__a", "__b")
            .map_elements(
                lambda r: f"{codes.name(r['__a'])}–{codes.name(r['__b'])}", return_dtype=pl.String
            )
            .alias("example"),
            (pl.col("share_top5pct") > 0).alias("foreseen_top5pct"),
        )
        .drop("__a", "__b")
    )


def _summary(
    ranked: pl.DataFrame,
    not_at_risk: pl.DataFrame,
    base: float,
    *,
    n_boot_skill: int,
    seed: int,
) -> dict[str, Any]:
    """Dyad- and event-level skill of the ranking with cluster-bootstrap intervals."""
    from allyscope.forecast.skill import skill

    y = ranked["onset"].to_numpy()
    out: dict[str, Any] = {
        "dyads_at_risk": int(ranked.height),
        "onset_dyads": int(y.sum()),
        "onset_dyads_not_at_risk": int(not_at_risk.height),
        "events": int(ranked.filter(pl.col("onset") == 1)["event"].n_unique()),
        "expected_onset_dyads": float(ranked["probability"].sum()),
        "base_rate": base,
        "level": LEVEL,
    }
    if y.sum() == 0:
        return out

    def frame(col: str) -> pl.DataFrame:
        return ranked.select(
            pl.lit(0).alias("origin"),
            pl.col(col).alias("prob"),
            pl.lit(base).alias("base"),
            pl.col("onset").alias("onset_within"),
            "event",
            pl.format("{}-{}", "ccode1", "ccode2").alias("dyad"),
        )

    # scores of the probabilities from the published (calibrated) ones; ranking skill from
    # the model's own probabilities, which give the ranks (isotonic steps would tie dyads)
    s = skill(
        frame("probability"), n_boot=n_boot_skill, n_boot_ranks=1, seed=seed, negative_key="dyad"
    )
    r = skill(
        frame("raw_probability"), n_boot=200, n_boot_ranks=200, seed=seed, negative_key="dyad"
    )
    for k in ("roc_auc", "pr_auc", "event_roc_auc", "event_pr_auc"):
        out[k] = r[k]
        out[f"{k}_lo"], out[f"{k}_hi"] = r.get(f"{k}_lo"), r.get(f"{k}_hi")
    for k in ("brier", "brier_base", "brier_skill", "log_loss"):
        out[k] = s[k]
        out[f"{k}_lo"], out[f"{k}_hi"] = s.get(f"{k}_lo"), s.get(f"{k}_hi")
    s = r
    out["median_pct_rank"] = s["median_pct_rank"]
    out["top5pct_share"] = s["top5pct_share"]
    out["events_foreseen_share"] = s["events_foreseen_share"]
    return out


def base_rate(outcome: str, origin: int, horizon: int) -> float:
    """The base-rate forecast at ``origin``: the share of dyads at risk with an onset
    within ``horizon`` years, over the origins whose windows had closed by ``origin``."""
    from allyscope.forecast.backtesting import _base_rate
    from allyscope.forecast.data import onset_events, training_table
    from allyscope.forecast.outcome import TRAIN_FIRST

    full = training_table(outcome, TRAIN_FIRST, origin)
    return _base_rate(full, onset_events(full), origin, horizon, outcome)


def expected_vs_observed(result: ProspectiveResult) -> dict[str, float]:
    """Sum of calibrated probabilities (expected onset dyads) against the observed count,
    and the same per event kind."""
    r = result.ranking
    return {
        "expected": float(r["probability"].sum()),
        "observed": float(r["onset"].sum()),
        "observed_accession": float(r.filter(pl.col("kind") == "accession").height),
        "observed_new": float(r.filter(pl.col("kind") == "new").height),
        "mean_probability_of_onsets": float(
            r.filter(pl.col("onset") == 1)["probability"].mean() or np.nan  # type: ignore[arg-type]
        ),
    }


__all__ = ["ProspectiveResult", "expected_vs_observed", "prospective"]
