"""Results that must not depend on the BLAS/LAPACK kernel or on exact floating-point zeros.

Each test makes the library return what another kernel may legitimately return (the other
sign of an eigenvector, a standard deviation of 1e-17 for a constant column, equal scores)
and checks that the result does not change. None sets or relies on a kernel.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from allyscope.un import idealpoints as ip
from test_un_idealpoints import simulate_votes


def test_ideal_point_start_does_not_depend_on_the_eigenvector_sign(monkeypatch) -> None:
    votes, _, _ = simulate_votes(seed=5, n_states=12, n_periods=3, per_period=12)
    prob = ip.prepare(votes, "year", omega2=0.01)
    start = ip.initial_values(prob)
    eigh = np.linalg.eigh

    def other_sign(a):
        w, v = eigh(a)
        return w, -v

    monkeypatch.setattr(np.linalg, "eigh", other_sign)
    assert np.array_equal(ip.initial_values(prob), start)


def test_a_constant_component_is_never_fitted(monkeypatch) -> None:
    from allyscope.network import defacto_score as D

    rng = np.random.default_rng(0)
    n = 400
    y = (rng.random(n) < 0.3).astype(np.int8)
    cols = {c: np.full(n, 0.5) for c in D.COMPONENTS}
    cols["shared_allies"] = np.clip(y * 0.6 + rng.random(n) * 0.4, 0, 1)
    cols["un_affinity"] = rng.random(n)
    cols["exercises"] = np.full(n, 0.1) + np.full(n, 0.2) - 0.3 + 0.5  # constant, rounded
    table = pl.DataFrame(
        {"ccode1": np.arange(n), "ccode2": np.arange(n) + 1000, "year": np.full(n, 1960)}
    ).with_columns(
        pl.Series("formal_defense", y),
        *(pl.Series(c, v) for c, v in cols.items()),
    )
    # a standard deviation computed as a tiny positive number must not make it "vary"
    real_std = pl.Series.std
    monkeypatch.setattr(
        pl.Series,
        "std",
        lambda s, *a, **k: 1e-17 if s.n_unique() == 1 else real_std(s, *a, **k),
    )
    model = D.fit(train_years=(1960, 1960), table=table)
    assert model.borrowed["exercises"] == "shared_allies"  # borrowed, not fitted
    assert model.weights["exercises"] == model.weights["shared_allies"]
    assert model.weights["shared_allies"] > 0


def test_drivers_with_equal_contributions_come_in_a_fixed_order() -> None:
    df = pl.DataFrame(
        {"feature": ["b", "a", "c", "d"], "contribution": [0.1, -0.1, 0.1, 0.3]}
    ).sample(fraction=1.0, shuffle=True, seed=1)
    ordered = df.sort(pl.col("contribution").abs(), "feature", descending=[True, False])
    assert ordered["feature"].to_list() == ["d", "a", "b", "c"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_model_is_decided_the_same_way_on_a_tie(seed: int) -> None:
    from allyscope.forecast.backtesting import BacktestResult

    rng = np.random.default_rng(seed)
    n = 200
    onset = (rng.random(n) < 0.2).astype(np.int8)
    prob = rng.random(n)
    rows = [
        pl.DataFrame(
            {
                "model": m,
                "origin": 1990,
                "ccode1": np.arange(n),
                "ccode2": np.arange(n) + 1000,
                "prob": prob if m != "base_rate" else np.full(n, onset.mean()),
                "onset_within": onset,
            }
        )
        for m in ("logit", "boost", "base_rate")
    ]
    res = BacktestResult(pl.concat(rows), 5, "defense", [1990], ["boost", "logit"])
    assert res.best_model() == "boost"  # identical scores: the first name wins
