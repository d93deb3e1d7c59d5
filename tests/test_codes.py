"""Country-code crosswalk and name resolution."""

from __future__ import annotations

import polars as pl
import pytest

from allyscope import codes
from allyscope.errors import InvalidInputError, UnknownCountryError


@pytest.fixture(autouse=True)
def _warehouse(wh):  # every test here needs the built warehouse
    return wh


@pytest.mark.parametrize(
    ("query", "ccode"),
    [
        ("South Korea", 732),
        ("Republic of Korea", 732),
        ("ROK", 732),
        ("KOR", 732),
        ("KR", 732),
        ("732", 732),
        (740, 740),
        ("Japan", 740),
        ("JPN", 740),
        ("United States", 2),
        ("USA", 2),
        ("North Korea", 731),
        ("DPRK", 731),
        ("PRK", 731),
        ("China", 710),
        ("CHN", 710),
        ("Taiwan", 713),
        ("Russia", 365),
        ("Soviet Union", 365),
        ("Philippines", 840),
        ("PHL", 840),
        ("Australia", 900),
        ("United Kingdom", 200),
    ],
)
def test_resolve_common_names(query: str | int, ccode: int) -> None:
    assert codes.resolve(query) == ccode


@pytest.mark.parametrize(
    ("query", "year", "ccode"),
    [
        ("Germany", 1938, 255),
        ("Germany", 1970, 260),
        ("Germany", 2000, 255),
        ("West Germany", None, 260),
        ("East Germany", None, 265),
        ("Yemen", 1980, 678),
        ("Yemen", 2000, 679),
        ("South Yemen", None, 680),
        ("Vietnam", 1965, 816),
        ("South Vietnam", None, 817),
        ("Serbia", 2010, 345),
        ("Yugoslavia", 1960, 345),
        ("Czechoslovakia", None, 315),
        ("Czech Republic", None, 316),
    ],
)
def test_year_aware_resolution(query: str, year: int | None, ccode: int) -> None:
    assert codes.resolve(query, year) == ccode


def test_crosswalk_maps_cow_to_gw_where_they_differ() -> None:
    cw = codes.crosswalk()

    def gw(c: int, y: int) -> int | None:
        row = cw.filter((pl.col("ccode") == c) & (pl.col("year") == y))
        return row["gwcode"][0] if row.height else None

    assert gw(2, 2000) == 2
    assert gw(255, 2000) == 260  # GW codes unified Germany as 260
    assert gw(679, 2000) == 678  # and unified Yemen as 678
    assert gw(345, 2010) == 340  # Serbia after 2006
    assert gw(345, 1990) == 345  # Yugoslavia


def test_crosswalk_iso_codes_follow_history() -> None:
    assert codes.iso3(365, 1980) == "SUN"
    assert codes.iso3(365, 2000) == "RUS"
    assert codes.iso3(345, 1980) == "YUG"
    assert codes.iso3(345, 2010) == "SRB"
    assert codes.iso3(265, 1980) == "DDR"
    assert codes.iso3(817, 1970) is None
    assert codes.iso3(732) == "KOR"


def test_names_are_short_and_year_aware() -> None:
    assert codes.name(732) == "South Korea"
    assert codes.name(365, 1980) == "Soviet Union"
    assert codes.name(365, 2000) == "Russia"


def test_unknown_country_suggests() -> None:
    with pytest.raises(UnknownCountryError) as exc:
        codes.resolve("Japn")
    assert "Japan" in exc.value.suggestions
    with pytest.raises(UnknownCountryError):
        codes.resolve("Atlantis")
    with pytest.raises(UnknownCountryError):
        codes.resolve(999)
    with pytest.raises(InvalidInputError):
        codes.resolve("  ")


def test_group_may_not_repeat_a_state() -> None:
    with pytest.raises(InvalidInputError, match="twice"):
        codes.resolve_many(["JPN", "Japan"])


def test_membership_spells() -> None:
    assert codes.is_member(732, 1950)
    assert not codes.is_member(732, 1947)
    assert codes.is_member(260, 1960) and not codes.is_member(260, 1995)
    assert codes.is_member(740, 1944) and not codes.is_member(740, 1950)  # occupation


def test_east_asia_region() -> None:
    members = codes.region_members("East Asia", 2010)
    assert {2, 710, 731, 732, 740, 840, 900} - {2} <= set(members)
    assert 2 not in members and 365 not in members


def test_iso2_of_namibia_is_the_text_na_not_a_missing_value() -> None:
    info = codes.lookup("Namibia", 2000)
    assert info["iso2"] == "NA" and info["iso3"] == "NAM"
    assert codes.resolve("NA") == 565


def test_historical_states_keep_a_region_without_a_modern_iso_code() -> None:
    cw = codes.crosswalk()

    def row(c: int, y: int) -> dict:
        return cw.filter((pl.col("ccode") == c) & (pl.col("year") == y)).row(0, named=True)

    austria_hungary = row(300, 1900)
    assert austria_hungary["iso3"] is None  # not today's Austria (AUT, COW 305)
    assert austria_hungary["un_region"] == "Western Europe"
    assert row(347, 2010)["un_region"] == "Southern Europe"  # Kosovo, beside Serbia
    assert row(713, 2010)["un_region"] == "Eastern Asia"  # Taiwan
    assert row(970, 2010)["un_region"] == "Micronesia"  # Nauru (UN M49)
    assert 2 in codes.region_members("Americas", 2010)
