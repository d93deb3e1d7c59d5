"""UN voting affinity: hand computations, edge cases, country coding and real-data facts."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import polars as pl
import pytest

from allyscope.errors import InvalidInputError, UnknownCountryError
from allyscope.un.affinity import compute, dyad_measures, joint_counts, measures_from_counts
from allyscope.un.data import VoteData

Y, A, N, M = 1, 2, 3, 0  # yes, abstain, no, missing


# -- hand computations ---------------------------------------------------------------------


def test_measures_match_hand_computation() -> None:
    # shared votes (both voted): yes-yes, yes-no, abstain-abstain, no-no
    out = dyad_measures([Y, Y, A, N, Y, M], [Y, N, A, N, M, Y])
    assert out["n_votes"] == 4
    assert out["n_yesno"] == 3  # yes-yes, yes-no, no-no
    assert out["agree"] == pytest.approx(3 / 4)
    assert out["coincidence"] == pytest.approx(2 / 3)
    # |x - y| = 0, 2, 0, 0 -> mean 0.5; S = 1 - 2 * 0.5 / 2
    assert out["s_score"] == pytest.approx(0.5)
    # marginals: state 1 (1/2, 1/4, 1/4), state 2 (1/4, 1/4, 1/2); chance 5/16
    assert out["kappa"] == pytest.approx((12 / 16 - 5 / 16) / (1 - 5 / 16))  # 7/11
    # pooled (3/8, 2/8, 3/8); chance 22/64
    assert out["pi"] == pytest.approx((3 / 4 - 22 / 64) / (1 - 22 / 64))  # 13/21
    # expected absolute distance with independent marginals: 1.0; pooled: 0.9375
    assert out["kappa_w"] == pytest.approx(1 - 0.5 / 1.0)
    assert out["pi_w"] == pytest.approx(1 - 0.5 / 0.9375)


def test_s_score_absolute_and_squared_distance() -> None:
    x, y = [Y, A], [A, N]  # one step apart twice
    assert dyad_measures(x, y)["s_score"] == pytest.approx(1 - 2 * 1 / 2)
    assert dyad_measures(x, y, metric="squared")["s_score"] == pytest.approx(1 - 2 * 1 / 4)
    opposite = dyad_measures([Y, N, Y], [N, Y, N])
    assert opposite["s_score"] == pytest.approx(-1.0)
    assert opposite["agree"] == 0.0 and opposite["coincidence"] == 0.0


def test_no_shared_votes_gives_nulls() -> None:
    out = dyad_measures([Y, M, N], [M, A, M])
    assert out["n_votes"] == 0 and out["n_yesno"] == 0
    assert all(out[k] is None for k in ("agree", "coincidence", "s_score", "kappa", "pi"))


def test_identical_votes_s_is_one_and_kappa_defined_only_with_variation() -> None:
    same_yes = dyad_measures([Y, Y, Y, Y], [Y, Y, Y, Y])
    assert same_yes["agree"] == 1.0 and same_yes["s_score"] == 1.0
    assert same_yes["coincidence"] == 1.0
    # chance agreement is 1 when both only ever vote yes: kappa and pi are 0/0
    assert same_yes["kappa"] is None and same_yes["pi"] is None and same_yes["kappa_w"] is None
    varied = dyad_measures([Y, A, N, Y], [Y, A, N, Y])
    assert varied["kappa"] == pytest.approx(1.0) and varied["pi"] == pytest.approx(1.0)
    assert varied["kappa_w"] == pytest.approx(1.0) and varied["s_score"] == 1.0
    # only abstentions in common: coincidence (yes/no only) is undefined
    assert dyad_measures([A, A], [A, A])["coincidence"] is None


def test_one_state_without_variation_has_kappa_zero() -> None:
    out = dyad_measures([Y, Y, Y, Y], [Y, Y, N, A])
    # chance agreement = P(state 2 votes yes) = observed agreement -> kappa 0
    assert out["kappa"] == pytest.approx(0.0)


def test_matrix_products_equal_pairwise_counting() -> None:
    rng = np.random.default_rng(7)
    v = rng.integers(0, 4, size=(9, 40)).astype(np.int8)
    counts = joint_counts(v)
    for i, j in itertools.combinations(range(9), 2):
        both = (v[i] > 0) & (v[j] > 0)
        brute = np.zeros((3, 3), dtype=int)
        np.add.at(brute, (v[i][both] - 1, v[j][both] - 1), 1)
        assert (counts[i, j] == brute).all()
        got = measures_from_counts(counts[i, j])
        ref = dyad_measures(v[i].tolist(), v[j].tolist())
        assert got["agree"] == pytest.approx(ref["agree"])


def test_bad_vote_codes_and_metric() -> None:
    with pytest.raises(InvalidInputError):
        dyad_measures([1, 4], [1, 1])
    with pytest.raises(InvalidInputError):
        dyad_measures([1, 2], [1, 2], metric="euclid")


def _toy() -> VoteData:
    # three states, two years; state 30 votes only in 2001; roll call 4 is on human rights
    votes = pl.DataFrame(
        {
            "rcid": [1, 1, 2, 2, 3, 3, 3, 4, 4, 4],
            "ccode": [10, 20, 10, 20, 10, 20, 30, 10, 20, 30],
            "year": [2000, 2000, 2000, 2000, 2001, 2001, 2001, 2001, 2001, 2001],
            "session": [55] * 4 + [56] * 6,
            "vote": [Y, Y, Y, N, Y, A, Y, N, N, Y],
        },
        schema_overrides={"rcid": pl.Int32, "ccode": pl.Int16, "year": pl.Int16,
                          "session": pl.Int16, "vote": pl.Int8},
    )  # fmt: skip
    rc = pl.DataFrame(
        {
            "rcid": [1, 2, 3, 4],
            "session": [55, 55, 56, 56],
            "date": [
                dt.date(2000, 10, 1),
                dt.date(2000, 11, 1),
                dt.date(2001, 10, 1),
                dt.date(2001, 11, 1),
            ],
            "important": [False, True, False, False],
            "year": [2000, 2000, 2001, 2001],
            **{k: [False] * 4 for k in ("me", "nu", "di", "co", "ec")},
            "hr": [False, False, False, True],
        },
        schema_overrides={"rcid": pl.Int32, "session": pl.Int16, "year": pl.Int16},
    )
    return VoteData(votes=votes, roll_calls=rc)


def test_compute_rows_periods_and_issues_on_toy_data() -> None:
    df = compute(_toy(), issues=["all", "hr", "me"])
    # 2000: only 10-20; 2001: all three pairs; 'me' has no roll call at all -> no rows
    assert df.filter(pl.col("issue") == "me").height == 0
    y2000 = df.filter((pl.col("year") == 2000) & (pl.col("issue") == "all"))
    assert y2000.select("ccode1", "ccode2").rows() == [(10, 20)]
    assert y2000["agree"][0] == pytest.approx(0.5) and y2000["n_votes"][0] == 2
    hr = df.filter((pl.col("year") == 2001) & (pl.col("issue") == "hr")).sort("ccode1", "ccode2")
    assert hr.select("ccode1", "ccode2", "n_votes").rows() == [
        (10, 20, 1),
        (10, 30, 1),
        (20, 30, 1),
    ]
    assert hr["agree"].to_list() == [1.0, 0.0, 0.0]
    assert (df["ccode1"] < df["ccode2"]).all()
    important = compute(_toy(), important_only=True)
    assert important.select("year", "n_votes", "s_score").rows() == [(2000, 1, -1.0)]
    by_session = compute(_toy(), period="session")
    assert sorted(by_session["session"].unique().to_list()) == [55, 56]


# -- country coding (real data) ------------------------------------------------------------


@pytest.fixture(scope="module")
def cmap(wh):
    from allyscope.un.data import country_map

    return country_map(wh)


def _code(cmap: pl.DataFrame, name: str, day: dt.date) -> int:
    row = cmap.filter(
        (pl.col("country") == name) & pl.col("date_from").le(day) & pl.col("date_to").ge(day)
    )
    assert row.height == 1, (name, day)
    return int(row["ccode"][0])


def test_every_country_name_maps_to_the_expected_cow_code(cmap: pl.DataFrame) -> None:
    d = dt.date
    assert _code(cmap, "Federal Republic of Germany", d(1980, 11, 1)) == 260
    assert _code(cmap, "Federal Republic of Germany", d(1990, 11, 3)) == 255  # after unification
    assert _code(cmap, "German Democratic Republic", d(1980, 11, 1)) == 265
    assert _code(cmap, "Germany", d(2000, 11, 1)) == 255
    assert _code(cmap, "Yemen Arab Republic", d(1980, 11, 1)) == 678
    assert _code(cmap, "Yemen Arab Republic", d(1990, 11, 3)) == 679
    assert _code(cmap, "Yemen People's Republic", d(1980, 11, 1)) == 680
    assert _code(cmap, "Yemen", d(2000, 11, 1)) == 679
    assert _code(cmap, "Russia", d(1960, 11, 1)) == 365
    assert _code(cmap, "Yugoslavia", d(1960, 11, 1)) == 345
    assert _code(cmap, "Czechoslovakia", d(1960, 11, 1)) == 315
    assert _code(cmap, "Zanzibar", d(1963, 12, 3)) == 511
    # the China seat: the Republic of China until October 1971, then the PRC
    assert _code(cmap, "Taiwan", d(1960, 11, 1)) == 713
    assert _code(cmap, "China", d(1980, 11, 1)) == 710
    assert cmap["ccode"].null_count() == 0


def test_all_votes_are_coded_once(wh) -> None:
    from allyscope.un import undl
    from allyscope.un.data import load, votes

    v = votes(wh)
    rc = load(wh).roll_calls
    by_source = v.join(rc.select("rcid", "source"), on="rcid").group_by("source").len()
    counts = dict(by_source.select(pl.col("source").cast(pl.String), "len").iter_rows())
    assert counts["unvotes"] == wh.sql("SELECT count(*) FROM un_votes").item()
    # 2020-2021: every recorded yes/no/abstain of the Digital Library's General Assembly
    # records, less those of records that repeat another
    _, _, dropped = undl.general_assembly(wh, (2020, 2021))
    recorded = wh.sql(
        "SELECT count(*) FROM undl_votes v JOIN undl_roll_calls r USING (token) "
        "WHERE r.council = 'General Assembly' AND r.year >= 2020 AND v.vote <> 'non_voting' "
        f"AND v.token NOT IN ({','.join(map(str, dropped['token'].to_list()))})"
    ).item()
    assert counts["undl"] == recorded
    assert not v.select(pl.struct("rcid", "ccode").is_duplicated().any()).item()
    assert v["ccode"].null_count() == 0
    assert set(v["vote"].unique().to_list()) == {1, 2, 3}


def test_iso2_codes_agree_with_the_crosswalk(cmap: pl.DataFrame) -> None:
    from allyscope import codes

    cw = codes.crosswalk().select("ccode", "iso2").unique().drop_nulls()
    known = cmap.drop_nulls("country_code").join(
        cw, left_on=["ccode", "country_code"], right_on=["ccode", "iso2"], how="anti"
    )
    # the data keep 'YU' for Serbia after 2006 and 'CS' (Czechoslovakia) as ISO once used it
    assert set(known["country_code"].to_list()) <= {"YU", "CS", "TW"}


# -- real data -------------------------------------------------------------------------------


def test_israel_is_closest_and_north_korea_farthest_from_the_us(wh) -> None:
    from allyscope.un import affinity

    a = affinity(years=range(2000, 2020))
    us = a.filter((pl.col("ccode1") == 2) | (pl.col("ccode2") == 2)).with_columns(
        pl.when(pl.col("ccode1") == 2)
        .then(pl.col("ccode2"))
        .otherwise(pl.col("ccode1"))
        .alias("other")
    )
    mean = us.group_by("other").agg(pl.col("s_score").mean(), pl.col("kappa").mean())
    assert mean.sort("s_score", descending=True)["other"][0] == 666
    assert mean.sort("kappa", descending=True)["other"][0] == 666
    assert mean.sort("s_score")["other"][0] == 731


def test_cold_war_alignment(wh) -> None:
    from allyscope.un import affinity

    a = affinity(["USA", "UK", "Russia"], years=range(1950, 1990))
    m = a.group_by("ccode1", "ccode2").agg(pl.col("coincidence").mean(), pl.col("s_score").mean())
    get = {(r["ccode1"], r["ccode2"]): r for r in m.iter_rows(named=True)}
    assert get[(2, 200)]["coincidence"] > 0.85 > 0.35 > get[(2, 365)]["coincidence"]
    assert get[(2, 200)]["s_score"] > 0 > get[(2, 365)]["s_score"]


def test_matrix_results_match_brute_force_on_real_votes(wh) -> None:
    from allyscope.un import affinity
    from allyscope.un.data import load

    data = load(wh)
    v = data.votes.filter(pl.col("year") == 1985)
    hr = data.roll_calls.filter(pl.col("hr"))["rcid"].implode()
    a = affinity(["USA", "Japan", "Cuba", "India"], years=1985, issues=None)
    for c1, c2, issue in [(2, 40, "all"), (2, 740, "all"), (740, 750, "hr")]:
        vv = v if issue == "all" else v.filter(pl.col("rcid").is_in(hr))
        x = vv.filter(pl.col("ccode") == c1).select("rcid", pl.col("vote").alias("x"))
        y = vv.filter(pl.col("ccode") == c2).select("rcid", pl.col("vote").alias("y"))
        both = x.join(y, on="rcid", how="full", coalesce=True).fill_null(0)
        ref = dyad_measures(both["x"].to_list(), both["y"].to_list())
        got = a.filter(
            (pl.col("ccode1") == c1) & (pl.col("ccode2") == c2) & (pl.col("issue") == issue)
        )
        assert got["n_votes"][0] == ref["n_votes"] > 0
        for k in ("agree", "coincidence", "s_score", "kappa", "pi"):
            assert got[k][0] == pytest.approx(ref[k]), k


def test_absent_states_are_null_never_zero(wh) -> None:
    from allyscope.un import affinity

    # South Korea joined the UN in 1991: no votes, null measures
    a = affinity(["USA", "South Korea"], years=range(1989, 1993))
    before = a.filter(pl.col("year") < 1991)
    assert before["n_votes"].to_list() == [0, 0]
    assert before["s_score"].null_count() == 2 and before["kappa"].null_count() == 2
    after = a.filter(pl.col("year") >= 1991)
    assert after["s_score"].null_count() == 0
    full = affinity(years=1985)
    assert full.filter(pl.col("ccode2") == 732).height == 0  # no row without votes


def test_year_aware_names_and_years_without_votes(wh) -> None:
    from allyscope.un import affinity

    # "Germany" is West Germany (260) during the division and 255 after unification
    a = affinity(["USA", "Germany"], years=[1980, 1995])
    assert a.select("ccode2", "year").rows() == [(260, 1980), (255, 1995)]
    assert a["n_votes"].min() > 50
    with pytest.raises(InvalidInputError, match="1964"):
        affinity(["USA", "Japan"], years=1964)  # the 19th session held no recorded vote in 1964
    with pytest.raises(InvalidInputError, match="1946-2021"):
        affinity(["USA", "Japan"], years=range(2030, 2035))
    assert affinity(years=range(1963, 1966)).filter(pl.col("year") == 1964).height == 0


def test_unknown_country_suggests_names(wh) -> None:
    from allyscope.un import affinity

    with pytest.raises(UnknownCountryError) as exc:
        affinity(["USA", "Germny"])
    assert "Germany" in exc.value.suggestions


def test_full_table_covers_all_years_and_issues(wh) -> None:
    from allyscope.un import affinity

    a = affinity(issues=None)
    assert a["year"].min() == 1946 and a["year"].max() == 2021
    assert set(a["issue"].cast(pl.String).unique().to_list()) == {
        "all",
        "me",
        "nu",
        "di",
        "hr",
        "co",
        "ec",
    }
    assert (a["ccode1"] < a["ccode2"]).all()
    s = a["s_score"].drop_nulls()
    assert s.min() >= -1 and s.max() <= 1
    assert (
        a.filter(pl.col("n_votes") == 0)["agree"].null_count()
        == a.filter(pl.col("n_votes") == 0).height
    )
