"""Neutrality of states as a state-year attribute, from a sourced record file.

The file ``allyscope/sources/records/neutrality.yaml`` lists every state allyscope codes
as formally neutral or militarily non-aligned, each as a spell of years with its legal
basis and sources (constitutions, constitutional laws, parliamentary resolutions, UN
resolutions; wires and newspapers where no official text was found). Kinds:

* ``permanent``: permanent neutrality fixed by constitution, constitutional law or an
  international instrument (Switzerland, Austria, Malta, Turkmenistan, Moldova, ...);
* ``declared``: a standing government or parliamentary policy of neutrality without
  constitutional force (Ireland, Costa Rica, Serbia since 2007, Liechtenstein);
* ``non_alignment``: declared military non-alignment (Sweden until 2021, Finland
  1956-2021, Ukraine 2010-2013).

A state is neutral in a year if it holds the status on 31 December of that year (Sweden
applied for NATO membership in May 2022, so 2022 is not neutral). Within the file's
coverage (1946-2025) a state-year that is not listed is *not neutral*: the file claims
to be complete, so zeros are real zeros; outside it the attribute is missing.

:func:`load_spells` validates the file all or nothing and reports every problem as
``file:line: field: message`` in one :class:`~allyscope.errors.RecordValidationError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from allyscope.errors import AllyscopeError, RecordValidationError

KINDS = ("permanent", "declared", "non_alignment")
SOURCE_KINDS = ("primary", "wire", "newspaper")
REQUIRED = ("id", "state", "kind", "first_year", "last_year", "basis", "sources")
OPTIONAL = ("notes",)
SOURCE_FIELDS = ("url", "title", "publisher", "date", "kind")
FILE_NAME = "neutrality.yaml"


@dataclass(frozen=True)
class NeutralitySpell:
    """One state's spell of neutrality (years inclusive; ``last_year`` None: ongoing)."""

    id: str
    state: str
    ccode: int
    kind: str
    first_year: int
    last_year: int | None
    basis: str
    sources: tuple[dict[str, Any], ...]
    line: int


@dataclass(frozen=True)
class NeutralityRecords:
    path: str
    coverage: tuple[int, int]
    spells: tuple[NeutralitySpell, ...]


def default_path() -> Path:
    from allyscope.sources.alliance_records import records_dir

    return records_dir() / FILE_NAME


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[str] = []

    def add(self, line: int, field: str, message: str) -> None:
        where = f"{self.file}:{line}"
        self.items.append(f"{where}: {field}: {message}" if field else f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            more = f" (and {len(self.items) - 1} more)" if len(self.items) > 1 else ""
            raise RecordValidationError(
                self.items[0] + more + ("\n" + "\n".join(self.items[1:]) if more else ""),
                "fix the record file; nothing was loaded",
            )


def _parse(path: Path) -> tuple[Any, Any]:
    from allyscope.sources.alliance_records import load_yaml

    return load_yaml(path, "write every value out in full", node=True)


class _Lines(dict):
    """Lines of one record's fields (1-based); unknown fields: the record's first line."""

    def __init__(self, start: int, fields: dict[str, int]) -> None:
        super().__init__(fields)
        self.start = start

    def __missing__(self, key: str) -> int:
        return self.start


def _record_lines(node: Any) -> list[_Lines]:
    """The lines of each entry under ``states`` and of its fields."""
    if node is None or not hasattr(node, "value"):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "states" and isinstance(value.value, list):
            out = []
            for item in value.value:
                fields = (
                    {str(k.value): k.start_mark.line + 1 for k, _ in item.value}
                    if isinstance(item.value, list)
                    else {}
                )
                out.append(_Lines(item.start_mark.line + 1, fields))
            return out
    return []


def _year(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_sources(rec: dict[str, Any], lines: _Lines, probs: _Problems) -> None:
    line = lines["sources"]
    sources = rec.get("sources")
    if not isinstance(sources, list) or not sources:
        probs.add(line, "sources", "give at least one source")
        return
    for s in sources:
        if not isinstance(s, dict):
            probs.add(
                line, "sources", "each source is a mapping of url, title, publisher, date, kind"
            )
            continue
        missing = [f for f in SOURCE_FIELDS if f not in s]
        if missing:
            probs.add(line, "sources", f"a source lacks {', '.join(missing)}")
        if s.get("kind") not in SOURCE_KINDS:
            probs.add(line, "sources.kind", f"{s.get('kind')!r} is not one of {SOURCE_KINDS}")
        if not str(s.get("url", "")).startswith(("http://", "https://")):
            probs.add(line, "sources.url", f"{s.get('url')!r} is not a web address")
        if "date" in s and not isinstance(s["date"], dt.date):
            probs.add(line, "sources.date", f"{s['date']!r} is not a date (YYYY-MM-DD)")


def _check_fields(rec: dict[str, Any], lines: _Lines, probs: _Problems) -> None:
    for f in rec:
        if f not in REQUIRED + OPTIONAL:
            near = difflib.get_close_matches(str(f), REQUIRED + OPTIONAL, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            probs.add(lines[str(f)], str(f), f"unknown field{hint}")
    for f in REQUIRED:
        if f not in rec:
            probs.add(lines.start, f, "missing")
    if rec.get("kind") not in KINDS:
        probs.add(lines["kind"], "kind", f"{rec.get('kind')!r} is not one of {KINDS}")


def _check_years(
    rec: dict[str, Any], lines: _Lines, cov: tuple[int, int], probs: _Problems
) -> None:
    first, last = _year(rec.get("first_year")), rec.get("last_year")
    if first is None:
        probs.add(lines["first_year"], "first_year", f"{rec.get('first_year')!r} is not a year")
        return
    at = lines["last_year"]
    if last is not None and _year(last) is None:
        probs.add(at, "last_year", f"{last!r} is not a year (or null while ongoing)")
    elif last is not None and last < first:
        probs.add(at, "last_year", f"{last} is before first_year {first}")
    elif last is not None and last > cov[1]:
        probs.add(at, "last_year", f"{last} is after the file's coverage ({cov[1]})")
    if first > cov[1]:
        probs.add(lines["first_year"], "first_year", f"{first} is after the coverage ({cov[1]})")


def _resolve(state: Any, year: int, line: int, probs: _Problems) -> int | None:
    from allyscope import codes

    try:
        return int(codes.resolve(str(state), year))
    except AllyscopeError as exc:
        probs.add(line, "state", str(exc))
        return None


def _coverage(data: dict[str, Any], probs: _Problems) -> tuple[int, int]:
    cov = data.get("coverage") if isinstance(data, dict) else None
    try:
        first, through = int(cov["from"]), int(cov["through"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        probs.add(1, "coverage", "give coverage: {from: YEAR, through: YEAR}")
        probs.raise_if_any()
        raise AssertionError("unreachable") from None
    return first, through


def _spells(
    data: dict[str, Any], lines: list[_Lines], cov: tuple[int, int], probs: _Problems
) -> list[NeutralitySpell]:
    recs = data.get("states")
    if not isinstance(recs, list) or not recs:
        probs.add(1, "states", "give a list of state records")
        return []
    out: list[NeutralitySpell] = []
    seen: set[str] = set()
    for i, rec in enumerate(recs):
        fl = lines[i] if i < len(lines) else _Lines(1, {})
        line = fl.start
        if not isinstance(rec, dict):
            probs.add(line, "", "a record is a mapping of fields")
            continue
        _check_fields(rec, fl, probs)
        _check_years(rec, fl, cov, probs)
        _check_sources(rec, fl, probs)
        rid = str(rec.get("id", ""))
        if rid in seen:
            probs.add(fl["id"], "id", f"duplicate id {rid!r}")
        seen.add(rid)
        first = _year(rec.get("first_year"))
        last = _year(rec.get("last_year"))
        ccode = _resolve(rec.get("state"), min(last or cov[1], cov[1]), fl["state"], probs)
        if ccode is None or first is None or rec.get("kind") not in KINDS:
            continue
        out.append(
            NeutralitySpell(
                rid,
                str(rec["state"]),
                ccode,
                str(rec["kind"]),
                first,
                rec.get("last_year"),
                str(rec.get("basis", "")),
                tuple(rec.get("sources") or ()),
                fl["first_year"],
            )
        )
    _check_overlaps(out, probs)
    return out


def _check_overlaps(spells: list[NeutralitySpell], probs: _Problems) -> None:
    by_state: dict[int, list[NeutralitySpell]] = {}
    for s in spells:
        by_state.setdefault(s.ccode, []).append(s)
    for group in by_state.values():
        group.sort(key=lambda s: s.first_year)
        for a, b in itertools.pairwise(group):
            if a.last_year is None or a.last_year >= b.first_year:
                probs.add(b.line, "first_year", f"overlaps the spell {a.id!r} of the same state")


def load_spells(path: str | os.PathLike[str] | None = None) -> NeutralityRecords:
    """Validate and load a neutrality record file (default: the shipped one)."""
    from allyscope.sources.alliance_records import file_mtime

    p = Path(path) if path is not None else default_path()
    return _load(str(p), file_mtime(p, "neutrality record file"))


@cache
def _load(path: str, mtime: float) -> NeutralityRecords:
    del mtime  # part of the cache key only
    data, node = _parse(Path(path))
    probs = _Problems(path)
    if not isinstance(data, dict):
        probs.add(1, "", "the file is a mapping with coverage and states")
        probs.raise_if_any()
    cov = _coverage(data, probs)
    spells = _spells(data, _record_lines(node), cov, probs)
    probs.raise_if_any()
    return NeutralityRecords(path, cov, tuple(spells))


def neutral_state_years(path: str | os.PathLike[str] | None = None) -> pl.DataFrame:
    """``ccode, year, neutral (1), neutral_kind, neutral_id``: every neutral state-year
    within the file's coverage. State-years not listed are not neutral."""
    recs = load_spells(path)
    lo, hi = recs.coverage
    rows = [
        (s.ccode, y, s.kind, s.id)
        for s in recs.spells
        for y in range(max(s.first_year, lo), (s.last_year if s.last_year is not None else hi) + 1)
    ]
    return (
        pl.DataFrame(
            rows,
            schema={
                "ccode": pl.Int32,
                "year": pl.Int32,
                "neutral_kind": pl.String,
                "neutral_id": pl.String,
            },
            orient="row",
        )
        .with_columns(pl.lit(1, pl.Int8).alias("neutral"))
        .select("ccode", "year", "neutral", "neutral_kind", "neutral_id")
        .sort("ccode", "year")
    )


def coverage(path: str | os.PathLike[str] | None = None) -> tuple[int, int]:
    """The years the neutrality file codes completely."""
    return load_spells(path).coverage


__all__ = [
    "KINDS",
    "NeutralityRecords",
    "NeutralitySpell",
    "coverage",
    "default_path",
    "load_spells",
    "neutral_state_years",
]
