"""State-year and dyad-year panels: membership rules and facts a peace scientist checks."""

from __future__ import annotations

import math

import polars as pl
import pytest

from allyscope.errors import AllyscopeError, InvalidInputError, UnknownNameError
from allyscope.panel import dyad_years, joint_exercises, state_years
from allyscope.store import Warehouse

USA, CAN, MEX, UK, RUS, CHN, PRK, ROK, JPN = 2, 20, 70, 200, 365, 710, 731, 732, 740


@pytest.fixture(scope="module")
def full(wh: Warehouse):
    """The full non-directed COW panel 1816-2016 with the eight benchmark add-ons."""
    p = dyad_years(years=(1816, 2016))
    for name in (
        "atop",
        "nmc",
        "contiguity",
        "igo",
        "mindist",
        "td_rivalries",
        "majors",
        "gml_mids",
    ):
        p = p.add(name)
    return p


def dyad(df: pl.DataFrame, a: int, b: int) -> dict[int, dict]:
    lo, hi = min(a, b), max(a, b)
    rows = df.filter((pl.col("ccode1") == lo) & (pl.col("ccode2") == hi))
    return {r["year"]: r for r in rows.iter_rows(named=True)}


# -- membership -------------------------------------------------------------------------


def test_cow_state_counts_match_the_published_list(wh: Warehouse) -> None:
    # independent: count spells covering the year straight from cow_states
    for year, known in ((1816, 23), (1946, 66), (2016, 195)):
        raw = wh.sql(
            f"SELECT count(DISTINCT ccode) AS n FROM cow_states WHERE styear <= {year} AND endyear >= {year}"
        )["n"][0]
        got = state_years(years=(year, year)).height
        assert got == raw == known


def test_dyad_years_count_and_direction(full) -> None:
    assert full.height == 956_145
    assert (full.df["ccode1"] < full.df["ccode2"]).all()
    directed = dyad_years(years=(1816, 2016), directed=True)
    assert directed.height == 2 * full.height
    assert directed.df.select(pl.struct("ccode1", "ccode2", "year").is_unique().all()).item()


def test_dyads_never_coexisting_on_a_day_are_dropped(wh: Warehouse) -> None:
    for system, table, code in (
        ("cow", "false_cow_dyads", "ccode"),
        ("gw", "false_gw_dyads", "gwcode"),
    ):
        c1, c2 = f"{code}1", f"{code}2"
        sy = state_years(system).df
        # every pair of states that are members in the same year (any day)
        naive = (
            sy.join(sy, on="year", suffix="_b")
            .filter(pl.col(code) < pl.col(f"{code}_b"))
            .select(pl.col(code).alias(c1), pl.col(f"{code}_b").alias(c2), "year")
        )
        dropped = naive.join(dyad_years(system).df, on=[c1, c2, "year"], how="anti")
        listed = wh.table(table).filter(pl.col(c1) < pl.col(c2)).select(c1, c2, "year")
        # the GW table also lists microstates, which the GW list used here leaves out
        listed = listed.join(naive, on=[c1, c2, "year"], how="semi")
        assert dropped.sort(c1, c2, "year").equals(listed.sort(c1, c2, "year"))
        assert dropped.height > 0


def test_gw_panel_uses_gw_codes_and_list_end(wh: Warehouse) -> None:
    p = state_years("gw", years=(2020, 2020))
    raw = wh.sql(
        "SELECT count(*) AS n FROM gw_system_isard WHERE microstate = 0 AND "
        "startdate <= DATE '2020-12-31' AND enddate >= DATE '2020-01-01'"
    )["n"][0]
    assert p.height == raw and "gwcode" in p.columns
    with pytest.raises(InvalidInputError, match="ends in 2020"):
        state_years("gw", years=(2000, 2021))


def test_gw_list_to_2020_agrees_with_the_published_list_to_2017(wh: Warehouse) -> None:
    # isard's list (independent states) against peacesciencer's copy of the GW list
    new = state_years("gw", years=(1816, 2017)).df
    old = wh.sql(
        "SELECT DISTINCT gwcode::INTEGER AS gwcode, y::INTEGER AS year FROM gw_states, "
        "LATERAL (SELECT unnest(range(year(startdate), year(enddate) + 1)) AS y) "
        "WHERE y <= 2017"
    )
    assert new.join(old, on=["gwcode", "year"], how="anti").height == 0
    assert old.join(new, on=["gwcode", "year"], how="anti").height == 0


def test_cow_list_runs_to_2024_with_south_sudan_from_2011(wh: Warehouse) -> None:
    p = state_years(years=(2010, 2024))
    ssd = p.df.filter(pl.col("ccode") == 626)["year"]
    assert ssd.min() == 2011 and ssd.max() == 2024
    assert p.df.filter(pl.col("year") == 2024).height == 195
    assert state_years().years == (1816, 2024)
    # Serbia continues Yugoslavia's code (345) after June 2006
    assert p.df.filter(pl.col("ccode") == 345)["year"].to_list() == list(range(2010, 2025))


def test_mry_extends_states_alive_at_the_end_of_the_list(wh: Warehouse) -> None:
    from allyscope.sources.bounds import current_year

    last = current_year()  # the latest year of the data, not the calendar's
    assert last >= 2025
    p = state_years(years=(2024, last), mry=True)
    alive = set(state_years(years=(2024, 2024)).df["ccode"].to_list())
    assert set(p.df.filter(pl.col("year") == last)["ccode"].to_list()) == alive
    assert p.meta["mry"] == last and "2024-12-31" in p.meta["mry_note"]
    assert dyad_years(years=(2016, 2016)).meta["mry"] is None
    gw = state_years("gw", years=(2020, 2024), mry=2024)
    assert gw.meta["mry"] == 2024 and "2020-12-31" in gw.meta["mry_note"]


def test_politically_relevant_dyads(full) -> None:
    pr = dyad_years(years=(1990, 2000), politically_relevant=True).df
    assert pr.height > 0
    ok = (pr["cow_conttype"] >= 1) | (pr["cow_majpow1"] == 1) | (pr["cow_majpow2"] == 1)
    assert ok.all()
    base = full.df.filter(pl.col("year").is_between(1990, 2000))
    expected = base.filter(
        (pl.col("cow_conttype") >= 1) | (pl.col("cow_majpow1") == 1) | (pl.col("cow_majpow2") == 1)
    )
    assert pr.height == expected.height
    assert dyad(pr, JPN, ROK) and dyad(pr, USA, JPN) and not dyad(pr, 910, 920)  # PNG-NZ not


# -- alliances ----------------------------------------------------------------------------


def test_usa_japan_defense_pact(wh: Warehouse, full) -> None:
    d = dyad(full.df, USA, JPN)
    # Japan re-entered the COW system in April 1952 (occupation ended): no dyad in 1951
    assert 1951 not in d and 1952 in d
    assert all(d[y]["atop_defense"] == 1 for y in range(1952, 2017))
    # ATOP dates the treaty to its 1951 signing
    raw = wh.sql(
        "SELECT atop_defense FROM atop_alliance WHERE ccode1 = 2 AND ccode2 = 740 AND year = 1951"
    )
    assert raw["atop_defense"].to_list() == [1]
    ext = dyad(dyad_years(years=(2017, 2018), mry=True).add("atop").df, USA, JPN)
    assert ext[2017]["atop_defense"] == ext[2018]["atop_defense"] == 1


def test_usa_korea_defense_pact_from_1953(full) -> None:
    d = dyad(full.df, USA, ROK)
    assert [d[y]["atop_defense"] for y in (1949, 1950, 1951, 1952)] == [0, 0, 0, 0]
    assert all(d[y]["atop_defense"] == 1 for y in range(1953, 2017))


def test_japan_korea_non_aggression_without_defense(full) -> None:
    d = dyad(dyad_years(years=(1952, 2018), mry=True).add("atop").df, JPN, ROK)
    assert all(r["atop_defense"] == 0 for r in d.values())
    assert [y for y, r in d.items() if r["atop_nonagg"] == 1] == list(range(2004, 2019))


def test_china_north_korea_defense_from_1961(full) -> None:
    d = dyad(full.df, CHN, PRK)
    assert d[1960]["atop_defense"] == 0
    assert all(d[y]["atop_defense"] == 1 for y in range(1961, 2017))


def test_atop_any_is_the_union_of_obligations(full) -> None:
    df = full.df
    union = pl.max_horizontal(
        "atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"
    )
    assert df.select((pl.col("atop_any") == union).all()).item()


def test_cow_alliance_types(wh: Warehouse) -> None:
    df = dyad_years(years=(1949, 2012)).add("cow_alliance").df
    assert dyad(df, USA, UK)[1950]["cow_defense"] == 1  # NATO
    assert dyad(df, USA, RUS)[1950]["cow_defense"] == 0


# -- conflict -----------------------------------------------------------------------------


def test_korean_war_is_a_mid_with_north_korea_and_china(full) -> None:
    df = dyad_years(years=(1946, 2014)).add("gml_mids").add("cow_mids").df
    for other in (PRK, CHN):
        d = dyad(df, USA, other)
        for y in range(1950, 1954):
            assert d[y]["gml_mid_ongoing"] == 1 and d[y]["cow_mid_ongoing"] == 1
            assert d[y]["gml_mid_hostlev"] == 5  # war
    assert dyad(df, USA, PRK)[1950]["gml_mid_onset"] == 1


def test_mid_collapse_matches_the_dispute_table(wh: Warehouse, full) -> None:
    raw = wh.sql(
        "SELECT DISTINCT least(ccode1, ccode2) AS ccode1, greatest(ccode1, ccode2) AS ccode2, year "
        "FROM gml_mid_ddydisps WHERE year BETWEEN 1816 AND 2010"
    )
    ongoing = full.df.filter(pl.col("gml_mid_ongoing") == 1).select("ccode1", "ccode2", "year")
    # every dyad-year with an ongoing dispute is in the panel (both states members)
    assert ongoing.height == raw.join(full.df, on=["ccode1", "ccode2", "year"]).height


def test_peace_years_count_from_the_last_onset(wh: Warehouse, full) -> None:
    raw = wh.sql("SELECT ccode1, ccode2, year FROM gml_mid_ddydisps WHERE gmlmidonset = 1")
    onsets: dict[tuple[int, int], list[int]] = {}
    for a, b, y in raw.iter_rows():
        onsets.setdefault((min(a, b), max(a, b)), []).append(y)
    for a, b in ((USA, RUS), (USA, CHN), (CHN, 750), (USA, JPN), (UK, 220)):
        d = dyad(full.df, a, b)
        first = min(d)
        for y in sorted(d):
            if y > 2010:
                assert d[y]["gml_mid_peaceyears"] is None
                continue
            before = [o for o in onsets.get((min(a, b), max(a, b)), []) if o <= y]
            expected = y - max(before) if before else y - first
            assert d[y]["gml_mid_peaceyears"] == expected, (a, b, y)


# -- other add-ons -----------------------------------------------------------------------


def test_nulls_outside_coverage_zero_inside(full) -> None:
    df = full.df
    late = df.filter(pl.col("year") > 2014)
    assert late["cow_igo_joint"].null_count() == late.height
    assert df.filter(pl.col("year") > 2010)["gml_mid_onset"].null_count() > 0
    assert df.filter(pl.col("year") <= 2010)["gml_mid_onset"].null_count() == 0
    assert (
        df.filter(pl.col("year") < 1886)["cshapes_mindist"].null_count()
        == df.filter(pl.col("year") < 1886).height
    )
    assert df["atop_defense"].null_count() == 0  # 1816-2016 is inside ATOP's 1815-2018
    assert df.filter(pl.col("year") > 2010)["td_rivalry"].null_count() > 0


def test_contiguity_and_distance(wh: Warehouse, full) -> None:
    df = full.df
    assert dyad(df, USA, CAN)[2000]["cow_conttype"] == 1
    assert dyad(df, USA, MEX)[2000]["cow_conttype"] == 1
    d = dyad(df, USA, RUS)
    assert d[1958]["cow_conttype"] == 0 and d[1959]["cow_conttype"] == 2  # Bering Strait
    assert dyad(df, USA, CAN)[2000]["cshapes_mindist"] == 0
    raw = wh.sql(
        "SELECT mindist FROM cow_mindist WHERE ccode1 = 2 AND ccode2 = 740 AND year = 2000"
    )
    assert dyad(df, USA, JPN)[2000]["cshapes_mindist"] == pytest.approx(raw["mindist"][0])
    cap = dyad(dyad_years(years=(2000, 2000)).add("capdist").df, USA, JPN)[2000]["capdist"]
    assert cap == pytest.approx(10_900, rel=0.01)  # Washington-Tokyo, about 10,900 km
    sy = state_years(years=(2000, 2000)).add("contiguity").df
    borders = {r["ccode"]: r for r in sy.iter_rows(named=True)}
    assert borders[CHN]["cow_land_borders"] == 14  # China's fourteen land neighbours
    assert borders[USA]["cow_land_borders"] == 2 and borders[JPN]["cow_land_borders"] == 0


def test_major_powers_and_capabilities(wh: Warehouse, full) -> None:
    d = dyad(full.df, USA, UK)
    assert (
        d[1897]["cow_majpow1"] == 0 and d[1898]["cow_majpow1"] == 1 and d[1897]["cow_majpow2"] == 1
    )
    china = dyad(full.df, USA, CHN)
    assert china[1949]["cow_majpow2"] == 0 and china[1950]["cow_majpow2"] == 1
    r = dyad(full.df, USA, JPN)[1990]
    raw = dict(
        wh.sql(
            "SELECT ccode, cinc FROM cow_nmc WHERE year = 1990 AND ccode IN (2, 740)"
        ).iter_rows()
    )
    assert r["nmc_cinc1"] == pytest.approx(raw[2]) and r["nmc_cinc2"] == pytest.approx(raw[740])
    assert r["nmc_cinc_share1"] == pytest.approx(raw[2] / (raw[2] + raw[740]))
    assert r["nmc_cinc_ratio"] == pytest.approx(raw[2] / raw[740])


def test_rivalries(full) -> None:
    assert dyad(full.df, USA, RUS)[1960]["td_rivalry"] == 1
    assert dyad(full.df, USA, CAN)[1960]["td_rivalry"] == 0
    tss = dyad(dyad_years(years=(2015, 2016)).add("tss_rivalries").df, CHN, JPN)
    assert tss[2016]["tss_rivalry"] == 1


def test_igos(wh: Warehouse, full) -> None:
    raw = wh.sql(
        "SELECT dyadigos FROM cow_igo_ndy WHERE ccode1 = 2 AND ccode2 = 740 AND year = 2000"
    )
    assert dyad(full.df, USA, JPN)[2000]["cow_igo_joint"] == raw["dyadigos"][0]
    sy = state_years(years=(2000, 2000)).add("igo").df.filter(pl.col("ccode") == JPN)
    raw = wh.sql("SELECT sum_igo_full FROM cow_igo_sy WHERE ccode = 740 AND year = 2000")
    assert sy["cow_igo_full"][0] == raw["sum_igo_full"][0]


def test_democracy_weak_link(wh: Warehouse) -> None:
    df = dyad_years(years=(2000, 2010)).add("democracy").df
    both = df.filter(pl.col("polity2_1").is_not_null() & pl.col("polity2_2").is_not_null())
    assert both.select(
        (pl.col("polity2_min") == pl.min_horizontal("polity2_1", "polity2_2")).all()
    ).item()
    assert (
        df.filter(pl.col("polity2_1").is_null())["polity2_min"].null_count()
        == df.filter(pl.col("polity2_1").is_null()).height
    )
    r = dyad(df, USA, JPN)[2005]
    assert r["polity2_1"] == 10 and r["polity2_2"] == 10 and r["v2x_polyarchy_min"] > 0.7


def test_leaders_trade_gdp_state_years(wh: Warehouse) -> None:
    sy = state_years(years=(1990, 2014)).add("leaders").add("trade").add("sdp_gdp").df
    usa = {r["year"]: r for r in sy.filter(pl.col("ccode") == USA).iter_rows(named=True)}
    assert usa[1993]["archigos_leadertransition"] == 1  # Bush to Clinton
    assert usa[1995]["archigos_leadertransition"] == 0
    assert usa[2000]["cow_trade_imports"] > usa[2000]["cow_trade_exports"] > 0
    assert math.exp(usa[2000]["wbpopest"]) == pytest.approx(282e6, rel=0.05)
    # West Germany (COW 260) maps to GW 260 in the leader data
    fed = sy.filter((pl.col("ccode") == 260) & (pl.col("year") == 1990))
    assert fed["archigos_n_leaders"][0] >= 1


def test_us_troops_and_bases(wh: Warehouse) -> None:
    df = dyad_years(years=(2000, 2001)).add("us_troops").add("us_bases").df
    raw = wh.sql("SELECT sum(troops_ad) AS t FROM us_troops WHERE ccode = 740 AND year = 2000")[
        "t"
    ][0]
    r = dyad(df, USA, JPN)[2000]
    assert r["us_troops_partner"] == r["us_troops2"] == raw > 30_000
    assert dyad(df, JPN, ROK)[2000]["us_troops_partner"] is None
    assert (
        r["us_bases2"] > 0 and r["us_bases2"] == dyad(df, USA, JPN)[2001]["us_bases2"]
    )  # snapshot
    sy = state_years(years=(1945, 1951)).add("us_troops").df
    assert (
        sy.filter(pl.col("year") < 1950)["us_troops"].null_count()
        == sy.filter(pl.col("year") < 1950).height
    )


def test_joint_exercises_match_the_raw_file(wh: Warehouse) -> None:
    df = dyad_years(years=(1980, 2010)).add("mme", names=True).df
    m = wh.table("mme_exercises")
    cols = [c for c in m.columns if c.startswith("state_")]
    # independent count: exercises starting in 2005 listing both "United States" and "Japan"
    expected = 0
    for row in m.filter(pl.col("start_year") == 2005).iter_rows(named=True):
        names = {row[c] for c in cols if row[c]}
        if {"United States", "Japan"} <= names:
            expected += 1
    r = dyad(df, USA, JPN)[2005]
    assert r["mme_joint_exercises"] == expected > 0
    assert len(r["mme_exercise_names"]) == expected
    listed = joint_exercises("USA", "Japan", 2005)
    assert sorted(listed["exercise_name"].to_list()) == sorted(r["mme_exercise_names"])
    assert dyad(df, USA, PRK)[2005]["mme_joint_exercises"] == 0
    west = dyad(df, USA, 260)[1985]["mme_joint_exercises"]  # "Germany" before 1990 is West Germany
    assert west > 0


def test_directed_panels(wh: Warehouse) -> None:
    df = dyad_years(years=(1960, 1960), directed=True).add("atop").add("nmc").add("contiguity").df
    ab = df.filter((pl.col("ccode1") == USA) & (pl.col("ccode2") == JPN)).row(0, named=True)
    ba = df.filter((pl.col("ccode1") == JPN) & (pl.col("ccode2") == USA)).row(0, named=True)
    # ATOP is directed: the US owes Japan defense, Japan owes the US consultation only
    raw = dict(
        wh.sql(
            "SELECT ccode1, atop_defense FROM atop_alliance WHERE year = 1960 "
            "AND ((ccode1 = 2 AND ccode2 = 740) OR (ccode1 = 740 AND ccode2 = 2))"
        ).iter_rows()
    )
    assert (ab["atop_defense"], ba["atop_defense"]) == (raw[USA], raw[JPN]) == (1, 0)
    assert ab["atop_consul"] == ba["atop_consul"] == 1
    nd = dyad(dyad_years(years=(1960, 1960)).add("atop").df, USA, JPN)[1960]
    assert nd["atop_defense"] == 1  # non-directed: an obligation in either direction
    assert ab["nmc_cinc1"] == ba["nmc_cinc2"] and ab["cow_conttype"] == ba["cow_conttype"]


def test_gw_panels_translate_cow_sources(wh: Warehouse) -> None:
    df = dyad_years("gw", years=(2000, 2010)).add("atop").add("contiguity").df
    d = {
        r["year"]: r
        for r in df.filter((pl.col("gwcode1") == 2) & (pl.col("gwcode2") == 740)).iter_rows(
            named=True
        )
    }
    assert d[2005]["atop_defense"] == 1
    assert (
        df.filter((pl.col("gwcode1") == 2) & (pl.col("gwcode2") == 20))["cow_conttype"].to_list()[0]
        == 1
    )


# -- outputs and citations ---------------------------------------------------------------------


def test_outputs_and_citations(wh: Warehouse, tmp_path) -> None:
    p = dyad_years(years=(2000, 2001)).add_atop().add_nmc()
    assert "leeds2002atop" in p.citations() and "singer1972nmc" in p.citations()
    assert "cow2024states" in p.citations()
    assert p.sources == ("cow_states_v2024", "atop_alliance", "cow_nmc")
    assert p.to_pandas().shape == (p.height, len(p.columns))
    meta = p.to_arrow().schema.metadata[b"allyscope"]
    assert b'"system": "cow"' in meta
    for ext in ("parquet", "csv", "dta", "feather"):
        path = p.write(tmp_path / f"dy.{ext}")
        assert path.stat().st_size > 0
    back = pl.read_parquet(tmp_path / "dy.parquet")
    assert back.equals(p.df)
    assert pl.read_csv(tmp_path / "dy.csv").height == p.height


# -- bad input ---------------------------------------------------------------------------------


def test_bad_input_is_one_actionable_error(wh: Warehouse) -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'atop'"):
        dyad_years(years=(2000, 2000)).add("atopp")
    with pytest.raises(InvalidInputError, match="inverted"):
        dyad_years(years=(2000, 1990))
    with pytest.raises(InvalidInputError, match="outside the COW state list"):
        state_years(years=(1700, 1750))
    with pytest.raises(InvalidInputError, match="ends in 2024") as exc:
        dyad_years(years=(2000, 2026))
    assert "mry" in (exc.value.hint or "")
    with pytest.raises(AllyscopeError, match="covers 1816-2010"):
        dyad_years(years=(2012, 2016)).add("gml_mids")
    with pytest.raises(AllyscopeError, match="dyad-year panels"):
        state_years(years=(2000, 2000)).add("atop")
    with pytest.raises(InvalidInputError, match="already has"):
        dyad_years(years=(2000, 2000)).add("atop").add("atop_alliance")
    with pytest.raises(UnknownNameError, match="state system"):
        state_years("cw")


def test_missing_warehouse_names_the_command(isolated_home) -> None:
    from allyscope.panel import core

    core.clear_cache()
    with pytest.raises(AllyscopeError) as exc:
        dyad_years(years=(2000, 2000))
    assert "allyscope data build" in str(exc.value)


def test_state_year_disputes_and_peace_years(wh: Warehouse) -> None:
    sy = state_years(years=(1946, 2016)).add("gml_mids").df.filter(pl.col("ccode") == JPN)
    raw = wh.sql(
        "SELECT DISTINCT year FROM gml_mid_ddydisps WHERE ccode1 = 740 AND gmlmidonset = 1"
    )
    onsets = sorted(raw["year"].to_list())
    for r in sy.iter_rows(named=True):
        y = r["year"]
        if y > 2010:
            assert r["gml_mid_peaceyears"] is None and r["gml_mid_onset"] is None
            continue
        assert r["gml_mid_onset"] == (1 if y in onsets else 0)
        assert r["gml_mid_peaceyears"] == y - max(o for o in onsets if o <= y)  # 1945 onsets exist


def test_list_columns_need_a_format_that_holds_them(wh: Warehouse, tmp_path) -> None:
    p = dyad_years(years=(2005, 2005)).add("mme", names=True)
    with pytest.raises(InvalidInputError, match="list columns"):
        p.write(tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    back = pl.read_parquet(p.write(tmp_path / "x.parquet"))
    assert back["mme_exercise_names"].dtype == pl.List(pl.String)
