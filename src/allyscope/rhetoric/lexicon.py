"""The rhetoric layer's dictionaries (``lexicon.yaml``): state names beyond the statement
extractor's table, masked places, joint phrases, the threat dictionary, the themes and
the procedural boilerplate removed before speeches are compared."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from allyscope.errors import UnknownNameError
from allyscope.extract.countries import Lexicon, build_lexicon

#: pseudo-ISO3 codes of states without an ISO code, and their COW codes
PSEUDO_ISO3: dict[str, int] = {"RVN": 817}


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    terms: tuple[str, ...]

    @property
    def pattern(self) -> str:
        """A case-insensitive regular expression (Rust/polars and Python syntax)."""
        return words_pattern(self.terms)


@dataclass(frozen=True)
class Dictionaries:
    resolver: Lexicon
    threat: str
    themes: dict[str, Theme]
    procedural: str
    digest: str  #: SHA-256 prefix of the YAML file: part of every cache key
    resolver_digest: str  #: SHA-256 prefix of the compiled resolver (extractor tables too)


def words_pattern(terms: tuple[str, ...] | list[str]) -> str:
    """One case-insensitive pattern matching any term as whole words."""
    return r"(?i)\b(?:" + "|".join(f"(?:{t})" for t in terms) + r")\b"


@cache
def dictionaries() -> Dictionaries:
    raw = resources.files("allyscope.rhetoric").joinpath("lexicon.yaml").read_bytes()
    doc: dict[str, Any] = yaml.safe_load(raw)
    states = {iso: (tuple(v[0]), tuple(v[1]), tuple(v[2])) for iso, v in doc["states"].items() if v}
    joint = tuple((j["pattern"], tuple(j["states"]), j["needle"]) for j in doc["joint"])
    resolver = build_lexicon(states, places=tuple(doc["places"]), joint=joint)
    themes = all_themes()
    return Dictionaries(
        resolver=resolver,
        threat=words_pattern(doc["threat"]),
        themes=themes,
        procedural=words_pattern(doc["procedural"]),
        digest=digests()[0],
        resolver_digest=digests()[1],
    )


@cache
def digests() -> tuple[str, str]:
    """SHA-256 prefixes of ``lexicon.yaml`` and of the extractor's resolver tables (cache
    keys), computed without compiling anything."""
    from allyscope.extract import countries as c

    raw = resources.files("allyscope.rhetoric").joinpath("lexicon.yaml").read_bytes()
    tables = repr(
        (
            sorted(c.COUNTRIES.items()),
            sorted(c.OFFICIALS.items()),
            c._PLACES.pattern,
            c._BOTH_KOREAS.pattern,
        )
    )
    return (
        hashlib.sha256(raw).hexdigest()[:16],
        hashlib.sha256(tables.encode()).hexdigest()[:16],
    )


@cache
def all_themes() -> dict[str, Theme]:
    """The themes of ``lexicon.yaml`` (without compiling the resolver)."""
    raw = resources.files("allyscope.rhetoric").joinpath("lexicon.yaml").read_bytes()
    doc: dict[str, Any] = yaml.safe_load(raw)
    themes = {k: Theme(k, v["label"], tuple(v["terms"])) for k, v in doc["themes"].items()}
    for t in themes.values():  # fail early on a broken expression
        re.compile(t.pattern)
    return themes


def theme(name: str) -> Theme:
    """A theme by key or label (case-insensitive; ``-``, ``_`` and spaces alike)."""
    themes = all_themes()

    def norm(s: str) -> str:
        return re.sub(r"[\s_\-'’]+", " ", s.strip().lower())

    wanted = norm(name)
    for t in themes.values():
        if wanted in (norm(t.key), norm(t.label)):
            return t
    raise UnknownNameError("theme", name, list(themes), "themes: " + ", ".join(themes))


__all__ = [
    "PSEUDO_ISO3",
    "Dictionaries",
    "Theme",
    "all_themes",
    "dictionaries",
    "digests",
    "theme",
    "words_pattern",
]
