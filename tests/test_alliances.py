"""Alliance records after ATOP: validation (all or nothing, file:line errors) and the ATOP
extension to 2025 (facts an alliance scholar would check)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from allyscope.errors import AllyscopeError, InvalidInputError, RecordValidationError
from allyscope.panel import dyad_years
from allyscope.panel.alliances import load_records, validate_text

pytestmark = pytest.mark.data

FIXTURE = Path(__file__).parent / "fixtures" / "alliances-dev.yaml"
USA, MKD, FIN, SWE, RUS, PRK, SAU, PAK, JPN, KOR, BLR = (
    2,
    343,
    375,
    380,
    365,
    731,
    670,
    770,
    740,
    732,
    370,
)


def test_the_shipped_records_load_and_cover_2019_to_2025(wh) -> None:
    recs = load_records()
    assert (recs.first.isoformat(), recs.through.isoformat()) == ("2019-01-01", "2025-12-31")
    ids = {e.id for e in recs.events}
    assert {"nato-2020-mkd", "nato-2023-fin", "nato-2024-swe", "sau-pak-2025-smda"} <= ids
    assert all(e.sources for e in recs.events)


@pytest.fixture(scope="module")
def ext(wh) -> pl.DataFrame:
    p = dyad_years(years=(2015, 2025), mry=True).add("atop", extend=True)
    return p.df


def _dyad(df: pl.DataFrame, a: int, b: int) -> dict[int, dict]:
    a, b = min(a, b), max(a, b)
    rows = df.filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b))
    return {r["year"]: r for r in rows.iter_rows(named=True)}


def test_nato_enlargement_after_2018(ext: pl.DataFrame) -> None:
    fin = _dyad(ext, USA, FIN)
    assert fin[2022]["atop_defense"] == 0
    assert fin[2023]["atop_defense"] == fin[2024]["atop_defense"] == 1
    assert "record:" in fin[2023]["atop_source"]
    mkd = _dyad(ext, USA, MKD)
    assert mkd[2019]["atop_defense"] == 0
    assert all(mkd[y]["atop_defense"] == 1 for y in range(2020, 2026))
    swe = _dyad(ext, USA, SWE)
    assert swe[2023]["atop_defense"] == 0 and swe[2024]["atop_defense"] == 1
    # new members are allied with each other too
    assert _dyad(ext, FIN, SWE)[2024]["atop_defense"] == 1


def test_new_treaties_russia_dprk_and_saudi_pakistan(ext: pl.DataFrame) -> None:
    rp = _dyad(ext, RUS, PRK)
    assert rp[2023]["atop_defense"] == 0 and rp[2024]["atop_defense"] == 1
    sp = _dyad(ext, SAU, PAK)
    assert sp[2024]["atop_defense"] == 0 and sp[2025]["atop_defense"] == 1


def test_no_japan_korea_defense_pact_and_carried_pacts_are_flagged(ext: pl.DataFrame) -> None:
    jk = _dyad(ext, JPN, KOR)
    assert all(jk[y]["atop_defense"] == 0 for y in range(2015, 2026))
    uj = _dyad(ext, USA, JPN)
    assert all(uj[y]["atop_defense"] == 1 for y in range(2015, 2026))
    assert uj[2018]["atop_source"] == "atop"
    assert uj[2019]["atop_source"] == "atop_carried"


def test_extension_leaves_atop_years_unchanged(wh) -> None:
    plain = dyad_years(years=(2010, 2018)).add("atop").df
    ext = dyad_years(years=(2010, 2018)).add("atop_extended").df
    cols = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]
    assert plain.select(cols).equals(ext.select(cols))
    assert set(ext.filter(pl.col("atop_any") == 1)["atop_source"]) == {"atop"}


def test_plain_atop_is_null_after_2018_and_directed_extension_keeps_direction(wh) -> None:
    plain = dyad_years(years=(2018, 2020)).add("atop").df
    assert (
        plain.filter(pl.col("year") > 2018)["atop_defense"].null_count()
        == plain.filter(pl.col("year") > 2018).height
    )
    d = dyad_years(years=(2019, 2020), directed=True).add("atop_extended").df
    us_jp = d.filter((pl.col("ccode1") == USA) & (pl.col("ccode2") == JPN))
    jp_us = d.filter((pl.col("ccode1") == JPN) & (pl.col("ccode2") == USA))
    assert us_jp["atop_defense"].to_list() == [1, 1]  # the US owes Japan defense ...
    assert jp_us["atop_defense"].to_list() == [0, 0]  # ... Japan owes the US consultation
    assert jp_us["atop_consul"].to_list() == [1, 1]


def test_signature_dates_follow_atop_practice(wh) -> None:
    # docs/alliances.md: ATOP dates an accession from the signature of its protocol
    d = dyad_years(years=(2021, 2023)).add("atop_extended", dates="start").df
    assert [r["atop_defense"] for r in _dyad(d, USA, FIN).values()] == [0, 1, 1]
    with pytest.raises(AllyscopeError, match="unknown date rule 'signature'"):
        dyad_years(years=(2021, 2021)).add("atop_extended", dates="signature")


def test_the_development_fixture_gives_the_same_facts(wh) -> None:
    d = dyad_years(years=(2022, 2025), mry=True).add("atop_extended", records=FIXTURE).df
    assert [r["atop_defense"] for r in _dyad(d, USA, FIN).values()] == [0, 1, 1, 1]
    assert [r["atop_defense"] for r in _dyad(d, RUS, PRK).values()] == [0, 0, 1, 1]


def test_atop_and_its_extension_cannot_be_stacked(wh) -> None:
    p = dyad_years(years=(2018, 2018)).add("atop")
    with pytest.raises(InvalidInputError, match="already has ATOP"):
        p.add("atop", extend=True)


# -- validation -------------------------------------------------------------------------


def _problems(text: str) -> list[str]:
    recs, problems = validate_text(text, "alliances.yaml")
    assert (recs is None) == bool(problems)
    return [str(p) for p in problems]


@pytest.fixture(scope="module")
def good(wh) -> str:
    text = FIXTURE.read_text()
    assert _problems(text) == []
    return text


def _line_of(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), start=1) if needle in ln)


def test_unknown_fields_and_obligations_get_suggestions(good: str) -> None:
    text = good.replace("    evidence: Article 5\n", "    evidnce: Article 5\n", 1)
    text = text.replace("obligations: [defense]", "obligations: [defence]")
    probs = _problems(text)
    line = _line_of(text, "evidnce")
    assert any(p.startswith(f"alliances.yaml:{line}: evidnce") and "'evidence'" in p for p in probs)
    assert any("'defence' is not an ATOP obligation" in p and "'defense'" in p for p in probs)


def test_unknown_and_ambiguous_countries(good: str) -> None:
    probs = _problems(good.replace("states: [SAU, PAK]", "states: [SAU, PAQ]"))
    assert any("PAQ" in p and "did you mean" in p for p in probs)
    probs = _problems(good.replace("states: [RUS, PRK]", "states: [RUS, Korea]"))
    assert any("'Korea' is ambiguous" in p and "KOR" in p and "PRK" in p for p in probs)


def test_impossible_future_and_misplaced_dates(good: str) -> None:
    probs = _problems(good.replace("signed: 2025-09-17", "signed: 2025-02-30"))
    assert any("signed: '2025-02-30' is not a possible date" in p for p in probs)
    probs = _problems(good.replace("start: 2025-09-17", "start: 2027-01-05"))
    assert any("after the file's as_of date 2026-11-29" in p for p in probs)
    probs = _problems(good.replace("start: 2024-12-04", "start: 2018-12-04"))
    assert any("before the signature" in p for p in probs)
    assert any("outside the file's coverage" in p for p in probs)


def test_duplicate_ids_name_the_first(good: str) -> None:
    text = good.replace("id: sau-pak-2025", "id: rus-prk-2024")
    probs = _problems(text)
    first = _line_of(text, "id: rus-prk-2024")
    assert any(f"duplicate id 'rus-prk-2024' (first on line {first})" in p for p in probs)


def test_sources_are_required_and_complete(good: str) -> None:
    i = good.index("  - id: sau-pak-2025")
    block = good[i:]
    no_src = block[: block.index("    sources:")] + block[block.index("    evidence:") :]
    probs = _problems(good[:i] + no_src)
    assert any("sources: missing (required)" in p for p in probs)
    # an unquoted comma in a flow mapping splits a field: the stray key is named
    text = good.replace("publisher: Saudi Press Agency,", "publisher: Saudi Press Agency, Riyadh,")
    line = _line_of(text, "Riyadh")
    assert any(
        p.startswith(f"alliances.yaml:{line}: Riyadh: unknown field") for p in _problems(text)
    )


def test_anchors_aliases_and_oversized_files_are_refused(good: str, tmp_path: Path) -> None:
    text = good.replace("with: [ALB,", "with: &nato29 [ALB,", 1).replace(
        "    with: [ALB, BEL, BGR, CAN, HRV, CZE, DNK, EST, FRA, DEU, GRC, HUN, ISL, ITA, LVA, LTU,\n"
        "           LUX, MNE, NLD, MKD,",
        "    with: *nato29\n    notes: |\n      LUX, MNE, NLD, MKD,",
        1,
    )
    probs = _problems(text)
    assert probs and all("anchors and aliases" in p for p in probs)
    big = tmp_path / "alliances-big.yaml"
    big.write_text(good + "#" * 1_000_001)
    with pytest.raises(RecordValidationError, match="more than the 1,000,000"):
        load_records(big)


def test_loading_is_all_or_nothing_and_lists_every_problem(good: str, tmp_path: Path) -> None:
    bad = tmp_path / "alliances-bad.yaml"
    bad.write_text(
        good.replace("event: new_alliance", "event: alliance", 1).replace(
            "obligations: [defense]", "obligations: []"
        )
    )
    with pytest.raises(RecordValidationError) as exc:
        load_records(bad)
    problems = exc.value.problems  # type: ignore[attr-defined]
    assert len(problems) >= 2
    assert str(bad) in str(exc.value) and "unknown event 'alliance'" in " ".join(map(str, problems))


def test_new_alliances_list_their_parties_in_states(good: str) -> None:
    text = good.replace("    states: [SAU, PAK]\n", "    states: [SAU]\n    with: [PAK]\n")
    probs = _problems(text)
    assert any("lists all its parties in `states:`" in p for p in probs)
    assert any("needs at least two states" in p for p in probs)
