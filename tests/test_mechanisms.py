"""Curated cooperation-mechanism records: schema, validation, coverage of the key facts,
and the institutionalization index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from allyscope.errors import RecordValidationError, UnknownCountryError
from allyscope.mechanisms import schema
from allyscope.mechanisms.index import components, index_table, strength
from allyscope.mechanisms.loader import load, parse_yaml, validate_texts

# -- a small resolver so loader logic can be tested without the warehouse -----------------

_CODES = {"USA": 2, "JPN": 740, "KOR": 732, "AUS": 900, "CHN": 710, "RUS": 365}


def fake_resolve(query: str, year: int | None) -> int:
    q = str(query).upper()
    if q in _CODES:
        return _CODES[q]
    raise UnknownCountryError(str(query), ["JPN", "Japan", "KOR", "USA"])


GOOD_RECORD = """\
  - id: {rid}
    date: {date}
    type: {type}
    level: leaders
    regularity: annual
    bindingness: statement
    issue_areas: [security]
    title: A meeting
    description: The leaders met.
    source:
      title: A statement
      publisher: A ministry
      date: 2023-08-18
      url: https://example.org/statement
"""


def record_file(
    *records: str, grouping: str | None = None, members: str = "[USA, JPN, KOR]"
) -> str:
    head = grouping or (f"grouping:\n  id: test-group\n  name: Test Group\n  members: {members}\n")
    return head + "records:\n" + "".join(records)


def rec(rid: str = "t-1", date: str = "2023-08-18", type: str = "leaders_summit") -> str:
    return GOOD_RECORD.format(rid=rid, date=date, type=type)


def problems_of(*texts: tuple[str, str]) -> list[schema.Problem]:
    rs, problems = validate_texts(list(texts), resolver=fake_resolve, today=dt.date(2025, 6, 30))
    assert (rs is None) == bool(problems)
    return problems


# -- schema and YAML ----------------------------------------------------------------------


def test_vocabularies_include_required_terms() -> None:
    required = {
        "leaders_summit",
        "foreign_ministerial",
        "defense_ministerial",
        "nsa_meeting",
        "working_level_dialogue",
        "crisis_hotline",
        "intelligence_sharing_agreement",
        "real_time_data_sharing",
        "joint_exercise",
        "multi_year_exercise_plan",
        "secretariat",
        "commitment_to_consult",
        "joint_statement_of_principles",
        "formal_treaty",
        "sanctions_export_control_coordination",
        "economic_framework",
        "suspension",
        "downgrade",
        "withdrawal",
        "trade_restriction",
    }
    assert required <= set(schema.MECHANISM_TYPES)
    assert {"suspension", "downgrade", "withdrawal", "trade_restriction"} == schema.NEGATIVE_TYPES
    assert {"statement", "mou", "agreement", "treaty"} <= set(schema.BINDINGNESS)
    assert {"one_off", "annual", "twice_yearly", "rotational", "standing"} <= set(
        schema.REGULARITIES
    )
    assert set(schema.DATE_PRECISIONS) == {"day", "month", "year"}


def test_partial_dates() -> None:
    assert schema.parse_date("2023-08-18") == schema.PartialDate(dt.date(2023, 8, 18), "day")
    assert schema.parse_date("2023-08").precision == "month"
    assert schema.parse_date("2023-02").last_day == dt.date(2023, 2, 28)
    assert schema.parse_date("1999").last_day == dt.date(1999, 12, 31)
    for bad in ("2023-02-30", "2023-13", "18-08-2023", "yesterday"):
        with pytest.raises(ValueError):
            schema.parse_date(bad)


def test_yaml_keeps_line_numbers_and_flags_duplicate_keys() -> None:
    doc, problems = parse_yaml("a: 1\nrecords:\n  - id: x\n    id: y\n", "f.yaml")
    assert doc is not None and doc.line("records", 0) == 3
    assert any(p.line == 4 and "duplicate key" in p.message for p in problems)


def test_check_record_is_usable_without_files() -> None:
    data = {
        "id": "x-1",
        "date": "2023-08-18",
        "type": "Leaders Summit",
        "level": "leaders",
        "regularity": "annual",
        "bindingness": "statement",
        "issue_areas": ["security"],
        "title": "t",
        "description": "d",
        "source": {
            "title": "s",
            "publisher": "p",
            "date": "2023-08-18",
            "url": "https://example.org",
        },
    }
    assert schema.check_record(data) == []
    bad = dict(data, type="summit meeting", source={"title": "s"})
    fields = {f for f, _ in schema.check_record(bad)}
    assert "type" in fields and ".url" in {f.replace("source", "") for f in fields}


# -- bad input: file and line, nothing loaded ----------------------------------------------


def _where(problems: list[schema.Problem], text: str) -> schema.Problem:
    hits = [p for p in problems if text in p.message]
    assert hits, [str(p) for p in problems]
    return hits[0]


def test_unknown_mechanism_type_names_file_and_line() -> None:
    text = record_file(rec(), rec("t-2", type="leader_summit"))
    p = _where(problems_of(("t.yaml", text)), "unknown mechanism type 'leader_summit'")
    assert p.file == "t.yaml" and p.line == text.splitlines().index("    type: leader_summit") + 1
    assert "leaders_summit" in p.message  # suggestion
    assert str(p).startswith(f"t.yaml:{p.line}: type:")


def test_misspelled_country_suggests() -> None:
    text = record_file(rec(), members="[USA, JAP, KOR]")
    p = _where(problems_of(("t.yaml", text)), "unknown or misspelled country 'JAP'")
    assert p.line == 4 and "JPN" in p.message


def test_impossible_and_future_dates() -> None:
    text = record_file(rec("t-1", date="2023-02-30"), rec("t-2", date="2999-01-01"))
    problems = problems_of(("t.yaml", text))
    lines = text.splitlines()
    p1 = _where(problems, "is not a calendar date")
    p2 = _where(problems, "in the future")
    assert p1.line == lines.index("    date: 2023-02-30") + 1
    assert p2.line == lines.index("    date: 2999-01-01") + 1


def test_duplicate_ids_across_files() -> None:
    a = record_file(rec("dup-1"))
    b = record_file(rec("dup-1"), grouping="grouping: test-group\n")
    p = _where(problems_of(("a.yaml", a), ("b.yaml", b)), "duplicate id 'dup-1'")
    assert p.file == "b.yaml" and p.line == 3 and "a.yaml:" in p.message


def test_missing_source() -> None:
    text = record_file(rec().split("    source:")[0])
    p = _where(problems_of(("t.yaml", text)), "missing a public source")
    assert p.field == "source" and p.line == 6  # the record without a source


def test_invalid_directory_loads_nothing(data_home: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(record_file(rec("user-good-1"), members="[USA, JPN]"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        record_file(rec("user-bad-1", type="hotline"), grouping="grouping: us-japan-rok\n"),
        encoding="utf-8",
    )
    with pytest.raises(RecordValidationError) as exc:
        load([tmp_path])
    msg = str(exc.value)
    assert f"{bad}:" in msg and "unknown mechanism type 'hotline'" in msg
    assert len(exc.value.problems) == 1  # the good file is fine, but nothing is returned
    bad.unlink()
    rs = load([tmp_path])
    assert "user-good-1" in {r.id for r in rs.records}


def test_user_records_extend_a_shipped_grouping(data_home: Path, tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        record_file(
            rec("user-ujk-2025-summit", date="2025-03-01"), grouping="grouping: trilateral\n"
        ),
        encoding="utf-8",
    )
    rs = load([tmp_path])
    r = rs.by_id("user-ujk-2025-summit")
    assert r.grouping_id == "us-japan-rok" and r.members == (2, 740, 732)


# -- shipped records -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def rs(data_home: Path):
    from allyscope.mechanisms import load_records

    return load_records()


def test_every_shipped_record_validates_and_has_a_source(rs) -> None:
    assert len(rs.records) >= 100
    assert len(rs.groupings) >= 11
    for r in rs.records:
        assert r.source.url.startswith(("http://", "https://")), r.id
        assert r.source.title and r.source.publisher, r.id
        assert r.description and len(r.description) > 20, r.id
    ids = [r.id for r in rs.records]
    assert len(ids) == len(set(ids))


def _has(rs, grouping: str, type_: str, date: str, **attrs) -> bool:
    g = rs.grouping(grouping)
    for r in rs.of(g):
        if (
            r.type == type_
            and str(r.date) == date
            and all(getattr(r, k) == v for k, v in attrs.items())
        ):
            return True
    return False


FACTS = [
    # US-Japan-ROK: from the coordination group to the secretariat
    ("US-Japan-ROK", "working_level_dialogue", "1999-11-09", {"series": "tcog"}),
    ("US-Japan-ROK", "intelligence_sharing_agreement", "2014-12-29", {}),
    ("US-Japan-ROK", "leaders_summit", "2022-11-13", {}),  # Phnom Penh statement
    ("US-Japan-ROK", "leaders_summit", "2023-08-18", {"regularity": "annual"}),
    ("US-Japan-ROK", "joint_statement_of_principles", "2023-08-18", {}),
    ("US-Japan-ROK", "commitment_to_consult", "2023-08-18", {}),
    ("US-Japan-ROK", "crisis_hotline", "2023-08-18", {}),
    ("US-Japan-ROK", "foreign_ministerial", "2023-08-18", {"regularity": "annual"}),
    ("US-Japan-ROK", "defense_ministerial", "2023-08-18", {"regularity": "annual"}),
    ("US-Japan-ROK", "other_ministerial", "2023-08-18", {"series": "commerce-industry-ministers"}),
    ("US-Japan-ROK", "nsa_meeting", "2023-08-18", {"regularity": "annual"}),
    ("US-Japan-ROK", "multi_year_exercise_plan", "2023-08-18", {}),
    ("US-Japan-ROK", "real_time_data_sharing", "2023-08-18", {}),
    (
        "US-Japan-ROK",
        "working_level_dialogue",
        "2023-08-18",
        {"series": "dprk-cyber-working-group"},
    ),
    ("US-Japan-ROK", "working_level_dialogue", "2023-08-18", {"series": "indo-pacific-dialogue"}),
    ("US-Japan-ROK", "economic_framework", "2023-08-18", {}),
    ("US-Japan-ROK", "real_time_data_sharing", "2023-12-19", {}),
    ("US-Japan-ROK", "multi_year_exercise_plan", "2023-12-19", {}),
    (
        "US-Japan-ROK",
        "working_level_dialogue",
        "2023-12-07",
        {"series": "dprk-cyber-working-group"},
    ),
    (
        "US-Japan-ROK",
        "sanctions_export_control_coordination",
        "2024-11-15",
        {},
    ),  # crypto laundering
    ("US-Japan-ROK", "sanctions_export_control_coordination", "2025-01-14", {}),
    ("US-Japan-ROK", "joint_exercise", "2024-06-27", {"series": "freedom-edge"}),
    ("US-Japan-ROK", "joint_exercise", "2024-11-13", {"series": "freedom-edge"}),
    ("US-Japan-ROK", "secretariat", "2024-07-28", {"series": "tscf"}),
    ("US-Japan-ROK", "defense_ministerial", "2024-07-28", {}),
    ("US-Japan-ROK", "secretariat", "2024-11-15", {"series": "trilateral-secretariat"}),
    ("US-Japan-ROK", "foreign_ministerial", "2025-02-15", {}),
    # Japan-ROK
    ("Japan-ROK", "intelligence_sharing_agreement", "2016-11-23", {"series": "gsomia"}),
    ("Japan-ROK", "trade_restriction", "2019-07-01", {"actors": (740,)}),
    ("Japan-ROK", "trade_restriction", "2019-08-02", {"actors": (740,)}),
    ("Japan-ROK", "withdrawal", "2019-08-22", {"actors": (732,)}),
    ("Japan-ROK", "intelligence_sharing_agreement", "2019-11-22", {"series": "gsomia"}),
    ("Japan-ROK", "leaders_summit", "2023-03-16", {"series": "shuttle-diplomacy"}),
    ("Japan-ROK", "intelligence_sharing_agreement", "2023-03-21", {"series": "gsomia"}),
    ("Japan-ROK", "sanctions_export_control_coordination", "2023-04-24", {}),
    ("Japan-ROK", "sanctions_export_control_coordination", "2023-07-21", {}),
    # Quad
    ("Quad", "working_level_dialogue", "2007-05", {}),
    ("Quad", "withdrawal", "2008-02", {"actors": (900,)}),
    ("Quad", "working_level_dialogue", "2017-11-12", {}),
    ("Quad", "leaders_summit", "2021-03-12", {}),
    ("Quad", "leaders_summit", "2021-09-24", {}),
    # AUKUS
    ("AUKUS", "joint_statement_of_principles", "2021-09-15", {}),
    ("AUKUS", "leaders_summit", "2023-03-13", {}),
    ("AUKUS", "formal_treaty", "2024-08-05", {}),
    # US-Japan-Australia, US-Japan-Philippines
    ("US-Japan-Australia", "foreign_ministerial", "2006-03", {}),
    ("US-Japan-Philippines", "leaders_summit", "2024-04-11", {}),
    # NATO's Indo-Pacific partners
    ("IP4", "leaders_summit", "2022-06-29", {}),
    ("IP4", "leaders_summit", "2023-07-12", {}),
    ("IP4", "leaders_summit", "2024-07-11", {}),
    ("IP4", "joint_statement_of_principles", "2023-07-12", {"series": "itpp"}),
    # China-Russia, Russia-DPRK
    ("China-Russia", "formal_treaty", "2001-07-16", {}),
    ("China-Russia", "joint_statement_of_principles", "2022-02-04", {}),
    ("China-Russia", "joint_exercise", "2019-07-23", {"series": "joint-air-patrol"}),
    ("Russia-DPRK", "formal_treaty", "2024-06-19", {"bindingness": "treaty"}),
    ("Russia-DPRK", "commitment_to_consult", "2024-06-19", {}),
    ("Russia-DPRK", "formal_treaty", "2024-12-04", {}),
    # economic frameworks
    ("IPEF", "economic_framework", "2022-05-23", {}),
    ("MSP", "economic_framework", "2022-06-14", {}),
]


@pytest.mark.parametrize(
    ("grouping", "type_", "date", "attrs"), FACTS, ids=[f"{g}-{t}-{d}" for g, t, d, _ in FACTS]
)
def test_required_fact_is_recorded_with_its_date(rs, grouping, type_, date, attrs) -> None:
    assert _has(rs, grouping, type_, date, **attrs)


def test_end_dates_of_the_2019_dispute(rs) -> None:
    by_id = {r.id: r for r in rs.records}
    assert str(by_id["jk-2019-08-gsomia-termination-notice"].end_date) == "2019-11-22"
    assert str(by_id["jk-2019-07-export-controls"].end_date) == "2023-03-16"
    assert str(by_id["jk-2019-08-japan-white-list-removal"].end_date) == "2023-07-21"
    assert by_id["jk-2019-08-gsomia-termination-notice"].affects == ("jk-2016-11-gsomia",)


def test_members_are_cow_codes(rs) -> None:
    assert rs.grouping("USA JPN KOR").id == "us-japan-rok"
    assert rs.grouping("us-japan-south korea").members == (2, 740, 732)
    nato = rs.by_id("natoip4-2024-07-washington-summit")
    assert len(nato.members) == 36 and 255 in nato.members and 380 in nato.members
    assert 375 not in rs.by_id("natoip4-2022-06-madrid-summit").members  # Finland joined 2023


# -- the index -----------------------------------------------------------------------------


def _rec(
    regularity: str, date: str = "2020-05-01", end: str | None = None, type_: str = "leaders_summit"
) -> schema.Record:
    return schema.Record(
        id="x",
        grouping_id="g",
        grouping_name="G",
        date=schema.parse_date(date),
        end_date=schema.parse_date(end) if end else None,
        type=type_,
        level="leaders",
        regularity=regularity,
        bindingness="statement",
        issue_areas=("security",),
        title="t",
        description="d",
        source=schema.Source("s", "p", schema.parse_date("2020"), "https://example.org"),
        members=(2, 740),
        member_codes=("USA", "JPN"),
    )


def test_strength_persistence_and_decay() -> None:
    annual = _rec("annual")
    assert [strength(annual, y) for y in range(2019, 2026)] == [0, 1, 0.5, 0.25, 0.125, 0, 0]
    biennial = _rec("biennial")
    assert [strength(biennial, y) for y in range(2020, 2025)] == [1, 1, 0.5, 0.25, 0.125]
    standing = _rec("standing", end="2023-03")
    assert [strength(standing, y) for y in range(2020, 2025)] == [1, 1, 1, 1, 0]
    assert [strength(_rec("one_off"), y) for y in (2020, 2021)] == [1, 0]
    penalty = _rec("standing", end="2022-07", type_="trade_restriction")
    assert [strength(penalty, y) for y in range(2020, 2024)] == [1, 0.5, 0.5, 0]


@pytest.fixture(scope="module")
def idx(rs) -> pl.DataFrame:
    return index_table(rs)


def _value(idx: pl.DataFrame, gid: str, year: int) -> float:
    return idx.filter((pl.col("grouping_id") == gid) & (pl.col("year") == year))[
        "institutionalization"
    ][0]


def test_trilateral_rises_sharply_in_2023_2024(idx) -> None:
    before = [_value(idx, "us-japan-rok", y) for y in range(1999, 2023)]
    v22, v23, v24 = (_value(idx, "us-japan-rok", y) for y in (2022, 2023, 2024))
    assert v23 - v22 > 25
    assert v24 >= v23
    assert min(v23, v24) > max(before) + 30


def test_japan_rok_dips_in_2019(idx, rs) -> None:
    v = {y: _value(idx, "japan-rok", y) for y in range(2016, 2025)}
    assert v[2019] < v[2018] and v[2019] < v[2020] and v[2019] < v[2023]
    assert v[2019] == min(v.values())
    pen = components(rs, "japan-rok", [2019]).filter(pl.col("dimension") == "penalties")
    assert set(pen["record_ids"]) == {
        "jk-2019-07-export-controls",
        "jk-2019-08-japan-white-list-removal",
        "jk-2019-08-gsomia-termination-notice",
        "jk-2019-09-rok-white-list-removal",
    }


def test_decomposition_sums_to_the_index(rs, idx) -> None:
    comp = components(rs)
    sums = comp.group_by("grouping_id", "year").agg(pl.col("contribution").sum().alias("s"))
    j = (
        idx.filter(pl.col("institutionalization").is_not_null())
        .join(sums, on=["grouping_id", "year"], how="left")
        .with_columns(pl.col("s").fill_null(0.0))
    )
    assert j.height > 150
    assert (j["institutionalization"] - j["s"]).abs().max() < 1e-9
    dims = [
        "leaders",
        "ministerial",
        "working_level",
        "standing",
        "military",
        "legal",
        "breadth",
        "penalties",
    ]
    total = j.select(pl.sum_horizontal(dims))[:, 0]
    assert (total - j["institutionalization"]).abs().max() < 1e-9
    # every positive contribution names the records behind it
    assert comp.filter(pl.col("record_ids") == "").height == 0


def test_worked_example_japan_rok_2019_by_hand(idx) -> None:
    """docs/institutionalization.md works this year out by hand."""
    standing = 20 * 1 / 3  # GSOMIA: one standing channel of three
    legal = 15 * 0.75  # an agreement in force
    breadth = 10 * 5 / 10  # dprk, export_controls, intelligence, missile_defense, security
    penalties = -(5 + 5 + 5 + 10)  # three trade restrictions and a termination notice
    row = idx.filter((pl.col("grouping_id") == "japan-rok") & (pl.col("year") == 2019)).row(
        0, named=True
    )
    assert row["standing"] == pytest.approx(standing)
    assert row["legal"] == pytest.approx(legal)
    assert row["breadth"] == pytest.approx(breadth)
    assert row["penalties"] == pytest.approx(penalties)
    assert row["institutionalization"] == pytest.approx(standing + legal + breadth + penalties)
    assert row["institutionalization"] == pytest.approx(-2.0833333, abs=1e-6)


def test_worked_example_trilateral_2022_by_hand(idx) -> None:
    leaders = 15  # Madrid and Phnom Penh
    ministerial = 15 * 1 / 3  # defense ministers only
    standing = 20 * 1 / 3  # TISA (2014), standing
    legal = 15 * 0.5  # TISA is a memorandum-type arrangement
    breadth = 10 * 7 / 10
    assert _value(idx, "us-japan-rok", 2022) == pytest.approx(
        leaders + ministerial + standing + legal + breadth
    )


def test_years_outside_a_groupings_span_are_null(rs) -> None:
    t = index_table(rs, "AUKUS", range(2015, 2026))
    assert t.filter(pl.col("year") < 2021)["institutionalization"].null_count() == 6
    assert t.filter(pl.col("year") >= 2021)["institutionalization"].null_count() == 0
