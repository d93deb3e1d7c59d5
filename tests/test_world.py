"""The core computations on the synthetic world of ``tests/fixtures`` (no download needed).

Every expectation follows from the world's declarations (``states.csv``, ``treaties.csv``,
``exercises.csv``, ``records/``): which treaties bind whom and when, where the states
stand on the voting dimension, who exercises with whom. The same facts on the real data
are checked by the ``data`` tests.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthetic import FIXTURES, states, tables

USA, CUB, UKG, RUS, ISR, CHN, PRK, ROK, JPN, IND, PHI, AUL = (
    2,
    40,
    200,
    365,
    666,
    710,
    731,
    732,
    740,
    750,
    840,
    900,
)
WEST = {s.ccode for s in states() if s.bloc == "west"}
EAST = {s.ccode for s in states() if s.bloc == "east"}


@pytest.fixture(scope="module", autouse=True)
def world(synthetic):
    return synthetic


def pair(df: pl.DataFrame, a: int, b: int) -> pl.DataFrame:
    return df.filter((pl.col("ccode1") == min(a, b)) & (pl.col("ccode2") == max(a, b)))


# -- the build ----------------------------------------------------------------------------


def test_every_source_is_built_with_the_rows_written(world) -> None:
    prov = dict(world.provenance().select("source", "rows").iter_rows())
    written = {name: len(rows) for name, rows in tables().items()}
    assert prov == written
    atop = world.sql("SELECT count(*) AS n FROM atop_alliance").item()
    assert atop == written["atop_alliance"] > 0


def test_world_declarations_are_consistent() -> None:
    with open(FIXTURES / "treaties.csv", newline="", encoding="utf-8") as fh:
        codes = {int(r[k]) for r in csv.DictReader(fh) for k in ("ccode1", "ccode2")}
    assert codes <= {s.ccode for s in states()}
    assert {USA, JPN, ROK, PRK, CHN, RUS} <= {s.ccode for s in states()}


# -- country codes -------------------------------------------------------------------------


def test_codes_resolve_in_the_small_world() -> None:
    from allyscope import codes

    assert codes.resolve("South Korea") == ROK and codes.resolve("JPN") == JPN
    assert codes.resolve("Soviet Union") == RUS and codes.name(RUS, 1980) == "Soviet Union"
    assert codes.is_member(JPN, 1940) and not codes.is_member(JPN, 1950)  # occupation
    assert codes.lookup("Japan")["iso2"] == "JP"


# -- panels ----------------------------------------------------------------------------------


def test_directed_obligations_and_the_dyad_panel() -> None:
    from allyscope.panel import dyad_years

    directed = dyad_years(years=(1960, 1960), directed=True).add("atop").df
    row = directed.filter(pl.col("ccode1") == USA, pl.col("ccode2") == JPN)
    back = directed.filter(pl.col("ccode1") == JPN, pl.col("ccode2") == USA)
    assert row["atop_defense"].item() == 1 and back["atop_defense"].item() == 0
    p = dyad_years(years=(1946, 2016)).add_many(["atop", "cow_alliance", "us_troops"]).df
    jk = pair(p, JPN, ROK)
    assert (jk["atop_defense"] == 0).all()
    assert jk.filter(pl.col("year") >= 1965)["atop_nonagg"].min() == 1
    assert pair(p, JPN, USA).filter(pl.col("year") < 1952).height == 0  # Japan occupied
    # outside a source's coverage a value is missing, never zero
    assert pair(p, USA, UKG).filter(pl.col("year") == 2014)["cow_defense"].item() is None
    assert pair(p, USA, UKG).filter(pl.col("year") == 2010)["cow_defense"].item() == 1
    assert pair(p, USA, ROK).filter(pl.col("year") == 1949)["us_troops2"].item() is None


# -- UN voting -------------------------------------------------------------------------------


def test_affinity_follows_the_voting_blocs() -> None:
    from allyscope.un.api import affinity

    a = affinity(["USA", "ISR", "CUB", "PRK", "ROK"], years=range(1992, 2019))
    mean = a.group_by("ccode1", "ccode2").agg(pl.col("kappa").mean(), pl.col("n_votes").sum())
    k = {(r["ccode1"], r["ccode2"]): r["kappa"] for r in mean.iter_rows(named=True)}
    assert k[(USA, ISR)] > 0.5 > k[(USA, CUB)]
    assert k[(CUB, PRK)] > k[(USA, CUB)]
    before = affinity(["USA", "ROK"], years=1980)
    assert before["n_votes"].item() == 0 and before["kappa"].item() is None  # not a member


def test_ideal_points_order_the_states_as_declared() -> None:
    from allyscope.un.api import ideal_points

    ip = ideal_points(years=range(1992, 2019))
    mean = dict(ip.group_by("ccode").agg(pl.col("idealpoint").mean()).iter_rows())
    assert min(mean[c] for c in WEST) > max(mean[c] for c in EAST)
    assert mean[USA] > mean[JPN] > mean[IND] > mean[PRK]
    assert (ip["idealpoint_sd"] > 0).all()


# -- networks ---------------------------------------------------------------------------------


def test_hub_and_spoke_in_1955_and_after_the_pact_among_spokes_ended() -> None:
    from allyscope import network

    spokes = ["Japan", "South Korea", "Philippines", "Australia"]
    r55 = network.hub_spoke("USA", states=spokes, years=1955).row(0, named=True)
    r80 = network.hub_spoke("USA", states=spokes, years=1980).row(0, named=True)
    assert r55["n_spokes"] == r80["n_spokes"] == 4
    assert r55["spoke_ties"] == 1  # Philippines-Australia (1955-1977)
    assert r80["spoke_ties"] == 0 and r80["lattice_density"] == 0.0
    g = network.network_sequence(1960)[1960]["defense"]
    assert g.has_edge(USA, JPN) and not g.has_edge(JPN, ROK)


def test_defacto_score_ranks_an_ally_above_a_rival() -> None:
    from allyscope.network import defacto_score as D

    uj = D.defacto("USA", "Japan", (1990, 2016)).select("year", "defacto_score")
    jc = D.defacto("Japan", "China", (1990, 2016)).select("year", "defacto_score")
    both = uj.join(jc, on="year", suffix="_jc")
    assert both.height == 27
    assert (both["defacto_score"] > both["defacto_score_jc"]).all()


# -- cooperation mechanisms ---------------------------------------------------------------------


def test_institutionalization_of_the_world_records() -> None:
    from allyscope.mechanisms import institutionalization

    idx = institutionalization().filter(pl.col("grouping_id") == "us-japan-rok")
    v = dict(idx.select("year", "institutionalization").iter_rows())
    before = max(v[y] for y in range(1999, 2023))
    assert v[1999] > 0 and v[2010] == 0.0  # a one-off dialogue fades; nothing recurs
    assert v[2017] > v[2016] and min(v[2023], v[2024]) > before


# -- forecasts ---------------------------------------------------------------------------------


def test_onsets_follow_the_declared_treaties() -> None:
    from allyscope.forecast.data import onset_events, training_table

    events = onset_events(training_table("defense"))

    def first(a: int, b: int) -> int | None:
        ys = pair(events, a, b)["year"].to_list()
        return ys[0] if ys else None

    assert first(USA, ROK) == 1954
    assert first(CHN, PRK) == 1961
    assert first(JPN, ROK) is None  # non-aggression only
    assert first(USA, JPN) is None  # back in the system in 1952 already allied


def test_models_are_deterministic_saved_and_reused(world) -> None:
    from allyscope.forecast import feature_table as F
    from allyscope.forecast.model import train

    risk = F.features(2010, 2010).filter(pl.col("atop_defense") == 0)
    a = train("logit", trained_through=1990, n_boot=2)
    b = train("logit", trained_through=1990, n_boot=2)
    assert a.path is not None and a.path.is_file() and b.path == a.path
    assert a.data_hash == world.data_hash
    pa, ia = a.horizon_proba(risk, 5, intervals=True)
    pb, ib = b.horizon_proba(risk, 5, intervals=True)
    assert np.array_equal(pa, pb) and np.array_equal(ia, ib)
    assert ((pa >= 0) & (pa <= 1)).all()


def test_backtest_figure_says_how_to_get_the_png(tmp_path: Path, monkeypatch) -> None:
    import importlib.util

    from allyscope.forecast.backtesting import PngSkippedWarning, backtest, write_figure

    res = backtest(["logit"], origins=[1980, 1990], horizon=5)
    assert set(res.table["model"]) == {"logit", "base_rate"}
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "kaleido" else real_find_spec(name, *a),
    )
    with pytest.warns(PngSkippedWarning, match=r"allyscope\[png\]"):
        files = write_figure(res, str(tmp_path / "cal.html"))
    assert files == [str(tmp_path / "cal.html")] and not (tmp_path / "cal.png").exists()
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_figure(res, str(tmp_path / "cal2.html"), on_skip=notes.append)
    assert len(notes) == 1 and "uv sync --extra png" in notes[0]
