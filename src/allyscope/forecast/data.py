"""The training table (a discrete-time hazard of alliance onset) and horizon outcomes.

One row per dyad at risk in outcome year ``t`` (1946-2025): both states in the system in
``t - 1`` and ``t``, not allied in ``t - 1``. ``onset`` is 1 if the dyad is allied in
``t`` (the first year of a spell). The features are those of information year
``s = t - 1`` (column ``info_year``).

A forecast from origin year ``Y`` over ``h`` years asks whether an onset happens in any of
``Y + 1 .. Y + h`` for a dyad not allied in ``Y``: :func:`horizon_outcomes` gives that
indicator for backtests.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.forecast.feature_table import FIRST_INFO_YEAR, KEYS, feature_names, features
from allyscope.forecast.outcome import OUTCOME_LAST, TRAIN_FIRST, check_outcome, status_column

DYAD = ["ccode1", "ccode2"]


def duration_column(outcome: str) -> str:
    return (
        "atop_def_years_unallied"
        if check_outcome(outcome) == "defense"
        else ("atop_any_years_unallied")
    )


def duration_feature(outcome: str) -> str:
    return duration_column(outcome) + "_log"


def at_risk(feats: pl.DataFrame, outcome: str) -> pl.DataFrame:
    """Rows of a feature table whose dyad is not allied (``outcome``) in its year."""
    return feats.filter(pl.col(status_column(outcome)) == 0)


def training_table(
    outcome: str = "defense", first: int = TRAIN_FIRST, last: int = OUTCOME_LAST
) -> pl.DataFrame:
    """Risk-set rows for outcome years ``first..last`` with ``onset`` and the features of
    the year before (see module docs). Columns: ``ccode1, ccode2, year`` (outcome year),
    ``info_year``, ``onset``, the duration in years, then :func:`feature_names`."""
    outcome = check_outcome(outcome)
    if first < TRAIN_FIRST or last > OUTCOME_LAST or first > last:
        raise InvalidInputError(
            f"outcome years {first}-{last} are outside {TRAIN_FIRST}-{OUTCOME_LAST}",
            f"alliance onsets are observed for {TRAIN_FIRST}-{OUTCOME_LAST} (ATOP, then the "
            "sourced alliance records)",
        )
    col = status_column(outcome)
    feats = features(max(first - 1, FIRST_INFO_YEAR), last)
    risk = at_risk(feats.filter(pl.col("year") <= last - 1), outcome)
    nxt = feats.select(
        *DYAD, (pl.col("year") - 1).alias("year"), pl.col(col).cast(pl.Int8).alias("onset")
    )
    names = feature_names(outcome)
    out = risk.join(nxt, on=KEYS, how="inner").select(
        *DYAD,
        (pl.col("year") + 1).alias("year"),
        pl.col("year").alias("info_year"),
        "onset",
        duration_column(outcome),
        *names,
    )
    return out.filter(pl.col("year").is_between(first, last)).sort(KEYS)


def onset_events(table: pl.DataFrame) -> pl.DataFrame:
    """``ccode1, ccode2, year`` of every onset in a training table."""
    return table.filter(pl.col("onset") == 1).select(KEYS)


def horizon_outcomes(origins: pl.DataFrame, events: pl.DataFrame, horizon: int) -> pl.Series:
    """For rows ``ccode1, ccode2, year`` (origin years), 1 if ``events`` has an onset of the
    dyad in ``year + 1 .. year + horizon``."""
    ev = (
        events.select(*DYAD, pl.col("year").alias("__on"))
        .with_columns(pl.col("__on").alias("year"))
        .sort("year")
    )
    work = (
        origins.select(*DYAD, (pl.col("year") + 1).alias("year"))
        .with_row_index("__row")
        .sort("year")
    )
    nxt = work.join_asof(
        ev.select(*DYAD, "year", "__on"),
        on="year",
        by=DYAD,
        strategy="forward",
        check_sortedness=False,
    ).sort("__row")
    hit = (pl.col("__on").is_not_null()) & (pl.col("__on") <= pl.col("year") - 1 + horizon)
    return nxt.select(hit.cast(pl.Int8).alias("onset_within")).to_series()


def to_matrix(frame: pl.DataFrame, names: list[str]) -> np.ndarray:
    """Feature columns as a float array with ``nan`` for missing values."""
    return (
        frame.select(pl.col(n).cast(pl.Float64) for n in names)
        .to_numpy()
        .astype(np.float64, copy=False)
    )


__all__ = [
    "at_risk",
    "duration_column",
    "duration_feature",
    "horizon_outcomes",
    "onset_events",
    "to_matrix",
    "training_table",
]
