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
    assert "probability" in h.describe() or "%" in h.describe()


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


def test_train_through_must_leave_closed_windows_to_calibrate_on():
    from allyscope.errors import InvalidInputError
    from allyscope.forecast import forecast

    with pytest.raises(InvalidInputError, match="closed windows"):
        forecast(["JPN", "CHN"], year=1975, trained_through=1975, explain=False, **SMALL)
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
    assert "logit" in ev.goal and isinstance(ev.goal["logit"]["met"], bool)
    assert ev.events.filter(pl.col("year") == 2001).height == 1


def test_pseudo_prospective_evaluation_on_the_world_records_after_2018():
    from allyscope.forecast.prospective import prospective

    r = prospective(2018, 7, model="logit", outcome="any", n_boot=3)
    # the world's records: a new USA-India treaty (2020) and Japan's accession to the
    # US-Australia pact (2022): two events, two dyad onsets (USA-Japan was already allied)
    assert r.summary["onset_dyads"] == 2 and r.summary["events"] == 2
    assert dict(zip(r.onsets["ccode1"], r.onsets["kind"], strict=True)) == {
        USA: "new",
        JPN: "accession",
    }
    assert (r.ranking["trained_through"] == 2018).all()
    assert r.events.height == 2 and set(r.events["kind"]) == {"new", "accession"}
    s = r.summary
    assert 0 <= s["roc_auc_lo"] <= s["roc_auc"] <= s["roc_auc_hi"] <= 1
    assert s["expected_onset_dyads"] == pytest.approx(r.ranking["probability"].sum())
    assert 0 < s["base_rate"] < 1
