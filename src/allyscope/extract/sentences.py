"""Sentence splitting with character offsets, tuned for official statements.

No model: paragraphs split at blank lines; inside a paragraph a sentence ends at ``.``,
``!`` or ``?`` (optionally followed by a closing quote or bracket) before whitespace and
an upper-case letter, digit or opening quote — unless the full stop belongs to a known
abbreviation ("U.S.", "Gen.", "Aug.", "No.") or an initial. Lines that look like list
items or headings stand alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cmdr",
        "adm",
        "sgt",
        "cpl",
        "pvt",
        "rep",
        "sen",
        "gov",
        "pres",
        "amb",
        "sec",
        "st",
        "jr",
        "sr",
        "no",
        "nos",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "est",
        "approx",
        "fig",
        "vol",
        "op",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "d.c",
        "n.y",
        "rev",
        "hon",
        "messrs",
        "mt",
        "ft",
        "ave",
        "blvd",
        "univ",
        "assn",
        "bros",
        "gov't",
    ]
)

_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦]|\d{1,3}[.)]|\(\w\))\s+")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    paragraph: int


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation rather than a sentence."""
    j = dot
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot].lower().strip(".")
    if not word:
        return False
    if word in ABBREVIATIONS:
        # "U.S." ends a sentence when the next word is a sentence starter
        if word in ("u.s", "u.k", "u.n", "d.c", "etc", "a.m", "p.m"):
            nxt = re.match(r"\s+([A-Z][a-z]+)", text[dot + 1 :])
            if nxt and nxt.group(1) in _STARTERS:
                return False
        return True
    return len(word) == 1 and word.isalpha()  # an initial: "John F. Kennedy"


_STARTERS = frozenset(
    [
        "The",
        "This",
        "These",
        "That",
        "Those",
        "They",
        "It",
        "He",
        "She",
        "We",
        "Our",
        "Their",
        "In",
        "On",
        "At",
        "As",
        "After",
        "Before",
        "During",
        "Following",
        "Today",
        "Yesterday",
        "Both",
        "Each",
        "All",
        "Under",
        "With",
        "Since",
        "While",
        "When",
        "Meanwhile",
        "However",
        "Also",
        "Officials",
        "Japan",
        "China",
        "Russia",
        "India",
        "Korea",
        "Australia",
    ]
)


def _split_paragraph(text: str, base: int, para: int, out: list[Sentence]) -> None:
    # lines that are list items or short headings stand alone
    chunks: list[tuple[int, int]] = []
    lines = list(re.finditer(r"[^\n]+", text))
    cur_start: int | None = None
    cur_end = 0
    for i, m in enumerate(lines):
        line = m.group(0)
        standalone = bool(_BULLET.match(line))
        prev = lines[i - 1].group(0).rstrip() if i else ""
        breaks_before = standalone or (
            i > 0
            and (
                len(prev) < 60
                and not prev.endswith((",", ";"))
                and not re.search(r"\b(?:the|a|an|of|and|to|in)$", prev)
            )
        )
        if cur_start is not None and breaks_before:
            chunks.append((cur_start, cur_end))
            cur_start = None
        if cur_start is None:
            cur_start = m.start()
        cur_end = m.end()
    if cur_start is not None:
        chunks.append((cur_start, cur_end))
    for a, b in chunks:
        seg = text[a:b]
        s0 = 0
        for m in _END.finditer(seg):
            dot = m.start()
            if seg[dot] == "." and m.end() - m.start() == 1 and _is_abbreviation(seg, dot):
                continue
            _emit(seg, s0, m.end(), base + a, para, out)
            s0 = m.end()
        _emit(seg, s0, len(seg), base + a, para, out)


def _emit(seg: str, a: int, b: int, base: int, para: int, out: list[Sentence]) -> None:
    piece = seg[a:b]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    a2, b2 = a + lead, b - trail
    if b2 > a2:
        out.append(Sentence(seg[a2:b2], base + a2, base + b2, para))


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with ``text[s.start:s.end] == s.text``."""
    out: list[Sentence] = []
    para = 0
    for m in re.finditer(r"(?:[^\n]|\n(?![ \t\r]*\n))+", text):
        if m.group(0).strip():
            _split_paragraph(m.group(0), m.start(), para, out)
            para += 1
    return out


__all__ = ["Sentence", "split_sentences"]
