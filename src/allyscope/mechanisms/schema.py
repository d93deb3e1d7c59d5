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

#: mechanism types: identifier -> label. The last eight are negative events.
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
    "joint_operation": "joint operation: forces of members deployed together in operations",
    "secretariat": "secretariat: a standing body with its own staff or office",
    "security_cooperation_framework": (
        "security cooperation framework: a signed document that institutionalizes "
        "consultations, exercises or information sharing, without a body of its own"
    ),
    "commitment_to_consult": "commitment to consult in a crisis",
    "mutual_defense": "mutual-defense commitment: an obligation to assist a member attacked",
    "joint_statement_of_principles": "joint statement of principles",
    "formal_treaty": "formal treaty",
    "sanctions_export_control_coordination": "sanctions or export-control coordination",
    "economic_framework": "supply-chain or economic framework",
    # negative events
    "suspension": "suspension (negative event)",
    "downgrade": "downgrade (negative event)",
    "withdrawal": "withdrawal or termination notice (negative event)",
    "trade_restriction": "trade restriction (negative event)",
    "dispute": "diplomatic dispute: a territorial visit, a court ruling, a recall (negative event)",
    "military_incident": "military incident between members' forces (negative event)",
    "regime_shock": "domestic political rupture in a member: martial law, impeachment (negative event)",
    "government_change": "change of head of government in a member (negative or context event)",
}

#: mechanism types that record a setback rather than cooperation
NEGATIVE_TYPES: frozenset[str] = frozenset(
    {
        "suspension",
        "downgrade",
        "withdrawal",
        "trade_restriction",
        "dispute",
        "military_incident",
        "regime_shock",
        "government_change",
    }
)

#: how much a negative event damaged cooperation, weakest first (docs/codebook.md)
SEVERITIES: dict[str, str] = {
    "context": "recorded for context; no mechanism touched (a regular change of government)",
    "minor": "a symbolic or rhetorical setback; every mechanism continues",
    "moderate": (
        "an incident or dispute that strains relations, or blocks a mechanism not yet in "
        "place (a signing called off)"
    ),
    "serious": (
        "an existing mechanism suspended or downgraded, restrictions aimed at a member, or "
        "a rupture that stops a member's government from acting"
    ),
    "severe": "notice to terminate, or withdrawal from, an existing mechanism or treaty",
}

#: whether the record's event took place (or its mechanism is in operation) or was promised
STATUSES: dict[str, str] = {
    "held": "took place, or (a standing mechanism) is in operation or in effect",
    "promised": "announced or agreed for the future; not (yet) held or in operation",
}

#: the kind of the record's main source, in the order of the source hierarchy
SOURCE_KINDS: dict[str, str] = {
    "primary_official": "a government of a member or another state: ministry, office, forces",
    "intergovernmental": "an international organization (NATO, UN, ASEAN ...)",
    "treaty_text": "the text of a treaty or agreement as published by a party or depositary",
    "wire": "a news agency (Reuters, AP, AFP, Yonhap, Kyodo, Jiji, Xinhua, TASS ...)",
    "newspaper": "an established newspaper (Korea Herald, Japan Times, Nikkei, NYT ...)",
    "broadcaster": "an established broadcaster's newsroom (NHK, KBS, BBC ...)",
}

#: primary source kinds, cited before any news report
PRIMARY_SOURCE_KINDS: frozenset[str] = frozenset(
    {"primary_official", "intergovernmental", "treaty_text"}
)

#: hosts of aggregators, content farms, reprint sites and blogs: never a source
DISALLOWED_SOURCE_HOSTS: frozenset[str] = frozenset(
    {
        "arynews.tv",
        "blogspot.com",
        "chemlinked.com",
        "cmio.org",
        "coingraph.news",
        "diplomacybeyond.com",
        "diplomat.today",
        "einpresswire.com",
        "enewspf.com",
        "exbulletin.com",
        "expressandstar.com",
        "foreignpolicywatchdog.com",
        "fxcnews.com",
        "globalsecurity.org",
        "gscepublications.com",
        "indiandefensenews.in",
        "kpopalerts.fr",
        "medium.com",
        "menafn.com",
        "miragenews.com",
        "neglobal.eu",
        "nordot.app",
        "prologuejournal.com",
        "ru24.net",
        "tag24.com",
        "taiwannewswire.com",
        "tellerreport.com",
        "vietnam.vn",
        "wikipedia.org",
        "wita.org",
        "worldbusinessjournal.com",
        "worldreportnow.com",
        "yjc.ir",
    }
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
    "status": (False, "held (default) or promised: whether the event took place (STATUSES)"),
    "severity": (
        False,
        "required for negative events, not allowed otherwise: how much they damaged cooperation (SEVERITIES)",
    ),
    "ends_series": (
        False,
        "negative events only: series this event ends or suspends until held again",
    ),
    "series": (
        False,
        "slug naming the mechanism or meeting line the record belongs to "
        "(default: its type); records of one series count once per year",
    ),
    "source": (True, "public source: title, publisher, date, url"),
    "source_kind": (True, "kind of the main source (SOURCE_KINDS), see the source hierarchy"),
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
    "coverage": (
        False,
        "years coded systematically: `from` (a year), `to` (a date: the last day covered), "
        "`statement` (what was searched for, and where) and optional `gaps` (years in "
        "which known iterations could not be sourced)",
    ),
    "coverage_end": (False, "older form of coverage.to (without coverage.from)"),
}

#: fields of a grouping's coverage mapping
COVERAGE_FIELDS: tuple[str, ...] = ("from", "to", "statement", "gaps")

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


def _as_of() -> dt.date:
    """The settings' as-of date: records dated after it are refused as future dates."""
    from allyscope.settings import as_of

    return as_of()


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
    coverage_start: int | None = None  # first year coded systematically
    coverage_statement: str | None = None
    coverage_gaps: tuple[int, ...] = ()  # years with known, unsourced iterations
    file: str = ""
    line: int = 0

    def completeness(self, year: int) -> str | None:
        """How completely ``year`` is coded: see :data:`COMPLETENESS`.

        ``None`` after the end of coverage (not coded at all)."""
        end = self.coverage_end
        if end is not None and year > end.year:
            return None
        if self.coverage_start is None or end is None:
            return "not_assessed"
        if year < self.coverage_start:
            return "not_systematic"
        if year in self.coverage_gaps:
            return "incomplete"
        if year == end.year and end.last_day < dt.date(year, 12, 31):
            return "partial"
        return "complete"


#: completeness of a grouping-year's coding
COMPLETENESS: dict[str, str] = {
    "complete": "inside the years coded systematically, the whole year covered",
    "partial": "the last covered year, coded only up to the end of coverage",
    "incomplete": "inside the systematic years, but known iterations could not be sourced",
    "not_systematic": "records exist but the year was not coded systematically",
    "not_assessed": "the grouping states no systematic coverage (e.g. your own records)",
}


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
    source_kind: str = "primary_official"
    status: str = "held"
    severity: str | None = None
    ends_series: tuple[str, ...] = ()
    file: str = ""
    line: int = 0

    @property
    def negative(self) -> bool:
        return self.type in NEGATIVE_TYPES

    @property
    def held(self) -> bool:
        """Took place (or is in operation); promises are not counted in the index."""
        return self.status == "held"

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def channel(self) -> str:
        """The series the record belongs to: ``series`` if given; else the record itself
        for a standing mechanism (each is its own channel), and its type otherwise."""
        if self.series:
            return self.series
        return self.id if self.regularity == "standing" else self.type

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


_Problems = list[tuple[str, str]]

#: fields holding one vocabulary term: (field, what it is called, the vocabulary)
_VOCAB_FIELDS: tuple[tuple[str, str, Mapping[str, str]], ...] = (
    ("type", "mechanism type", MECHANISM_TYPES),
    ("level", "level", LEVELS),
    ("regularity", "regularity", REGULARITIES),
    ("bindingness", "bindingness", BINDINGNESS),
    ("source_kind", "source kind", SOURCE_KINDS),
    ("status", "status", STATUSES),
    ("severity", "severity", SEVERITIES),
)


def _check_fields(data: Mapping[str, Any], out: _Problems) -> None:
    """Unknown and missing fields, and the slugs (id, series)."""
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


def _check_dates(data: Mapping[str, Any], today: dt.date, out: _Problems) -> None:
    """The date, its stated precision and the end date (not before the start)."""
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


def _check_terms(data: Mapping[str, Any], out: _Problems) -> None:
    """Vocabulary terms, and the fields only negative events have (severity, ends_series)."""
    for key, kind, vocab in _VOCAB_FIELDS:
        val = data.get(key)
        if val not in (None, ""):
            err = vocabulary_error(kind, val, vocab)
            if err:
                out.append((key, err))
    typ = data.get("type")
    negative = typ not in (None, "") and normalize_term(typ) in NEGATIVE_TYPES
    if negative and data.get("severity") in (None, ""):
        out.append(
            ("severity", f"missing severity: a negative event needs one of {', '.join(SEVERITIES)}")
        )
    if not negative and typ not in (None, ""):
        for key in ("severity", "ends_series"):
            if data.get(key) not in (None, ""):
                out.append((key, f"only negative events have {key!r}"))
    ends = data.get("ends_series")
    if ends is not None and (
        not isinstance(ends, list)
        or not ends
        or not all(isinstance(x, str) and ID_RE.match(x) for x in ends)
    ):
        out.append(("ends_series", "must be a non-empty list of series slugs"))


def _check_lists(data: Mapping[str, Any], out: _Problems) -> None:
    """Issue areas, the lists of states and the free-text fields."""
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


def _check_record_sources(data: Mapping[str, Any], today: dt.date, out: _Problems) -> None:
    """The source and any further sources."""
    src = data.get("source")
    if src not in (None, "", []):
        out.extend(("source" + f, m) for f, m in check_source(src, today))
    more = data.get("further_sources")
    if more is None:
        return
    if not isinstance(more, list):
        out.append(("further_sources", "must be a list of sources"))
        return
    for i, s in enumerate(more):
        out.extend((f"further_sources[{i}]" + f, m) for f, m in check_source(s, today))


def check_record(data: Mapping[str, Any], today: dt.date | None = None) -> list[tuple[str, str]]:
    """Check one record mapping against the schema, without country codes or other files.

    Returns ``(field, message)`` pairs; empty if the record is valid. Dates may be
    strings or ``datetime.date``; vocabulary terms are matched as :func:`normalize_term`
    does. Used by the loader and by tools that generate records.
    """
    today = today or _as_of()
    out: _Problems = []
    if not isinstance(data, Mapping):
        return [("", "a record must be a mapping of fields")]
    _check_fields(data, out)
    _check_dates(data, today, out)
    _check_terms(data, out)
    _check_lists(data, out)
    _check_record_sources(data, today, out)
    return out


def _url_problem(url: object) -> tuple[str, str] | None:
    """A source URL that is not http(s), or whose host is not a source in its own right."""
    if url in (None, ""):
        return None
    if not _URL_RE.match(str(url)):
        return (".url", f"{url!r} is not an http(s) URL")
    host = source_host(str(url))
    if disallowed_host(host):
        return (
            ".url",
            f"{host} is an aggregator, reprint site or blog, not a source; cite the "
            "original (government, international organization, wire or newspaper)",
        )
    return None


def check_source(src: object, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Check one source mapping; field names come back as ``.title``, ``.url`` ..."""
    today = today or _as_of()
    if not isinstance(src, Mapping):
        return [("", "a source must be a mapping with title, publisher, date, url")]
    out: _Problems = []
    for key in src:
        if key not in SOURCE_FIELDS:
            out.append((f".{key}", f"unknown source field {key!r} (title, publisher, date, url)"))
    for key in SOURCE_FIELDS:
        if src.get(key) in (None, ""):
            out.append((f".{key}", f"source {key} is missing"))
    url_problem = _url_problem(src.get("url"))
    if url_problem is not None:
        out.append(url_problem)
    if src.get("date") not in (None, ""):
        try:
            d = parse_date(src["date"])
            if d.date > today:
                out.append((".date", f"source date {d} is in the future"))
        except ValueError as exc:
            out.append((".date", str(exc)))
    return out


def source_host(url: str) -> str:
    """The host of a URL, lower case, without ``www.``."""
    host = url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


#: host suffixes of governments and international organizations (for :func:`infer_source_kind`)
_OFFICIAL_SUFFIXES: tuple[str, ...] = (
    ".gov",
    ".mil",
    ".go.jp",
    ".go.kr",
    ".gov.au",
    ".gov.uk",
    ".gov.sg",
    ".gov.ph",
    ".gov.in",
    ".gc.ca",
    ".govt.nz",
    ".gov.cn",
    "kremlin.ru",
    "mid.ru",
    "fmprc.gov.cn",
    "kantei.go.jp",
)
_IO_SUFFIXES: tuple[str, ...] = ("nato.int", "un.org", "asean.org", "europa.eu", "iaea.org")
_WIRES: tuple[str, ...] = (
    "reuters",
    "associated press",
    "agence france",
    "afp",
    "yonhap",
    "kyodo",
    "jiji",
    "xinhua",
    "tass",
    "interfax",
    "ani",
    "pti",
    "kcna",
    "anadolu",
)
_BROADCASTERS: tuple[str, ...] = ("nhk", "kbs", "bbc", "arirang", "mbc", "sbs", "abc news")


def infer_source_kind(publisher: object = None, url: object = None) -> str | None:
    """A guess of a source's kind from its URL and publisher, or ``None``.

    For tools that draft records (a coder confirms the guess): government and
    international-organization hosts, then news agencies and broadcasters by name. A
    publisher naming a ministry, government or office counts as primary."""
    host = source_host(str(url)) if url else ""
    if host.endswith(_IO_SUFFIXES):
        return "intergovernmental"
    if host.endswith(_OFFICIAL_SUFFIXES):
        return "primary_official"
    name = str(publisher or "").lower()
    if any(w in name for w in ("ministry", "government", "department of", "office of the")):
        return "primary_official"
    words = set(re.findall(r"[a-z]+", name))
    if any((w in words) if " " not in w else (w in name) for w in _WIRES):
        return "wire"
    if any(w in words for w in _BROADCASTERS):
        return "broadcaster"
    return None


def disallowed_host(host: str) -> bool:
    """True for hosts (or subdomains of hosts) in :data:`DISALLOWED_SOURCE_HOSTS`."""
    parts = host.split(".")
    return any(".".join(parts[i:]) in DISALLOWED_SOURCE_HOSTS for i in range(len(parts) - 1))


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
    source_kinds: dict[str, str] = field(default_factory=lambda: dict(SOURCE_KINDS))
    statuses: dict[str, str] = field(default_factory=lambda: dict(STATUSES))
    severities: dict[str, str] = field(default_factory=lambda: dict(SEVERITIES))
    issue_areas: dict[str, str] = field(default_factory=lambda: dict(ISSUE_AREAS))
    date_precisions: tuple[str, ...] = DATE_PRECISIONS


__all__ = [
    "BINDINGNESS",
    "COMPLETENESS",
    "COVERAGE_FIELDS",
    "DATE_PRECISIONS",
    "DISALLOWED_SOURCE_HOSTS",
    "GROUPING_FIELDS",
    "GROUPING_KINDS",
    "ISSUE_AREAS",
    "LEVELS",
    "MECHANISM_TYPES",
    "NEGATIVE_TYPES",
    "PRIMARY_SOURCE_KINDS",
    "RECORD_FIELDS",
    "RECURRENCE_INTERVAL",
    "REGULARITIES",
    "SEVERITIES",
    "SOURCE_FIELDS",
    "SOURCE_KINDS",
    "STATUSES",
    "Grouping",
    "PartialDate",
    "Problem",
    "Record",
    "Source",
    "Vocabulary",
    "check_record",
    "check_source",
    "disallowed_host",
    "infer_source_kind",
    "normalize_term",
    "parse_date",
    "source_host",
    "vocabulary_error",
]
