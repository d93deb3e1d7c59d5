"""The rhetoric layer: facts about UN General Debate speeches a regional specialist would
check, the resolver's Korea rules, sentence splitting, and bad input."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from allyscope.errors import InvalidInputError, UnknownCountryError, UnknownNameError
from allyscope.extract.countries import find_mentions
from allyscope.rhetoric import corpus
from allyscope.rhetoric.lexicon import dictionaries


def _found(text: str) -> list[str]:
    return [m.iso3 for m in find_mentions(text, dictionaries().resolver)]


# -- resolver and sentences (no data needed) --------------------------------------------------


def test_korea_rules() -> None:
    assert _found("The DPRK fired a missile; Pyongyang must stop.") == ["PRK", "PRK"]
    assert _found("We seek the denuclearization of the Korean Peninsula.") == []
    assert sorted(_found("We welcome the inter-Korean summit.")) == ["KOR", "PRK"]
    assert _found("the Democratic People's Republic of Korea and the Republic of Korea") == [
        "PRK",
        "KOR",
    ]
    assert _found("President Yoon of Korea visited Seoul's partners.") == ["KOR"] * 3


def test_regions_named_after_states_are_not_states() -> None:
    assert _found("Latin America and the Caribbean, Central American peoples") == []
    assert _found("the United States and the Inter-American system") == ["USA"]
    assert _found("Papua New Guinea and West New Guinea") == ["PNG"]
    assert _found("Equatorial Guinea, Guinea-Bissau and Guinea") == ["GNQ", "GNB", "GIN"]


def test_sentences_split_after_full_stops_but_not_abbreviations() -> None:
    df = pl.DataFrame(
        {
            "speech_id": [0],
            "text": [
                "Mr. President, the U.S. delegation\nagrees. We support No. 5 of the text!"
                ' "Peace" is our aim. 3.5 per cent is too little.'
            ],
        }
    )
    df = df.with_columns(corpus.normalize(pl.col("text")).alias("norm"))
    got = corpus.sentences(df)["text"].to_list()
    assert got == [
        "Mr. President, the U.S. delegation agrees.",
        "We support No. 5 of the text!",
        '"Peace" is our aim.',
        "3.5 per cent is too little.",
    ]


# -- the corpus in the warehouse -------------------------------------------------------------


@pytest.fixture(scope="module")
def rh(wh):
    from allyscope import rhetoric

    rhetoric.tables()  # computed once per build, then cached
    return rhetoric


@pytest.mark.data
def test_speech_metadata_and_historical_codes(wh) -> None:
    from allyscope.rhetoric.corpus import speaker_codes

    sp = speaker_codes(
        wh.sql("SELECT iso3, session, year, speaker, post, words FROM ungd_speeches")
    )
    assert sp.height == 10952
    assert sp["year"].min() == 1946 and sp["year"].max() == 2024

    def code(iso: str, year: int) -> int | None:
        return sp.filter((pl.col("iso3") == iso) & (pl.col("year") == year))["ccode"].item()

    assert code("RUS", 1980) == 365  # the Soviet Union
    assert code("CHN", 1960) == 713  # the Republic of China held the seat until 1971
    assert code("CHN", 1980) == 710
    assert code("DEU", 1980) == 260 and code("DDR", 1980) == 265
    assert code("UKR", 1980) is None  # a Soviet republic with a UN seat, not a state
    assert code("UKR", 2022) == 369 and code("KOR", 2024) == 732
    usa = sp.filter((pl.col("iso3") == "USA") & (pl.col("year") == 2022)).row(0, named=True)
    assert "Biden" in usa["speaker"] and usa["post"] == "President"
    assert 3000 < usa["words"] < 5000


@pytest.mark.data
@pytest.mark.slow
def test_dprk_named_by_japan_and_south_korea_in_most_years_since_2006(rh) -> None:
    for state in ("JPN", "KOR"):
        r = rh.rhetoric([state, "PRK"], 2006, 2024)
        named = r.dyads.filter(pl.col("iso3_2") == "PRK")
        assert named.height == 19  # one speech a year
        assert (named["mentions"] > 0).mean() >= 0.8, state
        assert named.filter(pl.col("mentions") > 0)["threat_share"].mean() > 0.3


@pytest.mark.data
@pytest.mark.slow
def test_us_speech_of_2022_names_russia_negatively(rh) -> None:
    r = rh.rhetoric(["USA", "RUS"], 2022, 2022)
    row = r.dyads.filter(pl.col("ccode1") == 2).row(0, named=True)
    assert row["mentions"] >= 10
    assert row["tone"] < 0 and row["threat_share"] > 0.3
    ev = r.evidence.filter(pl.col("ccode1") == 2)
    assert 1 <= ev.height <= 3
    assert all("Russia" in t or "Kremlin" in t or "Putin" in t for t in ev["text"])


@pytest.mark.data
@pytest.mark.slow
def test_both_directions_every_year(rh) -> None:
    r = rh.rhetoric(["JPN", "KOR"], 2010)
    assert r.years == (2010, 2024)
    assert r.dyads.height == 2 * 15
    assert set(r.dyads["iso3_1"]) == {"JPN", "KOR"}
    assert (
        r.dyads.filter(pl.col("mentions") == 0)["tone"].null_count()
        == r.dyads.filter(pl.col("mentions") == 0).height
    )  # no mention, no tone (not a neutral 0)
    # every evidence sentence of South Korea about Japan names Japan (or Tokyo)
    ev = r.evidence.filter(pl.col("ccode1") == 732)
    assert ev.height > 0 and all("Japan" in t or "Tokyo" in t for t in ev["text"])


@pytest.mark.data
@pytest.mark.slow
def test_rules_based_order_rises_after_2015_for_japan(rh) -> None:
    t = rh.themes(["JPN"], "rules-based order", 2006, 2024)
    s = t.salience
    before = s.filter(pl.col("year") <= 2015)["per_1k_words"].mean()
    after = s.filter(pl.col("year") > 2015)["per_1k_words"].mean()
    assert after > before
    assert t.evidence.height > 0
    assert all("order" in x.lower() for x in t.evidence["text"])


@pytest.mark.data
@pytest.mark.slow
def test_climate_and_ukraine_salience(rh) -> None:
    t = rh.themes(["USA", "JPN", "KOR"], None, 1980, 2024)
    s = t.salience
    # climate change is absent from the early 1980s and present in every state since 2015
    clim = s.filter(pl.col("theme") == "climate")
    assert clim.filter(pl.col("year") <= 1985)["sentences"].sum() == 0
    assert clim.filter(pl.col("year") >= 2015)["sentences"].sum() > 30
    ukr = s.filter((pl.col("theme") == "ukraine") & (pl.col("iso3") == "USA"))
    by = dict(zip(ukr["year"], ukr["sentences"], strict=True))
    assert by[2022] > by[2012]


@pytest.mark.data
@pytest.mark.slow
def test_text_positions_agree_with_voeten_in_most_years(rh, mirror: Path) -> None:
    # Voeten's ideal points read from the mirror file until they are a warehouse table
    v = pl.read_csv(
        mirror / "voeten" / "Idealpointestimates1946-2025.tab",
        separator="\t",
        infer_schema_length=0,
    ).select(
        pl.col("ccode").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        pl.col("IdealPointFP").cast(pl.Float64).alias("ideal"),
    )
    pos = rh.positions().drop_nulls("ccode").join(v, on=["ccode", "year"])
    r = pos.group_by("year").agg(pl.corr("position", "ideal").alias("r"))
    assert r.height >= 75
    assert (r["r"] > 0).mean() >= 0.7
    assert r["r"].median() > 0.25


@pytest.mark.data
@pytest.mark.slow
def test_similarity_and_defacto_component(rh) -> None:
    sim = rh.similarity_edges(2022)
    assert (sim["ccode1"] < sim["ccode2"]).all()
    assert sim["similarity"].is_between(0, 1).all()
    comp = rh.defacto_component(2022)
    assert comp["rhetoric_similarity"].is_between(0, 1).all()
    assert rh.COVERAGE == (1946, 2024)
    edges = rh.mention_edges(2022)
    assert edges.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 365)).height == 1


@pytest.mark.data
@pytest.mark.slow
def test_panel_addon(rh) -> None:
    from allyscope.panel import dyad_years, state_years

    p = dyad_years(years=(2021, 2022), directed=True, mry=True).add("rhetoric").df
    us_ru = p.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 365) & (pl.col("year") == 2022))
    assert us_ru["ungd_mentions_12"].item() >= 10 and us_ru["ungd_tone_12"].item() < 0
    s = state_years(years=(1953, 1953)).add("rhetoric").df
    # Japan (a COW state again from 1952) joined the UN in 1956: no speech in 1953 is 0
    jpn = s.filter(pl.col("ccode") == 740)
    assert jpn["ungd_spoke"].item() == 0 and jpn["ungd_position"].item() is None


@pytest.mark.data
@pytest.mark.slow
def test_bad_queries_raise_one_clear_error(rh) -> None:
    with pytest.raises(UnknownCountryError):
        rh.rhetoric(["JPN", "Atlantis"])
    with pytest.raises(InvalidInputError, match="ends before it starts"):
        rh.rhetoric(["JPN", "KOR"], 2020, 2010)
    with pytest.raises(InvalidInputError, match="outside the General Debate corpus"):
        rh.themes(["JPN"], "climate", 1900, 1920)
    with pytest.raises(UnknownNameError) as exc:
        rh.themes(["JPN"], "rules based ordr")
    assert "rules-based order" in str(exc.value)
