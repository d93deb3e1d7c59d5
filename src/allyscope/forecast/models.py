"""Estimators of the annual onset hazard: a rare-events logit and gradient-boosted trees.

Both are scikit-learn binary classifiers (``BaseEstimator`` + ``ClassifierMixin``):
parameters in ``__init__`` and only there, ``fit(X, y, sample_weight=None)`` validated by
scikit-learn (``nan`` allowed for missing values; any two labels, the larger one being the
event), ``classes_``, ``decision_function(X)`` (log-odds of the event), ``predict_proba``,
``predict`` and ``score``; ``random_state`` makes every fit reproducible bit for bit, and
fitting reads and writes nothing but the estimator. They pass scikit-learn's
``check_estimator`` suite except the two sample-weight equivalence checks listed in
``tests/test_forecast_models.py`` (with the reason for each), so scikit-learn's tools --
``clone``, ``cross_val_score``, ``CalibratedClassifierCV``, pipelines -- take them as
they are.

Rare events and case-control sampling (King and Zeng 2001). Alliance onsets are rare
(about 2 in 1,000 non-allied dyad-years). Both estimators fit on all onsets and a random
share ``negative_rate`` of the non-onsets, then undo the sampling with King and Zeng's
*prior correction*: with non-events kept at rate ``r`` the sample odds are the population
odds divided by ``r``, so the population log-odds are the fitted log-odds plus ``log r``
(for the logit this shifts only the intercept, eq. 7 of King and Zeng 2001:
``b0 - ln[((1 - tau) / tau) (ybar / (1 - ybar))]`` with ``tau`` the population and
``ybar`` the sample event rate; ``(1 - tau) / tau * ybar / (1 - ybar) = 1 / r``). The
correction holds for any classifier whose sample is selected on the outcome alone.
``negative_rate=1`` fits on every row.

:class:`RareEventsLogit` estimates the coefficients by Firth's (1993) penalized
likelihood (the Jeffreys-prior penalty ``0.5 log det I(b)``), which removes the
small-sample bias of maximum likelihood that King and Zeng correct after the fact and
keeps estimates finite under separation (Heinze and Schemper 2002). Inputs are
mean-imputed with a missingness indicator per feature that has missing training values,
then standardized over the rows where they are observed; coefficients are per standard
deviation of the observed values.

:class:`BoostedTrees` wraps scikit-learn's ``HistGradientBoostingClassifier`` (native
missing-value handling: each split learns which side missing values go to).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from allyscope.errors import InvalidInputError


def case_control_sample(
    y: np.ndarray, rate: float, random_state: Any, sample_weight: np.ndarray | None = None
) -> np.ndarray:
    """Row indices: every event and each non-event with probability ``rate`` (seeded).

    ``y`` is 0/1 (1: event). Rows with zero ``sample_weight`` are left out. With
    ``rate < 1`` the draw is random: one uniform number per row from ``random_state``.
    """
    if not 0 < rate <= 1:
        raise InvalidInputError(f"negative_rate must be in (0, 1], got {rate}")
    if rate < 1:
        rng = _rng(random_state)
        keep = (y == 1) | (rng.random(y.shape[0]) < rate)
    else:
        keep = np.ones(y.shape[0], dtype=bool)
    if sample_weight is not None:
        keep &= sample_weight > 0
    return np.flatnonzero(keep)


def _rng(random_state: Any) -> np.random.Generator:
    """A numpy Generator from an int seed, ``None`` or a legacy ``RandomState``."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


class _Base(ClassifierMixin, BaseEstimator):
    """Shared plumbing: scikit-learn validation, classes, sampling, the prior correction.

    Binary classifiers: ``classes_`` holds the two labels in sorted order and the second
    one is the event (for 0/1 targets: 1 = onset). ``decision_function`` gives the
    population log-odds of the event, ``predict_proba`` the two class probabilities,
    ``predict`` the more probable label; ``score`` is scikit-learn's accuracy.
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags

    def _validate_fit(
        self, X: Any, y: Any, sample_weight: Any | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """Validated ``X``, the 0/1 event indicator, weights and the case-control rows."""
        Xa, ya = validate_data(
            self, X, y, ensure_all_finite="allow-nan", dtype=np.float64, y_numeric=False
        )
        check_classification_targets(ya)
        classes, yi = np.unique(ya, return_inverse=True)
        if classes.size > 2:
            raise InvalidInputError(
                f"Only binary classification is supported (onset or no onset); y has "
                f"{classes.size} classes",
                "code the target as 0/1",
            )
        if classes.size < 2:
            raise InvalidInputError(
                "the training data hold only 1 class: a model of onsets needs rows with and "
                "without an onset",
                "widen the training years or the risk set",
            )
        self.classes_ = classes
        ev = yi.astype(np.float64)
        sw = None if sample_weight is None else _check_sample_weight(sample_weight, Xa)
        idx = case_control_sample(ev, self.negative_rate, self.random_state, sw)
        ys = ev[idx]
        if ys.sum() == 0 or ys.sum() == ys.size:
            raise InvalidInputError(
                "the training data need both classes among rows with positive weight",
                "fit on rows with and without an onset",
            )
        self.prior_offset_ = float(np.log(self.negative_rate))
        return Xa, ev, sw, idx

    def _validate_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """``(n, 2)``: probabilities of ``classes_[0]`` (no event) and ``classes_[1]``."""
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The more probable label of each row (rare events: almost always no event)."""
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) > 0).astype(np.int64)]

    def decision_function(self, X: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class RareEventsLogit(_Base):
    """Firth-penalized logistic regression with King-Zeng prior correction.

    Parameters: ``negative_rate`` (share of non-events kept for fitting), ``penalty``
    (``"firth"`` or ``"none"`` for plain maximum likelihood), ``max_iter``, ``tol``
    (largest coefficient change at convergence), ``random_state`` (the sampling seed).
    Fitted attributes: ``coef_`` (per standardized input, ``input_names_``),
    ``intercept_`` (prior-corrected), ``se_``, ``mean_``, ``scale_``, ``n_iter_``.
    """

    def __init__(
        self,
        negative_rate: float = 0.1,
        penalty: str = "firth",
        max_iter: int = 100,
        tol: float = 1e-7,
        random_state: int = 0,
    ) -> None:
        self.negative_rate = negative_rate
        self.penalty = penalty
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    # -- preprocessing -------------------------------------------------------------------

    def _design(self, X: np.ndarray) -> np.ndarray:
        """Impute, add missingness indicators, standardize (fitted statistics)."""
        filled = np.where(np.isnan(X), self.fill_[None, :], X)
        cols = [filled]
        if self.missing_cols_.size:
            # one indicator per distinct missingness pattern (features missing together,
            # such as two measures from one source, share it)
            cols.append(np.isnan(X[:, self.missing_cols_]).astype(np.float64))
        Z = np.concatenate(cols, axis=1)
        return (Z - self.mean_) / self.scale_

    def standardize(self, X: Any) -> np.ndarray:
        """The standardized inputs the coefficients apply to (``input_names_`` columns)."""
        return self._design(self._validate_predict(X))

    def _fit_preprocessing(self, X: np.ndarray, w: np.ndarray) -> None:
        nan = np.isnan(X)
        obs_w = (~nan) * w[:, None]
        tot = obs_w.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            fill = np.where(
                tot > 0, np.nansum(np.where(nan, 0.0, X) * w[:, None], axis=0) / tot, 0.0
            )
        self.fill_ = fill
        cand = np.flatnonzero(nan.any(axis=0) & (tot > 0))
        # features with identical missingness in the training data share one indicator
        # (the first of them names it); its contribution is split among them
        groups: list[list[int]] = []
        for j in cand:
            for g in groups:
                if np.array_equal(nan[:, g[0]], nan[:, j]):
                    g.append(int(j))
                    break
            else:
                groups.append([int(j)])
        self.missing_cols_ = np.array([g[0] for g in groups], dtype=np.int64)
        self.missing_groups_ = [np.array(g, dtype=np.int64) for g in groups]
        self.mean_ = np.zeros(X.shape[1] + self.missing_cols_.size)
        self.scale_ = np.ones_like(self.mean_)
        Z = self._design(X)
        # features are centred and scaled over the rows where they are observed (imputed
        # rows sit at the observed mean, z = 0); indicators over all rows. A feature
        # observed in few rows keeps a scale that describes its values, not the imputation
        obs = np.ones_like(Z, dtype=bool)
        obs[:, : X.shape[1]] = ~nan
        ww = obs * w[:, None]
        wsum = np.maximum(ww.sum(axis=0), 1e-300)
        mean = (np.where(obs, Z, 0.0) * ww).sum(axis=0) / wsum
        var = ((np.where(obs, Z - mean, 0.0) ** 2) * ww).sum(axis=0) / wsum
        sd = np.sqrt(var)
        self.mean_ = mean
        self.scale_ = np.where(sd > 1e-12, sd, 1.0)
        #: inputs without variation in the training data get no coefficient
        self.active_ = sd > 1e-12

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, X: Any, y: Any, sample_weight: Any | None = None) -> RareEventsLogit:
        """Fit on all events and a ``negative_rate`` sample of the non-events (with
        ``sample_weight`` as frequency weights), then correct the intercept."""
        if self.penalty not in ("firth", "none"):
            raise InvalidInputError(f"penalty must be 'firth' or 'none', got {self.penalty!r}")
        Xa, ya, sw, idx = self._validate_fit(X, y, sample_weight)
        Xs, ys = Xa[idx], ya[idx]
        ws = np.ones(idx.size) if sw is None else sw[idx]
        self._fit_preprocessing(Xs, ws)
        Z = self._design(Xs)[:, self.active_]
        Z = np.concatenate([np.ones((Z.shape[0], 1)), Z], axis=1)
        beta, cov, n_iter = _firth_newton(
            Z, ys, ws, self.penalty == "firth", self.max_iter, self.tol
        )
        k = self.active_.size
        coef = np.zeros(k)
        se = np.full(k, np.nan)
        coef[self.active_] = beta[1:]
        se[self.active_] = np.sqrt(np.diag(cov)[1:])
        self.coef_ = coef
        self.se_ = se
        self.intercept_ = float(beta[0]) + self.prior_offset_
        self.intercept_se_ = float(np.sqrt(cov[0, 0]))
        self.cov_ = cov
        self.n_iter_ = n_iter
        self.n_samples_fit_ = int(idx.size)
        names = getattr(self, "feature_names_in_", None)
        self.set_input_names(
            [str(n) for n in names] if names is not None else [f"x{j}" for j in range(Xa.shape[1])]
        )
        return self

    def set_input_names(self, names: list[str]) -> None:
        """Name the inputs (features, then ``<feature>_missing`` indicators)."""
        if len(names) != self.n_features_in_:
            raise InvalidInputError(
                f"{len(names)} input names for {self.n_features_in_} inputs",
                "give one name per column of X",
            )
        self.feature_names_ = list(names)
        self.input_names_ = list(names) + [f"{names[j]}_missing" for j in self.missing_cols_]

    def coefficients(self) -> list[dict[str, Any]]:
        """Coefficients per standardized input with standard errors (prior-corrected
        intercept first)."""
        check_is_fitted(self)
        names = self.input_names_
        rows = [{"input": "(intercept)", "coef": self.intercept_, "se": self.intercept_se_}]
        rows += [
            {"input": n, "coef": float(c), "se": float(s)}
            for n, c, s in zip(names, self.coef_, self.se_, strict=True)
        ]
        return rows

    def decision_function(self, X: Any) -> np.ndarray:
        """Population log-odds of the event (prior-corrected)."""
        return self._design(self._validate_predict(X)) @ self.coef_ + self.intercept_

    def contributions(self, X: Any, reference: Any) -> np.ndarray:
        """Per-feature contributions to the log-odds relative to the mean of ``reference``
        rows: ``coef * (z(x) - mean z(reference))``, with a feature's missingness
        indicator added to the feature. Rows sum to ``logit(x) - mean logit(reference)``.
        For a linear model these are exact Shapley values with the reference rows as
        background."""
        Z = self.standardize(X)
        R = self.standardize(reference).mean(axis=0)
        c = (Z - R) * self.coef_
        out = c[:, : self.n_features_in_].copy()
        for i, group in enumerate(self.missing_groups_):
            out[:, group] += c[:, [self.n_features_in_ + i]] / len(group)
        return out


def _firth_newton(
    Z: np.ndarray, y: np.ndarray, w: np.ndarray, firth: bool, max_iter: int, tol: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """Newton-Raphson with step halving on the (penalized) log-likelihood.

    Firth's modified score: ``U* = Z'(w (y - p) + h (1/2 - p))`` with ``h`` the diagonal of
    the weighted hat matrix ``W^1/2 Z (Z'WZ)^-1 Z' W^1/2``; the information ``Z'WZ`` is
    unchanged.
    """
    k = Z.shape[1]
    beta = np.zeros(k)
    # start the intercept at the sample log-odds
    ybar = float((w * y).sum() / w.sum())
    beta[0] = np.log(ybar / (1 - ybar))

    def pieces(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        eta = Z @ b
        p = expit(eta)
        v = w * p * (1 - p)
        info = (Z * v[:, None]).T @ Z + 1e-10 * np.eye(k)
        # log-likelihood, numerically stable
        ll = float((w * (y * eta - np.logaddexp(0.0, eta))).sum())
        if firth:
            _sign, logdet = np.linalg.slogdet(info)
            ll += 0.5 * logdet
        return ll, p, v, info

    ll, p, v, info = pieces(beta)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - n_iter is reported
        inv = np.linalg.inv(info)
        resid = w * (y - p)
        if firth:
            h = v * np.einsum("ij,jk,ik->i", Z, inv, Z, optimize=True)
            resid = resid + h * (0.5 - p)
        score = Z.T @ resid
        step = inv @ score
        # step halving until the objective does not decrease
        t = 1.0
        for _ in range(30):
            cand = beta + t * step
            ll_c, p_c, v_c, info_c = pieces(cand)
            if ll_c >= ll - 1e-10:
                break
            t /= 2
        else:  # no ascent left at machine precision: the maximum is reached
            break
        beta, ll, p, v, info = cand, ll_c, p_c, v_c, info_c
        if np.max(np.abs(t * step)) < tol:
            break
    cov = np.linalg.inv(info)
    return beta, cov, n_iter


class BoostedTrees(_Base):
    """Gradient-boosted trees (``HistGradientBoostingClassifier``) with prior correction.

    Parameters: ``negative_rate``, ``max_iter`` (trees), ``learning_rate``,
    ``max_leaf_nodes``, ``min_samples_leaf``, ``l2_regularization``, ``n_threads``
    (OpenMP threads for fitting; one thread is fastest on the small case-control samples
    and does not stall when the cores are busy), ``predict_threads`` (for predicting;
    ``None``: all cores -- predictions do not depend on it), ``random_state``. No early
    stopping: a fixed number of trees keeps fits reproducible and comparable across
    backtest origins. The defaults are strongly regularized (150 trees of at most 6
    leaves, at least 400 rows a leaf, L2 penalty 10): chosen on the backtest origins
    1970-1990 only, where they raised PR-AUC from 0.095 to 0.115 over 250 trees of 15
    leaves with 40 rows a leaf (docs/forecast.md).
    """

    def __init__(
        self,
        negative_rate: float = 0.1,
        max_iter: int = 150,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 6,
        min_samples_leaf: int = 400,
        l2_regularization: float = 10.0,
        n_threads: int = 1,
        predict_threads: int | None = None,
        random_state: int = 0,
    ) -> None:
        self.negative_rate = negative_rate
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.n_threads = n_threads
        self.predict_threads = predict_threads
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any | None = None) -> BoostedTrees:
        """Fit on all events and a ``negative_rate`` sample of the non-events (with
        ``sample_weight``), then shift the log-odds by ``log(negative_rate)``."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        Xa, ya, sw, idx = self._validate_fit(X, y, sample_weight)
        ys = ya[idx]
        # inputs without two distinct observed values carry no information (and break
        # the binning): they are left out
        Xs = Xa[idx]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-missing inputs
            lo, hi = np.nanmin(Xs, axis=0), np.nanmax(Xs, axis=0)
        self.active_ = np.isfinite(lo) & (hi > lo)
        clf = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=_seed(self.random_state),
        )
        Xfit = Xs[:, self.active_] if self.active_.any() else np.zeros((Xs.shape[0], 1))
        with _threads(self.n_threads):
            clf.fit(Xfit, ys, sample_weight=None if sw is None else sw[idx])
        self.model_ = clf
        self.n_iter_ = int(clf.n_iter_)
        self.n_samples_fit_ = int(idx.size)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Population log-odds of the event (prior-corrected)."""
        Xa = self._validate_predict(X)
        Xp = Xa[:, self.active_] if self.active_.any() else np.zeros((Xa.shape[0], 1))
        with _threads(self.predict_threads):
            return self.model_.decision_function(Xp) + self.prior_offset_


def _seed(random_state: Any) -> Any:
    """An int seed for scikit-learn from an int, ``None`` or a ``RandomState``."""
    if isinstance(random_state, np.random.RandomState | np.random.Generator):
        return int(_rng(random_state).integers(0, 2**31 - 1))
    return random_state


def _threads(n: int | None) -> Any:
    """A context limiting OpenMP threads to ``n`` (``None``: no limit, no overhead)."""
    if n is None:
        from contextlib import nullcontext

        return nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n, user_api="openmp")


ESTIMATORS: dict[str, Callable[..., _Base]] = {"logit": RareEventsLogit, "boost": BoostedTrees}
ESTIMATOR_TITLES: dict[str, str] = {
    "logit": "rare-events logit (Firth, prior-corrected)",
    "boost": "gradient-boosted trees (HistGradientBoosting, prior-corrected)",
}


def make_estimator(kind: str, random_state: int = 0, **params: Any) -> _Base:
    k = str(kind).strip().lower()
    if k not in ESTIMATORS:
        from allyscope.errors import UnknownNameError

        raise UnknownNameError("model", str(kind), list(ESTIMATORS), "use 'logit' or 'boost'")
    return ESTIMATORS[k](random_state=random_state, **params)


def shapley_contributions(
    f: Any,
    x: np.ndarray,
    background: np.ndarray,
    n_permutations: int = 32,
    random_state: int = 0,
) -> np.ndarray:
    """Interventional Shapley values of ``f`` (a function of a 2-D array returning log-odds)
    at rows ``x``, estimated by permutation sampling (Strumbelj and Kononenko 2014).

    For each sampled feature order and background row ``b``, the features of ``b`` are
    switched to ``x``'s one at a time in that order and each feature is credited with the
    change of ``f`` it causes. Averages over orders and background rows; each row of the
    result sums exactly to ``f(x) - mean f(background)``. Antithetic orders (each order and
    its reverse) reduce the variance. Vectorized: one call of ``f`` per row of ``x``.
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    bg = np.asarray(background, dtype=np.float64)
    n, p = x.shape
    rng = np.random.default_rng(random_state)
    half = max(1, n_permutations // 2)
    perms = np.array([rng.permutation(p) for _ in range(half)])
    perms = np.concatenate([perms, perms[:, ::-1]], axis=0)
    m = perms.shape[0]
    nb = bg.shape[0]
    out = np.zeros((n, p))
    # positions[m, j] = rank of feature j in order m
    ranks = np.argsort(perms, axis=1)
    steps = np.arange(p + 1)
    # use_x[m, s, j]: after s switches in order m, feature j comes from x
    use_x = ranks[:, None, :] < steps[None, :, None]
    for i in range(n):
        rows = np.where(use_x[:, None, :, :], x[i][None, None, None, :], bg[None, :, None, :])
        vals = f(rows.reshape(-1, p)).reshape(m, nb, p + 1)
        delta = np.diff(vals, axis=2).mean(axis=1)  # (m, p): gain of the s-th switch
        # credit the s-th switch to feature perms[m, s]
        contrib = np.zeros((m, p))
        np.put_along_axis(contrib, perms, delta, axis=1)
        out[i] = contrib.mean(axis=0)
    return out


__all__ = [
    "ESTIMATORS",
    "ESTIMATOR_TITLES",
    "BoostedTrees",
    "RareEventsLogit",
    "case_control_sample",
    "make_estimator",
    "shapley_contributions",
]
