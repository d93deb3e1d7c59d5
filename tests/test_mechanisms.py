"""Curated cooperation-mechanism records: schema, untrusted-input handling, the codebook's
rules, coverage of key facts, and the institutionalization index."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import itertools
import re
from pathlib import Path

import polars as pl
import pytest

from allyscope import settings as settings_mod
from allyscope.errors import RecordValidationError, SchemaError, UnknownCountryError
from allyscope.mechanisms import schema
from allyscope.mechanisms.index import components, index_table, rank, strength
from allyscope.mechanisms.loader import RecordSet, load, parse_yaml, validate_texts

# -- a small resolver so loader logic can be tested without the warehouse -----------------

_CODES = {
    "USA": 2,
    "JPN": 740,
    "KOR": 732,
    "AUS": 900,
    "CHN": 710,
    "RUS": 365,
    "NZL": 920,
    "GBR": 200,
}


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
    regularity: {regularity}
    bindingness: statement
    issue_areas: [security]
    title: A meeting
    description: The leaders met.
    source:
      title: A statement
      publisher: A ministry
      date: 2023-08-18
      url: https://example.org/statement
    source_kind: primary_official
{extra}"""

COVERAGE = "  coverage:\n    from: 2020\n    to: {to}\n    statement: everything searched\n"


def record_file(
    *records: str,
    grouping: str | None = None,
    members: str = "[USA, JPN, KOR]",
    coverage: str = "",
) -> str:
    head = grouping or (
        f"grouping:\n  id: test-group\n  name: Test Group\n  members: {members}\n{coverage}"
    )
    return head + "records:\n" + "".join(records)


def rec(
    rid: str = "t-1",
    date: str = "2023-08-18",
    type: str = "leaders_summit",
    regularity: str = "annual",
    extra: str = "",
) -> str:
    return GOOD_RECORD.format(rid=rid, date=date, type=type, regularity=regularity, extra=extra)


def problems_of(*texts: tuple[str, str]) -> list[schema.Problem]:
    rs, problems = validate_texts(list(texts), resolver=fake_resolve, today=dt.date(2025, 12, 31))
    assert (rs is None) == bool(problems)
    return problems


def load_text(text: str) -> RecordSet:
    rs, problems = validate_texts(
        [("t.yaml", text)], resolver=fake_resolve, today=dt.date(2025, 12, 31)
    )
    assert not problems, [str(p) for p in problems]
    assert rs is not None
    return rs


def _where(problems: list[schema.Problem], text: str) -> schema.Problem:
    hits = [p for p in problems if text in p.message]
    assert hits, [str(p) for p in problems]
    return hits[0]


# -- schema and YAML ----------------------------------------------------------------------


def test_vocabularies_hold_the_codebook_terms() -> None:
    assert {"mutual_defense", "security_cooperation_framework", "secretariat"} <= set(
        schema.MECHANISM_TYPES
    )
    assert {"dispute", "military_incident", "regime_shock", "government_change"} <= (
        schema.NEGATIVE_TYPES
    )
    assert "mutual_defense" not in schema.NEGATIVE_TYPES
    assert list(schema.SEVERITIES) == ["context", "minor", "moderate", "serious", "severe"]
    assert set(schema.STATUSES) == {"held", "promised"}
    assert {"primary_official", "intergovernmental", "treaty_text", "wire", "newspaper"} <= set(
        schema.SOURCE_KINDS
    )
    assert set(schema.SOURCE_KINDS) >= schema.PRIMARY_SOURCE_KINDS


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


def _data(**changes: object) -> dict:
    base = {
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
        "source_kind": "primary_official",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_check_record_fields() -> None:
    assert schema.check_record(_data()) == []
    fields = {f for f, _ in schema.check_record(_data(type="summit meeting", source_kind=None))}
    assert {"type", "source_kind"} <= fields
    # negative events need a severity; positive records may not have one
    neg = {f for f, _ in schema.check_record(_data(type="withdrawal"))}
    assert "severity" in neg
    assert schema.check_record(_data(type="withdrawal", severity="severe")) == []
    pos = schema.check_record(_data(severity="minor"))
    assert pos and pos[0][0] == "severity"
    assert schema.check_record(_data(status="promised")) == []
    assert schema.check_record(_data(status="planned"))[0][0] == "status"


def test_aggregator_and_reprint_hosts_are_refused_as_sources() -> None:
    src = {"title": "s", "publisher": "p", "date": "2023-08-18"}
    for url in (
        "https://miragenews.com/japan-us",
        "https://www.einpresswire.com/article/1",
        "https://pacificsentinel.blogspot.com/2012/06/x.html",
        "https://en.wikipedia.org/wiki/Quad",
    ):
        probs = schema.check_record(_data(source={**src, "url": url}))
        assert probs and "aggregator" in probs[0][1], url
    ok = schema.check_record(_data(source={**src, "url": "https://www.mofa.go.jp/x.html"}))
    assert ok == []


def test_source_kind_guess_for_drafting_tools() -> None:
    assert schema.infer_source_kind("Ministry of Foreign Affairs", "https://x.org") == (
        "primary_official"
    )
    assert schema.infer_source_kind(None, "https://www.nato.int/cps/x") == "intergovernmental"
    assert schema.infer_source_kind("Yonhap News Agency", "https://en.yna.co.kr/x") == "wire"
    assert schema.infer_source_kind("The Hill", "https://thehill.com/x") is None


# -- bad and hostile input: file and line, nothing loaded ----------------------------------


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


ALIAS_BOMB = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def test_yaml_aliases_and_anchors_are_refused_with_file_and_line() -> None:
    assert len(ALIAS_BOMB) < 500  # the classic "billion laughs": 9^9 strings if expanded
    doc, problems = parse_yaml(ALIAS_BOMB, "bomb.yaml")
    assert doc is None and len(problems) == 1
    assert problems[0].line == 1 and "anchors and aliases are not allowed" in problems[0].message
    _, problems = parse_yaml("grouping: x\nrecords: *r\n", "alias.yaml")
    assert problems[0].line == 2 and "alias *r" in problems[0].message


def test_oversized_record_file_is_refused_unread(tmp_path: Path) -> None:
    from allyscope.mechanisms.loader import MAX_FILE_BYTES

    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(RecordValidationError) as exc:
        load([tmp_path], shipped=False, resolver=fake_resolve)
    assert "big.yaml:1" in str(exc.value) and "limited to" in str(exc.value)


def test_member_sets_are_named_lists_not_yaml_aliases() -> None:
    text = (
        "member_sets:\n  allies: [USA, AUS, GBR]\n"
        "grouping:\n  id: set-group\n  name: Set Group\n  members: [$allies, JPN]\n"
        "records:\n" + rec()
    )
    rs = load_text(text)
    assert rs.groupings["set-group"].members == (2, 900, 200, 740)
    bad = text.replace("[$allies, JPN]", "[$allys, JPN]")
    p = _where(problems_of(("t.yaml", bad)), "no member set '$allys'")
    assert p.line == 6 and "$allies" in p.message


def test_coverage_is_validated() -> None:
    text = record_file(rec(), coverage=COVERAGE.format(to="2019-06"))
    _where(problems_of(("t.yaml", text)), "is after the end of coverage")
    text = record_file(rec(), coverage=COVERAGE.format(to="2025-06") + "    gaps: [2010]\n")
    _where(problems_of(("t.yaml", text)), "gap years outside the coverage")


def test_a_series_is_one_kind_of_mechanism_and_ends_series_names_one() -> None:
    extra = "    series: summits\n"
    text = record_file(
        rec("a-1", extra=extra), rec("a-2", date="2024-01", type="foreign_ministerial", extra=extra)
    )
    _where(problems_of(("t.yaml", text)), "series 'summits' mixes types")
    neg = rec(
        "n-1",
        type="withdrawal",
        regularity="one_off",
        extra="    severity: severe\n    ends_series: [sumits]\n",
    )
    text = record_file(rec("a-1", extra=extra), neg)
    p = _where(problems_of(("t.yaml", text)), "no series 'sumits'")
    assert "did you mean 'summits'" in p.message


# -- settings -------------------------------------------------------------------------------


def test_settings_file_is_typed_and_hashed() -> None:
    s = settings_mod.load()
    inst = s.institutionalization
    assert inst.dimension("leaders").weight == 15 and inst.max_score == 100
    assert set(inst.penalty) == set(schema.SEVERITIES)
    assert inst.penalty["context"] == 0
    pens = [inst.penalty[k] for k in schema.SEVERITIES]
    assert pens == sorted(pens)  # the severity scale is monotone
    assert re.fullmatch(r"[0-9a-f]{64}", s.hash) and s.provenance()["settings_sha256"] == s.hash
    every = {t for d in inst.dimensions for t in d.types}
    assert {"mutual_defense", "security_cooperation_framework", "secretariat"} <= every


def test_settings_errors_name_the_key(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("institutionalization:\n  legal: {weight: 15}\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"institutionalization\.dimensions: missing"):
        settings_mod.load(f)
    f.write_text("colour: red\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="unknown section 'colour'"):
        settings_mod.load(f)


def test_other_weights_change_the_index_through_the_settings() -> None:
    inst = settings_mod.institutionalization()
    dims = tuple(
        dataclasses.replace(d, weight=d.weight * 2) if d.name == "leaders" else d
        for d in inst.dimensions
    )
    doubled = dataclasses.replace(inst, dimensions=dims)
    rs = load_text(record_file(rec(), coverage=COVERAGE.format(to="2025-06")))
    a = index_table(rs, years=[2023])["leaders"][0]
    b = index_table(rs, years=[2023], settings=doubled)["leaders"][0]
    assert a > 0 and b == pytest.approx(2 * a)


# -- the index: construction rules ----------------------------------------------------------


def _rec(
    regularity: str,
    date: str = "2020-05-01",
    end: str | None = None,
    type_: str = "leaders_summit",
    **kw: object,
) -> schema.Record:
    return schema.Record(
        id=str(kw.pop("id", "x")),
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
        **kw,  # type: ignore[arg-type]
    )


def test_record_strength_lapses_by_regularity() -> None:
    annual = _rec("annual")
    assert [strength(annual, y) for y in range(2019, 2026)] == [0, 1, 0.5, 0.25, 0.125, 0, 0]
    biennial = _rec("biennial")
    assert [strength(biennial, y) for y in range(2020, 2025)] == [1, 1, 0.5, 0.25, 0.125]
    standing = _rec("standing", end="2023-03")
    assert [strength(standing, y) for y in range(2020, 2025)] == [1, 1, 1, 1, 0]
    assert [strength(_rec("one_off"), y) for y in (2020, 2021)] == [1, 0]
    penalty = _rec("standing", end="2022-07", type_="trade_restriction", severity="serious")
    assert [strength(penalty, y) for y in range(2020, 2024)] == [1, 0.5, 0.5, 0]
    assert strength(_rec("annual", status="promised"), 2020) == 0


def _series_file(to: str, *records: str) -> str:
    return record_file(*records, coverage=COVERAGE.format(to=to))


EXERCISE = rec(
    "fe-1",
    date="2024-06-27",
    type="joint_exercise",
    extra="    end_date: 2024-06-29\n    series: freedom-edge\n",
)


def _value(t: pl.DataFrame, year: int, col: str = "institutionalization") -> float:
    return t.filter(pl.col("year") == year)[col][0]


def test_an_end_date_on_one_iteration_never_ends_the_series() -> None:
    t = index_table(load_text(_series_file("2025-12-31", EXERCISE)))
    # the exercise ended on 29 June 2024; the annual series is only lapsing in 2025
    assert _value(t, 2024, "military") > 0
    mil = settings_mod.institutionalization().dimension("military")
    assert _value(t, 2024, "military") == pytest.approx(mil.score(1.0))
    assert _value(t, 2025, "military") == pytest.approx(mil.score(0.5))  # lapsing, not ended


def test_the_last_covered_year_is_partial_without_decay_or_drop() -> None:
    t = index_table(load_text(_series_file("2025-06-30", EXERCISE)))
    row = t.filter(pl.col("year") == 2025).row(0, named=True)
    assert row["partial"] is True and row["completeness"] == "partial"
    assert row["institutionalization"] == pytest.approx(_value(t, 2024))
    full = index_table(load_text(_series_file("2025-12-31", EXERCISE)))
    assert full.filter(pl.col("year") == 2025)["partial"][0] is False


def test_promises_count_only_once_held() -> None:
    summit = rec("s-1", date="2023-08-18")
    promise = rec(
        "p-1",
        date="2023-08-18",
        type="foreign_ministerial",
        extra="    status: promised\n    series: foreign-ministers\n",
    )
    held = rec(
        "h-1",
        date="2024-02-15",
        type="foreign_ministerial",
        extra="    series: foreign-ministers\n",
    )
    base = index_table(load_text(_series_file("2025-06", summit)))
    with_promise = index_table(load_text(_series_file("2025-06", summit, promise)))
    assert _value(with_promise, 2023) == pytest.approx(_value(base, 2023))
    assert _value(with_promise, 2023, "n_promised") == 1
    fulfilled = index_table(load_text(_series_file("2025-06", summit, promise, held)))
    assert _value(fulfilled, 2023) == pytest.approx(_value(base, 2023))
    assert _value(fulfilled, 2024, "ministerial") > 0 == _value(with_promise, 2024, "ministerial")


def test_every_new_standing_body_adds_to_the_index() -> None:
    kinds = [
        "crisis_hotline",
        "secretariat",
        "security_cooperation_framework",
        "real_time_data_sharing",
        "intelligence_sharing_agreement",
        "commitment_to_consult",
        "mutual_defense",
        "economic_framework",
    ]
    values = []
    for n in range(1, len(kinds) + 1):
        recs = [
            rec(f"b-{i}", date="2024-01-01", type=k, regularity="standing")
            for i, k in enumerate(kinds[:n])
        ]
        values.append(
            _value(index_table(load_text(_series_file("2025-06", *recs))), 2024, "standing")
        )
    gains = [b - a for a, b in itertools.pairwise(values)]
    assert all(g > 0 for g in gains)  # no hard cap: every body still counts
    assert all(b < a for a, b in itertools.pairwise(gains))  # diminishing returns
    assert values[-1] < 20  # below the dimension's weight


def test_a_withdrawal_ends_a_series_until_it_is_held_again() -> None:
    talks = rec("o-1", date="2007-05", type="working_level_dialogue", regularity="irregular")
    talks = talks.replace("    source_kind", "    series: talks\n    source_kind")
    exit_ = rec(
        "w-1",
        date="2008-02",
        type="withdrawal",
        regularity="one_off",
        extra="    severity: severe\n    ends_series: [talks]\n",
    )
    revival = talks.replace("o-1", "o-2").replace("date: 2007-05", "date: 2017-11")
    text = record_file(talks, exit_, revival, coverage=COVERAGE.format(to="2025-06"))
    t = index_table(load_text(text.replace("from: 2020", "from: 2007")))
    assert _value(t, 2009, "working_level") == 0 < _value(t, 2017, "working_level")
    assert _value(t, 2008, "penalties") == -settings_mod.institutionalization().penalty["severe"]


def test_severity_not_type_sets_the_penalty() -> None:
    aborted = rec("n-1", type="suspension", regularity="one_off", extra="    severity: moderate\n")
    notice = rec(
        "n-2",
        date="2024-08-22",
        type="withdrawal",
        regularity="standing",
        extra="    severity: severe\n    end_date: 2024-11-22\n",
    )
    t = components(load_text(_series_file("2025-06", aborted, notice)))
    pen = dict(
        t.filter(pl.col("dimension") == "penalties")
        .select("record_ids", "contribution")
        .iter_rows()
    )
    assert pen["n-1"] > pen["n-2"]  # the aborted signing hurts less than the notice


def test_completeness_flags_and_ranking() -> None:
    a = record_file(rec("a-1"), coverage=COVERAGE.format(to="2025-06"))
    b = (
        "grouping:\n  id: other\n  name: Other\n  members: [USA, AUS]\n"
        "  coverage:\n    to: 2025-06\n    statement: not systematic\n"
        "records:\n" + rec("b-1").replace("leaders_summit", "foreign_ministerial")
    )
    rs, problems = validate_texts(
        [("a.yaml", a), ("b.yaml", b)], resolver=fake_resolve, today=dt.date(2025, 12, 31)
    )
    assert rs is not None and not problems
    t = index_table(rs)
    flags = dict(t.filter(pl.col("year") == 2024).select("grouping_id", "completeness").iter_rows())
    assert flags == {"test-group": "complete", "other": "not_assessed"}
    r = rank(rs, 2024)
    by = {row["grouping_id"]: row for row in r.iter_rows(named=True)}
    assert by["test-group"]["rank"] == 1 and by["other"]["rank"] is None
    assert "no systematic coverage" in by["other"]["reason"]
    assert rank(rs, 2025).filter(pl.col("rank").is_not_null()).height == 0  # partial year


# -- shipped records ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rs(data_home: Path) -> RecordSet:
    from allyscope.mechanisms import load_records

    return load_records()


#: host suffixes of governments and international organizations
OFFICIAL_HOSTS = (
    ".gov",
    ".mil",
    ".go.jp",
    ".go.kr",
    ".gov.sg",
    ".gov.cn",
    "kremlin.ru",
    "nato.int",
    "iaea.org",  # the IAEA publishes members' communications (INFCIRC)
    ".gov.au",
    "presidency.ucsb.edu",  # archive of White House texts
    "worldjpn.net",  # GRIPS archive of Japanese official texts
    "webharvest.gov",
    "dvidshub.net",  # the DoD media distribution service
)


def test_every_shipped_record_validates_and_has_an_acceptable_source(rs) -> None:
    assert len(rs.records) >= 200
    assert set(rs.groupings) == {
        "us-japan-rok",
        "japan-rok",
        "quad",
        "aukus",
        "us-japan-australia",
        "us-japan-philippines",
        "nato-ip4",
        "china-russia",
        "russia-dprk",
        "ipef",
        "msp",
    }
    for r in rs.records:
        assert r.source_kind in schema.SOURCE_KINDS, r.id
        for s in (r.source, *r.further_sources):
            host = schema.source_host(s.url)
            assert not schema.disallowed_host(host), (r.id, host)
        if r.source_kind in schema.PRIMARY_SOURCE_KINDS:
            host = schema.source_host(r.source.url)
            assert host.endswith(OFFICIAL_HOSTS), (r.id, host)
        assert r.description and len(r.description) > 20, r.id
        assert (r.severity is not None) == r.negative, r.id
    ids = [r.id for r in rs.records]
    assert len(ids) == len(set(ids))


def test_most_trilateral_records_cite_primary_sources_or_wires(rs) -> None:
    kinds = [r.source_kind for r in rs.of("us-japan-rok")]
    primary = sum(k in schema.PRIMARY_SOURCE_KINDS for k in kinds)
    assert primary / len(kinds) > 0.4


def _has(rs, grouping: str, type_: str, date: str, **attrs) -> bool:
    g = rs.grouping(grouping)
    return any(
        r.type == type_
        and str(r.date) == date
        and all(getattr(r, k) == v for k, v in attrs.items())
        for r in rs.of(g)
    )


FACTS = [
    # US-Japan-ROK: the coordination group, the channels of 2008-2019, Camp David, 2024
    ("US-Japan-ROK", "working_level_dialogue", "2001-11-27", {"series": "tcog"}),
    ("US-Japan-ROK", "foreign_ministerial", "2010-12-06", {}),
    (
        "US-Japan-ROK",
        "working_level_dialogue",
        "2015-04-16",
        {"series": "defense-trilateral-talks"},
    ),
    (
        "US-Japan-ROK",
        "working_level_dialogue",
        "2019-05-09",
        {"series": "defense-trilateral-talks"},
    ),
    ("US-Japan-ROK", "defense_ministerial", "2017-10-23", {}),
    ("US-Japan-ROK", "leaders_summit", "2016-03-31", {}),
    ("US-Japan-ROK", "leaders_summit", "2017-07-06", {}),
    ("US-Japan-ROK", "leaders_summit", "2017-09-21", {}),
    ("US-Japan-ROK", "joint_exercise", "2016-06-20", {"series": "pacific-dragon"}),
    ("US-Japan-ROK", "joint_exercise", "2017-12-11", {"series": "missile-warning-exercises"}),
    ("US-Japan-ROK", "intelligence_sharing_agreement", "2014-12-29", {}),
    ("US-Japan-ROK", "leaders_summit", "2023-08-18", {"regularity": "annual"}),
    ("US-Japan-ROK", "commitment_to_consult", "2023-08-18", {"status": "held"}),
    ("US-Japan-ROK", "crisis_hotline", "2023-08-18", {"status": "promised"}),
    ("US-Japan-ROK", "foreign_ministerial", "2023-08-18", {"status": "promised"}),
    ("US-Japan-ROK", "real_time_data_sharing", "2023-12-19", {"status": "held"}),
    ("US-Japan-ROK", "joint_exercise", "2024-06-27", {"series": "freedom-edge"}),
    ("US-Japan-ROK", "security_cooperation_framework", "2024-07-28", {"series": "tscf"}),
    ("US-Japan-ROK", "secretariat", "2024-11-20", {"series": "trilateral-secretariat"}),
    ("US-Japan-ROK", "regime_shock", "2024-12-03", {"severity": "serious"}),
    ("US-Japan-ROK", "government_change", "2025-06-04", {"severity": "context"}),
    # Japan-ROK: shuttle diplomacy, SAREX, the disputes and the 2023 normalization
    ("Japan-ROK", "leaders_summit", "2004-07-21", {"series": "leaders"}),
    ("Japan-ROK", "joint_exercise", "1999", {"series": "sarex"}),
    ("Japan-ROK", "suspension", "2012-06-29", {"severity": "moderate"}),
    ("Japan-ROK", "dispute", "2012-08-10", {"actors": (732,)}),
    ("Japan-ROK", "dispute", "2018-10-30", {}),
    ("Japan-ROK", "military_incident", "2018-12-20", {}),
    ("Japan-ROK", "trade_restriction", "2019-07-01", {"actors": (740,)}),
    ("Japan-ROK", "withdrawal", "2019-08-22", {"severity": "severe"}),
    ("Japan-ROK", "intelligence_sharing_agreement", "2016-11-23", {"series": "gsomia"}),
    ("Japan-ROK", "leaders_summit", "2023-03-16", {}),
    ("Japan-ROK", "regime_shock", "2024-12-03", {}),
    # others
    ("Quad", "withdrawal", "2008-02-05", {"actors": (900,)}),
    ("Quad", "leaders_summit", "2021-09-24", {}),
    ("AUKUS", "formal_treaty", "2024-08-05", {}),
    ("IP4", "downgrade", "2025-06-24", {}),
    ("China-Russia", "commitment_to_consult", "2001-07-16", {"bindingness": "treaty"}),
    ("Russia-DPRK", "mutual_defense", "2024-12-04", {"bindingness": "treaty"}),
    ("Russia-DPRK", "formal_treaty", "2024-06-19", {}),
    ("IPEF", "economic_framework", "2024-02-24", {"bindingness": "agreement"}),
]


@pytest.mark.parametrize(
    ("grouping", "type_", "date", "attrs"), FACTS, ids=[f"{g}-{t}-{d}" for g, t, d, _ in FACTS]
)
def test_required_fact_is_recorded_with_its_date(rs, grouping, type_, date, attrs) -> None:
    assert _has(rs, grouping, type_, date, **attrs)


def test_typing_follows_the_codebook(rs) -> None:
    tscf = rs.by_id("ujk-2024-07-tscf")
    assert tscf.type == "security_cooperation_framework"  # not a secretariat
    assert rs.by_id("rd-2024-06-mutual-defense").type == "mutual_defense"
    # no mutual-defense commitment between Japan and South Korea, nor in the trilateral
    for g in ("japan-rok", "us-japan-rok"):
        assert not [r for r in rs.of(g) if r.type == "mutual_defense"]
    assert rs.by_id("jk-2019-08-gsomia-termination-notice").affects == ("jk-2016-11-gsomia",)


def test_members_are_cow_codes(rs) -> None:
    assert rs.grouping("USA JPN KOR").id == "us-japan-rok"
    assert rs.grouping("us-japan-south korea").members == (2, 740, 732)
    nato = rs.by_id("natoip4-2024-07-washington-summit")
    assert len(nato.members) == 36 and 255 in nato.members and 380 in nato.members
    assert 375 not in rs.by_id("natoip4-2022-06-madrid-summit").members  # Finland joined 2023


# -- the index on the shipped records ----------------------------------------------------------


@pytest.fixture(scope="module")
def idx(rs) -> pl.DataFrame:
    return index_table(rs)


def _v(idx: pl.DataFrame, gid: str, year: int, col: str = "institutionalization") -> float:
    return idx.filter((pl.col("grouping_id") == gid) & (pl.col("year") == year))[col][0]


def test_trilateral_camp_david_raises_2023_and_2025_is_partial_not_a_decline(idx) -> None:
    assert _v(idx, "us-japan-rok", 2023) > _v(idx, "us-japan-rok", 2022)
    assert _v(idx, "us-japan-rok", 2023) > max(
        _v(idx, "us-japan-rok", y) for y in range(1999, 2023)
    )
    row = idx.filter((pl.col("grouping_id") == "us-japan-rok") & (pl.col("year") == 2025))
    assert row["partial"][0] is True and row["completeness"][0] == "partial"
    assert _v(idx, "us-japan-rok", 2025) >= _v(idx, "us-japan-rok", 2024)


def test_a_covered_year_never_reads_null_or_zero(idx) -> None:
    for gid in ("us-japan-rok", "japan-rok"):
        t = idx.filter((pl.col("grouping_id") == gid) & pl.col("year").is_between(1999, 2025))
        assert t.height == 27
        assert t["institutionalization"].null_count() == 0
        assert (t["institutionalization"] > 0).all(), gid


def test_japan_rok_2019_is_the_low_point(idx, rs) -> None:
    v = {y: _v(idx, "japan-rok", y) for y in range(2015, 2025)}
    assert v[2019] < v[2018] and v[2019] < v[2020] and v[2019] < v[2023]
    assert v[2019] == min(v.values())
    pen = components(rs, "japan-rok", [2019]).filter(pl.col("dimension") == "penalties")
    assert {
        "jk-2019-07-export-controls",
        "jk-2019-08-japan-white-list-removal",
        "jk-2019-08-gsomia-termination-notice",
        "jk-2019-09-rok-white-list-removal",
    } <= set(pen["record_ids"])


def test_removing_the_tscf_and_secretariat_lowers_2024(rs, idx) -> None:
    drop = {"ujk-2024-07-tscf", "ujk-2024-11-trilateral-secretariat"}
    fewer = dataclasses.replace(rs, records=tuple(r for r in rs.records if r.id not in drop))
    t = index_table(fewer, "us-japan-rok", [2024])
    assert t["institutionalization"][0] < _v(idx, "us-japan-rok", 2024) - 1


def test_the_aborted_2012_signing_weighs_less_than_the_2019_notice(rs) -> None:
    comp = components(rs, "japan-rok", [2012, 2019]).filter(pl.col("dimension") == "penalties")
    pen = dict(comp.select("record_ids", "contribution").iter_rows())
    assert pen["jk-2012-06-gsomia-signing-aborted"] > pen["jk-2019-08-gsomia-termination-notice"]


def test_freedom_edge_still_counts_in_2025(rs) -> None:
    comp = components(rs, "us-japan-rok", [2025]).filter(pl.col("component") == "freedom-edge")
    assert comp.height == 1 and comp["contribution"][0] > 0


def test_groupings_without_systematic_coding_are_not_ranked(rs) -> None:
    r = rank(rs, 2024)
    ranked = set(r.filter(pl.col("rank").is_not_null())["grouping_id"])
    assert {"us-japan-rok", "japan-rok", "quad"} <= ranked
    assert {"china-russia", "russia-dprk", "ipef", "msp"}.isdisjoint(ranked)
    assert "us-japan-australia" in ranked  # systematic from 2019


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
    assert comp.filter(pl.col("record_ids") == "").height == 0


def test_worked_example_japan_rok_2019_by_hand(idx) -> None:
    """docs/institutionalization.md works this grouping-year out by hand."""

    def dim(weight: float, half: float, total: float) -> float:
        return weight * (1 - 2 ** (-total / half))

    leaders = dim(15, 0.5, 1)  # the Bangkok talk and the Chengdu summit: one series held
    # defense ministers held (Nov); foreign ministers (last 2015) and the finance dialogue
    # (last 2016) in their third lapsed year: 0.5 ** 3 each
    ministerial = dim(15, 1.5, 1 + 0.125 + 0.125)
    working = dim(10, 1.5, 1)  # security consultation of March 2018, not yet due again
    standing = dim(20, 2, 1)  # GSOMIA; the currency swap expired in 2015
    military = 0.0  # SAREX ended with the fleet-review row of October 2018
    legal = 15 * 0.75  # the GSOMIA, an agreement
    breadth = dim(10, 4, 10)  # ten issue areas among the records behind active channels
    # three serious trade restrictions, the severe termination notice (first year), and
    # the radar incident of 2018 still in force (moderate, at half weight)
    penalties = -(8 + 8 + 8 + 12 + 5 * 0.5)
    row = idx.filter((pl.col("grouping_id") == "japan-rok") & (pl.col("year") == 2019)).row(
        0, named=True
    )
    assert row["leaders"] == pytest.approx(leaders)
    assert row["ministerial"] == pytest.approx(ministerial)
    assert row["working_level"] == pytest.approx(working)
    assert row["standing"] == pytest.approx(standing)
    assert row["military"] == pytest.approx(military)
    assert row["legal"] == pytest.approx(legal)
    assert row["breadth"] == pytest.approx(breadth)
    assert row["penalties"] == pytest.approx(penalties)


def test_years_outside_a_groupings_span_are_null(rs) -> None:
    t = index_table(rs, "AUKUS", range(2015, 2026))
    assert t.filter(pl.col("year") < 2021)["institutionalization"].null_count() == 6
    assert t.filter(pl.col("year") >= 2021)["institutionalization"].null_count() == 0


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
    assert len(exc.value.problems) == 1  # type: ignore[attr-defined]
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


# -- the inter-coder check ---------------------------------------------------------------------


def _intercoder():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "intercoder" / "common.py"
    spec = importlib.util.spec_from_file_location("intercoder_common", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_intercoder_sample_is_seeded_stratified_and_blind(rs) -> None:
    ic = _intercoder()
    a = ic.draw_sample(rs.records, seed=7)
    assert [r.id for r in a] == [r.id for r in ic.draw_sample(rs.records, seed=7)]
    assert [r.id for r in a] != [r.id for r in ic.draw_sample(rs.records, seed=8)]
    assert {r.grouping_id for r in a} == set(rs.groupings)  # every grouping is checked
    assert 0.17 < len(a) / len(rs.records) < 0.25
    folder = Path(__file__).resolve().parents[1] / "scripts" / "intercoder"
    text = (folder / "second_coder_sheet.csv").read_text(encoding="utf-8")
    first = (folder / "first_coding.csv").read_text(encoding="utf-8")
    # the blank sheet and the stored first coding come from one draw (seed, records hash)
    assert text.splitlines()[0] == first.splitlines()[0]
    first_rows = list(csv.DictReader(x for x in first.splitlines() if not x.startswith("#")))
    sheet_rows = list(csv.DictReader(x for x in text.splitlines() if not x.startswith("#")))
    assert [r["item"] for r in first_rows] == [r["item"] for r in sheet_rows]
    for r in first_rows:  # no record id and no first coding on the sheet
        assert r["record_id"] not in text
    body = text.splitlines()[3:]
    assert all(line.endswith(",,,,,,,,") for line in body)


def _kappa_script():
    import importlib.util
    import sys

    folder = Path(__file__).resolve().parents[1] / "scripts" / "intercoder"
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location("intercoder_kappa", folder / "kappa.py")
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(folder))
    return mod, folder


@pytest.mark.slow
def test_reported_agreement_is_reproduced_from_the_stored_first_coding() -> None:
    """docs/codebook.md reports the agreement measured on the first coding as stored when
    the sample was drawn; the records changed since, the figures must not."""
    kappa, folder = _kappa_script()
    meta, rows = kappa.read_sheet(folder / "second_coder_sheet.coded.csv")
    first_meta, first = kappa.read_first_coding(folder / "first_coding.csv")
    assert first_meta["records_sha256"] == meta["records_sha256"]
    table = kappa.agreement_table(first, rows, 2000, seed=int(meta["seed"]))
    doc = (Path(__file__).resolve().parents[1] / "docs" / "codebook.md").read_text()
    for line in table[2:]:
        assert line in doc, line
    # the weakest field, as the codebook reads it
    assert "| bindingness | 43 | 0.74 | 0.56 |" in table[5]
