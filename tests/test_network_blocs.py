"""UN voting blocs: Cold War separation, anchors, determinism, polarization."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def cold_war(data_home: Path):
    from allyscope.network import voting_blocs as blocs

    return blocs.analyze((1960, 1988))


def test_cold_war_blocs_separate_warsaw_pact_from_nato(cold_war) -> None:
    members, _ = cold_war
    for (year,), p in members.partition_by("year", as_dict=True).items():
        bloc = dict(zip(p["ccode"].to_list(), p["bloc"].to_list(), strict=True))
        us, su = bloc[2], bloc[365]
        assert us != su, year
        wp = [bloc[c] for c in WARSAW if c in bloc]
        nato = [bloc[c] for c in NATO if c in bloc]
        assert all(b == su for b in wp), year  # every Warsaw Pact member with the USSR
        assert us not in wp, year
        assert all(bloc[c] == us for c in NATO_CORE if c in bloc), year
        assert np.mean([b == us for b in nato]) >= 0.8, year
        assert not set(bloc[c] for c in NATO_CORE if c in bloc) & set(wp), year


def test_blocs_are_labelled_by_their_anchors(cold_war) -> None:
    members, stats = cold_war
    lab = members.filter(pl.col("ccode").is_in([2, 365]) & (pl.col("year") == 1975))
    labels = dict(zip(lab["ccode"].to_list(), lab["bloc_label"].to_list(), strict=True))
    assert labels[2] == "USA" and "RUS" in labels[365].split("/")
    s = stats.filter(pl.col("year") == 1975).row(0, named=True)
    assert s["usa_bloc_size"] >= 20 and s["n_blocs"] >= 2
    # states in the US bloc agree more with it than with the Soviet bloc
    us_bloc = members.filter((pl.col("year") == 1975) & (pl.col("bloc_label") == "USA"))
    assert (us_bloc["affinity_usa_bloc"] > us_bloc["affinity_chn_rus_bloc"]).all()


def test_polarization_index_is_consistent(cold_war) -> None:
    _, stats = cold_war
    assert stats["year"].to_list() == [y for y in range(1960, 1989) if y != 1964]  # no 1964 votes
    assert (stats["affinity_gap"] > 0).all()
    assert stats["modularity"].is_between(0, 1).all()
    gap = (stats["within_affinity"] - stats["between_affinity"] - stats["affinity_gap"]).abs()
    assert gap.max() < 1e-12


def test_seeded_detection_is_deterministic(data_home: Path) -> None:
    from allyscope.network import voting_blocs as blocs

    a = blocs.blocs((1980, 1983), seed=7)
    b = blocs.blocs((1980, 1983), seed=7)
    assert a.equals(b)
    lv = blocs.blocs(1985, method="louvain", seed=1)
    assert lv.filter(pl.col("ccode") == 2)["bloc_label"].item() == "USA"


def test_south_korea_leans_to_the_us_bloc(data_home: Path) -> None:
    from allyscope.network import bloc_position

    pos = bloc_position("South Korea", (1991, 2019))
    assert pos["year"].min() == 1991  # UN member since September 1991
    assert (pos["lean"] > 0.2).all()
    assert pos["bloc_label"].str.starts_with("USA").all()


def test_years_without_un_votes_raise(data_home: Path) -> None:
    from allyscope.errors import InvalidInputError
    from allyscope.network import voting_blocs as blocs

    with pytest.raises(InvalidInputError, match="UN voting data cover"):
        blocs.polarization((1930, 1940))
