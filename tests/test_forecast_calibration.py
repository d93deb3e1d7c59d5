"""Recalibration, cluster-bootstrap skill and onset events on constructed data (no data files)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from allyscope.errors import InvalidInputError, UnknownNameError
from allyscope.forecast.calibration import (
    EPS,
    ProbabilityCalibrator,
    brier,
    log_loss,
    rolling_recalibration,
)
from allyscope.forecast.events import assign_events, cluster_onsets
from allyscope.forecast.skill import make_clusters, reliability, skill, weighted_ap, weighted_auc


def overconfident(n: int = 40_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True probabilities, outcomes, and forecasts that overstate high risks: the
    forecast's log-odds are twice the truth's (plus a shift), as in the old backtests."""
    rng = np.random.default_rng(seed)
    eta = rng.normal(-4.5, 1.2, n)
    true = 1 / (1 + np.exp(-eta))
    y = (rng.random(n) < true).astype(float)
    raw = 1 / (1 + np.exp(-(2.0 * eta + 4.0)))
    return true, y, raw


@pytest.mark.parametrize("method", ["platt", "beta", "isotonic"])
def test_calibrators_repair_overconfident_forecasts(method):
    true, y, raw = overconfident()
    fit, test = slice(0, 20_000), slice(20_000, None)
    cal = ProbabilityCalibrator(method).fit(raw[fit], y[fit])
    q = cal.predict(raw[test])
    # out of sample the calibrated forecasts beat the raw ones on both proper scores
    assert brier(q, y[test]) < brier(raw[test], y[test])
    assert log_loss(q, y[test]) < log_loss(raw[test], y[test])
    # and come close to the true probabilities: forecasts of 20% and more in the raw scale
    # (true risk a few percent) are brought down to the truth's level
    high = raw[test] > 0.2
    assert q[high].mean() == pytest.approx(true[test][high].mean(), rel=0.35)
    # monotone, never exactly 0 or 1
    order = np.argsort(raw[test])
    assert np.all(np.diff(q[order]) >= -1e-12)
    assert q.min() >= EPS and q.max() <= 1 - EPS


def test_platt_recovers_the_distortion_and_beta_keeps_its_signs():
    _, y, raw = overconfident(60_000, seed=3)
    a, b = ProbabilityCalibrator("platt").fit(raw, y).coef_
    # raw log-odds = 2 * eta + 4, so eta = 0.5 * logit(raw) - 2
    assert b == pytest.approx(0.5, abs=0.06) and a == pytest.approx(-2.0, abs=0.3)
    _c, a_, b_ = ProbabilityCalibrator("beta").fit(raw, y).coef_
    assert a_ >= 0 and b_ >= 0


def test_calibrator_errors():
    with pytest.raises(UnknownNameError, match="calibration method"):
        ProbabilityCalibrator("temperature").fit([0.1, 0.2], [0, 1])
    with pytest.raises(InvalidInputError, match="came true"):
        ProbabilityCalibrator("platt").fit([0.1, 0.2, 0.3], [0, 0, 0])


def backtest_frame(n_origins: int = 14, per_origin: int = 3_000, seed: int = 1) -> pl.DataFrame:
    rows = []
    for i in range(n_origins):
        _true, y, raw = overconfident(per_origin, seed=seed + i)
        rows.append(
            pl.DataFrame(
                {
                    "model": "m",
                    "origin": 1970 + i,
                    "ccode1": np.arange(per_origin, dtype=np.int32),
                    "ccode2": np.full(per_origin, 9999, dtype=np.int32),
                    "prob": raw,
                    "onset_within": y.astype(np.int8),
                }
            )
        )
        rows.append(
            rows[-1].with_columns(pl.lit("base_rate").alias("model"), pl.lit(0.02).alias("prob"))
        )
    return pl.concat(rows)


def test_rolling_recalibration_sees_only_closed_windows():
    h = 3
    preds = backtest_frame()
    out = rolling_recalibration(preds, h, min_origins=3)
    first = 1970 + h + 3 - 1  # three origins o <= t - h must exist
    assert out["origin"].min() == first
    assert set(out["method"].unique()) == {"raw", "platt", "beta", "isotonic", "selected"}
    # outcomes of windows still open at t cannot change the calibrated forecasts of t:
    # flip every outcome of origins after t - h and recalibrate
    t = 1978
    flipped = preds.with_columns(
        pl.when(pl.col("origin") > t - h)
        .then(1 - pl.col("onset_within"))
        .otherwise(pl.col("onset_within"))
        .alias("onset_within")
    )
    again = rolling_recalibration(flipped, h, min_origins=3)

    def at(df: pl.DataFrame) -> pl.DataFrame:
        return df.filter((pl.col("origin") == t) & (pl.col("model") == "m")).sort(
            "method", "ccode1"
        )

    np.testing.assert_array_equal(at(out)["prob"].to_numpy(), at(again)["prob"].to_numpy())
    # ... while those of a later origin do change (the test can fail)
    later = out.filter((pl.col("origin") == t + h + 1) & (pl.col("method") == "platt"))
    later2 = again.filter((pl.col("origin") == t + h + 1) & (pl.col("method") == "platt"))
    assert not np.array_equal(later["prob"].to_numpy(), later2["prob"].to_numpy())


def test_recalibrated_backtest_beats_raw_and_selection_is_out_of_sample():
    out = rolling_recalibration(backtest_frame(), 2, min_origins=3)
    m = out.filter(pl.col("model") == "m")

    def score(method: str) -> float:
        d = m.filter(pl.col("method") == method)
        return log_loss(d["prob"].to_numpy(), d["onset_within"].to_numpy())

    assert score("selected") < score("raw")
    assert min(score(k) for k in ("platt", "beta", "isotonic")) < score("raw")


# -- cluster bootstrap -----------------------------------------------------------------------


def test_weighted_ranking_metrics_match_scikit_learn():
    from sklearn.metrics import average_precision_score, roc_auc_score

    rng = np.random.default_rng(4)
    s = np.round(rng.random(5_000), 2)  # many ties
    y = (rng.random(5_000) < 0.05 + 0.2 * s).astype(float)
    w = rng.integers(0, 4, 5_000).astype(float)
    assert weighted_auc(y, s, w) == pytest.approx(roc_auc_score(y, s, sample_weight=w), abs=1e-12)
    assert weighted_ap(y, s, w) == pytest.approx(
        average_precision_score(y, s, sample_weight=w), abs=1e-12
    )


def skill_frame(clustered: bool, seed: int = 0) -> pl.DataFrame:
    """20 origins of 500 rows; 40 onsets, either 40 separate events or 2 waves of 20."""
    rng = np.random.default_rng(seed)
    n = 20 * 500
    origin = np.repeat(np.arange(2000, 2020), 500)
    y = np.zeros(n, dtype=np.int8)
    hit = rng.choice(n, 40, replace=False)
    y[hit] = 1
    event: list[str | None] = [None] * n
    for i, j in enumerate(hit):
        event[j] = f"w{i % 2}" if clustered else f"e{i}"
    # one wave well foreseen, the other not: the clustered data are less informative
    prob = np.where(y == 1, 0.05, 0.01) + rng.normal(0, 0.002, n)
    if clustered:
        prob[hit[1::2]] = 0.01
    else:
        prob[hit[rng.permutation(40)[:20]]] = 0.01
    return pl.DataFrame(
        {
            "origin": origin,
            "prob": np.clip(prob, 1e-4, 1),
            "base": np.full(n, 0.004),
            "onset_within": y,
            "event": pl.Series(event, dtype=pl.String),
        }
    )


def test_cluster_bootstrap_widens_intervals_when_onsets_come_in_waves():
    a = skill(skill_frame(False), n_boot=400, n_boot_ranks=100)
    b = skill(skill_frame(True), n_boot=400, n_boot_ranks=100)
    assert a["events"] == 40 and b["events"] == 2
    width_a = a["brier_skill_hi"] - a["brier_skill_lo"]
    width_b = b["brier_skill_hi"] - b["brier_skill_lo"]
    assert width_b > 2 * width_a
    assert (b["roc_auc_hi"] - b["roc_auc_lo"]) > 2 * (a["roc_auc_hi"] - a["roc_auc_lo"])
    # point values lie inside their intervals
    for s in (a, b):
        for k in ("brier", "brier_skill", "log_loss", "roc_auc", "pr_auc"):
            assert s[f"{k}_lo"] <= s[k] + 1e-12 and s[k] <= s[f"{k}_hi"] + 1e-12


def test_clusters_and_event_weights():
    f = skill_frame(True)
    cl = make_clusters(f)
    assert cl.stratum.sum() == 2 and (cl.stratum == 0).sum() == 20
    draws = cl.draws(50, seed=3)
    # each stratum is resampled to its own size
    assert (draws[:, cl.stratum == 1].sum(axis=1) == 2).all()
    assert (draws[:, cl.stratum == 0].sum(axis=1) == 20).all()


def test_reliability_of_calibrated_forecasts_covers_the_diagonal():
    true, y, _ = overconfident(60_000, seed=9)
    f = pl.DataFrame(
        {
            "origin": np.repeat(np.arange(30), 2_000),
            "prob": true,
            "onset_within": y.astype(np.int8),
            "event": pl.Series([f"e{i}" if v else None for i, v in enumerate(y)], dtype=pl.String),
        }
    )
    rel = reliability(f, n_boot=300)
    assert rel["covers"].sum() >= rel.height - 1  # a 90% interval may miss one bin of ten
    assert (rel["observed_lo"] <= rel["observed_hi"]).all()


# -- onset events ----------------------------------------------------------------------------


def status(rows: list[tuple[int, int, int, int, int]]) -> pl.DataFrame:
    """Non-directed dyad-years (a, b, year, defense, nonagg); every listed dyad exists in
    each of the years 2000-2003 and is unallied unless listed."""
    dyads = {(a, b) for a, b, *_ in rows}
    base = {(a, b, y): (0, 0) for a, b in dyads for y in range(2000, 2004)}
    for a, b, y, d, n in rows:
        base[(a, b, y)] = (d, n)
    return pl.DataFrame(
        [
            {
                "ccode1": a,
                "ccode2": b,
                "year": y,
                "atop_defense": d,
                "atop_offense": 0,
                "atop_neutral": 0,
                "atop_nonagg": n,
                "atop_consul": 0,
                "atop_any": max(d, n),
            }
            for (a, b, y), (d, n) in base.items()
        ]
    )


def test_onsets_cluster_into_events_and_accessions_are_told_apart():
    rows = []
    # an alliance of 1, 2, 3 since 2000; state 4 joins it in 2002 (accession)
    for y in range(2000, 2004):
        rows += [(1, 2, y, 1, 0), (1, 3, y, 1, 0), (2, 3, y, 1, 0)]
    for y in (2002, 2003):
        rows += [(1, 4, y, 1, 0), (2, 4, y, 1, 0), (3, 4, y, 1, 0)]
    # a new pact of 5, 6, 7 in 2002, sharing no state with the accession
    for y in (2002, 2003):
        rows += [(5, 6, y, 1, 0), (5, 7, y, 1, 0), (6, 7, y, 1, 0)]
    # 8 signs a non-aggression pact with 1 in 2002: not a defense onset
    rows += [(1, 8, 2002, 0, 1), (1, 8, 2003, 0, 1)]
    ev = cluster_onsets(status(rows), "defense")
    assert ev.height == 6
    kinds = dict(ev.select("event", "kind").unique().iter_rows())
    assert sorted(kinds.values()) == ["accession", "new"]
    acc = ev.filter(pl.col("kind") == "accession")
    assert set(zip(acc["ccode1"], acc["ccode2"], strict=True)) == {(1, 4), (2, 4), (3, 4)}
    assert acc["old_members"][0] == 3 and acc["event_states"][0] == 4
    # under "any obligation" the non-aggression pact of 1 and 8 is an onset, but it shares
    # no new obligation with the defense accession at state 1: a separate event
    anyev = cluster_onsets(status(rows), "any")
    assert anyev.select("event").n_unique() == 3
    e18 = anyev.filter((pl.col("ccode1") == 1) & (pl.col("ccode2") == 8))
    assert e18["event_dyads"][0] == 1 and e18["kind"][0] == "new"


def test_forecast_rows_get_the_event_that_followed():
    rows = []
    for y in (2002, 2003):
        rows += [(5, 6, y, 1, 0)]
    ev = cluster_onsets(status(rows), "defense")
    f = pl.DataFrame({"origin": [2000, 2001, 2002], "ccode1": [5, 5, 5], "ccode2": [6, 6, 6]})
    got = assign_events(f, ev, horizon=1)
    assert got["event"].to_list() == [None, ev["event"][0], None]
