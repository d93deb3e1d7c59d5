"""Trained forecast models: training, horizon probabilities, saving and reuse.

A :class:`ForecastModel` bundles a fitted hazard estimator (``logit`` or ``boost``, see
:mod:`allyscope.forecast.models`), a bootstrap ensemble for intervals, the feature names
and what it was trained on: outcome, last outcome year, seed, the warehouse's data hash and
the allyscope version. :func:`train` saves it atomically under ``<home>/models`` and
returns the saved model when one with the same key exists (the key hashes all of the
above, the package's code and the numerical libraries' versions: see
:func:`allyscope.store.code_key`), so the same inputs and seed always give the same model
and predictions, and an edit or an upgrade never serves an old model.

Horizon probabilities. The estimators give the probability of an onset in the year after
the information year (the annual hazard). For a dyad not allied in origin year ``Y`` the
probability of an onset within ``h`` years is ``1 - prod_k (1 - p_k)``, ``k = 1..h``,
where ``p_k`` is the hazard for year ``Y + k`` with the features of ``Y`` carried forward
and the years-unallied duration advanced by ``k - 1`` years (a dyad still unallied in
``Y + k - 1`` has been unallied that much longer).

Intervals: the ensemble refits the estimator on ``n_boot`` cluster-bootstrap samples
(dyads drawn with replacement, all their years together, so serial dependence within a
dyad is kept), each with its own seed; the interval is the 5th-95th percentile of the
ensemble's horizon probabilities (a 90% interval for the model's estimation uncertainty,
not for the alliance itself).
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from allyscope import __version__
from allyscope.errors import InvalidInputError
from allyscope.forecast.data import (
    duration_column,
    duration_feature,
    to_matrix,
    training_table,
)
from allyscope.forecast.feature_table import feature_names
from allyscope.forecast.models import ESTIMATOR_TITLES, make_estimator
from allyscope.forecast.outcome import OUTCOME_LAST, TRAIN_FIRST, check_outcome

#: the model used when none is named: the better one out of sample (docs/forecast.md)
DEFAULT_MODEL = "boost"
#: bootstrap refits behind each interval
DEFAULT_N_BOOT = 20
#: the interval's percentiles
INTERVAL = (5.0, 95.0)
MAX_HORIZON = 10


@dataclass
class ForecastModel:
    """A trained hazard model with its bootstrap ensemble and provenance."""

    kind: str
    outcome: str
    feature_names: list[str]
    estimator: Any
    ensemble: list[Any]
    trained_through: int
    seed: int
    params: dict[str, Any]
    data_hash: str
    version: str
    n_rows: int
    n_onsets: int
    key: str = ""
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return ESTIMATOR_TITLES[self.kind]

    @property
    def duration_index(self) -> int:
        return self.feature_names.index(duration_feature(self.outcome))

    def matrix(self, frame: pl.DataFrame) -> np.ndarray:
        return to_matrix(frame, self.feature_names)

    def hazard(self, X: np.ndarray, estimator: Any | None = None) -> np.ndarray:
        est = estimator if estimator is not None else self.estimator
        return est.predict_proba(X)[:, 1]

    def horizon_proba(
        self, frame: pl.DataFrame, horizon: int, *, intervals: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Probability of an onset within ``horizon`` years after each row's year.

        ``frame`` holds at-risk rows of the feature table (information year = origin).
        Returns the point probabilities and, with ``intervals``, an ``(n, 2)`` array of the
        ensemble's 5th and 95th percentiles.
        """
        check_horizon(horizon)
        X = self.matrix(frame)
        dur = frame[duration_column(self.outcome)].cast(pl.Float64).to_numpy()
        point = _compose(self, X, dur, horizon, self.estimator)
        if not intervals or not self.ensemble:
            return point, None
        draws = np.stack([_compose(self, X, dur, horizon, e) for e in self.ensemble])
        return point, np.percentile(draws, INTERVAL, axis=0).T

    def describe(self) -> dict[str, Any]:
        return {
            "model": self.kind,
            "title": self.title,
            "outcome": self.outcome,
            "trained_through": self.trained_through,
            "training_rows": self.n_rows,
            "training_onsets": self.n_onsets,
            "seed": self.seed,
            "n_boot": len(self.ensemble),
            "params": self.params,
            "data_hash": self.data_hash,
            "allyscope_version": self.version,
            "key": self.key,
            "path": str(self.path) if self.path else None,
        }


def _compose(
    model: ForecastModel, X: np.ndarray, dur: np.ndarray, horizon: int, est: Any
) -> np.ndarray:
    j = model.duration_index
    surv = np.ones(X.shape[0])
    Xk = X.copy()
    for k in range(horizon):
        years = dur + k
        Xk[:, j] = np.where(years > 0, np.log(np.maximum(years, 1e-9)), 0.0)
        surv *= 1.0 - model.hazard(Xk, est)
    return 1.0 - surv


def check_horizon(horizon: int) -> int:
    try:
        h = int(horizon)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"horizon must be a whole number of years, got {horizon!r}"
        ) from None
    if not 1 <= h <= MAX_HORIZON:
        raise InvalidInputError(
            f"horizon {h} is out of range",
            f"choose 1 to {MAX_HORIZON} years (the models are annual hazards; longer "
            "horizons extrapolate today's inputs too far)",
        )
    return h


def check_model(kind: str | None) -> str:
    from allyscope.forecast.models import ESTIMATORS

    k = (kind or DEFAULT_MODEL).strip().lower()
    if k == "default":
        k = DEFAULT_MODEL
    if k not in ESTIMATORS:
        from allyscope.errors import UnknownNameError

        raise UnknownNameError(
            "model", str(kind), [*ESTIMATORS, "default"], "use 'logit' or 'boost'"
        )
    return k


def cluster_bootstrap_weights(dyad_ids: np.ndarray, seed: int) -> np.ndarray:
    """Row weights of one cluster bootstrap: each dyad's rows get the number of times the
    dyad is drawn (dyads drawn with replacement, as many draws as dyads)."""
    uniq, inv = np.unique(dyad_ids, return_inverse=True)
    rng = np.random.default_rng(seed)
    counts = np.bincount(rng.integers(0, uniq.size, uniq.size), minlength=uniq.size)
    return counts[inv].astype(np.float64)


def fit_estimator(
    kind: str,
    X: np.ndarray,
    y: np.ndarray,
    seed: int,
    names: list[str],
    sample_weight: np.ndarray | None = None,
    **params: Any,
) -> Any:
    est = make_estimator(kind, random_state=seed, **params)
    est.fit(X, y, sample_weight=sample_weight)
    if hasattr(est, "set_input_names"):
        est.set_input_names(names)
    return est


def model_key(
    kind: str, outcome: str, trained_through: int, seed: int, n_boot: int, params: dict[str, Any]
) -> str:
    from allyscope.store import code_key, open_warehouse

    full = make_estimator(kind, random_state=seed, **params).get_params()
    blob = json.dumps(
        {
            "kind": kind,
            "outcome": outcome,
            "through": trained_through,
            "seed": seed,
            "n_boot": n_boot,
            "params": full,
            "features": feature_names(outcome),
            "data": open_warehouse().data_hash,
            "code": code_key(),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def models_dir() -> Path:
    from allyscope import config

    return config.home() / "models"


def train(
    model: str | None = None,
    outcome: str = "defense",
    *,
    trained_through: int = OUTCOME_LAST,
    seed: int = 0,
    n_boot: int = DEFAULT_N_BOOT,
    params: dict[str, Any] | None = None,
    refresh: bool = False,
    save: bool = True,
    progress: Any | None = None,
) -> ForecastModel:
    """Train (or load the saved) model ``model`` for ``outcome`` on outcome years
    1946..``trained_through``; ``n_boot`` bootstrap refits give the intervals."""
    from allyscope.store import open_warehouse

    kind = check_model(model)
    outcome = check_outcome(outcome)
    trained_through = int(trained_through)
    if not TRAIN_FIRST + 10 <= trained_through <= OUTCOME_LAST:
        raise InvalidInputError(
            f"trained_through={trained_through} is out of range",
            f"choose a year in {TRAIN_FIRST + 10}-{OUTCOME_LAST} (onsets are observed to "
            f"{OUTCOME_LAST})",
        )
    if n_boot < 0:
        raise InvalidInputError("n_boot must be 0 or more")
    params = dict(params or {})
    key = model_key(kind, outcome, trained_through, seed, n_boot, params)
    path = models_dir() / f"forecast-{outcome}-{kind}-{key}.pkl"
    if path.is_file() and not refresh:
        loaded = _load(path)
        if loaded is not None:
            return loaded
    table = training_table(outcome, TRAIN_FIRST, trained_through)
    names = feature_names(outcome)
    X = to_matrix(table, names)
    y = table["onset"].to_numpy().astype(np.float64)
    est = fit_estimator(kind, X, y, seed, names, **params)
    if progress:
        progress(1, n_boot + 1)
    dyads = (table["ccode1"].to_numpy().astype(np.int64) * 1000) + table["ccode2"].to_numpy()
    ensemble = []
    for b in range(n_boot):
        w = cluster_bootstrap_weights(dyads, seed + 1 + b)
        ensemble.append(fit_estimator(kind, X, y, seed + 1 + b, names, sample_weight=w, **params))
        if progress:
            progress(b + 2, n_boot + 1)
    fm = ForecastModel(
        kind=kind,
        outcome=outcome,
        feature_names=names,
        estimator=est,
        ensemble=ensemble,
        trained_through=trained_through,
        seed=seed,
        params=params,
        data_hash=open_warehouse().data_hash,
        version=__version__,
        n_rows=table.height,
        n_onsets=int(y.sum()),
        key=key,
        path=path if save else None,
    )
    if save:
        _save(fm, path)
    return fm


def _save(fm: ForecastModel, path: Path) -> None:
    from allyscope.io import atomic_path, atomic_write_text

    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        pickle.dump(fm, fh, protocol=pickle.HIGHEST_PROTOCOL)
    atomic_write_text(path.with_suffix(".json"), json.dumps(fm.describe(), indent=2, default=str))


def _load(path: Path) -> ForecastModel | None:
    from allyscope.store import open_warehouse

    try:
        with open(path, "rb") as fh:
            fm = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        # a damaged file, or one pickled by another version: retrained, never trusted
        path.unlink(missing_ok=True)
        return None
    if (
        not isinstance(fm, ForecastModel)
        or fm.data_hash != open_warehouse().data_hash
        or fm.version != __version__
    ):
        return None
    fm.path = path
    return fm


__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_N_BOOT",
    "MAX_HORIZON",
    "ForecastModel",
    "check_horizon",
    "check_model",
    "cluster_bootstrap_weights",
    "model_key",
    "train",
]
