"""Candidates → records in the mechanisms schema, and their YAML / JSON output.

The YAML output is a record file (``grouping:`` and ``records:``, see
``docs/mechanisms.md``) that the mechanisms loader reads as it is: the extraction
details (confidence, evidence sentence and its offsets) travel as comments above each
record, so the file validates while keeping them for the reviewer. If the candidates'
members match a shipped grouping the file refers to it (``grouping: us-japan-rok``) and
the records can be appended to that grouping's file. JSON output keeps the record and
the extraction details side by side.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from allyscope.extract.countries import country_name
from allyscope.extract.extractor import Candidate
from allyscope.extract.reader import Document
from allyscope.mechanisms.schema import MECHANISM_TYPES, check_record, infer_source_kind


def source_for(doc: Document, *, url: str | None = None, publisher: str | None = None,
               title: str | None = None) -> dict[str, str]:  # fmt: skip
    """The record's source from the document's metadata and the user's overrides.

    Fields that are not known are left out, so that validation names them."""
    src: dict[str, str] = {}
    t = title or doc.title or Path(doc.name).stem
    if t:
        src["title"] = t
    p = publisher or doc.publisher
    if p:
        src["publisher"] = p
    if doc.date:
        src["date"] = doc.date.isoformat()
    u = url or doc.url
    if u:
        src["url"] = u
    return src


def _slug(*parts: str) -> str:
    s = "-".join(p for p in parts if p)
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return re.sub(r"-{2,}", "-", s)


def record_id(c: Candidate, used: set[str]) -> str:
    base = _slug("-".join(c.members), c.date or "undated", c.type.replace("_", "-"))
    rid, n = base, 2
    while rid in used:
        rid, n = f"{base}-{n}", n + 1
    used.add(rid)
    return rid


def _short(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def to_record(
    c: Candidate, source: Mapping[str, str], used: set[str] | None = None
) -> dict[str, Any]:
    """A record mapping (schema fields only) for a candidate."""
    used = set() if used is None else used
    names = ", ".join(country_name(m) for m in c.members)
    rec: dict[str, Any] = {
        "id": record_id(c, used),
        "date": c.date,
        "type": c.type,
        "level": c.level,
        "regularity": c.regularity,
        "bindingness": c.bindingness,
        "issue_areas": list(c.issue_areas),
        "members": list(c.members),
        "title": f"{MECHANISM_TYPES[c.type][:1].upper()}{MECHANISM_TYPES[c.type][1:]} ({names})",
        "description": f"Candidate from {Path(c.document).name}: {_short(c.sentence, 400)}",
        "evidence": _short(c.sentence),
        "source": dict(source),
    }
    kind = infer_source_kind(source.get("publisher"), source.get("url"))
    if kind is not None:  # otherwise left out, so that validation asks for it
        rec["source_kind"] = kind
    if rec["date"] is None:
        del rec["date"]
    return rec


def problems(record: Mapping[str, Any]) -> list[str]:
    """Schema problems of one record (no country look-up), as ``field: message``."""
    return [f"{f}: {m}" if f else m for f, m in check_record(record)]


def extraction_info(c: Candidate) -> dict[str, Any]:
    return {
        "document": c.document,
        "document_date": c.document_date,
        "confidence": c.confidence,
        "trigger": c.trigger,
        "date_text": c.date_text,
        "regularity_stated": c.regularity_stated,
        "members_from_context": c.members_from_context,
        "notes": list(c.notes),
        "evidence": [
            {
                "sentence": e.sentence,
                "start": e.start,
                "end": e.end,
                "original_start": e.original_start,
                "original_end": e.original_end,
            }
            for e in c.evidence
        ],
    }


# -- groupings ----------------------------------------------------------------------------------


def shipped_groupings() -> dict[frozenset[str], str]:
    """Member set (ISO3 as written) → grouping id of the shipped record files."""
    from allyscope.mechanisms.loader import shipped_dir

    out: dict[frozenset[str], str] = {}
    for f in sorted(shipped_dir().glob("*.yaml")):
        try:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
        except (yaml.YAMLError, OSError):
            continue
        g = data.get("grouping") if isinstance(data, dict) else None
        if isinstance(g, dict) and isinstance(g.get("members"), list) and g.get("id"):
            out.setdefault(frozenset(str(m).upper() for m in g["members"]), str(g["id"]))
    return out


def grouping_for(cands: Iterable[Candidate]) -> dict[str, Any] | str:
    """The grouping the candidates belong to: a shipped grouping id, or a new mapping."""
    counts = Counter(tuple(c.members) for c in cands)
    if not counts:
        return {"id": "extracted", "name": "Extracted", "members": []}
    members = list(counts.most_common(1)[0][0])
    known = shipped_groupings()
    gid = known.get(frozenset(members))
    if gid:
        return gid
    return {
        "id": _slug("extracted", *members),
        "name": "-".join(members) + " (extracted)",
        "members": members,
        "kind": "bilateral"
        if len(members) == 2
        else "minilateral"
        if len(members) <= 6
        else "multilateral",
    }


# -- writers -------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    if re.fullmatch(r"\d{4}(?:-\d{2}){0,2}", data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


def _list_presenter(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(x, str | int | float) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(str, _str_presenter)
_Dumper.add_representer(list, _list_presenter)


def _dump(obj: Any) -> str:
    return yaml.dump(
        obj,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def to_yaml(items: list[tuple[Candidate, dict[str, Any]]], *, header: str | None = None) -> str:
    """A record file with one record per candidate; details as comments."""
    lines: list[str] = []
    if header:
        lines += [f"# {ln}" if ln else "#" for ln in header.splitlines()]
    g = grouping_for(c for c, _ in items)
    lines.append(_dump({"grouping": g}).rstrip())
    lines.append("records:" if items else "records: []")
    for i, (c, rec) in enumerate(items, 1):
        lines.append("")
        where = f"{Path(c.document).name}, characters {c.evidence[0].start}-{c.evidence[0].end}"
        if c.evidence[0].original_start is not None:
            where += f" (original file {c.evidence[0].original_start}-{c.evidence[0].original_end})"
        lines.append(f"  # candidate {i}: confidence {c.confidence:.2f}; {where}")
        if c.date_text:
            lines.append(f"  # date from {c.date_text!r} (document date {c.document_date})")
        for n in c.notes:
            lines.append(f"  # note: {n}")
        for ev in c.evidence:
            for k, ln in enumerate(textwrap.wrap(" ".join(ev.sentence.split()), 92)):
                lines.append(("  # > " if k == 0 else "  #   ") + ln)
        body = _dump([rec]).rstrip().splitlines()
        body = [ln.replace("- ", "- ", 1) for ln in body]
        lines += ["  " + ln for ln in body]
    return "\n".join(lines) + "\n"


def to_json(items: list[tuple[Candidate, dict[str, Any]]]) -> str:
    out = {
        "grouping": grouping_for(c for c, _ in items),
        "candidates": [{"record": rec, "extraction": extraction_info(c)} for c, rec in items],
    }
    return json.dumps(out, indent=2, ensure_ascii=False, default=str) + "\n"


__all__ = [
    "extraction_info",
    "grouping_for",
    "problems",
    "record_id",
    "shipped_groupings",
    "source_for",
    "to_json",
    "to_record",
    "to_yaml",
]
