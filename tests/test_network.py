"""Multilayer networks and hub-and-spoke metrics: facts of the alliance record, exports."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import polars as pl
import pytest

from allyscope.errors import InvalidInputError, UnknownNameError

US, UK, JPN, KOR, PHL, TWN, AUS, NZL = 2, 200, 740, 732, 840, 713, 900, 920


@pytest.fixture(scope="module")
def net(data_home: Path):
    from allyscope import network

    return network


@pytest.fixture(scope="module")
def seq_1955(net):
    return net.network_sequence(1955)[1955]


def test_us_east_asia_1955_is_a_pure_hub_and_spoke(net, seq_1955) -> None:
    g = seq_1955["defense"]
    spokes = [JPN, KOR, PHL, TWN]
    assert all(g.has_edge(US, s) for s in spokes)
    assert not any(g.has_edge(a, b) for i, a in enumerate(spokes) for b in spokes[i + 1 :])
    m = net.hub_spoke("USA", states=["Japan", "South Korea", "Philippines", "Taiwan"], years=1955)
    row = m.row(0, named=True)
    assert (row["n_spokes"], row["spoke_ties"], row["spoke_pairs"]) == (4, 0, 6)
    assert row["lattice_density"] == 0.0 and row["lattice_share"] == 0.0
    assert row["spokes"] == "JPN,KOR,PHL,TWN"


def test_seato_and_anzus_spokes_are_tied_to_each_other(net) -> None:
    # the wider East Asia and Pacific region of 1955 holds the SEATO/ANZUS triangle
    # Australia-New Zealand-Philippines among the US partners: not a pure hub and spoke
    m = net.hub_spoke("USA", "East Asia", years=1955).row(0, named=True)
    assert {"AUS", "NZL", "PHL"} <= set(m["spokes"].split(","))
    assert m["spoke_ties"] >= 3 and 0 < m["lattice_density"] < 1
    ties = net.regional_ties(1955, "USA", "East Asia")
    kinds = dict(
        zip(
            zip(ties["iso3_1"].to_list(), ties["iso3_2"].to_list(), strict=True),
            ties["tie"].to_list(),
            strict=True,
        )
    )
    assert kinds[("AUS", "NZL")] == "spoke-spoke" and kinds[("USA", "JPN")] == "hub-spoke"
    assert (ties["tie"] == "spoke-spoke").sum() == m["spoke_ties"]


def test_defense_tie_exists_if_either_side_is_obliged(seq_1955) -> None:
    # ATOP: the United States owes Japan defense, Japan owes the US consultation only
    g = seq_1955["defense"]
    assert g.has_edge(US, JPN) and g.edges[US, JPN]["atop_defense_mutual"] == 0
    assert g.edges[US, KOR]["atop_defense_mutual"] == 1


def test_no_japan_korea_defense_pact_ever(net) -> None:
    e = net.layer_edges("defense", (1965, 2018))
    assert e.filter((pl.col("ccode1") == KOR) & (pl.col("ccode2") == JPN)).height == 0


def test_nodes_follow_the_state_system(net) -> None:
    n1960 = set(net.node_table(1960)["ccode"].to_list())
    n2000 = set(net.node_table(2000)["ccode"].to_list())
    assert {260, 265} <= n1960 and 255 not in n1960  # two German states
    assert 255 in n2000 and not ({260, 265} & n2000)
    g = net.yearly_network(2018, "defense")  # past the COW list's end (2016)
    assert g.nodes[US] == {"ccode": 2, "stateabb": "USA", "name": "United States", "iso3": "USA"}
    assert g.number_of_nodes() == net.node_table(2016).height


def test_weighted_layers_carry_source_values(net, wh) -> None:
    igo = wh.sql(
        "SELECT dyadigos FROM cow_igo_ndy WHERE ccode1 = 2 AND ccode2 = 740 AND year = 2000"
    )
    g = net.yearly_network(2000, "igo")
    assert g.edges[US, JPN]["weight"] == igo.item() > 50
    troops = net.yearly_network(1955, "us_troops")
    assert troops.edges[US, JPN]["weight"] > 100_000  # occupation-era force levels
    assert set(troops.neighbors(JPN)) == {US}  # a troop tie always involves the US
    ex = net.yearly_network(1985, "exercises")
    assert ex.has_edge(US, KOR)  # Team Spirit


def test_outside_coverage_is_missing_not_zero(net) -> None:
    g = net.yearly_network(1975, "exercises")  # MME starts in 1980
    assert g.graph["covered"] is False and g.number_of_edges() == 0
    m = net.hub_spoke("USA", "East Asia", years=(1975, 1981), layers="exercises")
    early = m.filter(pl.col("year") < 1980)
    assert early["lattice_density"].null_count() == early.height
    assert m.filter(pl.col("year") == 1981)["n_spokes"].item() >= 1
    s = net.yearly_network(2005, "mechanisms")
    assert s.graph["covered"] and s.has_edge(KOR, JPN)


def test_un_threshold_variant_is_a_subset(net) -> None:
    full = net.layer_edges("un_affinity", 1985)
    top = net.layer_edges("un_affinity_top", 1985)
    assert 0 < top.height < full.height
    assert top["weight"].min() >= full["weight"].quantile(0.5)
    fixed = net.layer_edges("un_affinity_top", 1985, un_threshold=0.8)
    assert fixed["weight"].min() >= 0.8


def test_trend_of_a_pure_hub_and_spoke_is_flat(net) -> None:
    m = net.hub_spoke("USA", states=["JPN", "KOR", "PHL"], years=(1960, 1975))
    t = net.trend(m).row(0, named=True)
    assert t["slope_per_decade"] == 0.0 and t["n_years"] == 16


@pytest.mark.parametrize("ext", [".graphml", ".gexf", ".json"])
def test_exports_round_trip(net, seq_1955, tmp_path: Path, ext: str) -> None:
    g = seq_1955["defense"]
    path = net.write_graph(g, tmp_path / f"defense{ext}")
    back = net.read_graph(path)
    assert set(back.nodes) == set(g.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in g.edges}
    assert back.nodes[JPN]["iso3"] == "JPN"
    assert back.edges[US, JPN]["weight"] == 1.0
    if ext == ".graphml":  # networkx reads GraphML back natively
        again = nx.read_graphml(path, node_type=int)
        assert again.number_of_edges() == g.number_of_edges()
    if ext == ".json":
        data = json.loads(path.read_text())
        assert data["graph"]["year"] == 1955 and "edges" in data


def test_multilayer_export_keeps_layers(net, tmp_path: Path) -> None:
    ml = net.multilayer_network(2005, "defense,exercises")
    mg = ml.to_multigraph()
    path = net.write_graph(mg, tmp_path / "ml.graphml")
    back = nx.read_graphml(path, node_type=int)
    layers = {d["layer"] for _, _, d in back.edges(data=True)}
    assert layers == {"defense", "exercises"}
    assert (
        back.number_of_edges()
        == ml["defense"].number_of_edges() + ml["exercises"].number_of_edges()
    )


def test_failed_export_leaves_no_file(net, seq_1955, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "g.graphml"

    def broken(g, path, **kw):
        Path(path).write_text("<graphml half")
        raise OSError("disk full")

    monkeypatch.setattr(nx, "write_graphml", broken)
    with pytest.raises(OSError):
        net.write_graph(seq_1955["defense"], target)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InvalidInputError):
        net.write_graph(seq_1955["defense"], tmp_path / "g.txt")


def test_bad_inputs_raise_actionable_errors(net) -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'defense'"):
        net.layer_edges("defence", 1990)
    with pytest.raises(InvalidInputError, match="inverted"):
        net.hub_spoke("USA", "East Asia", years=(2000, 1990))
    with pytest.raises(InvalidInputError, match="no region"):
        net.hub_spoke("USA", years=2000)


# -- regions after the crosswalk years, exercise and troop tie rules, DCAD ----------------------


def test_region_query_after_2019_returns_its_states(net) -> None:
    from allyscope import codes

    assert {JPN, KOR, 710, AUS, PHL} <= set(codes.region_members("East Asia", 2023))
    m = net.hub_spoke("USA", "East Asia", years=2023, layers="defense").row(0, named=True)
    assert m["covered"] and m["n_region"] >= 20
    # the US treaty allies of the region in 2023: a pure hub and spoke
    assert m["spokes"] == "AUS,JPN,KOR,PHL,THA" and m["spoke_ties"] == 0


def test_exercise_ties_weight_each_exercise_by_its_size(net) -> None:
    from allyscope.panel.builtin import mme_participants
    from allyscope.settings import ExerciseTieSettings

    # by hand from the participant lists: US-Japan 2005, each joint exercise 1/(n-1)
    p = mme_participants().drop_nulls("ccode").filter(pl.col("year") == 2005)
    p = p.unique(["exercise", "ccode"]).with_columns(pl.len().over("exercise").alias("n"))
    joint = p.filter(pl.col("ccode") == US).join(
        p.filter(pl.col("ccode") == JPN).select("exercise"), on="exercise"
    )
    expected = float((1.0 / (joint["n"] - 1)).sum())
    ties = net.exercise_ties()
    row = ties.filter(
        (pl.col("ccode1") == US) & (pl.col("ccode2") == JPN) & (pl.col("year") == 2005)
    )
    assert row["exercise_weight"].item() == pytest.approx(expected)
    assert row["exercise_count"].item() == joint.height
    # China, Laos and Mongolia joined large multilateral exercises with the United States
    # in 2010 but are not US exercise partners under the default tie rule
    m = net.hub_spoke("USA", "East Asia", years=2010, layers="exercises").row(0, named=True)
    spokes = set(m["spokes"].split(","))
    assert {"JPN", "KOR", "AUS", "THA", "PHL"} <= spokes
    assert not {"CHN", "LAO", "MNG"} & spokes
    assert m["lattice_density"] < 0.5 and "1/(n-1)" in m["tie_rule"]
    # bilateral and minilateral exercises only (at most four states): no US-China tie
    small = net.exercise_ties(ExerciseTieSettings("count", 4, 1.0))
    uc = small.filter((pl.col("ccode1") == US) & (pl.col("ccode2") == 710))
    assert uc.filter(pl.col("year") == 2010).height == 0


def test_embassy_guards_do_not_make_a_troop_host(net) -> None:
    t = net.dyad_table(2010).filter(pl.col("ccode1") == US)
    china = t.filter(pl.col("ccode2") == 710)["us_troops_partner"].item()
    assert 0 < china < 100  # Marine security guards and attachés in Beijing
    g = net.yearly_network(2010, "us_troops")
    assert not g.has_edge(US, 710) and g.has_edge(US, JPN) and g.has_edge(US, KOR)


def test_defense_cooperation_agreements(net) -> None:
    # the New Framework for the U.S.-India Defense Relationship was signed in June 2005
    d = net.dca_table().filter((pl.col("ccode1") == US) & (pl.col("ccode2") == 750))
    assert d.filter(pl.col("year") == 2005)["dca_signed"].item() == 1
    assert d.filter(pl.col("year") == 2010)["dca_in_force"].item() >= 1
    assert d["year"].max() <= 2010  # DCAD v1.0 ends in 2010


def test_general_debate_layers(net) -> None:
    """Who names whom at the UN General Debate: both directions kept apart, years the corpus
    covers without a mention are covered and tieless, years after it are not covered; the
    similarity layer keeps the year's most alike tenth of the speech pairs."""
    from allyscope.network.layers import RHETORIC_QUANTILE, layer_edges
    from allyscope.rhetoric.analysis import table

    e = layer_edges("rhetoric_mentions", (2017, 2017))
    row = e.filter((pl.col("ccode1") == KOR) & (pl.col("ccode2") == JPN))
    said = table("dyads").filter(pl.col("year") == 2017)
    by = {
        (a, b): said.filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b))["mentions"].sum()
        for a, b in ((KOR, JPN), (JPN, KOR))
    }
    assert row["mentions_1to2"].item() == by[(KOR, JPN)]  # South Korea naming Japan
    assert row["mentions_2to1"].item() == by[(JPN, KOR)]
    assert row["weight"].item() == by[(KOR, JPN)] + by[(JPN, KOR)] > 0
    assert (e["ccode1"] < e["ccode2"]).all()
    g = net.yearly_network(2022, "rhetoric_mentions")
    named_2022 = table("dyads").filter(
        (pl.col("year") == 2022)
        & pl.col("ccode1").is_in([JPN, KOR])
        & pl.col("ccode2").is_in([JPN, KOR])
        & (pl.col("mentions") > 0)
    )
    assert g.graph["covered"] and g.has_edge(JPN, KOR) == (named_2022.height > 0)
    assert net.yearly_network(2025, "rhetoric_similarity").graph["covered"] is False
    sim = layer_edges("rhetoric_similarity", (2020, 2020))
    pairs = table("similarity").filter(pl.col("year") == 2020).drop_nulls("similarity")
    share = sim.height / pairs.height
    assert abs(share - (1 - RHETORIC_QUANTILE)) < 0.02, share
    assert sim["similarity"].min() >= pairs["similarity"].quantile(RHETORIC_QUANTILE) - 1e-9


def test_arms_layer(net) -> None:
    """SIPRI deliveries as ties: Japan's major arms come from the United States (almost all
    its imports), Russia supplies India; years after the register's last are not covered."""
    from allyscope.network.layers import layer_edges

    e = layer_edges("arms", (2015, 2024))
    us_jpn = e.filter((pl.col("ccode1") == US) & (pl.col("ccode2") == JPN))
    assert us_jpn["year"].to_list() == list(range(2015, 2025))
    assert (us_jpn["tiv_1to2"] > us_jpn["tiv_2to1"]).all()
    assert us_jpn.filter(pl.col("year") >= 2020)["dependence"].min() > 0.8
    rus_ind = e.filter((pl.col("ccode1") == 365) & (pl.col("ccode2") == 750))
    assert rus_ind.height >= 8 and (rus_ind["tiv_1to2"] > 0).all()
    assert net.yearly_network(2025, "arms").graph["covered"] is False
