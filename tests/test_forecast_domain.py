"""What a student of alliances would check in the calibrated forecasts, on the real data:
treaty waves are single events, accessions are told apart from new pacts, neutral states
rank low, and the 2019-2025 test scores the onsets the alliance records code."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

pytestmark = [pytest.mark.data, pytest.mark.slow]

USA, UK, AUT, SWZ, SWD, NOR, FIN, RUS, PRK, ROK, JPN = (
    2,
    200,
    305,
    225,
    380,
    385,
    375,
    365,
    731,
    732,
    740,
)
N_BOOT = 3


def pair(df: pl.DataFrame, a: int, b: int) -> pl.DataFrame:
    return df.filter((pl.col("ccode1") == min(a, b)) & (pl.col("ccode2") == max(a, b)))


@pytest.fixture(scope="module")
def events(wh) -> pl.DataFrame:
    from allyscope.forecast.evaluation import onset_events

    return onset_events("defense")


def test_nato_enlargement_of_2022_is_one_accession_event(events):
    # Finland and Sweden signed their accession protocols together (5 July 2022): every
    # new defense dyad it made is one event, an accession. The EU's mutual-assistance
    # clause (ATOP, Lisbon 2007) already tied both to the EU members of NATO and to each
    # other, so the new dyads are those with the eight members outside the EU.
    fin_usa, swd_usa = pair(events, FIN, USA), pair(events, SWD, USA)
    assert fin_usa["year"].to_list() == [2022] and swd_usa["year"].to_list() == [2022]
    ev = fin_usa["event"][0]
    assert swd_usa["event"][0] == ev
    assert pair(events, FIN, SWD).filter(pl.col("year") == 2022).height == 0
    wave = events.filter(pl.col("event") == ev)
    assert wave["kind"].unique().to_list() == ["accession"]
    partners = set()
    for a, b in wave.select("ccode1", "ccode2").iter_rows():
        assert (a in (FIN, SWD)) != (b in (FIN, SWD))
        partners.add(b if a in (FIN, SWD) else a)
    # United States, Canada, Albania, Montenegro, North Macedonia, Norway, Iceland, Turkey
    assert partners == {2, 20, 339, 341, 343, 385, 395, 640}
    assert wave.height == 2 * len(partners)


def test_russia_dprk_treaty_is_a_new_pact_and_japan_korea_never_allied(events):
    rp = pair(events, RUS, PRK).filter(pl.col("year") == 2024)
    assert rp.height == 1 and rp["kind"][0] == "new" and rp["event_dyads"][0] == 1
    assert pair(events, JPN, ROK).height == 0
    # treaty waves make the effective sample far smaller than the count of onset dyads
    assert events["event"].n_unique() < events.height / 5


@pytest.fixture(scope="module")
def ranking_2018(wh) -> pl.DataFrame:
    from allyscope.forecast.predict import forecast_all

    return forecast_all(2018, 5, model="logit", n_boot=N_BOOT, calibrated=False)


def test_neutral_states_rank_below_comparable_pairs(ranking_2018):
    from allyscope.forecast.feature_table import features

    feats = features(2018, 2018).select("ccode1", "ccode2", "neutral_n")
    df = ranking_2018.join(feats, on=["ccode1", "ccode2"], how="left")
    # European dyads at risk: the more neutral members a pair has, the lower it ranks
    europe = df.filter(
        pl.col("ccode1").is_between(200, 399) & pl.col("ccode2").is_between(200, 399)
    )
    med = {k: europe.filter(pl.col("neutral_n") == k)["percentile"].median() for k in (0, 1, 2)}
    assert med[2] < med[1] < med[0]
    # Switzerland-Austria (two neutral neighbours) ranks below the typical European pair
    # without a neutral member, although contiguity and shared democracy push it up
    swz_aut = pair(df, SWZ, AUT).row(0, named=True)
    assert swz_aut["neutral_n"] == 2 and swz_aut["percentile"] < med[0]


def test_neutrality_lowers_the_forecast_of_the_same_pair(wh):
    from allyscope.forecast.predict import forecast

    kw = {"year": 2018, "model": "logit", "n_boot": N_BOOT, "explain": False}
    base = forecast(["CHE", "AUT"], **kw)
    lifted = forecast(["CHE", "AUT"], scenario={"changes": [{"set": {"neutral_n": 0}}]}, **kw)
    assert base.probability < lifted.probability


@pytest.fixture(scope="module")
def test_2019_2025(wh):
    from allyscope.forecast.prospective import prospective

    return prospective(2018, 7, model="logit", n_boot=N_BOOT)


def test_pseudo_prospective_2019_2025_scores_the_recorded_onsets(test_2019_2025):
    r = test_2019_2025
    assert (r.ranking["trained_through"] == 2018).all()
    p = r.ranking["probability"].to_numpy()
    assert np.all((p >= 0) & (p <= 1))
    onsets = {(a, b): k for a, b, k in r.onsets.select("ccode1", "ccode2", "kind").iter_rows()}
    assert onsets[(RUS, PRK)] == "new" and onsets[(USA, FIN)] == "accession"
    assert (JPN, ROK) not in onsets
    # the NATO enlargement counts once among the events
    nato = r.events.filter(pl.col("year") == 2022)
    assert nato.filter(pl.col("kind") == "accession").height >= 1
    assert r.summary["events"] < r.summary["onset_dyads"]
    s = r.summary
    assert 0 <= s["roc_auc_lo"] <= s["roc_auc"] <= s["roc_auc_hi"] <= 1
