"""The add-on registry: registration, lookup, the contract it enforces, coverage masking."""

from __future__ import annotations

import polars as pl
import pytest

from allyscope.errors import UnknownNameError
from allyscope.panel import addons, dyad_years, state_years
from allyscope.panel.addons import AddOn, AddOnError, join_dyad_vars, join_state_vars
from allyscope.store import Warehouse


@pytest.fixture
def temp_addon():
    names: list[str] = []

    def make(name: str, func, **kw) -> AddOn:
        kw.setdefault("units", ("dyad-year", "state-year"))
        kw.setdefault("sources", ())
        kw.setdefault("coverage", (2000, 2005))
        kw.setdefault("definition", "test column")
        a = addons.register(AddOn(name=name, func=func, **kw))
        names.append(name)
        return a

    yield make
    for n in names:
        addons.unregister(n)


def test_builtins_are_registered_with_definitions() -> None:
    names = {a.name for a in addons.available()}
    expected = {
        "atop", "cow_alliance", "nmc", "contiguity", "mindist", "capdist", "igo",
        "td_rivalries", "tss_rivalries", "gml_mids", "cow_mids", "majors", "democracy",
        "sdp_gdp", "leaders", "trade", "us_troops", "us_bases", "mme",
    }  # fmt: skip
    assert expected <= names
    for a in addons.available():
        if a.module != "allyscope.panel.builtin":
            continue
        d = a.describe()
        assert d["definition"] and d["citations"], a.name
    assert {a.name for a in addons.available(unit="state-year")} >= {"nmc", "trade", "igo"}
    assert "atop" not in {a.name for a in addons.available(unit="state-year")}


def test_lookup_by_alias_case_and_dash() -> None:
    assert addons.get("Capabilities").name == "nmc"
    assert addons.get("minimum-distance").name == "mindist"
    assert [a.name for a in addons.parse_names("atop, nmc igo")] == ["atop", "nmc", "igo"]
    with pytest.raises(UnknownNameError) as exc:
        addons.get("contiguty")
    assert "contiguity" in exc.value.suggestions


def test_name_clashes_are_refused(temp_addon) -> None:
    with pytest.raises(ValueError, match="already used"):
        temp_addon("my_test_addon", lambda df, ctx: df, aliases=("nmc",))
    with pytest.raises(ValueError, match="snake_case"):
        AddOn(
            name="Bad Name",
            func=lambda df, ctx: df,
            units=("dyad-year",),
            sources=(),
            coverage=None,
            definition="x",
        )


def test_registered_addon_becomes_a_method_and_is_masked_outside_coverage(
    wh: Warehouse, temp_addon
) -> None:
    def func(df, ctx, value: int = 7):
        return df.with_columns(pl.lit(value, pl.Int32).alias("test_value"))

    temp_addon("test_const", func, options={"value": "the constant"})
    p = dyad_years(years=(1998, 2007)).add_test_const(value=3)
    by_year = p.df.group_by("year").agg(
        pl.col("test_value").max(), pl.col("test_value").null_count().alias("n")
    )
    got = {r["year"]: r for r in by_year.iter_rows(named=True)}
    assert got[2000]["test_value"] == 3 and got[2005]["n"] == 0
    assert got[1999]["test_value"] is None and got[2006]["test_value"] is None
    assert p.addons == ("test_const",)
    with pytest.raises(AddOnError, match="covers 2000-2005"):
        dyad_years(years=(2010, 2012)).add("test_const")
    with pytest.raises(Exception, match="no option"):
        dyad_years(years=(2000, 2001)).add("test_const", colour="red")


def test_contract_violations_are_caught(wh: Warehouse, temp_addon) -> None:
    temp_addon("test_drops_rows", lambda df, ctx: df.head(5).with_columns(pl.lit(1).alias("x")))
    temp_addon("test_reorders", lambda df, ctx: df.reverse().with_columns(pl.lit(1).alias("x")))
    temp_addon("test_adds_nothing", lambda df, ctx: df)
    p = state_years(years=(2000, 2001))
    with pytest.raises(AddOnError, match="number of rows"):
        p.add("test_drops_rows")
    with pytest.raises(AddOnError, match="reordered"):
        p.add("test_reorders")
    with pytest.raises(AddOnError, match="added no column"):
        p.add("test_adds_nothing")


def test_join_helpers_handle_both_orders_and_systems(wh: Warehouse, temp_addon) -> None:
    table = pl.DataFrame(
        {"ccode1": [740, 2], "ccode2": [2, 732], "year": [2001, 2001], "v": [5, 6]}
    )

    def dyadic(df, ctx):
        return join_dyad_vars(df, ctx, table, ["v"], code="ccode", fill={"v": 0})

    states = pl.DataFrame({"ccode": [740, 260], "year": [2001, 1980], "s": [1.5, 2.5]})

    def statewise(df, ctx):
        return join_state_vars(df, ctx, states, ["s"], code="ccode")

    temp_addon("test_dyadic", dyadic, units=("dyad-year",), coverage=(2000, 2002))
    temp_addon("test_state", statewise, coverage=(1970, 2002))
    d = dyad_years(years=(2001, 2001), directed=True).add("test_dyadic").add("test_state").df
    row = d.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 740)).row(0, named=True)
    back = d.filter((pl.col("ccode1") == 740) & (pl.col("ccode2") == 2)).row(0, named=True)
    assert row["v"] == back["v"] == 5 and row["s2"] == back["s1"] == 1.5 and row["s1"] is None
    assert d.filter((pl.col("ccode1") == 20) & (pl.col("ccode2") == 70))["v"][0] == 0
    gw = dyad_years("gw", years=(2001, 2001)).add("test_dyadic").df
    assert gw.filter((pl.col("gwcode1") == 2) & (pl.col("gwcode2") == 732))["v"][0] == 6
    # COW 260 (West Germany) in 1980 is GW 260
    sy = state_years("gw", years=(1980, 1980)).add("test_state").df
    assert sy.filter(pl.col("gwcode") == 260)["s"][0] == 2.5


def test_duplicate_keys_in_an_addon_table_are_an_error(wh: Warehouse, temp_addon) -> None:
    table = pl.DataFrame(
        {"ccode1": [2, 740], "ccode2": [740, 2], "year": [2001, 2001], "v": [1, 2]}
    )
    temp_addon(
        "test_dups", lambda df, ctx: join_dyad_vars(df, ctx, table, ["v"]), units=("dyad-year",)
    )
    with pytest.raises(AddOnError, match="more than once"):
        dyad_years(years=(2001, 2001)).add("test_dups")


def test_citations_follow_the_sources(wh: Warehouse) -> None:
    p = state_years(years=(2000, 2001)).add("democracy").add("leaders")
    assert p.sources == (
        "cow_states_v2024",
        "cow_democracy_isard",
        "ccode_democracy",
        "archigossums",
        "reign_leaders",
        "gw_cow_panel",
    )
    text = p.citations()
    for key in ("coppedge2026vdem", "marshall2017polity", "goemans2009archigos", "bell2021reign"):
        assert "{" + key + "," in text


def test_panels_pickle_without_their_scratch_cache(wh: Warehouse) -> None:
    import pickle

    p = dyad_years(years=(2000, 2000)).add("atop")
    q = pickle.loads(pickle.dumps(p))
    assert q.df.equals(p.df) and q.addons == ("atop",) and q.sources == p.sources
    assert q.add("nmc").df.select("nmc_cinc1").equals(p.add("nmc").df.select("nmc_cinc1"))
