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


def test_tied_dyads_share_a_percentile_whatever_the_row_order() -> None:
    from allyscope.network import defacto_score as D

    rng = np.random.default_rng(0)
    n = 600
    arms = rng.choice([0.0, 0.5, 1.0], n)
    arms[rng.random(n) < 0.3] = np.nan  # not observed for some dyads
    table = pl.DataFrame(
        {
            "ccode1": np.arange(n),
            "ccode2": np.arange(n) + 1000,
            "year": np.full(n, 1990),
            "formal_defense": (rng.random(n) < 0.2).astype(np.int8),
            "un_affinity": rng.choice([0.1, 0.2, 0.3], n),  # 0.1 + 0.2 != 0.3 in floats
            "arms": pl.Series(arms, nan_to_null=True),
        }
    )
    weights = {"un_affinity": 1.0, "arms": 1.0}
    a = D.percentile_table(table, weights)
    b = D.percentile_table(table.sample(fraction=1.0, shuffle=True, seed=3), weights)
    both = a.join(b, on=["ccode1", "ccode2"], suffix="_b")
    assert (both["percentile"] == both["percentile_b"]).all()
    # dyads with the same observed values share one percentile (mid-rank of the tie)
    same = a.group_by("un_affinity", "arms", "basis").agg(pl.col("percentile").n_unique())
    assert (same["percentile"] == 1).all()


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
