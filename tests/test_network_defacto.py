"""The de facto alliance score: facts, out-of-sample separation, percentiles, fitting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest


@pytest.fixture(scope="module")
def D(data_home: Path):
    from allyscope.network import defacto_score as defacto

    return defacto


def test_us_japan_above_japan_china_every_year_since_1990(D) -> None:
    uj = D.defacto("USA", "Japan", (1990, 2018))
    jc = D.defacto("Japan", "China", (1990, 2018))
    both = uj.select("year", pl.col("defacto_score").alias("uj")).join(
        jc.select("year", pl.col("defacto_score").alias("jc")), on="year"
    )
    assert both.height == 29
    assert (both["uj"] > both["jc"]).all()
    assert (uj["formal_defense"] == 1).all() and (jc["formal_defense"] == 0).all()


def test_components_match_the_record(D) -> None:
    jk = D.defacto("JPN", "KOR", (2005, 2005)).row(0, named=True)
    assert jk["ccode1"] == 732 and jk["iso3_2"] == "JPN"
    assert jk["formal_defense"] == 0
    assert jk["atop_shared_allies"] == 1  # both allied to the United States only
    assert jk["us_troops_link"] > 10_000  # both host large US forces
    assert jk["mme_joint_exercises"] >= 1
    assert jk["un_ideal_distance"] < 0.5  # neighbours in the UN ideal-point space
    d1975 = D.defacto("JPN", "KOR", 1975).row(0, named=True)
    assert d1975["mme_joint_exercises"] is None and d1975["exercises"] == 0.0  # before MME
    assert d1975["un_kappa"] is None and d1975["un_affinity"] == 0.5  # ROK not in the UN
    assert d1975["n_observed"] < jk["n_observed"]


def test_us_ideal_point_is_closer_to_japan_than_to_china(D) -> None:
    c = D.components((1990, 2018)).filter(pl.col("ccode1") == 2)
    jpn = c.filter(pl.col("ccode2") == 740).sort("year")["un_ideal_distance"]
    chn = c.filter(pl.col("ccode2") == 710).sort("year")["un_ideal_distance"]
    assert jpn.len() == chn.len() == 29
    assert (jpn < chn).all()


def test_out_of_sample_auc(D) -> None:
    ev = D.evaluate()  # test years 1991-2018; nothing was tuned on them
    auc = dict(zip(ev["variant"].to_list(), ev["auc"].to_list(), strict=True))
    assert auc["score"] > 0.9
    assert auc["score without shared_allies"] > 0.7
    assert auc["logistic fitted 1946-1990"] > 0.9
    assert ev["test_years"].unique().to_list() == ["1991-2018"]
    with pytest.raises(Exception, match="overlap"):
        D.evaluate(D.fit((1946, 1995)))


def test_percentiles_by_hand(D) -> None:
    df = pl.DataFrame(
        {
            "year": [2000] * 6,
            "formal_defense": [1, 1, 1, 1, 0, 0],
            "defacto_score": [1.0, 2.0, 3.0, 4.0, 2.5, 0.5],
        }
    )
    out = D._percentiles(df)
    assert out["percentile_allies"].to_list() == [25.0, 50.0, 75.0, 100.0, 50.0, 0.0]
    assert out["percentile_all"][4] == pytest.approx(100 * 4 / 6)


def test_group_score_is_the_weakest_link(D) -> None:
    g = D.defacto_group(["USA", "JPN", "KOR"], (2000, 2002))
    assert g["n_pairs"].to_list() == [3, 3, 3]
    assert g["formal_pairs"].to_list() == [2, 2, 2]  # no Japan-Korea pact
    assert (g["score_min"] <= g["score_mean"]).all()
    pairs = [
        D.defacto(a, b, 2001)["defacto_score"].item()
        for a, b in (("USA", "JPN"), ("USA", "KOR"), ("JPN", "KOR"))
    ]
    row = g.filter(pl.col("year") == 2001).row(0, named=True)
    assert row["score_min"] == pytest.approx(min(pairs))
    assert row["score_mean"] == pytest.approx(np.mean(pairs))


def test_nonnegative_logit_recovers_simulated_weights(D) -> None:
    rng = np.random.default_rng(3)
    x = rng.random((40_000, 3))
    beta = np.array([2.0, 0.0, 1.0])
    y = (rng.random(40_000) < 1 / (1 + np.exp(-(-1.5 + x @ beta)))).astype(float)
    coef, b0 = D._fit_nonneg_logit(x, y, ridge=1e-6)
    assert coef == pytest.approx(beta, abs=0.12)
    assert b0 == pytest.approx(-1.5, abs=0.1)
    assert (coef >= 0).all()


def test_fixed_weights_are_checked(D) -> None:
    from allyscope.errors import InvalidInputError, UnknownNameError

    with pytest.raises(InvalidInputError, match="non-negative"):
        D.fixed_model({"un_affinity": -1.0})
    with pytest.raises(UnknownNameError):
        D.fixed_model({"un_afinity": 1.0})
    with pytest.raises(InvalidInputError, match="two different states"):
        D.defacto("JPN", "Japan", 2000)


def test_exercises_average_five_years_and_are_carried_past_2010(D) -> None:
    uj = D.defacto("USA", "JPN", (2006, 2014)).sort("year")
    covered = uj.filter(pl.col("year") <= 2010)
    # the 2010 value is the mean of the yearly counts 2006-2010, by hand
    assert covered["mme_exercises_recent"][-1] == pytest.approx(
        covered["mme_joint_exercises"].mean()
    )
    assert covered["exercises_carried_from"].is_null().all()
    late = uj.filter(pl.col("year") > 2010)
    assert late["mme_joint_exercises"].is_null().all()  # no exercise data after 2010
    assert (late["exercises_carried_from"] == 2010).all()
    assert (late["mme_exercises_recent"] == covered["mme_exercises_recent"][-1]).all()
    # a formal ally with a steady exercise record stays in the upper half of allies
    assert (late["percentile_allies"] > 50).all()
