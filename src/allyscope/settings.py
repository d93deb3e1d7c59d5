"""Documented settings: the modelling choices behind allyscope's measures, in one file.

The shipped file is ``allyscope/settings.yaml``; each top-level key is a section read by
one part of allyscope. :func:`load` parses and checks it and returns a :class:`Settings`
with typed sections and a ``hash`` (SHA-256 of the parsed content in canonical JSON) to
record in the provenance of every result computed with it.

>>> from allyscope import settings
>>> s = settings.load()
>>> s.institutionalization.dimension("leaders").weight
15.0
>>> len(s.hash)
64

Sections:

``institutionalization``
    weights and shapes of the institutionalization index
    (:class:`InstitutionalizationSettings`, ``docs/institutionalization.md``).

Another file of the same form can be passed to :func:`load`; sections it leaves out
are taken from the shipped file, and unknown keys are refused with the place they occur.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from allyscope.errors import SchemaError

#: settings files larger than this are refused (the shipped one is a few kilobytes)
MAX_SETTINGS_BYTES = 256_000


def shipped_path() -> Path:
    """The settings file that ships with allyscope."""
    return Path(str(resources.files("allyscope") / "settings.yaml"))


# -- typed sections ------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionSettings:
    """One sum dimension of the institutionalization index."""

    name: str
    label: str
    weight: float
    half: float  # channel strength that gives half the weight
    types: frozenset[str]

    def score(self, total: float) -> float:
        """Points for a total channel strength: weight * (1 - 2^(-total/half))."""
        return diminishing(total, self.half) * self.weight


@dataclass(frozen=True)
class InstitutionalizationSettings:
    """Weights and shapes of the institutionalization index."""

    dimensions: tuple[DimensionSettings, ...]
    legal_weight: float
    bindingness_value: Mapping[str, float]
    breadth_weight: float
    breadth_half: float
    decay: float
    max_lapse: int
    negative_persistence: float
    penalty: Mapping[str, float]  # severity -> points
    hash: str = ""  # of this section, canonical JSON

    def dimension(self, name: str) -> DimensionSettings:
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(name)

    @property
    def max_score(self) -> float:
        """The most a grouping-year can score (the sum of all weights)."""
        return sum(d.weight for d in self.dimensions) + self.legal_weight + self.breadth_weight

    def dimension_of(self, mechanism_type: str) -> DimensionSettings | None:
        for d in self.dimensions:
            if mechanism_type in d.types:
                return d
        return None


@dataclass(frozen=True)
class Settings:
    """All sections, the file they came from and the hash of its parsed content."""

    path: str
    hash: str
    data: Mapping[str, Any]
    institutionalization: InstitutionalizationSettings

    @property
    def short_hash(self) -> str:
        return self.hash[:12]

    def provenance(self) -> dict[str, str]:
        """What to record next to a result computed with these settings."""
        return {"settings_file": self.path, "settings_sha256": self.hash}


def diminishing(total: float, half: float) -> float:
    """1 - 2^(-total/half): 0 at 0, 1/2 at ``half``, rising towards 1 without reaching it."""
    if total <= 0:
        return 0.0
    return 1.0 - 2.0 ** (-total / half)


# -- reading and checking ------------------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors or aliases (no expansion bombs)."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        ev = self.peek_event()
        if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
            line = ev.start_mark.line + 1 if ev.start_mark else 1
            raise SchemaError(
                f"{self.name}:{line}: YAML anchors and aliases are not allowed in settings",
                "write the values out",
            )
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def canonical_hash(data: object) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys, no whitespace)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SchemaError(f"cannot read settings file {path}: {exc.strerror}") from None
    if size > MAX_SETTINGS_BYTES:
        raise SchemaError(
            f"settings file {path} is {size:,} bytes; the limit is {MAX_SETTINGS_BYTES:,}"
        )
    text = path.read_text(encoding="utf-8")
    loader = _NoAliasLoader(text)
    loader.name = str(path)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        raise SchemaError(f"{path}:{line}: not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise SchemaError(f"{path}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: a settings file is a mapping of sections")
    return data


class _Reader:
    """Typed access to one mapping, with the dotted place in every error."""

    def __init__(self, path: Path, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise SchemaError(f"{path}: {where} must be a mapping")
        self.path, self.data, self.where = path, data, where
        self.used: set[str] = set()

    def err(self, key: str, msg: str) -> SchemaError:
        return SchemaError(
            f"{self.path}: {self.where}.{key}: {msg}", "see the comments in settings.yaml"
        )

    def get(self, key: str) -> Any:
        self.used.add(key)
        if key not in self.data:
            raise self.err(key, "missing")
        return self.data[key]

    def number(self, key: str, *, positive: bool = False) -> float:
        v = self.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.err(key, f"must be a number, not {v!r}")
        if v < 0 or (positive and v == 0):
            raise self.err(key, f"must be {'positive' if positive else 'zero or more'}")
        return float(v)

    def sub(self, key: str) -> _Reader:
        return _Reader(self.path, self.get(key), f"{self.where}.{key}")

    def done(self) -> None:
        extra = sorted(set(map(str, self.data)) - self.used)
        if extra:
            raise self.err(extra[0], "unknown key")


def _institutionalization(path: Path, data: object) -> InstitutionalizationSettings:
    from allyscope.mechanisms.schema import (
        BINDINGNESS,
        MECHANISM_TYPES,
        NEGATIVE_TYPES,
        SEVERITIES,
    )

    top = _Reader(path, data, "institutionalization")
    dims_r = top.sub("dimensions")
    dims: list[DimensionSettings] = []
    seen: dict[str, str] = {}
    for name in list(dims_r.data):
        d = dims_r.sub(str(name))
        types = d.get("types")
        if not isinstance(types, list) or not types:
            raise d.err("types", "must be a non-empty list of mechanism types")
        for t in types:
            if t not in MECHANISM_TYPES or t in NEGATIVE_TYPES:
                raise d.err("types", f"{t!r} is not a positive mechanism type")
            if t in seen:
                raise d.err("types", f"{t!r} is already in dimension {seen[t]!r}")
            seen[t] = str(name)
        dims.append(
            DimensionSettings(
                name=str(name),
                label=str(d.get("label")),
                weight=d.number("weight"),
                half=d.number("half", positive=True),
                types=frozenset(types),
            )
        )
        d.done()
    dims_r.done()
    legal = top.sub("legal")
    bind = legal.sub("bindingness")
    values = {b: bind.number(b) for b in BINDINGNESS}
    bind.done()
    breadth = top.sub("breadth")
    lapse = top.sub("lapse")
    neg = top.sub("negative")
    pen = neg.sub("penalty")
    penalty = {s: pen.number(s) for s in SEVERITIES}
    pen.done()
    decay = lapse.number("decay")
    if decay > 1:
        raise lapse.err("decay", "must be between 0 and 1")
    max_lapse = lapse.number("max_lapse")
    if max_lapse != int(max_lapse):
        raise lapse.err("max_lapse", "must be a whole number of years")
    persistence = neg.number("persistence")
    if persistence > 1:
        raise neg.err("persistence", "must be between 0 and 1")
    out = InstitutionalizationSettings(
        dimensions=tuple(dims),
        legal_weight=legal.number("weight"),
        bindingness_value=values,
        breadth_weight=breadth.number("weight"),
        breadth_half=breadth.number("half", positive=True),
        decay=decay,
        max_lapse=int(max_lapse),
        negative_persistence=persistence,
        penalty=penalty,
        hash=canonical_hash(data),
    )
    for r in (legal, breadth, lapse, neg, top):
        r.done()
    return out


#: section name -> parser; another part of allyscope adds its section here
SECTIONS = {"institutionalization": _institutionalization}

_CACHE: dict[tuple[str, int, int], Settings] = {}
_LOCK = threading.Lock()


def load(path: str | os.PathLike[str] | None = None) -> Settings:
    """Parse and check a settings file (default: the shipped one).

    Sections missing from ``path`` are taken from the shipped file. Raises
    :class:`~allyscope.errors.SchemaError` naming the file and key of any problem.
    """
    p = Path(path).expanduser() if path is not None else shipped_path()
    try:
        st = p.stat()
    except OSError:
        raise SchemaError(f"no such settings file: {p}") from None
    key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    data = _read(p)
    unknown = sorted(set(map(str, data)) - set(SECTIONS))
    if unknown:
        raise SchemaError(
            f"{p}: unknown section {unknown[0]!r}", f"known sections: {', '.join(SECTIONS)}"
        )
    if path is not None:
        base = load()
        data = {**base.data, **data}
    parsed = {name: parse(p, data[name]) for name, parse in SECTIONS.items() if name in data}
    missing = [s for s in SECTIONS if s not in parsed]
    if missing:
        raise SchemaError(f"{p}: missing section {missing[0]!r}")
    out = Settings(path=str(p), hash=canonical_hash(data), data=data, **parsed)
    with _LOCK:
        _CACHE[key] = out
    return out


def institutionalization(
    path: str | os.PathLike[str] | None = None,
) -> InstitutionalizationSettings:
    """The ``institutionalization`` section (default: the shipped settings)."""
    return load(path).institutionalization


__all__ = [
    "DimensionSettings",
    "InstitutionalizationSettings",
    "Settings",
    "canonical_hash",
    "diminishing",
    "institutionalization",
    "load",
    "shipped_path",
]
