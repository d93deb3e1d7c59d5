"""The neutrality records: facts of the shipped file and one clear error per bad file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from allyscope.errors import RecordValidationError
from allyscope.sources.neutrality import default_path, load_spells, neutral_state_years

GOOD = """\
coverage: {from: 1946, through: 2025}
states:
  - id: aut
    state: AUT
    kind: permanent
    first_year: 1955
    last_year: null
    basis: "Constitutional law of 26 October 1955."
    sources:
      - {url: "https://example.org/aut", title: "Law", publisher: RIS, date: 1955-10-26, kind: primary}
"""


@pytest.fixture(scope="module")
def spells(wh):
    return neutral_state_years()


def years(df: pl.DataFrame, ccode: int) -> set[int]:
    return set(df.filter(pl.col("ccode") == ccode)["year"].to_list())


def test_shipped_neutrality_facts(spells):
    # Austria: permanent neutrality by the constitutional law of 26 October 1955
    assert 1955 in years(spells, 305) and 1954 not in years(spells, 305)
    # Switzerland and Ireland in every year of the coverage
    assert years(spells, 225) >= set(range(1946, 2026))
    assert years(spells, 205) >= set(range(1946, 2026))
    # Sweden and Finland gave up non-alignment when they applied to NATO in May 2022
    assert 2021 in years(spells, 380) and 2022 not in years(spells, 380)
    assert 2021 in years(spells, 375) and 2022 not in years(spells, 375)
    # Turkmenistan from the UN resolution of December 1995; Moldova from its 1994 constitution
    assert min(years(spells, 701)) == 1995 and min(years(spells, 359)) == 1994
    # Ukraine's non-bloc status of 2010 was repealed in December 2014
    assert years(spells, 369) == {2010, 2011, 2012, 2013}
    # the United States and Japan are never coded neutral
    assert not years(spells, 2) and not years(spells, 740)
    kinds = dict(spells.select("ccode", "neutral_kind").unique().iter_rows())
    assert kinds[305] == "permanent" and kinds[205] == "declared" and kinds[380] == "non_alignment"


def test_every_record_is_sourced(wh):
    recs = load_spells()
    assert recs.coverage == (1946, 2025)
    for s in recs.spells:
        assert s.sources, s.id
        assert all(src["kind"] in ("primary", "wire", "newspaper") for src in s.sources)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "neutrality.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_a_good_file_loads(wh, tmp_path):
    recs = load_spells(write(tmp_path, GOOD))
    assert [s.ccode for s in recs.spells] == [305]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("kind: permanent", "kind: eternal"), r":5: kind: 'eternal' is not one of"),
        (
            ("first_year: 1955", "first_yr: 1955"),
            r"first_yr: unknown field; did you mean 'first_year'",
        ),
        (("last_year: null", "last_year: 1950"), r"last_year: 1950 is before first_year 1955"),
        (("state: AUT", "state: AUX"), r":4: state: "),
        (("kind: primary}", "kind: blog}"), r"sources.kind: 'blog'"),
        (("  - id: aut\n", "  - id: aut\n    extra: 1\n"), r"extra: unknown field"),
    ],
)
def test_bad_records_fail_with_file_and_line(wh, tmp_path, change, message):
    old, new = change
    with pytest.raises(RecordValidationError, match=message):
        load_spells(write(tmp_path, GOOD.replace(old, new)))


def test_overlaps_and_aliases_are_refused(wh, tmp_path):
    second = GOOD.split("states:\n")[1].replace("id: aut", "id: aut2").replace("1955", "1960")
    with pytest.raises(RecordValidationError, match="overlaps the spell 'aut'"):
        load_spells(write(tmp_path, GOOD + second))
    with pytest.raises(RecordValidationError, match="anchors and aliases"):
        load_spells(write(tmp_path, GOOD.replace("kind: permanent", "kind: &k permanent")))


def test_the_shipped_file_is_where_the_loader_looks():
    assert default_path().is_file() and default_path().name == "neutrality.yaml"
