"""The record schema: controlled vocabularies and the typed record.

A *record* documents one cooperation mechanism of a *grouping* of states (a summit, a
hotline, a data-sharing system, an exercise series, a treaty ...) or one negative event
(a suspension, a downgrade, a withdrawal, a trade restriction), with its date, members,
level, stated regularity, bindingness, issue areas, a description and a public source.

Records are kept in YAML files, one file per grouping (see ``docs/mechanisms.md``)::

    grouping:
      id: us-japan-rok
      name: US-Japan-ROK
      members: [USA, JPN, KOR]
    records:
      - id: ujk-2023-08-camp-david-summit
        date: 2023-08-18
        type: leaders_summit
        ...

This module holds the vocabularies and :func:`check_record`, which validates one
record mapping field by field (no file, no country look-up). Reading files with line
numbers, resolving country codes and checking ids across files is done by
:mod:`allyscope.mechanisms.loader`.

The vocabularies are part of the public contract: tools that write records (for
example the text extractor) must use these exact identifiers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# -- controlled vocabularies ---------------------------------------------------------------

#: mechanism types: identifier -> label. The last four are negative events.
MECHANISM_TYPES: dict[str, str] = {
    "leaders_summit": "leaders' summit",
    "foreign_ministerial": "foreign ministers' meeting",
    "defense_ministerial": "defense ministers' meeting",
    "other_ministerial": "other ministerial meeting (commerce, industry, finance ...)",
    "nsa_meeting": "national security advisers' meeting",
    "working_level_dialogue": "working-level or senior-officials dialogue, working group",
    "crisis_hotline": "crisis hotline or communication line",
    "intelligence_sharing_agreement": "intelligence-sharing agreement",
    "real_time_data_sharing": "real-time data sharing (e.g. missile-warning data)",
    "joint_exercise": "joint exercise (a named series)",
    "multi_year_exercise_plan": "multi-year exercise plan",
    "secretariat": "secretariat or standing body",
    "commitment_to_consult": "commitment to consult",
    "joint_statement_of_principles": "joint statement of principles",
    "formal_treaty": "formal treaty",
    "sanctions_export_control_coordination": "sanctions or export-control coordination",
    "economic_framework": "supply-chain or economic framework",
    # negative events
    "suspension": "suspension (negative event)",
    "downgrade": "downgrade (negative event)",
    "withdrawal": "withdrawal or termination notice (negative event)",
    "trade_restriction": "trade restriction (negative event)",
}

#: mechanism types that record a setback rather than cooperation
NEGATIVE_TYPES: frozenset[str] = frozenset(
    {"suspension", "downgrade", "withdrawal", "trade_restriction"}
)

#: who meets or acts
LEVELS: dict[str, str] = {
    "leaders": "heads of state or government",
    "ministers": "ministers (foreign, defense, commerce ...)",
    "nsa": "national security advisers",
    "senior_officials": "vice ministers, deputy or assistant secretaries, director-generals",
    "working_level": "working-level officials, working groups, expert groups",
    "military": "armed forces: chiefs of defense, commands, units",
    "agency": "civilian agencies: law enforcement, coast guards, regulators",
}

#: the stated regularity of a mechanism; ``interval`` in years drives decay in the index
REGULARITIES: dict[str, str] = {
    "one_off": "a single event, no recurrence stated",
    "annual": "once a year",
    "twice_yearly": "twice a year",
    "quarterly": "four times a year",
    "biennial": "every two years",
    "rotational": "on a rotational basis among members, no fixed frequency",
    "irregular": "recurring without a stated frequency",
    "standing": "standing or continuous (in force until ended)",
}

#: years after which a recurring mechanism that has not been observed again is lapsing
RECURRENCE_INTERVAL: dict[str, int] = {
    "annual": 1,
    "twice_yearly": 1,
    "quarterly": 1,
    "biennial": 2,
    "rotational": 2,
    "irregular": 2,
}

#: legal form of the commitment, weakest to strongest
BINDINGNESS: dict[str, str] = {
    "none": "no written commitment (a meeting, an exercise, a unilateral act)",
    "statement": "joint statement, declaration or communique (political, not binding)",
    "mou": "memorandum of understanding, arrangement or framework document",
    "agreement": "intergovernmental agreement (binding, not ratified as a treaty)",
    "treaty": "treaty (ratified, binding in international law)",
}

#: issue areas a record may cover
ISSUE_AREAS: dict[str, str] = {
    "diplomacy": "general political coordination",
    "security": "security cooperation in general",
    "defense": "defense policy and forces",
    "deterrence": "extended deterrence, nuclear policy",
    "dprk": "North Korea: missiles, nuclear programme, sanctions",
    "missile_defense": "missile warning and defense",
    "maritime_security": "maritime security, freedom of navigation, coast guards",
    "intelligence": "intelligence and information sharing",
    "cyber": "cyber security and cyber threats",
    "law_enforcement": "crime, money laundering, crypto theft",
    "space": "space",
    "nonproliferation": "non-proliferation, nuclear technology, submarines",
    "defense_industry": "defense industry, technology and co-production",
    "technology": "critical and emerging technology",
    "economic_security": "economic security and coercion",
    "supply_chains": "supply chains",
    "critical_minerals": "critical minerals",
    "trade": "trade and investment",
    "export_controls": "export controls and sanctions",
    "energy": "energy",
    "climate": "climate and environment",
    "health": "health",
    "infrastructure": "infrastructure and connectivity",
    "development": "development assistance",
    "humanitarian": "humanitarian assistance and disaster relief",
    "people_to_people": "people-to-people, education, culture",
    "regional_order": "regional order, Indo-Pacific strategy, Taiwan Strait, South China Sea",
}

#: how exactly a date is known
DATE_PRECISIONS: tuple[str, ...] = ("day", "month", "year")

#: field name -> (required, description); the schema of one record
RECORD_FIELDS: dict[str, tuple[bool, str]] = {
    "id": (True, "unique, stable slug: lower-case letters, digits and hyphens"),
    "date": (True, "ISO date: YYYY-MM-DD, YYYY-MM or YYYY (its precision)"),
    "date_precision": (False, "day, month or year; must agree with the date if given"),
    "end_date": (False, "when the mechanism ended or was lifted (ISO date, any precision)"),
    "members": (False, "state codes (ISO3 preferred); default: the grouping's members"),
    "actors": (False, "for one-sided acts: the members that acted"),
    "type": (True, "mechanism type (MECHANISM_TYPES)"),
    "level": (True, "level (LEVELS)"),
    "regularity": (True, "stated regularity (REGULARITIES)"),
    "bindingness": (True, "bindingness (BINDINGNESS)"),
    "issue_areas": (True, "one or more issue areas (ISSUE_AREAS)"),
    "title": (True, "a short label"),
    "description": (True, "what was agreed or happened, in the curator's own words"),
    "evidence": (False, "a short quoted phrase from the source"),
    "affects": (False, "ids of records this event suspends, downgrades or ends"),
    "series": (
        False,
        "slug naming the mechanism or meeting line the record belongs to "
        "(default: its type); records of one series count once per year",
    ),
    "source": (True, "public source: title, publisher, date, url"),
    "further_sources": (False, "more sources, each with title, publisher, date, url"),
}

#: fields of a source mapping (all required)
SOURCE_FIELDS: tuple[str, ...] = ("title", "publisher", "date", "url")

#: fields of a grouping mapping
GROUPING_FIELDS: dict[str, tuple[bool, str]] = {
    "id": (True, "unique slug"),
    "name": (True, "display name"),
    "aliases": (False, "other names users may type (matched case-insensitively)"),
    "members": (True, "state codes of the core members (ISO3 preferred)"),
    "kind": (False, "bilateral, minilateral, multilateral or framework"),
    "description": (False, "one or two sentences"),
    "coverage_end": (False, "last date the curated records are meant to cover"),
}

GROUPING_KINDS: tuple[str, ...] = ("bilateral", "minilateral", "multilateral", "framework")

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")


# -- typed values --------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the day, month or year. ``date`` is its first possible day."""

    date: dt.date
    precision: str = "day"

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def last_day(self) -> dt.date:
        """The last day the date may stand for (end of month or year for coarse dates)."""
        if self.precision == "year":
            return dt.date(self.date.year, 12, 31)
        if self.precision == "month":
            nxt = dt.date(self.date.year + self.date.month // 12, self.date.month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return self.date

    def __str__(self) -> str:
        if self.precision == "year":
            return f"{self.date.year:04d}"
        if self.precision == "month":
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


def parse_date(text: object) -> PartialDate:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; raise ``ValueError`` with a reason."""
    if isinstance(text, dt.datetime):
        return PartialDate(text.date(), "day")
    if isinstance(text, dt.date):
        return PartialDate(text, "day")
    s = str(text).strip()
    m = _DATE_RE.match(s)
    if not m:
        raise ValueError(f"{s!r} is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)")
    y, mo, d = int(m[1]), m[2], m[3]
    if y < 1800:
        raise ValueError(f"year {y} is out of range")
    if mo is None:
        return PartialDate(dt.date(y, 1, 1), "year")
    if not 1 <= int(mo) <= 12:
        raise ValueError(f"{s!r} has no month {int(mo)}")
    if d is None:
        return PartialDate(dt.date(y, int(mo), 1), "month")
    try:
        return PartialDate(dt.date(y, int(mo), int(d)), "day")
    except ValueError:
        raise ValueError(f"{s!r} is not a calendar date") from None


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    date: PartialDate
    url: str


@dataclass(frozen=True)
class Grouping:
    id: str
    name: str
    members: tuple[int, ...]  # COW codes
    member_codes: tuple[str, ...]  # as written (ISO3)
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    description: str | None = None
    coverage_end: PartialDate | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Record:
    id: str
    grouping_id: str
    grouping_name: str
    date: PartialDate
    type: str
    level: str
    regularity: str
    bindingness: str
    issue_areas: tuple[str, ...]
    title: str
    description: str
    source: Source
    members: tuple[int, ...]  # COW codes
    member_codes: tuple[str, ...]  # as written (ISO3)
    end_date: PartialDate | None = None
    actors: tuple[int, ...] = ()
    evidence: str | None = None
    affects: tuple[str, ...] = ()
    series: str | None = None
    further_sources: tuple[Source, ...] = ()
    file: str = ""
    line: int = 0

    @property
    def negative(self) -> bool:
        return self.type in NEGATIVE_TYPES

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def channel(self) -> str:
        """The series the record belongs to: ``series`` if given, else its type."""
        return self.series or self.type

    @property
    def end_year(self) -> int | None:
        return self.end_date.year if self.end_date else None


# -- field checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (file, line, field) and what."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


def normalize_term(value: object) -> str:
    """Vocabulary terms compare case-insensitively; spaces and hyphens count as underscores."""
    return re.sub(r"[\s\-]+", "_", str(value).strip().lower())


def vocabulary_error(kind: str, value: object, vocab: Mapping[str, str]) -> str | None:
    """``None`` if ``value`` is a term of ``vocab``, else a message with suggestions."""
    from allyscope.errors import suggest

    if normalize_term(value) in vocab:
        return None
    hits = suggest(normalize_term(value), vocab, n=3)
    msg = f"unknown {kind} {value!r}"
    if hits:
        msg += "; did you mean " + " or ".join(repr(h) for h in hits) + "?"
    else:
        msg += f" (known: {', '.join(vocab)})"
    return msg


def check_record(data: Mapping[str, Any], today: dt.date | None = None) -> list[tuple[str, str]]:  # noqa: C901, PLR0912, PLR0915
    """Check one record mapping against the schema, without country codes or other files.

    Returns ``(field, message)`` pairs; empty if the record is valid. Dates may be
    strings or ``datetime.date``; vocabulary terms are matched as :func:`normalize_term`
    does. Used by the loader and by tools that generate records.
    """
    today = today or dt.date.today()
    out: list[tuple[str, str]] = []
    if not isinstance(data, Mapping):
        return [("", "a record must be a mapping of fields")]
    for key in data:
        if key not in RECORD_FIELDS:
            from allyscope.errors import suggest

            hits = suggest(str(key), RECORD_FIELDS)
            hint = f"; did you mean {hits[0]!r}?" if hits else ""
            out.append((str(key), f"unknown field {key!r}{hint}"))
    for key, (required, _) in RECORD_FIELDS.items():
        if required and (key not in data or data[key] in (None, "", [])):
            what = "a public source (title, publisher, date, url)" if key == "source" else key
            out.append((key, f"missing {what}"))
    for key in ("id", "series"):
        val = data.get(key)
        if val is not None and not (isinstance(val, str) and ID_RE.match(val)):
            out.append((key, f"{val!r} is not a slug (lower-case letters, digits, hyphens)"))

    start = _check_date(data, "date", today, out)
    prec = data.get("date_precision")
    if prec is not None:
        if prec not in DATE_PRECISIONS:
            out.append(("date_precision", f"unknown date precision {prec!r} (day, month or year)"))
        elif start is not None and start.precision != prec:
            out.append(
                (
                    "date_precision",
                    f"says {prec!r} but the date {start} is given to the {start.precision}",
                )
            )
    end = _check_date(data, "end_date", today, out)
    if start is not None and end is not None and end.last_day < start.date:
        out.append(("end_date", f"end date {end} is before the start date {start}"))

    for key, kind, vocab in (
        ("type", "mechanism type", MECHANISM_TYPES),
        ("level", "level", LEVELS),
        ("regularity", "regularity", REGULARITIES),
        ("bindingness", "bindingness", BINDINGNESS),
    ):
        val = data.get(key)
        if val not in (None, ""):
            err = vocabulary_error(kind, val, vocab)
            if err:
                out.append((key, err))
    areas = data.get("issue_areas")
    if areas not in (None, "", []):
        if not isinstance(areas, list):
            out.append(("issue_areas", "must be a list, e.g. [security, dprk]"))
        else:
            for a in areas:
                err = vocabulary_error("issue area", a, ISSUE_AREAS)
                if err:
                    out.append(("issue_areas", err))
    for key in ("members", "actors", "affects"):
        val = data.get(key)
        if val is not None and (not isinstance(val, list) or not val):
            out.append((key, "must be a non-empty list"))
    for key in ("title", "description", "evidence"):
        val = data.get(key)
        if val is not None and not isinstance(val, str):
            out.append((key, "must be text"))
    src = data.get("source")
    if src not in (None, "", []):
        out.extend(("source" + f, m) for f, m in check_source(src, today))
    more = data.get("further_sources")
    if more is not None:
        if not isinstance(more, list):
            out.append(("further_sources", "must be a list of sources"))
        else:
            for i, s in enumerate(more):
                out.extend((f"further_sources[{i}]" + f, m) for f, m in check_source(s, today))
    return out


def check_source(src: object, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Check one source mapping; field names come back as ``.title``, ``.url`` ..."""
    today = today or dt.date.today()
    if not isinstance(src, Mapping):
        return [("", "a source must be a mapping with title, publisher, date, url")]
    out: list[tuple[str, str]] = []
    for key in src:
        if key not in SOURCE_FIELDS:
            out.append((f".{key}", f"unknown source field {key!r} (title, publisher, date, url)"))
    for key in SOURCE_FIELDS:
        if src.get(key) in (None, ""):
            out.append((f".{key}", f"source {key} is missing"))
    url = src.get("url")
    if url not in (None, "") and not _URL_RE.match(str(url)):
        out.append((".url", f"{url!r} is not an http(s) URL"))
    if src.get("date") not in (None, ""):
        try:
            d = parse_date(src["date"])
            if d.date > today:
                out.append((".date", f"source date {d} is in the future"))
        except ValueError as exc:
            out.append((".date", str(exc)))
    return out


def _check_date(
    data: Mapping[str, Any], key: str, today: dt.date, out: list[tuple[str, str]]
) -> PartialDate | None:
    val = data.get(key)
    if val in (None, ""):
        return None
    try:
        d = parse_date(val)
    except ValueError as exc:
        out.append((key, f"impossible date: {exc}"))
        return None
    if d.date > today:
        out.append((key, f"date {d} is in the future (today is {today.isoformat()})"))
        return None
    return d


@dataclass
class Vocabulary:
    """All vocabularies at once, e.g. for documentation or a form."""

    mechanism_types: dict[str, str] = field(default_factory=lambda: dict(MECHANISM_TYPES))
    negative_types: tuple[str, ...] = tuple(sorted(NEGATIVE_TYPES))
    levels: dict[str, str] = field(default_factory=lambda: dict(LEVELS))
    regularities: dict[str, str] = field(default_factory=lambda: dict(REGULARITIES))
    bindingness: dict[str, str] = field(default_factory=lambda: dict(BINDINGNESS))
    issue_areas: dict[str, str] = field(default_factory=lambda: dict(ISSUE_AREAS))
    date_precisions: tuple[str, ...] = DATE_PRECISIONS


__all__ = [
    "BINDINGNESS",
    "DATE_PRECISIONS",
    "GROUPING_FIELDS",
    "GROUPING_KINDS",
    "ISSUE_AREAS",
    "LEVELS",
    "MECHANISM_TYPES",
    "NEGATIVE_TYPES",
    "RECORD_FIELDS",
    "RECURRENCE_INTERVAL",
    "REGULARITIES",
    "SOURCE_FIELDS",
    "Grouping",
    "PartialDate",
    "Problem",
    "Record",
    "Source",
    "Vocabulary",
    "check_record",
    "check_source",
    "normalize_term",
    "parse_date",
    "vocabulary_error",
]
