"""Does institutionalized cooperation lead to a formal alliance? Effects of the
institutionalization inputs in the onset model, with cluster-bootstrap intervals.

Two inputs measure institutionalization short of an alliance:

* ``dcad_dcas_5y_log`` -- bilateral defense cooperation agreements signed in the last five
  years (DCAD, systematic for all dyads 1980-2010);
* ``mech_institutionalization`` -- allyscope's institutionalization index of curated
  groupings (Camp David-style summits, dialogues, exercises, hotlines; 1998-2025, only
  the few dyads in curated groupings).

:func:`institutionalization_effects` fits the rare-events logit on every at-risk
dyad-year up to ``trained_through`` with all inputs (so each effect is net of alliance
history, threats, power, geography, regimes and UN positions) and reports, per input:
the coefficient for an interpretable step (one defense cooperation agreement rather than
none; ten index points) with the Firth standard error, a 90% interval from a stratified
cluster bootstrap (onset rows resampled by treaty wave, other rows by year; the model
refitted on each resample), the odds ratio, the average change of the annual onset
probability for that step among dyad-years where the input is observed (in percentage
points), and how many observed dyad-years and onsets carry the
estimate. A descriptive comparison accompanies it: the annual onset rate of dyad-years
with and without the institution, within the input's coverage.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from allyscope.forecast.skill import LEVEL

INPUTS = ("dcad_dcas_5y_log", "mech_institutionalization")
#: the step each effect is reported for: one agreement more than none; ten index points
STEPS: dict[str, tuple[float, str]] = {
    "dcad_dcas_5y_log": (
        float(np.log(2.0)),
        "log(1 + agreements) up by log 2 (one defense cooperation agreement rather than none)",
    ),
    "mech_institutionalization": (10.0, "ten points of the institutionalization index"),
}
N_BOOT = 100


def _fit(X: np.ndarray, y: np.ndarray, names: list[str], seed: int, w: np.ndarray | None = None):
    from allyscope.forecast.models import RareEventsLogit

    m = RareEventsLogit(random_state=seed).fit(X, y, sample_weight=w)
    m.set_input_names(names)
    return m


def _clusters(table: pl.DataFrame, outcome: str) -> np.ndarray:
    """Cluster of each training row: the onset's event, or the outcome year."""
    from allyscope.forecast.evaluation import onset_events

    ev = onset_events(outcome).select("ccode1", "ccode2", "year", "event")
    lab = table.select("ccode1", "ccode2", "year", "onset").join(
        ev, on=["ccode1", "ccode2", "year"], how="left"
    )
    labels = lab.select(
        pl.when(pl.col("onset") == 1)
        .then(pl.concat_str(pl.lit("event:"), pl.col("event").fill_null("?")))
        .otherwise(pl.concat_str(pl.lit("year:"), pl.col("year").cast(pl.String)))
    ).to_series()
    _, idx = np.unique(labels.to_numpy().astype(str), return_inverse=True)
    return idx


def _stratified_weights(idx: np.ndarray, onset: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    k = int(idx.max()) + 1
    is_event = np.zeros(k, dtype=bool)
    is_event[idx[onset == 1]] = True
    counts = np.zeros(k)
    for flag in (True, False):
        ids = np.flatnonzero(is_event == flag)
        if ids.size:
            counts[ids] = np.bincount(rng.integers(0, ids.size, ids.size), minlength=ids.size)
    return counts[idx]


def _marginal(m: Any, X: np.ndarray, j: int, observed: np.ndarray, step: float) -> float:
    """Average change of the annual probability (pp) for ``step`` more of input ``j``
    among rows where it is observed."""
    if not observed.any():
        return float("nan")
    Xo = X[observed]
    base = m.predict_proba(Xo)[:, 1]
    up = Xo.copy()
    up[:, j] = up[:, j] + step
    return float((m.predict_proba(up)[:, 1] - base).mean() * 100)


def compute_effects(
    outcome: str = "defense",
    trained_through: int | None = None,
    *,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = LEVEL,
) -> pl.DataFrame:
    """The effects table (see module docs), uncached."""
    from allyscope.forecast.data import to_matrix, training_table
    from allyscope.forecast.feature_table import feature_names
    from allyscope.forecast.outcome import OUTCOME_LAST, TRAIN_FIRST

    t = trained_through or OUTCOME_LAST
    table = training_table(outcome, TRAIN_FIRST, t)
    names = feature_names(outcome)
    X = to_matrix(table, names)
    y = table["onset"].to_numpy().astype(np.float64)
    m = _fit(X, y, names, seed)
    idx = _clusters(table, outcome)
    rng = np.random.default_rng(seed + 104729)
    cols = [names.index(n) for n in INPUTS]
    reps = np.full((n_boot, len(cols)), np.nan)
    for b in range(n_boot):
        w = _stratified_weights(idx, y, rng)
        mb = _fit(X, y, names, seed + 1 + b, w)
        reps[b] = mb.coef_[cols] / mb.scale_[cols]  # per raw unit of each input
    a = (1 - level) / 2
    rows = []
    for i, (name, j) in enumerate(zip(INPUTS, cols, strict=True)):
        observed = ~np.isnan(X[:, j])
        step, what = STEPS[name]
        per_step = step / float(m.scale_[j])  # coefficients are per standardized unit
        lo, hi = np.nanquantile(reps[:, i] * step, [a, 1 - a])
        coef = float(m.coef_[j]) * per_step
        rows.append(
            {
                "input": name,
                "step": what,
                "coef_per_step": coef,
                "se": float(m.se_[j]) * per_step,
                "coef_lo": float(lo),
                "coef_hi": float(hi),
                "odds_ratio": float(np.exp(coef)),
                "odds_ratio_lo": float(np.exp(lo)),
                "odds_ratio_hi": float(np.exp(hi)),
                "annual_pp_per_step": _marginal(m, X, j, observed, step),
                "observed_rows": int(observed.sum()),
                "observed_onsets": int(y[observed].sum()),
                **_descriptive(X[:, j], y, observed),
                "trained_through": t,
                "n_boot": n_boot,
            }
        )
    return pl.DataFrame(rows)


def _descriptive(x: np.ndarray, y: np.ndarray, observed: np.ndarray) -> dict[str, float]:
    """Annual onset rates (per 1,000 dyad-years) with and without the institution."""
    xo, yo = x[observed], y[observed]
    has = xo > 0
    return {
        "rows_with": int(has.sum()),
        "onsets_with": int(yo[has].sum()),
        "rate_with_per_1000": float(yo[has].mean() * 1000) if has.any() else float("nan"),
        "rate_without_per_1000": float(yo[~has].mean() * 1000) if (~has).any() else float("nan"),
    }


def institutionalization_effects(
    outcome: str = "defense",
    trained_through: int | None = None,
    *,
    n_boot: int = N_BOOT,
    seed: int = 0,
    refresh: bool = False,
) -> pl.DataFrame:
    """:func:`compute_effects`, cached per data version and code."""
    from allyscope.forecast.feature_table import feature_names
    from allyscope.forecast.outcome import OUTCOME_LAST, check_outcome
    from allyscope.store import cached_table

    outcome = check_outcome(outcome)
    t = trained_through or OUTCOME_LAST
    key = {
        "outcome": outcome,
        "through": t,
        "n_boot": n_boot,
        "seed": seed,
        "features": feature_names(outcome),
    }
    return cached_table(
        "forecast_institutionalization_effects",
        key,
        lambda: compute_effects(outcome, t, n_boot=n_boot, seed=seed),
        refresh=refresh,
    )


__all__ = ["INPUTS", "compute_effects", "institutionalization_effects"]
