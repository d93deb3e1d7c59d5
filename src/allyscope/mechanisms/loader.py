"""Read and validate record files, with file and line in every error.

:func:`load` reads the shipped record files (``allyscope/mechanisms/records/*.yaml``)
and any extra directories or files, validates everything and returns a
:class:`RecordSet`. Validation is all or nothing: if any file has a problem, the load
raises :class:`~allyscope.errors.RecordValidationError` listing every problem as
``file:line: field: message`` and nothing is returned.

Checks: YAML syntax and duplicate keys; unknown fields; the controlled vocabularies
(with suggestions); dates that are malformed, impossible (``2023-02-30``) or after today;
end dates before start dates; state codes unknown to the crosswalk (with suggestions);
actors that are not members; a missing or incomplete source, or one on an aggregator's
host; a negative event without a severity; ids duplicated within or across files;
``affects`` pointing to unknown ids and ``ends_series`` to unknown series; grouping ids
and aliases defined twice.

Record files are untrusted input. YAML anchors and aliases are refused when the file is
parsed (before anything is built from it, so an alias "bomb" costs nothing), and files
larger than :data:`MAX_FILE_BYTES` are not read. Named member lists are written once
under ``member_sets:`` and used as ``$name`` in a ``members`` list.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from allyscope.errors import AllyscopeError, RecordValidationError, UnknownNameError
from allyscope.mechanisms.schema import (
    COVERAGE_FIELDS,
    GROUPING_FIELDS,
    GROUPING_KINDS,
    ID_RE,
    Grouping,
    PartialDate,
    Problem,
    Record,
    Source,
    _as_of,
    check_record,
    check_source,
    normalize_term,
    parse_date,
)

#: resolves a state code or name (and a year) to a COW code; raises on unknown names
Resolver = Callable[[str, int | None], int]

_DATE_FIELDS = {"date", "end_date", "from", "to"}

#: record files larger than this are refused unread (the largest shipped file is ~100 kB)
MAX_FILE_BYTES = 2_000_000
#: at most this many YAML nodes per file (a bound on work, whatever the file holds)
MAX_NODES = 200_000
_SET_RE = re.compile(r"^\$([a-z0-9_]+)$")
_TOP_FIELDS = ("grouping", "member_sets", "records")
Path_ = tuple[object, ...]


def shipped_dir() -> Path:
    """The folder of record files that ship with allyscope."""
    return Path(str(resources.files("allyscope.mechanisms") / "records"))


# -- YAML with line numbers ----------------------------------------------------------------


@dataclass
class _Doc:
    """A parsed YAML file: plain Python data plus the line of every path in it."""

    file: str
    data: Any
    lines: dict[Path_, int]

    def line(self, *path: object) -> int:
        """Line of the deepest known prefix of ``path`` (1-based)."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _AliasRefused(Exception):
    def __init__(self, line: int, what: str) -> None:
        super().__init__(what)
        self.line = line
        self.what = what


class _RecordLoader(yaml.SafeLoader):
    """Safe YAML that refuses anchors and aliases while composing, and bounds the nodes.

    Composition stops at the first anchor (``&name``) or alias (``*name``), so a file
    built to expand exponentially is refused after reading a few bytes of it."""

    nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        ev = self.peek_event()
        if isinstance(ev, yaml.AliasEvent):
            raise _AliasRefused(ev.start_mark.line + 1, f"alias *{ev.anchor}")
        if getattr(ev, "anchor", None):
            raise _AliasRefused(ev.start_mark.line + 1, f"anchor &{ev.anchor}")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _AliasRefused(ev.start_mark.line + 1, f"more than {MAX_NODES:,} YAML nodes")
        return super().compose_node(parent, index)


def _scalar(node: yaml.ScalarNode, raw: bool) -> Any:
    if raw or node.tag == "tag:yaml.org,2002:timestamp":
        return node.value  # dates are parsed by the schema, so bad ones get a clear message
    return _CONSTRUCTOR.construct_object(node, deep=True)


def _walk(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], problems: list[Problem], file: str
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            key = _scalar(knode, raw=True) if isinstance(knode, yaml.ScalarNode) else None
            if key is None:
                problems.append(
                    Problem(file, knode.start_mark.line + 1, "", "keys must be plain names")
                )
                continue
            if key == "<<":
                problems.append(
                    Problem(
                        file,
                        knode.start_mark.line + 1,
                        key,
                        "merge keys are not supported; write the fields out",
                    )
                )
                continue
            if key in out:
                problems.append(
                    Problem(
                        file,
                        knode.start_mark.line + 1,
                        key,
                        f"duplicate key {key!r} (first on line {lines[(*path, key)]})",
                    )
                )
                continue
            lines[(*path, key)] = knode.start_mark.line + 1
            out[key] = _walk(vnode, (*path, key), lines, problems, file)
            lines[(*path, key)] = knode.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(n, (*path, i), lines, problems, file) for i, n in enumerate(node.value)]
    raw = bool(path) and path[-1] in _DATE_FIELDS
    return _scalar(node, raw)


def parse_yaml(text: str, file: str) -> tuple[_Doc | None, list[Problem]]:
    """Parse YAML text keeping line numbers; syntax errors become problems."""
    problems: list[Problem] = []
    if len(text) > MAX_FILE_BYTES:
        return None, [Problem(file, 1, "", _too_big(len(text)))]
    loader = _RecordLoader(text)
    try:
        node = loader.get_single_node()
    except _AliasRefused as exc:
        if exc.what.startswith("more than"):
            msg = f"{exc.what}; split the file (one grouping per file)"
        else:
            msg = (
                f"YAML anchors and aliases are not allowed in record files ({exc.what}); "
                "write the values out, or name a list of states under member_sets: and "
                "use it as $name in members"
            )
        return None, [Problem(file, exc.line, "", msg)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(file, line, "", f"not valid YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, "", f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    if node is None:
        return None, [Problem(file, 1, "", "the file is empty")]
    lines: dict[Path_, int] = {}
    try:
        data = _walk(node, (), lines, problems, file)
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, "", f"not valid YAML: {exc}")]
    return _Doc(file, data, lines), problems


def _too_big(size: int) -> str:
    return (
        f"file is {size:,} bytes; record files are limited to {MAX_FILE_BYTES:,} bytes "
        "(one grouping per file)"
    )


# -- the record set ------------------------------------------------------------------------


def _key(name: str) -> str:
    """Grouping names compare case-insensitively, ignoring punctuation and spacing."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", name.lower().replace("&", " and ")).split())


@dataclass(frozen=True)
class RecordSet:
    """Validated groupings and records, in file order."""

    groupings: dict[str, Grouping]
    records: tuple[Record, ...]
    files: tuple[str, ...] = ()
    _names: dict[str, str] = field(default_factory=dict, repr=False)
    sha256: str = ""  # of the record files' texts, in order: provenance of any index

    def __len__(self) -> int:
        return len(self.records)

    def grouping(self, name: str, resolver: Resolver | None = None) -> Grouping:
        """Find a grouping by id, name or alias (case-insensitive, punctuation ignored),
        or by its member states (``"USA JPN KOR"``)."""
        gid = self._names.get(_key(name))
        if gid:
            return self.groupings[gid]
        tokens = [t for t in re.split(r"[\s,/+\-–—]+", name.strip()) if t]
        if len(tokens) >= 2:
            resolve = resolver or _default_resolver()
            try:
                codes = frozenset(resolve(t, None) for t in tokens)
            except AllyscopeError:
                codes = frozenset()
            if len(codes) == len(tokens):
                for g in self.groupings.values():
                    if frozenset(g.members) == codes:
                        return g
        names = [g.name for g in self.groupings.values()] + [
            a for g in self.groupings.values() for a in g.aliases
        ]
        raise UnknownNameError(
            "grouping", name, names, "`allyscope institutions --list` shows the groupings"
        )

    def of(self, grouping: str | Grouping) -> tuple[Record, ...]:
        g = grouping if isinstance(grouping, Grouping) else self.grouping(grouping)
        return tuple(r for r in self.records if r.grouping_id == g.id)

    def by_id(self, rid: str) -> Record:
        for r in self.records:
            if r.id == rid:
                return r
        raise UnknownNameError("record id", rid, [r.id for r in self.records])


# -- validation ----------------------------------------------------------------------------


def _default_resolver() -> Resolver:
    from allyscope import codes

    cache: dict[tuple[str, int | None], int] = {}

    def resolve(query: str, year: int | None) -> int:
        key = (str(query), year)
        if key not in cache:
            cache[key] = codes.resolve(query, year)
        return cache[key]

    return resolve


def _files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p).expanduser()
        if p.is_dir():
            found = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            if not found:
                raise RecordValidationError(
                    f"no record files (*.yaml, *.yml) in {p}",
                    "put one YAML file per grouping in the folder (see docs/mechanisms.md)",
                )
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise RecordValidationError(
                f"no such file or folder: {p}", "give a folder of record files with --records DIR"
            )
    return out


_States = tuple[tuple[int, ...], tuple[str, ...]]  #: COW codes and the codes as written


def _coverage_span(cov: Mapping[str, Any]) -> tuple[PartialDate | None, int | None]:
    """The last day covered (``to``) and the first year (``from``, a year), where given."""
    end = start = None
    if cov.get("to") not in (None, ""):
        end = parse_date(cov["to"])
    if cov.get("from") not in (None, ""):
        first = parse_date(cov["from"])
        if first.precision != "year":
            raise ValueError(f"coverage.from is a year, not {first}")
        start = first.year
    return end, start


class _Validator:
    def __init__(self, resolver: Resolver, today: dt.date) -> None:
        self.resolve = resolver
        self.today = today
        self.problems: list[Problem] = []
        self.groupings: dict[str, Grouping] = {}
        self.names: dict[str, str] = {}  # normalized name/alias -> grouping id
        self.records: list[Record] = []
        self.record_lines: dict[str, tuple[str, int]] = {}
        self.pending_affects: list[tuple[str, int, str]] = []
        self.pending_series: list[tuple[str, int, str, str]] = []

    def add(self, file: str, line: int, fieldname: str, message: str) -> None:
        self.problems.append(Problem(file, line, fieldname, message))

    # states ------------------------------------------------------------------------------
    def states(
        self, doc: _Doc, path: Path_, values: object, year: int | None
    ) -> tuple[tuple[int, ...], tuple[str, ...]] | None:
        fname = str(path[-1])
        if isinstance(values, list):
            values = self.expand_sets(doc, path, values)
            if values is None:
                return None
        if not isinstance(values, list) or not values:
            self.add(doc.file, doc.line(*path), fname, "must be a non-empty list of state codes")
            return None
        ccodes: list[int] = []
        ok = True
        for i, v in enumerate(values):
            c = self.state(doc, (*path, i), fname, v, year)
            if c is None:
                ok = False
                continue
            if c in ccodes:
                self.add(doc.file, doc.line(*path, i), fname, f"{v!r} is listed twice")
                ok = False
            ccodes.append(c)
        if not ok:
            return None
        return tuple(ccodes), tuple(str(v) for v in values)

    def state(self, doc: _Doc, path: Path_, fname: str, v: object, year: int | None) -> int | None:
        """The COW code of one listed state; None (and a problem) where it is not one."""
        if isinstance(v, bool) or not isinstance(v, str | int):
            self.add(doc.file, doc.line(*path), fname, f"not a state code: {v!r}")
            return None
        try:
            return self.resolve(str(v), year)
        except UnknownNameError as exc:
            msg = f"unknown or misspelled country {str(v)!r}"
            if exc.suggestions:
                msg += "; did you mean " + " or ".join(repr(s) for s in exc.suggestions) + "?"
            self.add(doc.file, doc.line(*path), fname, msg)
        except AllyscopeError as exc:
            if "warehouse" in type(exc).__name__.lower() or "Missing" in type(exc).__name__:
                raise
            self.add(doc.file, doc.line(*path), fname, f"{v!r}: {exc.message}")
        return None

    def expand_sets(self, doc: _Doc, path: Path_, values: list) -> list | None:
        """Replace ``$name`` by the states of ``member_sets: name`` (one level, no nesting)."""
        sets = doc.data.get("member_sets") if isinstance(doc.data, Mapping) else None
        out: list = []
        ok = True
        for i, v in enumerate(values):
            m = _SET_RE.match(v) if isinstance(v, str) else None
            if m is None:
                out.append(v)
                continue
            name = m[1]
            members = sets.get(name) if isinstance(sets, Mapping) else None
            if members is None:
                known = ", ".join(f"${k}" for k in sets) if isinstance(sets, Mapping) else ""
                self.add(
                    doc.file,
                    doc.line(*path, i),
                    str(path[-1]),
                    f"no member set {v!r} under member_sets:"
                    + (f" (known: {known})" if known else ""),
                )
                ok = False
                continue
            if not isinstance(members, list) or not all(
                isinstance(x, str) and not x.startswith("$") for x in members
            ):
                self.add(
                    doc.file,
                    doc.line("member_sets", name),
                    f"member_sets.{name}",
                    "a member set is a list of state codes (no nested sets)",
                )
                ok = False
                continue
            out.extend(members)
        return out if ok else None

    # groupings ---------------------------------------------------------------------------
    def grouping_ref(self, doc: _Doc, spec: str) -> Grouping | None:
        """A reference to a grouping defined elsewhere."""
        gid = self.names.get(_key(spec))
        if gid is None:
            self.add(
                doc.file,
                doc.line("grouping"),
                "grouping",
                f"unknown grouping {spec!r}; define it here (a mapping with id, name, "
                "members) or use the id of a shipped grouping",
            )
            return None
        return self.groupings[gid]

    def grouping_fields(self, doc: _Doc, spec: Mapping[str, Any]) -> list[str]:
        """Unknown and missing fields, the id, kind and aliases; returns the aliases."""
        for k in spec:
            if k not in GROUPING_FIELDS:
                self.add(doc.file, doc.line("grouping", k), f"grouping.{k}", f"unknown field {k!r}")
        for k, (req, _) in GROUPING_FIELDS.items():
            if req and spec.get(k) in (None, "", []):
                self.add(doc.file, doc.line("grouping"), f"grouping.{k}", f"missing {k}")
        gid = spec.get("id")
        if gid is not None and not (isinstance(gid, str) and ID_RE.match(gid)):
            self.add(doc.file, doc.line("grouping", "id"), "grouping.id", f"{gid!r} is not a slug")
        kind = spec.get("kind")
        if kind is not None and kind not in GROUPING_KINDS:
            self.add(
                doc.file,
                doc.line("grouping", "kind"),
                "grouping.kind",
                f"unknown kind {kind!r} ({', '.join(GROUPING_KINDS)})",
            )
        aliases = spec.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            self.add(
                doc.file,
                doc.line("grouping", "aliases"),
                "grouping.aliases",
                "must be a list of names",
            )
            return []
        return aliases

    def grouping_clash(self, doc: _Doc, gid: str, names: Sequence[str]) -> bool:
        """Is the id already defined, or a name or alias used by another grouping?"""
        if gid in self.groupings:
            other = self.groupings[gid]
            self.add(
                doc.file,
                doc.line("grouping", "id"),
                "grouping.id",
                f"grouping {gid!r} is already defined in {other.file}:{other.line}; "
                f"to add records to it write `grouping: {gid}`",
            )
            return True
        for n in names:
            k = _key(n)
            if k in self.names and self.names[k] != gid:
                self.add(
                    doc.file,
                    doc.line("grouping"),
                    "grouping",
                    f"name or alias {n!r} is already used by grouping {self.names[k]!r}",
                )
                return True
        return False

    def grouping(self, doc: _Doc, spec: object) -> Grouping | None:
        if isinstance(spec, str):
            return self.grouping_ref(doc, spec)
        if not isinstance(spec, Mapping):
            self.add(
                doc.file,
                doc.line("grouping"),
                "grouping",
                "must be a mapping (id, name, members ...) or the id of a known grouping",
            )
            return None
        n0 = len(self.problems)
        aliases = self.grouping_fields(doc, spec)
        cov, cov_start, cov_statement, cov_gaps = self.coverage(doc, spec)
        members = None
        if spec.get("members") not in (None, "", []):
            members = self.states(doc, ("grouping", "members"), spec["members"], None)
        if len(self.problems) > n0 or members is None:
            return None
        gid = str(spec["id"])  # a slug: checked above
        name = str(spec["name"])
        if self.grouping_clash(doc, gid, (gid, name, *aliases)):
            return None
        g = Grouping(
            id=gid,
            name=name,
            members=members[0],
            member_codes=members[1],
            aliases=tuple(aliases),
            kind=spec.get("kind"),
            description=spec.get("description"),
            coverage_end=cov,
            coverage_start=cov_start,
            coverage_statement=cov_statement,
            coverage_gaps=cov_gaps,
            file=doc.file,
            line=doc.line("grouping"),
        )
        self.groupings[gid] = g
        for n in (gid, name, *aliases):
            self.names[_key(n)] = gid
        return g

    def coverage(
        self, doc: _Doc, spec: Mapping[str, Any]
    ) -> tuple[PartialDate | None, int | None, str | None, tuple[int, ...]]:
        """``coverage: {from, to, statement, gaps}`` (or the older ``coverage_end``)."""
        cov = spec.get("coverage")
        old = spec.get("coverage_end")
        if cov is not None and old not in (None, ""):
            self.add(
                doc.file,
                doc.line("grouping", "coverage_end"),
                "grouping.coverage_end",
                "give either coverage (from, to, statement) or coverage_end, not both",
            )
            return None, None, None, ()
        if old not in (None, ""):
            return self.coverage_end(doc, old), None, None, ()
        if cov is None:
            return None, None, None, ()
        where = ("grouping", "coverage")
        if not isinstance(cov, Mapping):
            self.add(
                doc.file,
                doc.line(*where),
                "grouping.coverage",
                "must be a mapping: from, to, statement",
            )
            return None, None, None, ()
        self.coverage_fields(doc, cov)
        try:
            end, start = _coverage_span(cov)
        except ValueError as exc:
            self.add(doc.file, doc.line(*where), "grouping.coverage", str(exc))
            return None, None, None, ()
        self.coverage_bounds(doc, end, start)
        text = self.coverage_statement(doc, cov)
        gaps = self.coverage_gaps(doc, cov, end, start)
        return end, start, " ".join(text.split()) if text else None, tuple(sorted(set(gaps)))

    def coverage_end(self, doc: _Doc, old: object) -> PartialDate | None:
        """The older ``coverage_end: DATE``."""
        try:
            return parse_date(old)
        except ValueError as exc:
            self.add(
                doc.file,
                doc.line("grouping", "coverage_end"),
                "grouping.coverage_end",
                str(exc),
            )
            return None

    def coverage_fields(self, doc: _Doc, cov: Mapping[str, Any]) -> None:
        where = ("grouping", "coverage")
        for k in cov:
            if k not in COVERAGE_FIELDS:
                self.add(
                    doc.file,
                    doc.line(*where, k),
                    f"grouping.coverage.{k}",
                    f"unknown field {k!r} ({', '.join(COVERAGE_FIELDS)})",
                )
        for k in ("to", "statement"):
            if cov.get(k) in (None, ""):
                self.add(doc.file, doc.line(*where), f"grouping.coverage.{k}", f"missing {k}")

    def coverage_bounds(self, doc: _Doc, end: PartialDate | None, start: int | None) -> None:
        """The coverage ends by today and starts before it ends."""
        where = ("grouping", "coverage")
        if end is not None and end.date > self.today:
            self.add(
                doc.file, doc.line(*where, "to"), "grouping.coverage.to", f"{end} is in the future"
            )
        if start is not None and end is not None and start > end.year:
            self.add(
                doc.file,
                doc.line(*where, "from"),
                "grouping.coverage.from",
                f"{start} is after the end of coverage {end}",
            )

    def coverage_statement(self, doc: _Doc, cov: Mapping[str, Any]) -> str | None:
        text = cov.get("statement")
        if text is not None and not isinstance(text, str):
            self.add(
                doc.file,
                doc.line("grouping", "coverage", "statement"),
                "grouping.coverage.statement",
                "must be text",
            )
            return None
        return text

    def coverage_gaps(
        self, doc: _Doc, cov: Mapping[str, Any], end: PartialDate | None, start: int | None
    ) -> list[int]:
        """Years within the coverage in which known iterations could not be sourced."""
        where = ("grouping", "coverage", "gaps")
        gaps = cov.get("gaps") or []
        if not isinstance(gaps, list) or not all(
            isinstance(y, int) and not isinstance(y, bool) for y in gaps
        ):
            self.add(
                doc.file, doc.line(*where), "grouping.coverage.gaps", "must be a list of years"
            )
            return []
        if start is not None and end is not None:
            outside = [y for y in gaps if not start <= y <= end.year]
            if outside:
                self.add(
                    doc.file,
                    doc.line(*where),
                    "grouping.coverage.gaps",
                    f"gap years outside the coverage {start}-{end.year}: {outside}",
                )
        return gaps

    # records -----------------------------------------------------------------------------
    def record_schema(self, doc: _Doc, path: Path_, data: object) -> None:
        """The schema's problems with one record, each at the line of its field."""
        for fname, msg in (
            check_record(data, self.today)
            if isinstance(data, Mapping)
            else [("", "a record must be a mapping of fields")]
        ):
            top = fname.split(".")[0].split("[")[0]
            sub: list[object] = [top] if top else []
            if fname.startswith("further_sources[") and "]" in fname:
                sub.append(int(fname[len("further_sources[") : fname.index("]")]))
            rest = fname.split(".", 1)[1] if "." in fname else None
            if rest:
                sub.append(rest)
            self.add(doc.file, doc.line(*path, *sub), fname, msg)

    def record_id(self, doc: _Doc, path: Path_, rid: object) -> None:
        """Record ids are unique across all files."""
        if not isinstance(rid, str):
            return
        if rid in self.record_lines:
            f0, l0 = self.record_lines[rid]
            self.add(
                doc.file,
                doc.line(*path, "id"),
                "id",
                f"duplicate id {rid!r} (first used at {f0}:{l0})",
            )
        else:
            self.record_lines[rid] = (doc.file, doc.line(*path, "id"))

    def record_members(
        self, doc: _Doc, path: Path_, data: Mapping[str, Any], g: Grouping, year: int | None
    ) -> _States | None:
        """The record's own members (at least two), else the grouping's."""
        if "members" not in data:
            return (g.members, g.member_codes)
        members = self.states(doc, (*path, "members"), data["members"], year)
        if members is not None and len(members[0]) < 2:
            self.add(
                doc.file,
                doc.line(*path, "members"),
                "members",
                "a mechanism needs at least two states",
            )
            return None
        return members

    def record_actors(
        self,
        doc: _Doc,
        path: Path_,
        data: Mapping[str, Any],
        members: _States | None,
        year: int | None,
    ) -> tuple[int, ...]:
        """The members that acted (all of them members of the record)."""
        if "actors" not in data:
            return ()
        res = self.states(doc, (*path, "actors"), data["actors"], year)
        if res is None or members is None:
            return ()
        outside = [c for c, code in zip(*res, strict=True) if c not in members[0]]
        if outside:
            self.add(
                doc.file,
                doc.line(*path, "actors"),
                "actors",
                f"actors must be members of the record: {outside}",
            )
        return res[0]

    def record(self, doc: _Doc, i: int, data: object, g: Grouping) -> None:
        path: Path_ = ("records", i)
        line = doc.line(*path)
        n0 = len(self.problems)
        self.record_schema(doc, path, data)
        if not isinstance(data, Mapping):
            return
        self.record_id(doc, path, data.get("id"))
        year = None
        with contextlib.suppress(ValueError, TypeError):
            year = parse_date(data.get("date")).year
        members = self.record_members(doc, path, data, g, year)
        actors = self.record_actors(doc, path, data, members, year)
        for rid_aff in data.get("affects") or []:
            self.pending_affects.append((doc.file, doc.line(*path, "affects"), str(rid_aff)))
        ends = data.get("ends_series")
        if isinstance(ends, list):
            for slug in ends:
                self.pending_series.append(
                    (doc.file, doc.line(*path, "ends_series"), g.id, str(slug))
                )
        if len(self.problems) > n0 or members is None:
            return
        self.records.append(_make_record(data, g, members, actors, doc.file, line))

    def finish(self) -> None:
        ids = {r.id for r in self.records} | set(self.record_lines)
        for file, line, rid in self.pending_affects:
            if rid not in ids:
                from allyscope.errors import suggest

                hits = suggest(rid, ids)
                hint = f"; did you mean {hits[0]!r}?" if hits else ""
                self.add(file, line, "affects", f"no record with id {rid!r}{hint}")
        series: dict[str, set[str]] = {}
        types: dict[tuple[str, str], Record] = {}
        for r in self.records:
            series.setdefault(r.grouping_id, set()).add(r.channel)
            if r.negative:
                continue
            first = types.setdefault((r.grouping_id, r.channel), r)
            if first.type != r.type:
                self.add(
                    r.file,
                    r.line,
                    "series",
                    f"series {r.channel!r} mixes types: {first.type!r} ({first.id}) and "
                    f"{r.type!r}; a series is one kind of mechanism, give this record its own",
                )
        for file, line, gid, slug in self.pending_series:
            known = series.get(gid, set())
            if slug not in known:
                from allyscope.errors import suggest

                hits = suggest(slug, known)
                hint = f"; did you mean {hits[0]!r}?" if hits else ""
                self.add(file, line, "ends_series", f"no series {slug!r} in grouping {gid!r}{hint}")


def _source(d: Mapping[str, Any]) -> Source:
    return Source(
        title=str(d["title"]).strip(),
        publisher=str(d["publisher"]).strip(),
        date=parse_date(d["date"]),
        url=str(d["url"]).strip(),
    )


def _make_record(
    data: Mapping[str, Any],
    g: Grouping,
    members: tuple[tuple[int, ...], tuple[str, ...]],
    actors: tuple[int, ...],
    file: str,
    line: int,
) -> Record:
    return Record(
        id=data["id"],
        grouping_id=g.id,
        grouping_name=g.name,
        date=parse_date(data["date"]),
        end_date=parse_date(data["end_date"]) if data.get("end_date") not in (None, "") else None,
        type=normalize_term(data["type"]),
        level=normalize_term(data["level"]),
        regularity=normalize_term(data["regularity"]),
        bindingness=normalize_term(data["bindingness"]),
        issue_areas=tuple(dict.fromkeys(normalize_term(a) for a in data["issue_areas"])),
        title=str(data["title"]).strip(),
        description=" ".join(str(data["description"]).split()),
        evidence=" ".join(str(data["evidence"]).split()) if data.get("evidence") else None,
        source=_source(data["source"]),
        further_sources=tuple(_source(s) for s in data.get("further_sources") or []),
        members=members[0],
        member_codes=members[1],
        actors=actors,
        affects=tuple(str(a) for a in data.get("affects") or []),
        series=data.get("series"),
        source_kind=normalize_term(data["source_kind"]),
        status=normalize_term(data.get("status") or "held"),
        severity=normalize_term(data["severity"]) if data.get("severity") else None,
        ends_series=tuple(str(x) for x in data.get("ends_series") or []),
        file=file,
        line=line,
    )


def _display(path: Path, shipped: Path) -> str:
    try:
        return str(Path("records") / path.resolve().relative_to(shipped.resolve()))
    except ValueError:
        return str(path)


def _check_doc(v: _Validator, file: str, doc: _Doc) -> None:
    """One parsed record file: its top-level keys, its grouping and its records."""
    if not isinstance(doc.data, Mapping):
        v.add(file, 1, "", "a record file is a mapping with `grouping:` and `records:`")
        return
    for k in doc.data:
        if k not in _TOP_FIELDS:
            v.add(
                file,
                doc.line(k),
                str(k),
                f"unknown top-level key {k!r} (grouping, member_sets, records)",
            )
    if "grouping" not in doc.data:
        v.add(
            file,
            1,
            "grouping",
            "missing `grouping:` (a mapping, or the id of a known grouping)",
        )
        return
    g = v.grouping(doc, doc.data["grouping"])
    recs = doc.data.get("records")
    if recs is None:
        recs = []
    if not isinstance(recs, list):
        v.add(file, doc.line("records"), "records", "must be a list of records")
        return
    for i, rec in enumerate(recs):
        if g is None:  # still check the records' own fields
            for fname, msg in check_record(rec, v.today) if isinstance(rec, Mapping) else []:
                v.add(file, doc.line("records", i, fname.split(".")[0]), fname, msg)
            continue
        v.record(doc, i, rec, g)


def validate_texts(
    texts: Sequence[tuple[str, str]],
    *,
    resolver: Resolver | None = None,
    today: dt.date | None = None,
    known: RecordSet | None = None,
) -> tuple[RecordSet | None, list[Problem]]:
    """Validate ``(file name, YAML text)`` pairs in order; return the set and the problems.

    The set is ``None`` if there is any problem. ``known`` records and groupings (e.g. the
    shipped ones) take part in the id and grouping checks without being re-validated.
    """
    v = _Validator(resolver or _default_resolver(), today or _as_of())
    if known is not None:
        v.groupings.update(known.groupings)
        v.names.update(known._names)
        v.records.extend(known.records)
        v.record_lines.update({r.id: (r.file, r.line) for r in known.records})
    parsed: list[tuple[str, _Doc | None]] = []
    for file, text in texts:
        doc, probs = parse_yaml(text, file)
        v.problems.extend(probs)
        parsed.append((file, doc))
    docs = [(file, doc) for file, doc in parsed if doc is not None]
    if len(docs) < len(parsed):
        # a file that cannot be parsed (or was refused) stops the load here: its
        # problems are reported without spending time on the other files' contents
        return None, v.problems
    for file, doc in docs:
        _check_doc(v, file, doc)
    v.finish()
    if v.problems:
        return None, v.problems
    digest = hashlib.sha256()
    for f, t in texts:
        digest.update(f.encode("utf-8") + b"\0" + t.encode("utf-8") + b"\0")
    return RecordSet(
        groupings=dict(v.groupings),
        records=tuple(v.records),
        files=tuple(f for f, _ in texts),
        _names=dict(v.names),
        sha256=digest.hexdigest(),
    ), []


def validation_error(problems: Sequence[Problem], what: str) -> RecordValidationError:
    first = problems[0]
    more = (
        f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
        if len(problems) > 1
        else ""
    )
    err = RecordValidationError(
        f"invalid records in {what}: {first}{more}",
        "`allyscope institutions --validate DIR` lists every problem; nothing was loaded",
    )
    err.problems = list(problems)  # type: ignore[attr-defined]
    return err


def load(
    extra: Iterable[str | os.PathLike[str]] | None = None,
    *,
    shipped: bool = True,
    resolver: Resolver | None = None,
    today: dt.date | None = None,
) -> RecordSet:
    """Load and validate the shipped record files and any extra folders or files.

    All or nothing: any problem in any file raises :class:`RecordValidationError`
    (its ``problems`` attribute lists them all) and nothing is loaded.
    """
    base = shipped_dir()
    files = (sorted(base.glob("*.yaml")) if shipped else []) + _files(extra or [])
    seen: set[Path] = set()
    texts: list[tuple[str, str]] = []
    for f in files:
        rp = f.resolve()
        if rp in seen:
            continue
        seen.add(rp)
        size = f.stat().st_size
        if size > MAX_FILE_BYTES:
            raise validation_error([Problem(_display(f, base), 1, "", _too_big(size))], str(f))
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise validation_error(
                [Problem(_display(f, base), 1, "", f"not UTF-8 text ({exc.reason})")], str(f)
            ) from None
        texts.append((_display(f, base), text))
    # groupings are defined before they are referenced: shipped first, then in given order
    rs, problems = validate_texts(texts, resolver=resolver, today=today)
    if problems:
        where = "the shipped record files" if not extra else ", ".join(map(str, extra))
        raise validation_error(problems, where)
    assert rs is not None
    return rs


def validate_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    resolver: Resolver | None = None,
    today: dt.date | None = None,
) -> list[Problem]:
    """Every problem in the given folders or files, checked together with the shipped
    records (for duplicate ids and grouping references). Empty list: all valid."""
    known = load(resolver=resolver, today=today)
    texts: list[tuple[str, str]] = []
    early: list[Problem] = []
    for f in _files(paths):
        size = f.stat().st_size
        if size > MAX_FILE_BYTES:
            early.append(Problem(str(f), 1, "", _too_big(size)))
            continue
        try:
            texts.append((str(f), f.read_text(encoding="utf-8")))
        except UnicodeDecodeError as exc:
            early.append(Problem(str(f), 1, "", f"not UTF-8 text ({exc.reason})"))
    _, problems = validate_texts(texts, resolver=resolver, today=today, known=known)
    return early + problems


__all__ = [
    "MAX_FILE_BYTES",
    "RecordSet",
    "Resolver",
    "check_source",
    "load",
    "parse_yaml",
    "shipped_dir",
    "validate_paths",
    "validate_texts",
    "validation_error",
]
