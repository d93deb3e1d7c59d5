"""From a document to candidate mechanism records.

For every sentence that holds a trigger (:mod:`allyscope.extract.rules`) the extractor
works out

* **members**: the states named in the sentence (names, adjectives, capitals, leaders,
  groupings such as the Quad), minus those that are only the object of the sentence
  ("North Korea's missile launches", "condemned China") or a venue ("met in Seoul").
  "The three countries", "our two nations", "trilateral" and "bilateral" take the
  missing members from the document: first the states of its lead sentence (the first
  one that names two or more states), then the states it mentions most;
* **date**: the date expression nearest the trigger (explicit or relative to the
  document date), else the document date;
* **regularity**, **level**, **bindingness** and **issue areas** from cues in the
  sentence, with per-type defaults;
* a **confidence** from the trigger's strength, an action verb, how the members were
  found and negation.

Mentions of one mechanism that agree on type, members, date and regularity are merged
into one candidate that keeps every evidence sentence.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from allyscope.extract import rules
from allyscope.extract.countries import Mention, find_groups, find_mentions, group_members, in_year
from allyscope.extract.dates import FoundDate, find_dates, same_date
from allyscope.extract.reader import DEFAULT_MAX_BYTES, Document
from allyscope.extract.sentences import Sentence, split_sentences
from allyscope.mechanisms.schema import MECHANISM_TYPES

#: candidates below this confidence are dropped unless asked for
DEFAULT_MIN_CONFIDENCE = 0.5


@dataclass
class Evidence:
    sentence: str
    start: int  # offsets in the clean text
    end: int
    original_start: int | None = None  # offsets in the original file's text
    original_end: int | None = None


@dataclass
class Candidate:
    """One proposed record with the evidence behind it."""

    type: str
    members: list[str]  # ISO3
    date: str | None  # ISO date, YYYY-MM or YYYY
    date_precision: str | None
    regularity: str
    regularity_stated: bool
    level: str
    bindingness: str
    issue_areas: list[str]
    confidence: float
    trigger: str
    evidence: list[Evidence]
    document: str
    document_date: str | None = None
    date_text: str | None = None  # the expression the date came from (None: document date)
    members_from_context: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return self.evidence[0].sentence

    @property
    def label(self) -> str:
        return MECHANISM_TYPES.get(self.type, self.type)


# -- member resolution -------------------------------------------------------------------------

_OBJECT_AFTER = re.compile(
    r"^(?:'s|’s)?\s*(?:[\w-]+\s+){0,2}(?:missiles?|threats?|provocations?|aggression|nuclear|war\b"
    r"|invasion|ICBMs?|troops?|soldiers|attacks?|behaviou?r|actions?\b|regime|hacking|ballistic|weapons?"
    r"|forces'\s+aggression|spy\s+satellite)",
    re.I,
)
_OBJECT_BEFORE = re.compile(
    r"(?:against|condemn\w*|deter\w*|counter(?:ing)?|posed\s+by|launched\s+by|fired\s+by|threats?\s+from"
    r"|toward|towards|criticiz\w+|criticis\w+|about|over|contain|pressure\s+on|concerns?\s+about)\s+(?:the\s+)?$",
    re.I,
)
_VENUE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|off|outside|around|hosted\s+in|held\s+in)\s+(?:the\s+)?$"
    r"|\bvisit\w*\s+(?:\w+\s+){0,4}to\s+$|\bvisit(?:ed|ing|s)?\s+$"
    r"|\b(?:in|at)\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?,\s*$)"
)
_NUMBER = re.compile(
    r"\b(two|three|four|five|2|3|4|5)\s+(?:\w+\s+)?(?:countries|nations|sides|governments|leaders|partners|allies"
    r"|militaries|states|democracies|ministers|parties|neighbou?rs|chiefs|ministries)\b"
    r"|\b(trilateral(?:ly)?|three-way|tripartite|bilateral(?:ly)?|two-way|quadrilateral|four-way|both)\b",
    re.I,
)
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5, "both": 2,
          "trilateral": 3, "trilaterally": 3, "three-way": 3, "tripartite": 3, "bilateral": 2,
          "bilaterally": 2, "two-way": 2, "quadrilateral": 4, "four-way": 4}  # fmt: skip


def _role(text: str, m: Mention) -> str:
    """'member', 'object' or 'venue' for a mention, from the words around it."""
    pre = text[max(0, m.start - 50) : m.start]
    post = text[m.end : m.end + 50]
    if _OBJECT_AFTER.match(post) or _OBJECT_BEFORE.search(pre):
        return "object"
    if m.kind in ("capital", "name") and _VENUE_BEFORE.search(pre):
        return "venue"
    return "member"


def _count(sentence: str) -> int | None:
    for m in _NUMBER.finditer(sentence):
        w = (m.group(1) or m.group(2)).lower()
        if w == "both" and not re.match(
            r"both\s+(?:countries|sides|nations|governments|leaders|parties)",
            sentence[m.start() :],
            re.I,
        ):
            continue
        return _WORDS[w]
    return None


@dataclass
class _Context:
    lead: list[str]
    ranking: list[str]


def _doc_context(
    sents: list[Sentence], roles: list[list[tuple[Mention, str]]], groups: list[list[str]]
) -> _Context:
    freq: Counter[str] = Counter()
    first: dict[str, int] = {}
    lead: list[str] = []
    for i, (ms, gs) in enumerate(zip(roles, groups, strict=True)):
        found = [m.iso3 for m, r in ms if r == "member"] + gs
        for iso in found:
            freq[iso] += 1
            first.setdefault(iso, i)
        uniq = list(dict.fromkeys(found))
        if not lead and len(uniq) >= 2:
            lead = uniq
    ranking = sorted(freq, key=lambda c: (-freq[c], first[c]))
    if not lead:
        lead = ranking[:2]
    return _Context(lead, ranking)


def _members(explicit: list[str], k: int | None, ctx: _Context) -> tuple[list[str], bool]:
    uniq = list(dict.fromkeys(explicit))
    if len(uniq) >= 2 and (k is None or len(uniq) >= k):
        return uniq, False
    target = k if k is not None else max(len(ctx.lead), 2)
    out = list(uniq)
    for c in [*ctx.lead, *ctx.ranking]:
        if len(out) >= target:
            break
        if c not in out:
            out.append(c)
    return out, True


# -- attribute choice --------------------------------------------------------------------------


def _nearest(hits: list, a: int, b: int, limit: int = 10_000):
    best, dist = None, None
    for h in hits:
        d = 0 if h.start < b and a < h.end else (h.start - b if h.start >= b else a - h.end)
        if d <= limit and (dist is None or d < dist):
            best, dist = h, d
    return best


_MEETINGS = {"leaders_summit", "foreign_ministerial", "defense_ministerial", "other_ministerial", "nsa_meeting",
             "working_level_dialogue"}  # fmt: skip
_ANAPHOR = re.compile(
    r"\b(?:the|this|that)\s+(?:\w+\s+)?(?:exercises?|drills?|hotline|line|mechanism|summit|meeting|patrol|secretariat"
    r"|agreement|treaty|pact|plan|system|dialogue)\b",
    re.I,
)


def _family(type_: str) -> str:
    return "meeting" if type_ in _MEETINGS else type_


def _regularity(
    sentence: str,
    a: int,
    b: int,
    type_: str,
    spans: dict[str, tuple[int, int]] | None = None,
    found: list[rules.Hit] | None = None,
) -> tuple[str, bool]:
    """The stated regularity that belongs to the trigger at ``a:b``: near it, and not
    closer to a trigger of another kind ("opening a hotline, officials will hold annual
    gatherings": annual belongs to the gatherings)."""
    hits = []
    for h in rules.regularity_hits(sentence) if found is None else found:
        if abs((h.start + h.end) / 2 - (a + b) / 2) >= 170:
            continue
        lo, hi = (b, h.start) if h.start >= b else (h.end, a)
        blocked = any(
            _family(t) != _family(type_) and lo <= sa < hi
            for t, (sa, _sb) in (spans or {}).items()
            if t != type_
        )
        if not blocked:
            hits.append(h)
    if hits:
        top = max(h.rank for h in hits)
        h = _nearest([h for h in hits if h.rank == top], a, b)
        return h.kind, True
    return rules.DEFAULT_REGULARITY.get(type_, "one_off"), False


def _level(sentence: str, a: int, b: int, type_: str) -> str:
    if type_ in rules.FIXED_LEVEL:
        return rules.FIXED_LEVEL[type_]
    h = _nearest(rules.level_hits(sentence), a, b, limit=120)
    if h is not None:
        return h.kind
    return rules.DEFAULT_LEVEL.get(type_, "senior_officials")


def _date(
    dates: list[FoundDate], a: int, b: int, doc_date: dt.date | None
) -> tuple[str | None, str | None, str | None]:
    usable = [d for d in dates if d.value is not None]
    h = _nearest(usable, a, b)
    if h is not None:
        return h.value, h.precision, h.text
    if doc_date is not None:
        return doc_date.isoformat(), "day", None
    return None, None, None


# -- main ----------------------------------------------------------------------------------------


def _is_heading(s: Sentence, doc: Document) -> bool:
    text = s.text.strip()
    if doc.title and text == doc.title.strip():
        return True
    return s.paragraph == 0 and not re.search(r"[.!?\"”]$", text) and len(text.split()) < 16


def _sentence_mentions(
    doc: Document, sents: list[Sentence], year: int | None
) -> tuple[list[list[tuple[Mention, str]]], list[list[str]]]:
    """Per sentence: the states it mentions with their role, and the members of the
    groups it names (Quad, G7 ...) in the document's year."""
    text = doc.text
    mentions = find_mentions(text)
    starts = [m.start for m in mentions]
    group_hits = find_groups(text)
    gstarts = [g[1] for g in group_hits]
    roles: list[list[tuple[Mention, str]]] = []
    groups: list[list[str]] = []
    for s in sents:
        i0, i1 = bisect.bisect_left(starts, s.start), bisect.bisect_left(starts, s.end)
        roles.append([(m, _role(text, m)) for m in mentions[i0:i1]])
        j0, j1 = bisect.bisect_left(gstarts, s.start), bisect.bisect_left(gstarts, s.end)
        gs: list[str] = []
        for name, *_ in group_hits[j0:j1]:
            gs.extend(group_members(name, year) or ())
        groups.append(gs)
    return roles, groups


Hits = dict[str, tuple[int, int, float, str]]


def _trigger_hits(st: str, gated: Any) -> Hits:
    """The strongest trigger of each mechanism type in a sentence, with overlaps resolved."""
    hits: Hits = {}
    for trig in rules.TRIGGERS:
        if trig.type not in gated:
            continue
        if trig.needs is not None and not trig.needs.search(st):
            continue
        if trig.unless is not None and trig.unless.search(st):
            continue
        m = trig.pattern.search(st)
        if m is None:
            continue
        prev = hits.get(trig.type)
        if prev is None or trig.strength > prev[2]:
            hits[trig.type] = (m.start(), m.end(), trig.strength, m.group(0))
    return _prune(hits)


def _prune(hits: Hits) -> Hits:
    """One mechanism per phrase: a multi-year plan is not also an exercise; shared
    "information" is intelligence sharing unless the data is real-time (missile warning)."""
    if "multi_year_exercise_plan" in hits:
        hits.pop("joint_exercise", None)
    if "real_time_data_sharing" in hits and "intelligence_sharing_agreement" in hits:
        da, db, _, dtext = hits["real_time_data_sharing"]
        ia, ib = hits["intelligence_sharing_agreement"][:2]
        real_time = re.search(r"real[- ]time|missile|warning", dtext, re.I)
        if ia < db and da < ib:  # one phrase: "information" wins unless the data is real-time
            hits.pop("intelligence_sharing_agreement" if real_time else "real_time_data_sharing")
        elif not real_time and re.search(r"information|intelligence", dtext, re.I):
            hits.pop("real_time_data_sharing")
    return hits


def _confidence(
    st: str, a: int, b: int, strength: float, *, action: bool, negated: bool, weak: bool
) -> float:
    """A trigger's strength adjusted for an action verb, negation, hedging and members
    taken only from the context (``weak``)."""
    conf = strength + (0.05 if action else -0.1) - (0.1 if weak else 0.0)
    if negated:
        conf -= 0.3
    if re.search(r"\b(?:if|whether|could|might)\b", st[max(0, a - 60) : b], re.I):
        conf -= 0.1
    return round(max(0.0, min(1.0, conf)), 2)


@dataclass
class _Sentence:
    """One sentence being read: its text, position, dates and named members."""

    s: Sentence
    dates: list[FoundDate]
    explicit: list[str]
    count: int | None
    negated: bool
    action: bool
    spans: dict[str, tuple[int, int]]
    reg_hits: list[rules.Hit] | None = None

    def regularity_hits(self) -> list[rules.Hit]:
        if self.reg_hits is None:
            self.reg_hits = rules.regularity_hits(self.s.text)
        return self.reg_hits


@dataclass
class _Collector:
    """Candidates found so far, merged per (type, members, date, regularity)."""

    doc: Document
    min_confidence: float
    ctx: Any
    out: list[Candidate] = field(default_factory=list)
    index: dict[tuple[Any, ...], Candidate] = field(default_factory=dict)
    first_of_type: dict[str, Candidate] = field(default_factory=dict)

    def sentence(self, sn: _Sentence, hits: Hits) -> None:
        for type_, (a, b, strength, trig_text) in sorted(hits.items(), key=lambda kv: kv[1][0]):
            self.hit(sn, type_, a, b, strength, trig_text)

    def hit(self, sn: _Sentence, type_: str, a: int, b: int, strength: float, trig: str) -> None:
        doc, st = self.doc, sn.s.text
        value, prec, dtext = _date(sn.dates, a, b, doc.date)
        y = int(value[:4]) if value else (doc.date.year if doc.date else None)
        members, from_ctx = _members([in_year(c, y) for c in sn.explicit], sn.count, self.ctx)
        members = sorted(dict.fromkeys(in_year(c, y) for c in members))
        if len(members) < 2:
            return
        weak = from_ctx and not sn.count
        conf = _confidence(st, a, b, strength, action=sn.action, negated=sn.negated, weak=weak)
        if conf < self.min_confidence:
            return
        reg, stated = _regularity(st, a, b, type_, sn.spans, sn.regularity_hits())
        oa, ob = doc.to_original(sn.s.start, sn.s.end)
        ev = Evidence(st, sn.s.start, sn.s.end, oa, ob)
        if (
            not stated
            and not any(d.value for d in sn.dates)
            and _ANAPHOR.search(st[max(0, a - 12) : b])
            and type_ in self.first_of_type
        ):  # "the exercise", "the hotline": a re-mention of the document's mechanism
            self.first_of_type[type_].evidence.append(ev)
            return
        key = (type_, tuple(members), value, reg)
        same = self.index.get(key) or next(
            (c for (t0, m0, v0, r0), c in self.index.items()
             if (t0, m0, r0) == (*key[:2], reg) and v0 and value and same_date(v0, value)),
            None,
        )  # fmt: skip
        if same is not None:
            same.evidence.append(ev)
            same.confidence = max(same.confidence, conf)
            return
        notes = []
        if value is None:
            notes.append("no date: give the document date with --date")
        if from_ctx:
            notes.append("members taken from the document context")
        cand = Candidate(
            type=type_,
            members=members,
            date=value,
            date_precision=prec,
            regularity=reg,
            regularity_stated=stated,
            level=_level(st, a, b, type_),
            bindingness=rules.bindingness_for(type_, st),
            issue_areas=rules.issue_areas_for(type_, st),
            confidence=conf,
            trigger=trig,
            evidence=[ev],
            document=doc.name,
            document_date=doc.date.isoformat() if doc.date else None,
            date_text=dtext,
            members_from_context=from_ctx,
            notes=notes,
        )
        self.index[key] = cand
        self.first_of_type.setdefault(type_, cand)
        self.out.append(cand)


def extract(doc: Document, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[Candidate]:
    """Candidate records in ``doc``, in text order, merged per mechanism."""
    sents = split_sentences(doc.text)
    year = doc.date.year if doc.date else None
    roles, groups = _sentence_mentions(doc, sents, year)
    found = _Collector(doc, min_confidence, _doc_context(sents, roles, groups))
    for si, s in enumerate(sents):
        st = s.text
        gated = rules.gated_types(st)
        if not gated or _is_heading(s, doc):
            continue
        hits = _trigger_hits(st, gated)
        if not hits:
            continue
        sn = _Sentence(
            s,
            find_dates(st, doc.date),
            [m.iso3 for m, r in roles[si] if r == "member"] + groups[si],
            _count(st),
            bool(rules.NEGATION.search(st)),
            bool(rules.ACTION.search(st)),
            {t: (h[0], h[1]) for t, h in hits.items()},
        )
        found.sentence(sn, hits)
    return found.out


def extract_file(path, *, date=None, min_confidence: float = DEFAULT_MIN_CONFIDENCE,
                 max_bytes: int = DEFAULT_MAX_BYTES, format: str | None = None) -> list[Candidate]:  # fmt: skip
    """Candidates in one file (see :func:`allyscope.extract.extractor.extract`)."""
    from allyscope.extract.reader import read_document

    doc = read_document(path, date=date, max_bytes=max_bytes, format=format)
    return extract(doc, min_confidence=min_confidence)


def extract_text(text: str, *, date=None, format: str | None = None, name: str = "<text>",
                 min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[Candidate]:  # fmt: skip
    """Candidates in a text given as a string."""
    from allyscope.extract.reader import parse_text

    return extract(
        parse_text(text, date=date, format=format, name=name), min_confidence=min_confidence
    )


@dataclass
class ExtractionRun:
    """Candidate records from a set of documents: ``items`` (candidate, record) pairs and
    ``warnings`` about what the records still lack (document dates, source details)."""

    items: list[tuple[Any, dict[str, Any]]]
    warnings: list[str]


def extract_files(
    files: Sequence[str | os.PathLike[str]],
    *,
    date: str | None = None,
    max_bytes: int = 20 * 1024 * 1024,
    min_confidence: float = 0.5,
    source: Mapping[str, str | None] | None = None,
) -> ExtractionRun:
    """Read each document and propose records for every candidate found.

    Parameters
    ----------
    files : sequence of path
        Statements or articles (.txt, .md, .html).
    date : str, optional
        The documents' date (YYYY-MM-DD) when their metadata or dateline lacks it.
    max_bytes : int
        Largest document read.
    min_confidence : float
        Candidates below this confidence are dropped.
    source : mapping, optional
        ``url``, ``publisher`` and ``title`` of the statement, for the records' source.
    """
    from allyscope.extract.reader import read_document
    from allyscope.extract.records import source_for, to_record

    src_opts = dict(source or {})
    items: list[tuple[Any, dict[str, Any]]] = []
    warnings: list[str] = []
    used: set[str] = set()
    missing: set[str] = set()
    for f in files:
        doc = read_document(os.fspath(f), date=date, max_bytes=max_bytes)
        if doc.date is None:
            warnings.append(
                f"{f}: no document date found; relative dates stay unresolved "
                "(give --date YYYY-MM-DD)"
            )
        src = source_for(
            doc, url=src_opts.get("url"), publisher=src_opts.get("publisher"),
            title=src_opts.get("title"),
        )  # fmt: skip
        missing |= {k for k in ("title", "publisher", "date", "url") if k not in src}
        items.extend(
            (c, to_record(c, src, used)) for c in extract(doc, min_confidence=min_confidence)
        )
    if missing:
        warnings.append(
            f"the source's {', '.join(sorted(missing))} is not known: add it "
            "(--source-url, --publisher, --title) before loading the records"
        )
    return ExtractionRun(items, warnings)


__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "Candidate",
    "Evidence",
    "ExtractionRun",
    "extract",
    "extract_file",
    "extract_files",
    "extract_text",
]
