"""Every layer to its last public year: leaders, troops, democracy, capabilities."""

from __future__ import annotations

import polars as pl
import pytest

from allyscope.panel import state_years

pytestmark = pytest.mark.data

USA, KOR, JPN, DEU, NOR, PRK, CHN = 2, 732, 740, 255, 385, 731, 710


@pytest.fixture(scope="module")
def sy(wh) -> pl.DataFrame:
    p = state_years(years=(2010, 2025), mry=True)
    return p.add("leaders").add("us_troops").add("democracy").add("nmc").df


def _v(df: pl.DataFrame, code: int, year: int, col: str):
    return df.filter((pl.col("ccode") == code) & (pl.col("year") == year))[col][0]


def test_leader_transitions_join_archigos_and_reign(sy: pl.DataFrame) -> None:
    # South Korea: Park suspended and Hwang acting from December 2016, Moon from May 2017
    assert _v(sy, KOR, 2016, "leaders_transition") == 1
    assert _v(sy, KOR, 2017, "leaders_transition") == 1
    assert _v(sy, KOR, 2018, "leaders_transition") == 0
    # 2022 (Yoon) is after REIGN's last update: unknown, not "no change"
    assert _v(sy, KOR, 2022, "leaders_transition") is None
    # Japan: Abe to Suga in September 2020; Suga to Kishida in October 2021 is not observed
    assert _v(sy, JPN, 2020, "leaders_transition") == 1
    assert _v(sy, JPN, 2021, "leaders_transition") is None
    assert _v(sy, JPN, 2021, "leaders_source") == "reign_partial"
    # United States: Trump in January 2017, Biden in January 2021 (within REIGN's window)
    assert _v(sy, USA, 2017, "leaders_transition") == 1
    assert _v(sy, USA, 2021, "leaders_transition") == 1
    assert _v(sy, USA, 2019, "leaders_transition") == 0
    assert _v(sy, USA, 2015, "leaders_source") == "archigos"
    assert _v(sy, USA, 2016, "leaders_source") == "reign"


def test_reign_agrees_with_archigos_where_both_exist(wh) -> None:
    # the join is only sound if the two sources code transitions alike: compare 1990-2015
    # the REIGN rule of the add-on (allyscope.panel.builtin.reign_years), over earlier years
    reign = wh.sql(
        "SELECT ccode, start_year, coalesce(end_year, 9999) AS end_year, "
        "row_number() OVER (PARTITION BY ccode ORDER BY start_year, start_month, start_day) AS nth "
        "FROM reign_leaders"
    )
    years = pl.DataFrame({"year": pl.int_range(1990, 2016, eager=True, dtype=pl.Int32)})
    r = (
        reign.join(years, how="cross")
        .filter((pl.col("start_year") <= pl.col("year")) & (pl.col("end_year") >= pl.col("year")))
        .group_by(pl.col("ccode").cast(pl.Int32), "year")
        .agg(((pl.col("start_year") == pl.col("year")) & (pl.col("nth") > 1)).any().alias("r"))
    )
    a = (
        state_years(years=(1990, 2015))
        .add("leaders")
        .df.select("ccode", "year", (pl.col("archigos_leadertransition") == 1).alias("a"))
    )
    j = a.join(r, on=["ccode", "year"], how="inner").drop_nulls()
    assert j.height > 3000
    agree = (j["a"] == j["r"]).mean()
    assert agree > 0.9, agree


def test_troops_reach_2025_without_the_quarterly_double_counts(sy: pl.DataFrame) -> None:
    for code in (JPN, KOR, DEU):
        y24, y25 = _v(sy, code, 2024, "us_troops"), _v(sy, code, 2025, "us_troops")
        # no drawdown or doubling was announced in 2025: the linked value stays near 2024's
        assert y25 is not None and 0.85 < y25 / y24 < 1.15, (code, y24, y25)
    assert 20_000 < _v(sy, KOR, 2025, "us_troops") < 35_000  # about 28,500 authorized


def test_democracy_to_2025_and_capabilities_to_2022(sy: pl.DataFrame) -> None:
    assert _v(sy, NOR, 2024, "v2x_polyarchy") > 0.85
    assert _v(sy, PRK, 2024, "v2x_polyarchy") < 0.1
    assert _v(sy, NOR, 2025, "euds") > _v(sy, PRK, 2025, "euds")
    assert sy.filter(pl.col("year") == 2025)["euds"].drop_nulls().len() > 150
    assert sy.filter(pl.col("year") == 2018)["polity2"].drop_nulls().len() > 150
    assert sy.filter(pl.col("year") == 2021)["polity2"].drop_nulls().len() == 0  # Polity5 ends
    assert sy.filter(pl.col("year") == 2025)["v2x_polyarchy"].drop_nulls().len() > 150
    # NMC 6.0 to 2022: China's composite capability index above the United States'
    assert _v(sy, CHN, 2022, "nmc_cinc") > _v(sy, USA, 2022, "nmc_cinc")
    assert _v(sy, USA, 2023, "nmc_cinc") is None
