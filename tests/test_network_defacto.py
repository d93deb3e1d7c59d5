"""The de facto alignment score: facts of the record, missing is not zero, comparison
bases, weight-sensitivity bands, validation against later events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

US, CHN, PRK, RUS, JPN, KOR = 2, 710, 731, 365, 740, 732


@pytest.fixture(scope="module")
def D(data_home: Path):
    from allyscope.network import defacto_score as defacto

    return defacto


@pytest.fixture(scope="module")
def scores_1991(D) -> pl.DataFrame:
    return D.scores((1991, 2024))


def _pair(df: pl.DataFrame, a: int, b: int) -> pl.DataFrame:
    lo, hi = min(a, b), max(a, b)
    return df.filter((pl.col("ccode1") == lo) & (pl.col("ccode2") == hi)).sort("year")


# -- facts -------------------------------------------------------------------------------------


def test_china_and_russia_score_as_aligned_with_north_korea(scores_1991) -> None:
    # China-DPRK (1961 treaty) and Russia-DPRK (UN votes, Russian arms; treaty of 2024)
    # are aligned by any account: the median year puts each in the top quarter of all
    # dyads compared with it, far above the United States and North Korea
    chn = _pair(scores_1991, CHN, PRK).filter(pl.col("year") <= 2019)
    rus = _pair(scores_1991, RUS, PRK).filter(pl.col("year").is_between(2000, 2019))
    usa = _pair(scores_1991, US, PRK).filter(pl.col("year") <= 2019)
    assert chn.height == 29 and rus.height == 20
    assert chn["percentile"].median() >= 75
    assert rus["percentile"].median() >= 75
    assert usa["percentile"].max() < 25
    both = chn.join(usa, on="year", suffix="_us")
    assert (both["percentile"] > both["percentile_us"]).all()
    # the comparison uses components observed for any pair, not US-specific ones
    assert "shared_patron" not in " ".join(chn["basis"].to_list())


def test_us_japan_ranks_above_us_china(scores_1991) -> None:
    uj = _pair(scores_1991, US, JPN).filter(pl.col("year") <= 2019)
    uc = _pair(scores_1991, US, CHN).filter(pl.col("year") <= 2019)
    assert (uj["percentile"].to_numpy() > uc["percentile"].to_numpy()).all()
    assert (uj["formal_defense"] == 1).all() and (uc["formal_defense"] == 0).all()


def test_missing_is_not_zero(D) -> None:
    # 1975: South Korea was not a UN member (1991), the exercise data start in 1980,
    # DCAD in 1980 and the curated records in the late 1990s
    row = D.defacto("JPN", "KOR", 1975).row(0, named=True)
    for c in ("un_affinity", "ideal_point", "exercises", "dca", "institutionalization"):
        assert row[c] is None, c
    assert row["un_kappa"] is None and row["exercise_weight_recent"] is None
    assert set(row["basis"].split("+")) == {"arms", "shared_rivals"}
    # outside a source's years a component is null for every dyad, not 0
    c = D.components(2015)
    assert c["exercises"].is_null().all() and c["dca"].is_null().all()
    assert c["un_affinity"].null_count() < c.height // 10


def test_covered_years_read_the_records_never_zero(D) -> None:
    # the curated groupings cover Japan-Korea to 2025: every covered year carries the
    # index of the groupings holding both states, the trilateral included, each weighted
    # 1 / (members - 1), a state being a member from the first record it takes part in
    from allyscope import mechanisms

    idx = mechanisms.institutionalization()
    recs = mechanisms.records().explode("ccodes")
    jk = D.defacto("JPN", "KOR", (2019, 2024))
    for row in jk.iter_rows(named=True):
        y = row["year"]
        num = den = 0.0
        for gid in row["mech_basis"].split(","):
            r = recs.filter((pl.col("grouping_id") == gid) & (pl.col("year") <= y))
            n = r["ccodes"].n_unique()
            assert {JPN, KOR} <= set(r["ccodes"].to_list())
            v = idx.filter((pl.col("grouping_id") == gid) & (pl.col("year") == y))
            num += v["institutionalization"].item() / (n - 1)
            den += 1 / (n - 1)
        assert row["institutionalization"] == pytest.approx(num / den / 100)
    assert {"japan-rok", "us-japan-rok"} <= set(jk["mech_basis"][0].split(","))
    assert (jk.filter(pl.col("year") >= 2023)["institutionalization"] > 0.3).all()


def test_a_bilateral_setback_is_not_hidden_by_the_trilateral(D) -> None:
    # 2019: Japan's export controls and Seoul's notice to end GSOMIA hit the bilateral
    # channel, not the trilateral one; a maximum over groupings would hide it
    from allyscope import mechanisms

    idx = mechanisms.institutionalization().filter(pl.col("year") == 2019)
    tri = idx.filter(pl.col("grouping_id") == "us-japan-rok")["institutionalization"].item()
    bi = idx.filter(pl.col("grouping_id") == "japan-rok")["institutionalization"].item()
    assert bi < tri
    jk = D.defacto("JPN", "KOR", 2019).row(0, named=True)
    assert jk["institutionalization"] < tri / 100
    assert jk["mech_max_index"] == pytest.approx(tri)


def test_japan_korea_2019_2024_shows_institutionalization_basis_and_band(D) -> None:
    jk = D.defacto("JPN", "KOR", (2015, 2024))
    assert jk["year"].to_list() == list(range(2015, 2025))
    late = jk.filter(pl.col("year") >= 2019)
    assert late["institutionalization"].is_not_null().all()
    assert late["basis"].is_not_null().all() and (late["n_compared"] > 0).all()
    # the band holds the score and the percentile
    assert (jk["score_low"] <= jk["defacto_score"] + 1e-12).all()
    assert (jk["defacto_score"] <= jk["score_high"] + 1e-12).all()
    assert (jk["percentile_low"] <= jk["percentile_high"]).all()
    assert (jk["formal_defense"] == 0).all()  # no Japan-Korea defense pact


# -- the comparison basis ------------------------------------------------------------------------


def test_basis_and_percentiles_by_hand(D) -> None:
    # five dyads of one year: the first three observe a and b, the last two only a
    df = pl.DataFrame(
        {
            "ccode1": [1, 1, 1, 2, 2],
            "ccode2": [2, 3, 4, 3, 4],
            "year": [2000] * 5,
            "formal_defense": [1, 0, 0, 1, 0],
            "un_affinity": [0.9, 0.5, 0.1, 0.8, 0.5],
            "arms": [1.0, 0.0, 0.0, None, None],
        }
    )
    out = D.percentile_table(df, {"un_affinity": 1.0, "arms": 1.0}).sort("ccode1", "ccode2")
    assert out["basis"].to_list() == ["un_affinity+arms"] * 3 + ["un_affinity"] * 2
    # a dyad observing both is compared with the three that do: scores 0.95, 0.25, 0.05
    assert out["n_compared"].to_list() == [3, 3, 3, 5, 5]
    assert out["percentile"][:3].to_list() == pytest.approx([100 * 2.5 / 3, 50.0, 100 * 0.5 / 3])
    # a dyad observing only a is compared with all five on a: 0.9 0.5 0.1 0.8 0.5
    assert out["percentile"][3] == pytest.approx(100 * 3.5 / 5)
    assert out["percentile"][4] == pytest.approx(100 * 2.0 / 5)  # tied with (1, 3)
    assert out["n_compared_allies"].to_list() == [1, 1, 1, 2, 2]
    # with too few dyads on a basis its least observed component is left out
    few = D.percentile_table(df, {"un_affinity": 1.0, "arms": 1.0}, min_compared=4)
    assert few["basis"].to_list() == ["un_affinity"] * 5
    assert few["not_compared"].to_list() == ["arms"] * 3 + [None] * 2
    assert few["defacto_score"][0] == pytest.approx(0.95)  # the score keeps what is observed


def test_compared_dyads_are_those_observing_the_basis(D, scores_1991) -> None:
    row = _pair(scores_1991, JPN, KOR).filter(pl.col("year") == 2005).row(0, named=True)
    basis = row["basis"].split("+")
    comp = D.components(2005)
    n = comp.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in basis)).height
    assert row["n_compared"] == n


# -- settings and sensitivity ------------------------------------------------------------------


def _settings_with(tmp_path: Path, **weights: float):
    from allyscope import settings

    data = yaml.safe_load(settings.shipped_path().read_text(encoding="utf-8"))
    data["defacto"]["weights"] = {c: weights.get(c, 0) for c in data["defacto"]["weights"]}
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({"defacto": data["defacto"]}), encoding="utf-8")
    return settings.load(path)


def test_weights_come_from_the_settings(D, tmp_path: Path) -> None:
    st = _settings_with(tmp_path, un_affinity=1.0)
    assert st.defacto.used == ("un_affinity",)
    jk = D.defacto("JPN", "KOR", (2000, 2002), settings=st)
    assert jk["defacto_score"].to_numpy() == pytest.approx(jk["un_affinity"].to_numpy())
    assert (jk["basis"] == "un_affinity").all()
    # one component: the weights cannot vary, so the band is a point
    assert jk["score_low"].to_numpy() == pytest.approx(jk["score_high"].to_numpy())
    assert D.provenance(st)["settings_sha256"] == st.hash != D.provenance()["settings_sha256"]


def test_weight_draws_centre_on_the_weights(D) -> None:
    from allyscope import settings

    st = settings.load()
    w = dict(st.defacto.weights)
    draws = D.weight_draws(w, st)
    used = D.used_components(w)
    assert draws.shape == (st.defacto.draws, len(used))
    target = np.array([w[c] for c in used]) / sum(w[c] for c in used)
    assert draws.mean(axis=0) == pytest.approx(target, abs=0.03)
    assert np.array_equal(draws, D.weight_draws(w, st))  # seeded


# -- validation ----------------------------------------------------------------------------------


def test_rank_statistics_match_scikit_learn() -> None:
    from sklearn.metrics import average_precision_score, roc_auc_score

    from allyscope.network.validation import _Ranks

    rng = np.random.default_rng(5)
    s = np.round(rng.random(3_000), 2)  # many ties
    y = (rng.random(3_000) < 0.1 + 0.3 * s).astype(int)
    pcl = rng.integers(0, 7, 3_000)
    ncl = rng.integers(0, 11, 3_000)
    r = _Ranks(s, y, pcl, ncl)
    auc, ap = r.stats(np.ones(int(y.sum())), np.ones(len(r.clusters)))
    assert auc == pytest.approx(roc_auc_score(y, s))
    assert ap == pytest.approx(average_precision_score(y, s))
    # doubling one negative cluster equals duplicating its rows
    vn = np.ones(len(r.clusters))
    vn[3] = 2
    dup = np.r_[np.arange(3_000), np.flatnonzero((y == 0) & (ncl == r.clusters[3]))]
    auc2, ap2 = r.stats(np.ones(int(y.sum())), vn)
    assert auc2 == pytest.approx(roc_auc_score(y[dup], s[dup]))
    assert ap2 == pytest.approx(average_precision_score(y[dup], s[dup]))


def test_onset_sample_is_non_allies_with_later_onsets(data_home: Path) -> None:
    from allyscope.network.validation import sample

    s = sample("onset", horizon=5)
    assert (s["formal_defense"] == 0).all()
    assert s["t"].max() == 2020  # the last year whose five-year horizon the records cover
    # Finland and Sweden: not allied with the United States before their accessions,
    # positive within five years of 2019 (Finland joined NATO in 2023, Sweden in 2024)
    for state in (375, 380):
        row = s.filter(
            (pl.col("ccode1") == US) & (pl.col("ccode2") == state) & (pl.col("t") == 2019)
        )
        assert row["y"].item() == 1
    assert s["y"].mean() < 0.02


@pytest.mark.slow
def test_validation_beats_chance_without_the_alliance_layer(data_home: Path) -> None:
    from allyscope.network.validation import validate

    v = validate(targets=("onset",), bootstrap=60).table
    variants = v["variant"].to_list()
    assert not any("shared_allies" in x for x in variants)  # never the alliance layer
    score = v.filter(pl.col("variant") == "score").row(0, named=True)
    assert 0.7 < score["auc"] < 1.0
    assert score["auc_low"] <= score["auc"] <= score["auc_high"]
    assert score["ap"] > 2 * score["prevalence"]
    assert {f"without {c}" for c in ("un_affinity", "arms")} <= set(variants)


@pytest.mark.slow
def test_rhetoric_is_an_optional_component(D, tmp_path: Path) -> None:
    # off by default; with a weight, the General Debate speeches enter where both spoke
    assert D.components(2015)["rhetoric"].is_null().all()
    st = _settings_with(tmp_path, un_affinity=0.5, ideal_point=0.5, rhetoric=1.0)
    jk = D.defacto("JPN", "KOR", (2015, 2016), settings=st)
    assert jk["rhetoric"].is_between(0, 1).all()
    assert all("rhetoric" in b for b in jk["basis"].to_list())
