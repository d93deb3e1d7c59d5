"""Precision and recall of the extractor on a labelled set of documents.

A labelled set is a folder of documents (``.txt``, ``.md``, ``.html``) each with a gold
file ``<name>.gold.yaml``::

    document: camp-david-spirit-2023.md
    source: {title: ..., publisher: ..., date: 2023-08-18, url: https://...}
    records:
      - type: leaders_summit
        members: [JPN, KOR, USA]
        date: 2023-08-18
        regularity: annual          # null: the text states none
        level: leaders              # optional
        evidence: agreed to hold trilateral leaders' summits   # a phrase of the sentence

Sub-folders are splits (the shipped set has ``dev`` and ``heldout``); each is scored on
its own. Gold records of one document that agree on type, members, date and regularity
are one record (the extractor merges such mentions too).

A candidate *matches* a gold record of the same document and type when one of its
evidence sentences contains the gold evidence phrase; matching is one-to-one. Per type:
precision = matched candidates / candidates, recall = matched gold / gold. Members,
date, stated regularity and level are scored on the matched pairs. The target groups
pool types: information/data sharing = intelligence-sharing agreements + real-time data
sharing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from allyscope.errors import InvalidInputError
from allyscope.extract.dates import same_date
from allyscope.extract.extractor import DEFAULT_MIN_CONFIDENCE, Candidate, extract
from allyscope.extract.reader import read_document
from allyscope.mechanisms.schema import MECHANISM_TYPES

#: the groups the extractor is held to (precision >= 0.8, recall >= 0.7)
TARGET_GROUPS: dict[str, tuple[str, ...]] = {
    "leaders' summits": ("leaders_summit",),
    "hotlines": ("crisis_hotline",),
    "information/data sharing": ("intelligence_sharing_agreement", "real_time_data_sharing"),
    "joint exercises": ("joint_exercise",),
    "commitments to consult": ("commitment_to_consult",),
}
TARGET_PRECISION = 0.8
TARGET_RECALL = 0.7

_DOC_EXT = (".txt", ".md", ".markdown", ".html", ".htm")


def shipped_set() -> Path:
    """The evaluation set that ships with allyscope (splits ``dev`` and ``heldout``)."""
    return Path(str(resources.files("allyscope.extract") / "evaluation"))


@dataclass
class Gold:
    type: str
    members: list[str]
    date: str | None
    regularity: str | None
    level: str | None
    evidence: list[str]


@dataclass
class LabelledDoc:
    path: Path
    split: str
    records: list[Gold]


def load_set(folder: str | Path) -> list[LabelledDoc]:
    """Every labelled document under ``folder`` (sub-folders are splits)."""
    root = Path(folder)
    if not root.is_dir():
        raise InvalidInputError(
            f"no such folder: {root}", "give a folder of documents with .gold.yaml files"
        )
    golds = sorted(root.rglob("*.gold.yaml"))
    if not golds:
        raise InvalidInputError(
            f"no gold files (*.gold.yaml) in {root}",
            "each document needs a <name>.gold.yaml beside it (see docs/extract.md)",
        )
    out: list[LabelledDoc] = []
    for g in golds:
        data = yaml.safe_load(g.read_text(encoding="utf-8")) or {}
        name = data.get("document") or next(
            (g.with_name(g.name.replace(".gold.yaml", e)).name for e in _DOC_EXT
             if g.with_name(g.name.replace(".gold.yaml", e)).is_file()), None)  # fmt: skip
        if not name or not (g.parent / name).is_file():
            raise InvalidInputError(
                f"{g}: its document {name!r} is missing", "put the document beside its gold file"
            )
        merged: dict[tuple, Gold] = {}
        for i, r in enumerate(data.get("records") or []):
            t = r.get("type")
            if t not in MECHANISM_TYPES:
                raise InvalidInputError(f"{g}: record {i + 1}: unknown mechanism type {t!r}")
            members = sorted(str(m) for m in r.get("members") or [])
            date = str(r["date"]) if r.get("date") is not None else None
            key = (t, tuple(members), date, r.get("regularity"))
            ev = r.get("evidence")
            evs = [ev] if isinstance(ev, str) else list(ev or [])
            if key in merged:
                merged[key].evidence.extend(evs)
            else:
                merged[key] = Gold(t, members, date, r.get("regularity"), r.get("level"), evs)
        rel = g.parent.relative_to(root)
        split = rel.parts[0] if rel.parts else root.name
        out.append(LabelledDoc(g.parent / name, split, list(merged.values())))
    return out


@dataclass
class _Tally:
    n_pred: int = 0
    n_gold: int = 0
    tp_pred: int = 0
    tp_gold: int = 0
    members_ok: int = 0
    date_ok: int = 0
    reg_n: int = 0
    reg_ok: int = 0
    level_n: int = 0
    level_ok: int = 0


def _match(
    cands: list[Candidate], golds: list[Gold], doc_text: str
) -> list[tuple[Candidate, Gold]]:
    pairs: list[tuple[Candidate, Gold]] = []
    used: set[int] = set()
    for c in cands:
        for gi, g in enumerate(golds):
            if gi in used or g.type != c.type:
                continue
            if any(e and e in ev.sentence for e in g.evidence for ev in c.evidence):
                pairs.append((c, g))
                used.add(gi)
                break
    return pairs


def _score_document(
    d: Any, cands: list[Any], text: str, tallies: dict[tuple[str, str], _Tally]
) -> list[dict[str, object]]:
    """Tally one document's candidates against its gold records; return its errors."""
    pairs = _match(cands, d.records, text)
    matched_c = {id(c) for c, _ in pairs}
    matched_g = {id(g) for _, g in pairs}
    errors: list[dict[str, object]] = []
    for c in cands:
        tallies[(d.split, c.type)].n_pred += 1
        if id(c) not in matched_c:
            errors.append({"split": d.split, "document": d.path.name, "kind": "false positive",
                           "type": c.type, "members": c.members, "date": c.date,
                           "sentence": c.sentence})  # fmt: skip
    for g in d.records:
        tallies[(d.split, g.type)].n_gold += 1
        if id(g) not in matched_g:
            errors.append({"split": d.split, "document": d.path.name, "kind": "missed",
                           "type": g.type, "members": g.members, "date": g.date,
                           "sentence": "; ".join(g.evidence)})  # fmt: skip
    for c, g in pairs:
        _tally_match(tallies[(d.split, c.type)], c, g)
    return errors


def _tally_match(t: _Tally, c: Any, g: Any) -> None:
    """Count a matched candidate's members, date, regularity and level against gold."""
    t.tp_pred += 1
    t.tp_gold += 1
    t.members_ok += sorted(c.members) == g.members
    t.date_ok += same_date(c.date, g.date) and _precision_ok(c.date, g.date)
    t.reg_n += 1
    if g.regularity is not None:
        t.reg_ok += c.regularity == g.regularity
    else:  # a regularity the text does not state must not be claimed
        t.reg_ok += not c.regularity_stated
    if g.level:
        t.level_n += 1
        t.level_ok += c.level == g.level


def _summed(tallies: dict[tuple[str, str], _Tally], keys: list[tuple[str, str]]) -> _Tally:
    t = _Tally()
    for k in keys:
        s = tallies.get(k)
        if s is None:
            continue
        for f in t.__dataclass_fields__:
            setattr(t, f, getattr(t, f) + getattr(s, f))
    return t


def _split_rows(split: str, tallies: dict[tuple[str, str], _Tally]) -> list[dict[str, object]]:
    """Rows of one split: per type, per target group and for all types."""
    rows = []
    for type_ in MECHANISM_TYPES:
        t = tallies.get((split, type_))
        if t is not None and (t.n_pred or t.n_gold):
            rows.append(_row(split, type_, "type", t))
    for group, types in TARGET_GROUPS.items():
        rows.append(_row(split, group, "target", _summed(tallies, [(split, ty) for ty in types])))
    every = [k for k in tallies if k[0] == split]
    rows.append(_row(split, "all types", "all", _summed(tallies, every)))
    return rows


def evaluate(
    folder: str | Path, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> dict[str, object]:
    """Scores per split and type (see module docs) and the list of errors."""
    import time

    docs = load_set(folder)
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    errors: list[dict[str, object]] = []
    seconds = 0.0
    for d in docs:
        t0 = time.perf_counter()
        doc = read_document(d.path)
        cands = extract(doc, min_confidence=min_confidence)
        seconds += time.perf_counter() - t0
        errors.extend(_score_document(d, cands, doc.text, tallies))
    splits = sorted({s for s, _ in tallies})
    return {
        "folder": str(folder),
        "documents": len(docs),
        "splits": {s: sum(1 for d in docs if d.split == s) for s in splits},
        "seconds": round(seconds, 3),
        "rows": [r for split in splits for r in _split_rows(split, tallies)],
        "errors": errors,
        "min_confidence": min_confidence,
        "evaluated": dt.date.today().isoformat(),
    }


def _precision_ok(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return len(str(a)) == len(str(b))


def _ratio(n: int, d: int) -> float | None:
    return round(n / d, 3) if d else None


def _row(split: str, name: str, kind: str, t: _Tally) -> dict[str, object]:
    p = _ratio(t.tp_pred, t.n_pred)
    r = _ratio(t.tp_gold, t.n_gold)
    f1 = (
        round(2 * p * r / (p + r), 3)
        if p and r
        else (0.0 if p is not None and r is not None else None)
    )
    row: dict[str, object] = {
        "split": split,
        "type": name,
        "kind": kind,
        "gold": t.n_gold,
        "predicted": t.n_pred,
        "matched": t.tp_gold,
        "precision": p,
        "recall": r,
        "f1": f1,
        "members_acc": _ratio(t.members_ok, t.tp_gold),
        "date_acc": _ratio(t.date_ok, t.tp_gold),
        "regularity_acc": _ratio(t.reg_ok, t.reg_n),
        "level_acc": _ratio(t.level_ok, t.level_n),
    }
    if kind == "target":
        row["meets_target"] = bool(
            p is not None and r is not None and p >= TARGET_PRECISION and r >= TARGET_RECALL
        )
    return row


__all__ = [
    "TARGET_GROUPS",
    "TARGET_PRECISION",
    "TARGET_RECALL",
    "evaluate",
    "load_set",
    "shipped_set",
]
