"""UN voting blocs by consensus clustering: the Cold War divide, Russia after it, labels
from the members, stability, determinism, polarization."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import polars as pl
import pytest

NATO = [2, 20, 200, 210, 211, 212, 220, 230, 260, 325, 350, 385, 390, 395, 640]
#: Warsaw Pact members (Albania left in practice in 1961 and formally in 1968)
WARSAW = [365, 290, 315, 265, 310, 355]
#: NATO members that never broke ranks with the Western bloc in the UN (Greece and Turkey
#: voted with the Soviet bloc or the non-aligned on Cyprus and colonial questions)
NATO_CORE = [2, 20, 200, 210, 211, 212, 260, 325]
US, RUS, CHN, KOR = 2, 365, 710, 732


@pytest.fixture(scope="module")
def B(data_home: Path):
    from allyscope.network import voting_blocs

    return voting_blocs


@pytest.fixture(scope="module")
def cold_war(B):
    return B.analyze((1960, 1988))


@pytest.fixture(scope="module")
def after(B):
    return B.analyze((1991, 2019))


def _bloc_of(members: pl.DataFrame, year: int) -> dict[int, int]:
    p = members.filter(pl.col("year") == year)
    return dict(zip(p["ccode"].to_list(), p["bloc"].to_list(), strict=True))


def test_cold_war_blocs_separate_warsaw_pact_from_nato(cold_war) -> None:
    members, _ = cold_war
    for year in members["year"].unique().to_list():
        bloc = _bloc_of(members, year)
        us, su = bloc[US], bloc[RUS]
        assert us != su, year
        assert all(bloc[c] == su for c in WARSAW if c in bloc), year
        assert all(bloc[c] == us for c in NATO_CORE if c in bloc), year
        assert np.mean([bloc[c] == us for c in NATO if c in bloc]) >= 0.75, year


@pytest.mark.parametrize("year", [2009, 2010, 2013, 2015, 2018])
def test_russia_is_not_in_the_us_bloc(after, year: int) -> None:
    # Russia-China kappa is 0.3-0.5 in these years, Russia-US about 0: whatever the
    # seed, Russia does not vote with the US-led bloc
    members, _ = after
    bloc = _bloc_of(members, year)
    assert bloc[RUS] != bloc[US]
    row = members.filter((pl.col("year") == year) & (pl.col("ccode") == RUS)).row(0, named=True)
    assert 0 <= row["stability"] <= 1


def test_south_korea_votes_with_the_us_bloc(B) -> None:
    pos = B.bloc_position("South Korea", (1991, 2019))
    assert pos["year"].min() == 1991  # UN member since September 1991
    assert (pos["lean"] > 0.2).all()
    us = B.blocs((1992, 2019)).filter(pl.col("ccode") == US).select("year", "bloc")
    kor = pos.filter(pl.col("year") >= 1992).select("year", "bloc")
    assert (
        kor.join(us, on="year", suffix="_us").filter(pl.col("bloc") != pl.col("bloc_us")).height
        == 0
    )


def test_labels_name_the_members_of_largest_capabilities(B, after, data_home) -> None:
    from allyscope.store import open_warehouse

    members, _ = after
    nmc = open_warehouse().table("cow_nmc").filter(pl.col("year") == 2015)
    cinc = dict(zip(nmc["ccode"].to_list(), nmc["cinc"].to_list(), strict=True))
    m15 = members.filter(pl.col("year") == 2015)
    for (b,), part in m15.partition_by("bloc", as_dict=True).items():
        top = sorted(part["ccode"].to_list(), key=lambda c: -cinc.get(c, -1))[:2]
        iso = dict(zip(part["ccode"].to_list(), part["iso3"].to_list(), strict=True))
        assert part["bloc_label"][0] == "/".join(iso[c] for c in top), b
    # no fixed anchor: the bloc of the United States is named after it because it is
    # the largest power in it, and China's likewise
    labels = dict(zip(m15["ccode"].to_list(), m15["bloc_label"].to_list(), strict=True))
    assert labels[US].startswith("USA/") and labels[CHN].startswith("CHN/")


def test_stability_and_polarization_are_consistent(cold_war) -> None:
    members, stats = cold_war
    assert stats["year"].to_list() == [y for y in range(1960, 1989) if y != 1964]  # no 1964 votes
    assert members["stability"].drop_nulls().is_between(0, 1).all()
    assert members["placed_by"].is_in(["consensus", "affinity"]).all()
    assert (stats["affinity_gap"] > 0).all()
    assert stats["modularity"].is_between(0, 1).all()
    gap = (stats["within_affinity"] - stats["between_affinity"] - stats["affinity_gap"]).abs()
    assert gap.max() < 1e-12
    # the superpowers sit firmly in their blocs throughout: most runs put them with
    # their bloc's members, no state has to be placed by affinity
    firm = members.filter(pl.col("ccode").is_in([US, RUS]))
    assert (firm["stability"] > 0.5).all() and (firm["placed_by"] == "consensus").all()


def test_consensus_matrix_by_hand(B) -> None:
    runs = [np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([2, 2, 2]), np.array([0, 0, 1])]
    c = B.consensus(runs)
    assert c[0, 1] == pytest.approx(3 / 4) and c[1, 2] == pytest.approx(2 / 4)
    assert c[0, 2] == pytest.approx(1 / 4) and np.allclose(np.diag(c), 1)
    # cut at one half: states 0 and 1 together (3/4), state 2 apart (mean 3/8 with them)
    memb = B._cut(c, 0.5)
    assert memb[0] == memb[1] != memb[2]


def test_consensus_is_deterministic(B) -> None:
    from allyscope.settings import network

    small = dataclasses.replace(network().blocs, seeds=2, resolutions=(1.0, 1.5))
    a = B._compute(1983, 1984, small)[0]
    b = B._compute(1983, 1984, small)[0]
    assert a.equals(b)


def test_years_without_un_votes_raise(B) -> None:
    from allyscope.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="UN voting data cover"):
        B.polarization((1930, 1940))
