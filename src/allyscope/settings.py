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
``general``
    the as-of date every computation uses (:class:`GeneralSettings`): nothing in
    allyscope reads the calendar.
``network``
    exercise and troop ties and UN voting blocs (:class:`NetworkSettings`,
    ``docs/network.md``).
``defacto``
    the de facto alignment score: weights, scalings, weight sensitivity and validation
    (:class:`DefactoSettings`, ``docs/network.md``).
``reports``
    default counter-groups and scenarios of reports and web pages
    (:class:`ReportSettings`, ``docs/report.md``).

Another file of the same form can be passed to :func:`load`; sections it leaves out
are taken from the shipped file, and unknown keys are refused with the place they occur.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Mapping
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
class IndexUncertaintySettings:
    """How the uncertainty band of the institutionalization index is drawn."""

    draws: int
    seed: int
    band: tuple[float, float]  # percentiles
    concentration: float  # Dirichlet concentration of the weight shares (inf: fixed)
    half_factor: tuple[float, float]  # log-uniform multiplier of every half
    decay: tuple[float, float]  # uniform
    max_lapse: tuple[int, int]  # whole years, uniform
    persistence: tuple[float, float]  # uniform
    penalty_factor: tuple[float, float]  # one multiplier of all penalties, uniform
    bindingness_flip: float  # chance a meeting's statement/none reads the other way


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
    uncertainty: IndexUncertaintySettings | None = None  # None: the shipped file's
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
    general: GeneralSettings
    network: NetworkSettings
    defacto: DefactoSettings
    reports: ReportSettings

    @property
    def as_of(self) -> dt.date:
        """The day "now" stands for in every computation (``general.as_of``)."""
        return self.general.as_of

    @property
    def short_hash(self) -> str:
        return self.hash[:12]

    def provenance(self) -> dict[str, str]:
        """What to record next to a result computed with these settings."""
        return {
            "settings_file": self.path,
            "settings_sha256": self.hash,
            "as_of": self.as_of.isoformat(),
        }


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
        return super().compose_node(parent, index)


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
    unc = _index_uncertainty(top.sub("uncertainty")) if "uncertainty" in top.data else None
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
        uncertainty=unc,
        hash=canonical_hash(data),
    )
    for r in (legal, breadth, lapse, neg, top):
        r.done()
    return out


def _range(
    r: _Reader, key: str, *, lo: float = 0.0, hi: float | None = None
) -> tuple[float, float]:
    v = r.get(key)
    if (
        not isinstance(v, list)
        or len(v) != 2
        or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in v)
        or not lo <= v[0] <= v[1]
        or (hi is not None and v[1] > hi)
    ):
        limit = f" and at most {hi:g}" if hi is not None else ""
        raise r.err(key, f"must be a range [low, high] with low <= high, from {lo:g}{limit}")
    return float(v[0]), float(v[1])


def _index_uncertainty(r: _Reader) -> IndexUncertaintySettings:
    band = _range(r, "band", hi=100)
    if band[0] >= band[1]:
        raise r.err("band", "must be two percentiles [low, high] with low < high")
    half = _range(r, "half_factor")
    if half[0] <= 0:
        raise r.err("half_factor", "must be positive")
    lapse = _range(r, "max_lapse", lo=1)
    if any(x != int(x) for x in lapse):
        raise r.err("max_lapse", "must be whole numbers of years")
    flip = r.number("bindingness_flip")
    if flip > 1:
        raise r.err("bindingness_flip", "must be a probability between 0 and 1")
    out = IndexUncertaintySettings(
        draws=_whole(r, "draws", minimum=1),
        seed=_whole(r, "seed"),
        band=band,
        concentration=r.number("concentration", positive=True),
        half_factor=half,
        decay=_range(r, "decay", hi=1),
        max_lapse=(int(lapse[0]), int(lapse[1])),
        persistence=_range(r, "persistence", hi=1),
        penalty_factor=_range(r, "penalty_factor"),
        bindingness_flip=flip,
    )
    r.done()
    return out


# -- general, network and de facto sections ------------------------------------------------


@dataclass(frozen=True)
class GeneralSettings:
    """The as-of date: the day "now" stands for in every computation."""

    as_of: dt.date
    hash: str = ""


@dataclass(frozen=True)
class ExerciseTieSettings:
    """How multinational exercises tie their participants (``network.exercises``)."""

    weighting: str  # "inverse" (1 / (n - 1) per pair) or "count" (1 per pair)
    max_participants: int | None  # only exercises with at most this many states
    min_tie_weight: float  # a pair is tied when its yearly weight reaches this

    def describe(self) -> str:
        w = "1/(n-1) per exercise of n states" if self.weighting == "inverse" else "1 per exercise"
        size = (
            f", exercises of at most {self.max_participants} states"
            if self.max_participants is not None
            else ""
        )
        return f"exercise weight {w}{size}; tie at weight >= {self.min_tie_weight:g}"


@dataclass(frozen=True)
class BlocSettings:
    """Consensus clustering of UN voting blocs (``network.blocs``)."""

    measure: str
    algorithms: tuple[str, ...]
    resolutions: tuple[float, ...]
    seeds: int
    threshold: float
    min_size: int
    label_members: int
    reference_states: tuple[str, ...]

    @property
    def n_runs(self) -> int:
        return len(self.algorithms) * len(self.resolutions) * self.seeds


@dataclass(frozen=True)
class NetworkSettings:
    """Exercise and troop ties, UN voting blocs."""

    exercises: ExerciseTieSettings
    min_troops: int  # US personnel that make a state a host
    blocs: BlocSettings
    hash: str = ""


@dataclass(frozen=True)
class DefactoSettings:
    """Weights, scalings, weight sensitivity and validation of the de facto score."""

    weights: Mapping[str, float]  # component -> a priori weight (0: not used)
    exercises_window: int
    exercises_top: float
    dca_half: float
    rivals_half: float
    allies_half: float
    patron_decades: float
    institutionalization_completeness: tuple[str, ...]
    min_compared: int
    concentration: float
    draws: int
    band: tuple[float, float]
    sensitivity_seed: int
    horizon: int
    validation_first_year: int
    train_end: int
    bootstrap: int
    level: float
    validation_seed: int
    hash: str = ""

    @property
    def used(self) -> tuple[str, ...]:
        """Components with a positive weight, in the file's order."""
        return tuple(c for c, w in self.weights.items() if w > 0)


def _general(path: Path, data: object) -> GeneralSettings:
    r = _Reader(path, data, "general")
    v = r.get("as_of")
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, str):
        try:
            v = dt.date.fromisoformat(v)
        except ValueError:
            raise r.err("as_of", f"must be a date YYYY-MM-DD, not {v!r}") from None
    if not isinstance(v, dt.date):
        raise r.err("as_of", f"must be a date YYYY-MM-DD, not {v!r}")
    r.done()
    return GeneralSettings(as_of=v, hash=canonical_hash(data))


def _whole(r: _Reader, key: str, *, minimum: int = 0) -> int:
    v = r.number(key)
    if v != int(v) or v < minimum:
        raise r.err(key, f"must be a whole number of at least {minimum}")
    return int(v)


def _str_list(r: _Reader, key: str, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
    v = r.get(key)
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        raise r.err(key, "must be a non-empty list of names")
    if allowed is not None:
        allowed = tuple(allowed)
        bad = [x for x in v if x not in allowed]
        if bad:
            raise r.err(key, f"{bad[0]!r} is not one of {', '.join(allowed)}")
    return tuple(v)


#: the UN voting affinity measures (allyscope.un)
UN_MEASURES = ("kappa", "pi", "s_score", "agree", "kappa_w", "pi_w")
#: the components of the de facto score (allyscope.network.defacto_score)
DEFACTO_COMPONENTS = (
    "un_affinity",
    "ideal_point",
    "exercises",
    "arms",
    "institutionalization",
    "shared_rivals",
    "dca",
    "shared_patron",
    "shared_allies",
    "rhetoric",
)
#: the clustering algorithms of UN voting blocs
BLOC_ALGORITHMS = ("leiden", "louvain")
#: the exercise weightings
EXERCISE_WEIGHTINGS = ("inverse", "count")
#: completeness values of grouping-years (allyscope.mechanisms)
COMPLETENESS = ("complete", "partial", "incomplete", "not_systematic", "not_assessed")


def _network(path: Path, data: object) -> NetworkSettings:
    top = _Reader(path, data, "network")
    ex = top.sub("exercises")
    weighting = ex.get("weighting")
    if weighting not in EXERCISE_WEIGHTINGS:
        raise ex.err("weighting", f"must be one of {', '.join(EXERCISE_WEIGHTINGS)}")
    mp = ex.get("max_participants")
    if mp is not None:
        mp = _whole(ex, "max_participants", minimum=2)
    exercises = ExerciseTieSettings(weighting, mp, ex.number("min_tie_weight", positive=True))
    ex.done()
    tr = top.sub("us_troops")
    min_troops = _whole(tr, "min_troops", minimum=1)
    tr.done()
    b = top.sub("blocs")
    res = b.get("resolutions")
    if (
        not isinstance(res, list)
        or not res
        or not all(isinstance(x, int | float) and not isinstance(x, bool) and x > 0 for x in res)
    ):
        raise b.err("resolutions", "must be a non-empty list of positive numbers")
    threshold = b.number("threshold", positive=True)
    if threshold >= 1:
        raise b.err("threshold", "must be between 0 and 1")
    measure = b.get("measure")
    if measure not in UN_MEASURES:
        raise b.err("measure", f"must be one of {', '.join(UN_MEASURES)}")
    blocs = BlocSettings(
        measure=str(measure),
        algorithms=_str_list(b, "algorithms", BLOC_ALGORITHMS),
        resolutions=tuple(float(x) for x in res),
        seeds=_whole(b, "seeds", minimum=1),
        threshold=threshold,
        min_size=_whole(b, "min_size", minimum=1),
        label_members=_whole(b, "label_members", minimum=1),
        reference_states=_str_list(b, "reference_states"),
    )
    b.done()
    top.done()
    return NetworkSettings(exercises, min_troops, blocs, hash=canonical_hash(data))


def _defacto(path: Path, data: object) -> DefactoSettings:
    top = _Reader(path, data, "defacto")
    w = top.sub("weights")
    weights = {str(c): w.number(str(c)) for c in list(w.data)}
    unknown = [c for c in weights if c not in DEFACTO_COMPONENTS]
    if unknown:
        raise w.err(unknown[0], f"unknown component; components: {', '.join(DEFACTO_COMPONENTS)}")
    if not any(v > 0 for v in weights.values()):
        raise top.err("weights", "at least one component needs a positive weight")
    w.done()
    sc = top.sub("scaling")
    cmp_ = top.sub("comparison")
    sens = top.sub("sensitivity")
    band = sens.get("band")
    if (
        not isinstance(band, list)
        or len(band) != 2
        or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in band)
        or not 0 <= band[0] < band[1] <= 100
    ):
        raise sens.err("band", "must be two percentiles [low, high] between 0 and 100")
    val = top.sub("validation")
    level = val.number("level", positive=True)
    if level >= 1:
        raise val.err("level", "must be between 0 and 1")
    out = DefactoSettings(
        weights=weights,
        exercises_window=_whole(sc, "exercises_window", minimum=1),
        exercises_top=sc.number("exercises_top", positive=True),
        dca_half=sc.number("dca_half", positive=True),
        rivals_half=sc.number("rivals_half", positive=True),
        allies_half=sc.number("allies_half", positive=True),
        patron_decades=sc.number("patron_decades", positive=True),
        institutionalization_completeness=_str_list(
            sc, "institutionalization_completeness", COMPLETENESS
        ),
        min_compared=_whole(cmp_, "min_compared", minimum=1),
        concentration=sens.number("concentration", positive=True),
        draws=_whole(sens, "draws", minimum=2),
        band=(float(band[0]), float(band[1])),
        sensitivity_seed=_whole(sens, "seed"),
        horizon=_whole(val, "horizon", minimum=1),
        validation_first_year=_whole(val, "first_year"),
        train_end=_whole(val, "train_end"),
        bootstrap=_whole(val, "bootstrap", minimum=10),
        level=level,
        validation_seed=_whole(val, "seed"),
        hash=canonical_hash(data),
    )
    for r in (sc, cmp_, sens, val, top):
        r.done()
    return out


@dataclass(frozen=True)
class CounterGroupPreset:
    """A default counter-group: ``states`` for groups whose members (``except`` aside) all
    lie in the World Bank region ``region``; ``themes``: the General Debate themes the
    report follows for such a group (empty: the most frequent ones)."""

    name: str
    region: str
    except_states: tuple[str, ...]
    states: tuple[str, ...]
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairScenario:
    """A report scenario that applies when both states of ``pair`` are members."""

    name: str
    pair: tuple[str, str]
    changes: Mapping[str, str | float]  # forecast input -> value ("lowest", 0 ...)
    description: str


@dataclass(frozen=True)
class ReportSettings:
    """Default counter-groups and scenarios of reports and web pages."""

    hub: str
    counter_groups: tuple[CounterGroupPreset, ...]
    least_aligned: int
    leader_change_except: tuple[str, ...]
    pair_scenarios: tuple[PairScenario, ...]
    hash: str = ""


def _list_of(r: _Reader, key: str) -> list[_Reader]:
    v = r.get(key)
    if not isinstance(v, list):
        raise r.err(key, "must be a list")
    return [_Reader(r.path, item, f"{r.where}.{key}[{i}]") for i, item in enumerate(v)]


def _text(r: _Reader, key: str) -> str:
    v = r.get(key)
    if not isinstance(v, str) or not v.strip():
        raise r.err(key, "must be a non-empty text")
    return v.strip()


def _counter_group(r: _Reader) -> CounterGroupPreset:
    out = CounterGroupPreset(
        name=_text(r, "name"),
        region=_text(r, "region"),
        except_states=_str_list(r, "except") if r.data.get("except") else (),
        states=_str_list(r, "states"),
        themes=_str_list(r, "themes") if r.data.get("themes") else (),
    )
    r.used.update({"except", "themes"})
    r.done()
    return out


def _pair_scenario(r: _Reader) -> PairScenario:
    pair = _str_list(r, "pair")
    if len(pair) != 2 or pair[0] == pair[1]:
        raise r.err("pair", "must name two different states")
    ch = r.sub("changes")
    changes: dict[str, str | float] = {}
    for k, v in ch.data.items():
        ch.used.add(str(k))
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise ch.err(str(k), "must be a value such as lowest or 0")
        changes[str(k)] = v
    if not changes:
        raise r.err("changes", "must change at least one input")
    out = PairScenario(_text(r, "name"), (pair[0], pair[1]), changes, _text(r, "description"))
    r.done()
    return out


def _reports(path: Path, data: object) -> ReportSettings:
    top = _Reader(path, data, "reports")
    out = ReportSettings(
        hub=_text(top, "hub"),
        counter_groups=tuple(_counter_group(r) for r in _list_of(top, "counter_groups")),
        least_aligned=_whole(top, "least_aligned", minimum=1),
        leader_change_except=_str_list(top, "leader_change_except")
        if top.data.get("leader_change_except")
        else (),
        pair_scenarios=tuple(_pair_scenario(r) for r in _list_of(top, "pair_scenarios")),
        hash=canonical_hash(data),
    )
    top.used.add("leader_change_except")
    top.done()
    return out


#: section name -> parser; another part of allyscope adds its section here
SECTIONS = {
    "institutionalization": _institutionalization,
    "general": _general,
    "network": _network,
    "defacto": _defacto,
    "reports": _reports,
}

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
    parsed: dict[str, Any] = {
        name: parse(p, data[name]) for name, parse in SECTIONS.items() if name in data
    }
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


def as_of(path: str | os.PathLike[str] | None = None) -> dt.date:
    """The as-of date (``general.as_of``; default: the shipped settings)."""
    return load(path).general.as_of


def network(path: str | os.PathLike[str] | None = None) -> NetworkSettings:
    """The ``network`` section (default: the shipped settings)."""
    return load(path).network


def defacto(path: str | os.PathLike[str] | None = None) -> DefactoSettings:
    """The ``defacto`` section (default: the shipped settings)."""
    return load(path).defacto


def reports(path: str | os.PathLike[str] | None = None) -> ReportSettings:
    """The ``reports`` section (default: the shipped settings)."""
    return load(path).reports


__all__ = [
    "BlocSettings",
    "CounterGroupPreset",
    "DefactoSettings",
    "DimensionSettings",
    "ExerciseTieSettings",
    "GeneralSettings",
    "IndexUncertaintySettings",
    "InstitutionalizationSettings",
    "NetworkSettings",
    "PairScenario",
    "ReportSettings",
    "Settings",
    "as_of",
    "canonical_hash",
    "defacto",
    "diminishing",
    "institutionalization",
    "load",
    "network",
    "reports",
    "shipped_path",
]
