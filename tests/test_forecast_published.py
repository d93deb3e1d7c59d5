"""Published forecasts on the synthetic world: calibrated headline, ranks, bands, and
pseudo-prospective training (no data files)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

USA, RUS, CHN, JPN, IND, PHI = 2, 365, 710, 740, 750, 840
#: a fast configuration: the world's "any obligation" onsets (1971, 1972, 2001) give the
#: calibrator something to fit; three bootstrap refits for the intervals
SMALL = {"model": "logit", "outcome": "any", "n_boot": 3}


@pytest.fixture(scope="module", autouse=True)
def world(synthetic):
    return synthetic


def test_dyad_forecast_is_published_calibrated_with_its_headline():
    from allyscope.forecast import forecast

    f = forecast(["JPN", "CHN"], horizon=5, year=2010, trained_through=2010, explain=False, **SMALL)
    h = f.headline
    assert h is not None and f.trained_through == 2010
    p = f.pairs[0]
    assert p.probability == h.probability == f.probability
    assert 0 < h.probability < 1 and 0 < h.raw_probability < 1
    assert h.interval is not None and h.interval[0] <= h.interval[1]
    # the rank is among the dyads at risk in 2010; percentile 100 is the top
    assert 1 <= h.rank <= h.at_risk and 0 < h.percentile < 100
    # nothing after the trained-through year: the calibrator's last origin closed by 2010
    assert h.calibration_origins[1] <= 2010 - 5 and h.trained_through == 2010
    assert h.information_date == dt.date(2010, 12, 31)
    assert h.method in ("platt", "beta", "isotonic")
    d = f.to_dict()
    assert d["headline"]["probability"] == h.probability and d["trained_through"] == 2010
    line = h.describe()
    assert f"{h.probability:.1%}" in line and "2010-12-31" in line
    assert f"rank {h.rank:,} of {h.at_risk:,}" in line


def test_uncalibrated_forecast_publishes_the_raw_probability():
    from allyscope.forecast import forecast

    a = forecast(["JPN", "CHN"], year=2010, trained_through=2010, explain=False, **SMALL)
    b = forecast(
        ["JPN", "CHN"], year=2010, trained_through=2010, explain=False, calibrated=False, **SMALL
    )
    assert b.headline is None and b.probability == pytest.approx(a.headline.raw_probability)


def test_pseudo_prospective_ranking_uses_only_outcomes_known_at_the_origin():
    from allyscope.forecast import forecast_all
    from allyscope.forecast.model import train

    df = forecast_all(2000, 5, trained_through=2000, intervals=True, **SMALL)
    assert df["rank"].to_list() == list(range(1, df.height + 1))
    assert (df["trained_through"] == 2000).all() and (df["year"] == 2000).all()
    # calibration is monotone: the published probabilities follow the raw ranking
    assert np.all(np.diff(df["probability"].to_numpy()) <= 1e-12)
    assert (df["lower"] <= df["upper"]).all()
    # the model behind it saw the outcomes up to 2000, not the onset of 2001
    fm = train("logit", "any", trained_through=2000, n_boot=3)
    assert fm.trained_through == 2000
    later = train("logit", "any", trained_through=2005, n_boot=3)
    assert later.n_onsets == fm.n_onsets + 1  # the Russia-China treaty of 2001


def test_group_forecast_has_a_headline_without_rank():
    from allyscope.forecast import forecast

    f = forecast(["JPN", "CHN", "IND"], year=2010, trained_through=2010, explain=False, **SMALL)
    h = f.headline
    assert h is not None and h.rank is None and h.band is None
    at_risk = [p for p in f.pairs if not p.allied]
    assert h.probability == pytest.approx(float(np.prod([p.probability for p in at_risk])))
    assert h.probability <= min(p.probability for p in f.pairs)


def test_train_through_must_leave_closed_windows_to_calibrate_on(monkeypatch):
    import allyscope.forecast.predict as pr
    from allyscope.errors import InvalidInputError
    from allyscope.forecast import forecast
    from allyscope.forecast.published import earliest_calibrated

    # backtest origins start in 1970; a 5-year calibrator needs five closed windows
    # (origins 1970-1974) before an origin it can be scored at (1979), whose own window
    # closes in 1984
    assert earliest_calibrated(5) == 1984 and earliest_calibrated(7) == 1970 + 4 + 2 * 7

    def no_fit(*args, **kwargs):
        raise AssertionError("a model was fitted before the year was checked")

    monkeypatch.setattr(pr, "train", no_fit)
    with pytest.raises(InvalidInputError, match="train-through year 1983") as err:
        forecast(["JPN", "CHN"], year=1983, trained_through=1983, explain=False, **SMALL)
    assert "1984" in str(err.value)
    with pytest.raises(InvalidInputError, match="train-through year 1900"):
        forecast(["JPN", "CHN"], year=1975, trained_through=1900, explain=False, **SMALL)


def test_evaluation_of_a_small_backtest():
    from allyscope.forecast.backtesting import backtest
    from allyscope.forecast.evaluation import evaluate

    res = backtest(["logit"], "any", origins=list(range(1966, 2011)), horizon=5)
    ev = evaluate(res, n_boot=100)
    methods = set(ev.scores["method"].to_list())
    assert {"raw", "platt", "beta", "isotonic", "selected"} <= methods
    base = ev.score("base_rate", "raw")
    assert base["brier_skill"] == pytest.approx(0.0, abs=1e-12)
    row = ev.score("logit", "selected")
    for k in ("brier_skill", "log_loss", "roc_auc"):
        assert f"{k}_lo" in row and f"{k}_hi" in row
    assert set(ev.reliability["method"].to_list()) == {"raw", "selected"}
    assert "logit" in ev.target and isinstance(ev.target["logit"]["met"], bool)
    assert ev.events.filter(pl.col("year") == 2001).height == 1


def test_pseudo_prospective_evaluation_on_the_world_records_after_2018():
    from allyscope.forecast.prospective import prospective

    r = prospective(2018, 7, model="logit", outcome="any", n_boot=3)
    # the world's records: a new USA-India treaty (2020), Japan's accession to the
    # US-Australia pact (2022) and the Russia-DPRK treaty (2024): three events, three dyad
    # onsets (USA-Japan was already allied, so the accession adds only Japan-Australia)
    assert r.summary["onset_dyads"] == 3 and r.summary["events"] == 3
    assert dict(zip(r.onsets["ccode1"], r.onsets["kind"], strict=True)) == {
        USA: "new",
        JPN: "accession",
        RUS: "new",
    }
    assert (r.ranking["trained_through"] == 2018).all()
    assert r.events.height == 3 and sorted(r.events["kind"]) == ["accession", "new", "new"]
    s = r.summary
    assert 0 <= s["roc_auc_lo"] <= s["roc_auc"] <= s["roc_auc_hi"] <= 1
    assert s["expected_onset_dyads"] == pytest.approx(r.ranking["probability"].sum())
    assert 0 < s["base_rate"] < 1


def _flip_status_after(year: int, column: str):
    """A ``features`` wrapper whose alliance status is inverted in every year after
    ``year``: every later onset, spell and end changes, nothing up to ``year`` does."""
    import allyscope.forecast.data as data

    original = data.features

    def flipped(first: int, last: int) -> pl.DataFrame:
        f = original(first, last)
        return f.with_columns(
            pl.when(pl.col("year") > year)
            .then(1 - pl.col(column))
            .otherwise(pl.col(column))
            .cast(f.schema[column])
            .alias(column)
        )

    return flipped


def test_training_through_a_year_never_sees_a_later_outcome(monkeypatch):
    import allyscope.forecast.data as data
    from allyscope.forecast.data import to_matrix, training_table
    from allyscope.forecast.feature_table import feature_names
    from allyscope.forecast.model import train
    from allyscope.forecast.outcome import status_column

    y = 2000
    kw = {"trained_through": y, "n_boot": 2, "refresh": True, "save": False}
    before = train("logit", "any", **kw)
    probe = training_table("any", 1990, y + 5)
    X = to_matrix(probe, feature_names("any"))
    monkeypatch.setattr(data, "features", _flip_status_after(y, status_column("any")))
    # the perturbation reaches the training data after the year (the test can fail) ...
    assert not training_table("any", y + 1, y + 5)["onset"].equals(
        probe.filter(pl.col("year") > y)["onset"]
    )
    after = train("logit", "any", **kw)
    # ... but not the model trained through it, nor its bootstrap refits
    assert after.n_rows == before.n_rows and after.n_onsets == before.n_onsets
    np.testing.assert_array_equal(
        before.estimator.predict_proba(X), after.estimator.predict_proba(X)
    )
    for a, b in zip(before.ensemble, after.ensemble, strict=True):
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_calibration_at_a_year_uses_only_windows_closed_by_then(monkeypatch):
    import allyscope.forecast.backtesting as bt
    import allyscope.forecast.published as pub
    from allyscope.forecast.published import calibration

    monkeypatch.setattr(pub, "_FITTED", {})  # fits made here stay here
    t, h = 2005, 5
    grid = np.linspace(0.0, 1.0, 201)
    before = calibration("logit", "any", h, t, n_boot=3)
    original = bt.model_backtest

    def flipped(*args, **kwargs) -> pl.DataFrame:
        preds = original(*args, **kwargs)
        return preds.with_columns(
            pl.when(pl.col("origin") > t - h)
            .then(1 - pl.col("onset_within"))
            .otherwise(pl.col("onset_within"))
            .cast(pl.Int8)
            .alias("onset_within")
        )

    monkeypatch.setattr(bt, "model_backtest", flipped)
    # refresh: recalibrate from the (flipped) backtest instead of the cached recalibration
    after = calibration("logit", "any", h, t, n_boot=3, refresh=True)
    assert before.origins == after.origins and max(after.origins) <= t - h
    assert before.method == after.method
    np.testing.assert_array_equal(before.apply(grid), after.apply(grid))
    # published probabilities are probabilities, and calibration keeps the order
    for cal in (before, after):
        p = cal.apply(grid)
        assert np.all((p >= 0) & (p <= 1)) and np.all(np.diff(p) >= -1e-12)
    # a calibration at a later year sees the flipped windows (the test can fail)
    later = calibration("logit", "any", h, t + h + 3, n_boot=3, refresh=True)
    monkeypatch.setattr(bt, "model_backtest", original)
    unflipped = calibration("logit", "any", h, t + h + 3, n_boot=3, refresh=True)
    assert not np.array_equal(later.apply(grid), unflipped.apply(grid))


def test_a_band_without_onsets_says_so_instead_of_a_zero_width_interval():
    from allyscope.forecast.published import Band

    empty = Band("0.5-1", 0.5, 1.0, 0.62, 0.0, 0.0, 0.0, n=162, onsets=0, events=0)
    assert empty.record() == "never (162 forecasts, no onset among them)"
    full = Band("0.1-0.2", 0.1, 0.2, 0.14, 0.062, 0.037, 0.093, n=9805, onsets=610, events=24)
    text = full.record()
    assert "6.2% of the time" in text and "3.7%–9.3%" in text and "24 treaty waves" in text
