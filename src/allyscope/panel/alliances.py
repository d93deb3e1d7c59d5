"""Alliance obligations after ATOP: sourced records, validated, and ATOP extended with them.

No ATOP release covers the years after 2018. allyscope ships a record file of every
formal alliance obligation begun or ended since (``allyscope/sources/records/
alliances-*.yaml``, see docs/alliances.md): NATO accessions, new treaties, withdrawals and
terminations, each with its parties, obligations, dates and sources.

:func:`load_records` validates a record file all or nothing. Every problem is reported
as ``file:line: field: message``: unknown fields (with suggestions), unknown or ambiguous
countries (with suggestions), malformed, impossible or future dates (against the file's
own ``as_of`` date, never the calendar), start dates outside the declared coverage,
duplicate ids, obligations outside ATOP's five, missing or incomplete sources, YAML
anchors and aliases, and files over a size bound. Records whose sources are all wires or
newspapers load; ``AllianceEvent.has_primary_source`` tells them apart.

:func:`extended_atop` gives ATOP's directed dyad-years extended to the records' last
year. The rule:

* ATOP 1815-2018 as published (``atop_source = "atop"``);
* every directed dyad obligation in force in ATOP's last year is carried forward to the
  records' last year (``"atop_carried"``) unless a record ends it;
* a record's event adds (``new_alliance``, ``accession``) or ends (``withdrawal``,
  ``termination``) obligations from its date (``"record:<id>"``). By default
  (``dates="in_force"``) that is the date the obligation is legally in force: entry into
  force, or for an accession the day the state becomes a party (North Macedonia
  27 March 2020, Finland 4 April 2023, Sweden 7 March 2024), falling back to ``start``
  where the record has no entry-into-force date (Saudi Arabia–Pakistan, in force on
  signature). ``dates="start"`` uses the records' ``start`` dates instead, which follow
  ATOP's own practice of dating an alliance or accession from its signature (Finland and
  Sweden from July 2022; docs/alliances.md);
* an obligation counts in a year if it is in force on any day of that year (as in ATOP):
  one that starts on 4 April 2023 counts in 2023, one that ends on 30 June 2024 counts
  in 2024 but not in 2025;
* where several sources give a dyad-year its obligations, ``atop_source`` lists them,
  joined by ``+`` (``"atop_carried+record:rus-blr-2024"``).

ATOP's dyad-years do not say which alliance an obligation comes from: a record that ends
an obligation ends it for the dyad, whichever alliance carried it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import itertools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from allyscope.errors import AllyscopeError, RecordValidationError
from allyscope.sources import alliance_records as _files

#: what an event does
EVENTS = ("new_alliance", "accession", "withdrawal", "termination")
ADDS = ("new_alliance", "accession")
#: ATOP's five obligations and their columns
OBLIGATIONS: dict[str, str] = {
    "defense": "atop_defense",
    "offense": "atop_offense",
    "neutrality": "atop_neutral",
    "nonaggression": "atop_nonagg",
    "consultation": "atop_consul",
}
SOURCE_KINDS = ("primary", "wire", "newspaper")
TOP_FIELDS = ("as_of", "coverage", "events")
COVERAGE_FIELDS = ("from", "through")
REQUIRED = (
    "id",
    "event",
    "alliance",
    "states",
    "obligations",
    "signed",
    "start",
    "sources",
    "evidence",
)
OPTIONAL = ("atop_id", "with", "directed", "in_force", "notes")
SOURCE_FIELDS = ("url", "title", "publisher", "date", "kind")
DATE_FIELDS = {"as_of", "from", "through", "signed", "in_force", "start", "date"}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO3_RE = re.compile(r"^[A-Z]{3}$")
URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")

#: resolves an ISO3 code in a year to a COW code; raises AllyscopeError with suggestions
Resolver = Callable[[str, int], int]


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (file, line, field) and what."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass(frozen=True)
class RecordSource:
    url: str
    title: str
    publisher: str
    date: dt.date
    kind: str


@dataclass(frozen=True)
class AllianceEvent:
    """One validated record: an alliance obligation begun or ended."""

    id: str
    event: str
    alliance: str
    atop_id: int | None
    states: tuple[str, ...]
    with_: tuple[str, ...]
    obligations: tuple[str, ...]
    directed: tuple[tuple[str, ...], tuple[str, ...]] | None
    signed: dt.date
    in_force: dt.date | None
    start: dt.date
    sources: tuple[RecordSource, ...]
    evidence: str
    notes: str
    ccodes: dict[str, int]  #: ISO3 of every party -> COW code at the start date
    file: str
    line: int

    @property
    def adds(self) -> bool:
        return self.event in ADDS

    @property
    def has_primary_source(self) -> bool:
        """Whether a primary source (treaty text, official announcement) is cited."""
        return any(s.kind == "primary" for s in self.sources)

    def pairs(self) -> list[tuple[int, int]]:
        """The directed dyads (COW codes) whose obligations this event begins or ends."""
        c = self.ccodes
        if self.directed is not None:
            src, dst = self.directed
            out = [(c[a], c[b]) for a in src for b in dst if a != b]
        elif self.event in ("accession", "withdrawal"):
            out = [(c[a], c[b]) for a in self.states for b in self.with_]
            out += [(b, a) for a, b in out]
            out += [(c[a], c[b]) for a, b in itertools.permutations(self.states, 2)]
        else:
            out = [(c[a], c[b]) for a, b in itertools.permutations(self.states, 2)]
        return sorted(set(out))


@dataclass(frozen=True)
class AllianceRecords:
    as_of: dt.date
    first: dt.date
    through: dt.date
    events: tuple[AllianceEvent, ...]
    file: str
    sha256: str

    def __len__(self) -> int:
        return len(self.events)

    def by_id(self, rid: str) -> AllianceEvent:
        for e in self.events:
            if e.id == rid:
                return e
        raise KeyError(rid)

    def table(self) -> pl.DataFrame:
        """One row per record: id, event, alliance, atop_id, states, with, obligations,
        signed, in_force, start, first source URL."""
        return pl.DataFrame(
            {
                "id": [e.id for e in self.events],
                "event": [e.event for e in self.events],
                "alliance": [e.alliance for e in self.events],
                "atop_id": [e.atop_id for e in self.events],
                "states": [list(e.states) for e in self.events],
                "with": [list(e.with_) for e in self.events],
                "obligations": [list(e.obligations) for e in self.events],
                "signed": [e.signed for e in self.events],
                "in_force": [e.in_force for e in self.events],
                "start": [e.start for e in self.events],
                "source": [e.sources[0].url for e in self.events],
            },
            schema_overrides={"atop_id": pl.Int32, "in_force": pl.Date},
        )


# -- YAML with line numbers -------------------------------------------------------------


_Path = tuple[object, ...]
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _walk(node: yaml.Node, path: _Path, lines: dict[_Path, int], probs: list[Problem], file: str):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            line = knode.start_mark.line + 1
            key = knode.value if isinstance(knode, yaml.ScalarNode) else None
            if not isinstance(key, str) or key == "<<":
                probs.append(Problem(file, line, "", "keys must be plain names (no merge keys)"))
                continue
            if key in out:
                first = lines[(*path, key)]
                probs.append(Problem(file, line, key, f"duplicate key (first on line {first})"))
                continue
            out[key] = _walk(vnode, (*path, key), lines, probs, file)
            lines[(*path, key)] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(n, (*path, i), lines, probs, file) for i, n in enumerate(node.value)]
    if path and path[-1] in DATE_FIELDS:
        return node.value if node.tag != "tag:yaml.org,2002:null" else None
    return _CONSTRUCTOR.construct_object(node, deep=True)


def _parse(text: str, file: str) -> tuple[Any, dict[_Path, int], list[Problem]]:
    probs: list[Problem] = []
    refs = _files.anchors_and_aliases(text)
    if refs:
        return (
            None,
            {},
            [
                Problem(
                    file,
                    line,
                    "",
                    f"YAML anchors and aliases ({tok}) are not allowed; write it out",
                )
                for line, tok in refs
            ],
        )
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return (
            None,
            {},
            [Problem(file, mark.line + 1 if mark else 1, "", f"not valid YAML: {exc.problem}")],
        )
    except yaml.YAMLError as exc:
        return None, {}, [Problem(file, 1, "", f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    if node is None:
        return None, {}, [Problem(file, 1, "", "the file is empty")]
    lines: dict[_Path, int] = {}
    try:
        data = _walk(node, (), lines, probs, file)
    except yaml.YAMLError as exc:
        return None, {}, [Problem(file, 1, "", f"not valid YAML: {exc}")]
    return data, lines, probs


# -- validation ------------------------------------------------------------------------


def _suggest(value: str, choices: Sequence[str]) -> str:
    hits = difflib.get_close_matches(value, list(choices), n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(h) for h in hits)}?" if hits else ""


class _Checker:
    def __init__(self, file: str, lines: dict[_Path, int], resolver: Resolver) -> None:
        self.file = file
        self.lines = lines
        self.resolver = resolver
        self.problems: list[Problem] = []

    def line(self, *path: object) -> int:
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return 1

    def add(self, path: _Path, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line(*path), field, message))

    def date(self, value: object, path: _Path, field: str, required: bool = True) -> dt.date | None:
        if value is None:
            if required:
                self.add(path, field, "a date (YYYY-MM-DD) is required")
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        s = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            self.add(path, field, f"{s!r} is not a date (YYYY-MM-DD)")
            return None
        try:
            return dt.date.fromisoformat(s)
        except ValueError as exc:
            self.add(path, field, f"{s!r} is not a possible date ({exc})")
            return None

    def fields(
        self, data: Mapping[str, Any], path: _Path, allowed: Sequence[str], what: str
    ) -> None:
        for k in data:
            if k not in allowed:
                self.add((*path, k), k, f"unknown field in {what}{_suggest(str(k), allowed)}")

    def states(self, value: object, path: _Path, field: str, year: int | None) -> list[str] | None:
        if not isinstance(value, list) or not value:
            self.add(path, field, "a non-empty list of ISO3 codes is required")
            return None
        out: list[str] = []
        ok = True
        for i, v in enumerate(value):
            if not isinstance(v, str):
                self.add((*path, i), field, f"{v!r} is not an ISO3 code")
                ok = False
                continue
            if v in out:
                self.add((*path, i), field, f"{v} is listed twice")
                ok = False
                continue
            if year is not None:
                try:
                    self.resolver(v, year)
                except AllyscopeError as exc:
                    self.add((*path, i), field, str(exc.message))
                    ok = False
                    continue
            out.append(v)
        return out if ok else None


def _check_coverage(
    c: _Checker, data: Mapping[str, Any], as_of: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """The file's coverage window (from, through), each None where missing or invalid."""
    cov = data.get("coverage")
    if not isinstance(cov, Mapping):
        if "coverage" in data:
            c.add(("coverage",), "coverage", "must be a mapping {from: DATE, through: DATE}")
        return None, None
    c.fields(cov, ("coverage",), COVERAGE_FIELDS, "coverage")
    first = c.date(cov.get("from"), ("coverage", "from"), "coverage.from")
    through = c.date(cov.get("through"), ("coverage", "through"), "coverage.through")
    if first and through and first > through:
        c.add(("coverage",), "coverage", f"from {first} is after through {through}")
    if through and as_of and through > as_of:
        c.add(("coverage",), "coverage.through", f"{through} is after as_of {as_of}")
    return first, through


def _check(
    data: Any, lines: dict[_Path, int], file: str, resolver: Resolver
) -> tuple[AllianceRecords | None, list[Problem]]:
    c = _Checker(file, lines, resolver)
    if not isinstance(data, Mapping):
        c.add((), "", "a record file is a mapping with as_of, coverage and events")
        return None, c.problems
    c.fields(data, (), TOP_FIELDS, "the file header")
    for k in TOP_FIELDS:
        if k not in data:
            c.add((), k, f"missing `{k}:`")
    as_of = c.date(data.get("as_of"), ("as_of",), "as_of") if "as_of" in data else None
    first, through = _check_coverage(c, data, as_of)
    events = data.get("events")
    if events is not None and not isinstance(events, list):
        c.add(("events",), "events", "must be a list of records")
        events = []
    out: list[AllianceEvent] = []
    seen: dict[str, int] = {}
    for i, ev in enumerate(events or []):
        e = _check_event(c, ev, ("events", i), as_of, first, through, seen)
        if e is not None:
            out.append(e)
    if c.problems or as_of is None or first is None or through is None:
        return None, c.problems
    return AllianceRecords(as_of, first, through, tuple(out), file, ""), []


def _check_id(c: _Checker, ev: Mapping[str, Any], path: _Path, seen: dict[str, int]) -> Any:
    """The record's id: hyphenated lower-case words, unique in the file."""
    rid = ev.get("id")
    if rid is None:
        return rid
    if not (isinstance(rid, str) and ID_RE.match(rid)):
        c.add((*path, "id"), "id", f"{rid!r} is not lower-case words joined by hyphens")
    elif rid in seen:
        c.add((*path, "id"), "id", f"duplicate id {rid!r} (first on line {seen[rid]})")
    else:
        seen[rid] = c.line(*path, "id")
    return rid


def _check_header(c: _Checker, ev: Mapping[str, Any], path: _Path) -> None:
    """The event kind, the treaty's name and its ATOP id."""
    kind = ev.get("event")
    if kind is not None and kind not in EVENTS:
        c.add((*path, "event"), "event", f"unknown event {kind!r}{_suggest(str(kind), EVENTS)}")
    alliance = ev.get("alliance")
    if "alliance" in ev and not (isinstance(alliance, str) and alliance.strip()):
        c.add((*path, "alliance"), "alliance", "the treaty's name is required")
    atop_id = ev.get("atop_id")
    if atop_id is not None and (
        not isinstance(atop_id, int) or isinstance(atop_id, bool) or atop_id <= 0
    ):
        c.add((*path, "atop_id"), "atop_id", f"{atop_id!r} is not an ATOP alliance id (or null)")


def _check_dates(
    c: _Checker,
    ev: Mapping[str, Any],
    path: _Path,
    as_of: dt.date | None,
    first: dt.date | None,
    through: dt.date | None,
) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """Signature, entry into force and start dates, in order and within the file's window."""
    signed = c.date(ev.get("signed"), (*path, "signed"), "signed") if "signed" in ev else None
    in_force = c.date(ev.get("in_force"), (*path, "in_force"), "in_force", required=False)
    start = c.date(ev.get("start"), (*path, "start"), "start") if "start" in ev else None
    for name, d in (("signed", signed), ("in_force", in_force), ("start", start)):
        if d is not None and as_of is not None and d > as_of:
            c.add((*path, name), name, f"{d} is after the file's as_of date {as_of}")
    if signed and start and start < signed:
        c.add((*path, "start"), "start", f"{start} is before the signature {signed}")
    if signed and in_force and in_force < signed:
        c.add((*path, "in_force"), "in_force", f"{in_force} is before the signature {signed}")
    if start and first and through and not first <= start <= through:
        c.add(
            (*path, "start"),
            "start",
            f"{start} is outside the file's coverage {first} to {through}",
        )
    return signed, in_force, start


def _check_parties(
    c: _Checker, ev: Mapping[str, Any], path: _Path, year: int | None
) -> tuple[list[str] | None, list[str] | None]:
    """The event's states and, for accessions and withdrawals, the parties they join or leave."""
    kind = ev.get("event")
    states = (
        c.states(ev.get("states"), (*path, "states"), "states", year) if "states" in ev else None
    )
    with_: list[str] | None = []
    if kind in ("accession", "withdrawal"):
        if not ev.get("with"):
            c.add(path, "with", f"an {kind} needs `with:`, the other parties at that date")
            with_ = None
        else:
            with_ = c.states(ev.get("with"), (*path, "with"), "with", year)
    elif kind in ("new_alliance", "termination"):
        if ev.get("with"):
            c.add(
                (*path, "with"), "with", f"a {kind} lists all its parties in `states:`, not `with:`"
            )
        if states is not None and len(states) < 2:
            c.add((*path, "states"), "states", f"a {kind} needs at least two states")
    if states and with_:
        both = sorted(set(states) & set(with_))
        if both:
            c.add((*path, "with"), "with", f"{', '.join(both)} also in states")
    return states, with_


def _check_obligations(c: _Checker, ev: Mapping[str, Any], path: _Path) -> list[str]:
    """ATOP obligation names, each once."""
    obligations: list[str] = []
    if "obligations" not in ev:
        return obligations
    obl = ev.get("obligations")
    if not isinstance(obl, list) or not obl:
        c.add((*path, "obligations"), "obligations", "a non-empty list is required")
        return obligations
    for i, o in enumerate(obl):
        if o not in OBLIGATIONS:
            c.add(
                (*path, "obligations", i),
                "obligations",
                f"{o!r} is not an ATOP obligation ({', '.join(OBLIGATIONS)})"
                + _suggest(str(o), list(OBLIGATIONS)),
            )
        elif o in obligations:
            c.add((*path, "obligations", i), "obligations", f"{o} is listed twice")
        else:
            obligations.append(o)
    return obligations


def _check_directed(
    c: _Checker,
    ev: Mapping[str, Any],
    path: _Path,
    states: list[str] | None,
    with_: list[str] | None,
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A one-way obligation's ends, each a list of the event's parties (None: mutual)."""
    d = ev.get("directed")
    if d is None:
        return None
    parties = set(states or []) | set(with_ or [])
    if not isinstance(d, Mapping) or set(d) != {"from", "to"}:
        c.add((*path, "directed"), "directed", "must be null or {from: [ISO3...], to: [ISO3...]}")
        return None
    ends = []
    for k in ("from", "to"):
        v = d[k]
        if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
            c.add((*path, "directed", k), f"directed.{k}", "a non-empty list of ISO3 codes")
            continue
        outside = [x for x in v if x not in parties]
        if outside:
            c.add(
                (*path, "directed", k),
                f"directed.{k}",
                f"{', '.join(outside)} not a party of this event",
            )
        ends.append(tuple(v))
    return (ends[0], ends[1]) if len(ends) == 2 else None


def _check_source(c: _Checker, s: object, sp: _Path, as_of: dt.date | None) -> RecordSource | None:
    """One cited source; None where it is incomplete or invalid."""
    if not isinstance(s, Mapping):
        c.add(sp, "sources", "a source is a mapping {url, title, publisher, date, kind}")
        return None
    c.fields(s, sp, SOURCE_FIELDS, "a source")
    for k in SOURCE_FIELDS:
        if not s.get(k):
            c.add(sp, f"sources.{k}", "missing (required)")
    url = s.get("url")
    if url and not (isinstance(url, str) and URL_RE.match(url)):
        c.add((*sp, "url"), "sources.url", f"{url!r} is not an http(s) address")
    kind_s = s.get("kind")
    if kind_s and kind_s not in SOURCE_KINDS:
        c.add(
            (*sp, "kind"),
            "sources.kind",
            f"{kind_s!r} is not one of {', '.join(SOURCE_KINDS)}",
        )
    sd = c.date(s.get("date"), (*sp, "date"), "sources.date") if s.get("date") else None
    if sd and as_of and sd > as_of:
        c.add(
            (*sp, "date"),
            "sources.date",
            f"{sd} is after the file's as_of date {as_of}",
        )
    if all(s.get(k) for k in SOURCE_FIELDS) and sd:
        return RecordSource(str(url), str(s["title"]), str(s["publisher"]), sd, str(kind_s))
    return None


def _check_sources(
    c: _Checker, ev: Mapping[str, Any], path: _Path, as_of: dt.date | None
) -> list[RecordSource]:
    """The record's sources: at least one, each complete."""
    sources: list[RecordSource] = []
    if "sources" not in ev:
        return sources
    srcs = ev.get("sources")
    if not isinstance(srcs, list) or not srcs:
        c.add((*path, "sources"), "sources", "at least one source is required")
        return sources
    for i, s in enumerate(srcs):
        src = _check_source(c, s, (*path, "sources", i), as_of)
        if src is not None:
            sources.append(src)
    return sources


def _check_texts(c: _Checker, ev: Mapping[str, Any], path: _Path) -> None:
    """The evidence (required where given) and free-text notes."""
    evidence = ev.get("evidence")
    if "evidence" in ev and not (isinstance(evidence, str) and evidence.strip()):
        c.add((*path, "evidence"), "evidence", "name the article(s) that carry the obligation")
    notes = ev.get("notes")
    if notes is not None and not isinstance(notes, str):
        c.add((*path, "notes"), "notes", "must be text")


def _check_event(
    c: _Checker,
    ev: Any,
    path: _Path,
    as_of: dt.date | None,
    first: dt.date | None,
    through: dt.date | None,
    seen: dict[str, int],
) -> AllianceEvent | None:
    n0 = len(c.problems)
    if not isinstance(ev, Mapping):
        c.add(path, "", "a record is a mapping of fields")
        return None
    c.fields(ev, path, (*REQUIRED, *OPTIONAL), "a record")
    for k in REQUIRED:
        if k not in ev:
            c.add(path, k, "missing (required)")
    rid = _check_id(c, ev, path, seen)
    _check_header(c, ev, path)
    signed, in_force, start = _check_dates(c, ev, path, as_of, first, through)
    year = start.year if start else None
    states, with_ = _check_parties(c, ev, path, year)
    obligations = _check_obligations(c, ev, path)
    directed = _check_directed(c, ev, path, states, with_)
    sources = _check_sources(c, ev, path, as_of)
    _check_texts(c, ev, path)
    if len(c.problems) > n0 or states is None or with_ is None or start is None or signed is None:
        return None
    assert year is not None
    ccodes = {s: c.resolver(s, year) for s in (*states, *with_)}
    return AllianceEvent(
        id=str(rid),
        event=str(ev.get("event")),
        alliance=str(ev.get("alliance")).strip(),
        atop_id=ev.get("atop_id"),
        states=tuple(states),
        with_=tuple(with_),
        obligations=tuple(obligations),
        directed=directed,
        signed=signed,
        in_force=in_force,
        start=start,
        sources=tuple(sources),
        evidence=str(ev.get("evidence")).strip(),
        notes=str(ev.get("notes") or "").strip(),
        ccodes=ccodes,
        file=c.file,
        line=c.line(*path),
    )


def default_resolver() -> Resolver:
    """ISO3 code -> COW code in a year, from the crosswalk; unknown codes get suggestions
    and country names (which are not ISO3) the codes they could mean."""
    from allyscope import codes
    from allyscope.errors import UnknownCountryError

    cw = codes.crosswalk().drop_nulls("iso3")
    last = int(cw.select(pl.col("year").max()).item())
    by_year = {(r[0], r[1]): r[2] for r in cw.select("iso3", "year", "ccode").iter_rows()}
    latest = cw.sort("year").group_by("iso3").last()
    names = dict(zip(latest["iso3"], latest["name"], strict=True))

    def resolve(value: str, year: int) -> int:
        if ISO3_RE.match(value):
            c = by_year.get((value, min(year, last)))
            if c is not None:
                return int(c)
            if value in names:
                raise AllyscopeError(f"{value} ({names[value]}) is not a state in {year}")
            raise UnknownCountryError(value, [*names, *names.values()], year)
        q = value.strip().lower()
        hits = sorted({iso for iso, n in names.items() if n and q in n.lower()})
        if len(hits) > 1:
            listed = ", ".join(f"{h} ({names[h]})" for h in hits[:4])
            raise AllyscopeError(f"{value!r} is ambiguous: {listed}; give the ISO3 code")
        if len(hits) == 1:
            raise AllyscopeError(
                f"{value!r} is not an ISO3 code; did you mean {hits[0]!r} ({names[hits[0]]})?"
            )
        raise UnknownCountryError(value, [*names, *names.values()], year)

    return resolve


def validate_text(
    text: str, file: str, *, resolver: Resolver | None = None
) -> tuple[AllianceRecords | None, list[Problem]]:
    """Validate a record file's text; return the records (``None`` on any problem) and
    every problem found."""
    data, lines, probs = _parse(text, file)
    if data is None or probs:
        return None, probs
    recs, probs = _check(data, lines, file, resolver or default_resolver())
    if recs is None:
        return None, probs
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return AllianceRecords(recs.as_of, recs.first, recs.through, recs.events, file, sha), []


def load_records(
    path: str | os.PathLike[str] | None = None, *, resolver: Resolver | None = None
) -> AllianceRecords:
    """Load and validate an alliance record file (default: the shipped one), all or
    nothing: any problem raises :class:`RecordValidationError` listing every problem."""
    p = Path(path) if path is not None else _files.records_path()
    text = _files.read_text(p)
    recs, problems = validate_text(text, str(p), resolver=resolver)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        err = RecordValidationError(
            f"invalid alliance records: {problems[0]}{more}",
            "fix the file; nothing was loaded (the error's `problems` lists every problem)",
        )
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    assert recs is not None
    return recs


# -- ATOP extended ---------------------------------------------------------------------


DATE_RULES = ("in_force", "start")


def event_date(e: AllianceEvent, dates: str = "in_force") -> dt.date:
    """The date an event's obligations begin or end under the date rule ``dates``."""
    if dates not in DATE_RULES:
        from allyscope.errors import UnknownNameError

        raise UnknownNameError("date rule", dates, DATE_RULES, "use 'in_force' or 'start'")
    if dates == "in_force" and e.in_force is not None:
        return e.in_force
    return e.start


def _record_rows(
    recs: AllianceRecords, dates: str = "in_force"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(additions, removals): one row per directed dyad and obligation an event begins or
    ends, with its date (under the date rule ``dates``) and record id."""
    add: dict[str, list[Any]] = {
        k: [] for k in ("ccode1", "ccode2", "obligation", "start", "source")
    }
    rem: dict[str, list[Any]] = {k: [] for k in ("ccode1", "ccode2", "obligation", "end")}
    for e in recs.events:  # a loop over records (tens), not over dyads
        pairs = e.pairs()
        combos = [(a, b, o) for (a, b) in pairs for o in e.obligations]
        target = add if e.adds else rem
        target["ccode1"] += [a for a, _, _ in combos]
        target["ccode2"] += [b for _, b, _ in combos]
        target["obligation"] += [o for _, _, o in combos]
        target["start" if e.adds else "end"] += [event_date(e, dates)] * len(combos)
        if e.adds:
            add["source"] += [f"record:{e.id}"] * len(combos)
    a = pl.DataFrame(
        add,
        schema={
            "ccode1": pl.Int32,
            "ccode2": pl.Int32,
            "obligation": pl.String,
            "start": pl.Date,
            "source": pl.String,
        },
    )
    r = pl.DataFrame(
        rem,
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "obligation": pl.String, "end": pl.Date},
    )
    return a, r


def extend_atop(atop: pl.DataFrame, recs: AllianceRecords, dates: str = "in_force") -> pl.DataFrame:
    """ATOP's directed dyad-years (``ccode1, ccode2, year`` and the five obligation
    columns) extended with the records to their last year; adds ``atop_source``."""
    cols = list(OBLIGATIONS.values())
    last = int(atop.select(pl.col("year").max()).item())
    final = atop.filter(pl.col("year") == last)
    carried = (
        final.unpivot(index=["ccode1", "ccode2"], on=cols, variable_name="col", value_name="v")
        .filter(pl.col("v") == 1)
        .with_columns(
            pl.col("col").replace_strict({v: k for k, v in OBLIGATIONS.items()}).alias("obligation")
        )
        .select(
            pl.col("ccode1").cast(pl.Int32),
            pl.col("ccode2").cast(pl.Int32),
            "obligation",
            pl.lit(dt.date(last + 1, 1, 1)).alias("start"),
            pl.lit("atop_carried").alias("source"),
        )
    )
    adds, rems = _record_rows(recs, dates)
    adds = pl.concat([carried, adds]).with_row_index("aid")
    years = pl.DataFrame(
        {"year": pl.int_range(last + 1, recs.through.year + 1, eager=True, dtype=pl.Int32)}
    )
    cand = adds.join(years, how="cross").filter(pl.col("start") <= pl.date(pl.col("year"), 12, 31))
    killed = (
        cand.join(rems, on=["ccode1", "ccode2", "obligation"], how="inner")
        .filter(
            (pl.col("end") >= pl.col("start")) & (pl.col("end") <= pl.date(pl.col("year"), 1, 1))
        )
        .select("aid", "year")
        .unique()
    )
    active = cand.join(killed, on=["aid", "year"], how="anti")
    wide = (
        active.group_by("ccode1", "ccode2", "year")
        .agg(
            *[
                (pl.col("obligation") == o).any().cast(pl.Int32).alias(col)
                for o, col in OBLIGATIONS.items()
            ],
            pl.col("source").unique().sort().alias("__src"),
        )
        .with_columns(
            # ATOP's own rows first, then the records in id order
            pl.col("__src").list.sort().list.join("+").alias("atop_source")
        )
        .drop("__src")
    )
    base = atop.select(
        pl.col("ccode1").cast(pl.Int32),
        pl.col("ccode2").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        *[pl.col(c).cast(pl.Int32) for c in cols],
        pl.lit("atop").alias("atop_source"),
    )
    return pl.concat([base, wide.select(base.columns)]).sort("ccode1", "ccode2", "year")


def extended_atop(
    records: str | os.PathLike[str] | None = None, dates: str = "in_force"
) -> pl.DataFrame:
    """ATOP's directed dyad-years extended with the alliance records (default: the shipped
    file) under the date rule ``dates``; cached per data version and record file."""
    from allyscope.store import cached_table, open_warehouse

    recs = load_records(records)
    wh = open_warehouse()

    def compute() -> pl.DataFrame:
        atop = wh.sql(
            "SELECT ccode1, ccode2, year, "
            + ", ".join(OBLIGATIONS.values())
            + " FROM atop_alliance"
        )
        return extend_atop(atop, recs, dates)

    if dates not in DATE_RULES:
        from allyscope.errors import UnknownNameError

        raise UnknownNameError("date rule", dates, DATE_RULES, "use 'in_force' or 'start'")
    params = {"records": recs.sha256, "dates": dates, "v": 1}
    return cached_table("atop_extended", params, compute)


__all__ = [
    "DATE_RULES",
    "EVENTS",
    "OBLIGATIONS",
    "AllianceEvent",
    "AllianceRecords",
    "Problem",
    "default_resolver",
    "event_date",
    "extend_atop",
    "extended_atop",
    "load_records",
    "validate_text",
]
