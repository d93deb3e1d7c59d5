"""Scenarios: change a forecast's inputs and compare with the baseline.

A scenario is a name, an optional description and a list of *changes*; each change sets
some origin-year inputs of the query's pairs (all pairs, or those listed under ``pairs``).
In YAML::

    name: Seoul changes course
    description: A new South Korean government; UN voting drifts apart.
    changes:
      - leader_change: [KOR]          # a leader transition in these states
      - un_affinity: lowest           # UN voting features at the pair's lowest level of
                                      #   the last 20 years (or: a year, e.g. 2014)
      - exercises: stop               # no joint exercises (or a number per year)
      - mechanism_lapse: ujk-2023-08-camp-david-summit   # a curated mechanism ends
      - set: {us_troops_both_log: 0}  # any model input, on the model's scale
        pairs: [[JPN, KOR]]           # optional: only these pairs

The same changes from the command line: ``--leader-change KOR``, ``--un-affinity lowest``,
``--exercises stop``, ``--mechanism-lapse ID``, ``--set FEATURE=VALUE``, or
``--scenario FILE.yaml``.

What each change does to the inputs (features of :mod:`allyscope.forecast.feature_table`):

``leader_change``
    ``archigos_transitions`` of a pair becomes the number of its states with a scenario
    transition, or the baseline value if that is higher. (Archigos ends in 2015 and REIGN,
    which continues it, in 2020; for later origins the baseline is the pair's yearly
    average of 2016-2020.)
``un_affinity``
    every UN-voting input of the pair takes its value of the given year (``lowest``: each
    input at its worst value within the 20 years up to the origin -- the lowest kappa, the
    largest ideal-point distance), and the five-year changes become that level minus the
    level five years before the origin.
``exercises``
    ``mme_joint_exercises_log`` becomes ``log(1 + n)`` (``stop``: n = 0). After 2010
    (the end of the MME data) the baseline is the pair's average of 2006-2010.
``mechanism_lapse``
    a curated mechanism record of the group (``allyscope institutions``) ends. Only a
    record of an exercise type (``joint_exercise``, ``multi_year_exercise_plan``) changes
    an input: joint exercises stop. Other types are reported and leave the probability
    unchanged; the institutionalization index itself is set with
    ``set: {mech_institutionalization: VALUE}``.
``set``
    any model input to a value on the model's scale (logs as in the feature definitions).

:func:`scenario` returns the baseline and scenario forecasts side by side;
:func:`default_scenarios` gives two standard scenarios for a group (leadership change in
every member; UN voting affinity at its lowest level of the last 20 years).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from allyscope import codes
from allyscope.errors import InvalidInputError, UnknownNameError
from allyscope.panel.core import LIST_END
from allyscope.sources.bounds import last_year

KINDS = ("leader_change", "un_affinity", "exercises", "mechanism_lapse", "set")
EXERCISE_TYPES = ("joint_exercise", "multi_year_exercise_plan")
#: how far back ``un_affinity: lowest`` looks
LOWEST_WINDOW = 20


@dataclass(frozen=True)
class Change:
    """One change of a scenario: ``kind``, its ``value`` and optional ``pairs``."""

    kind: str
    value: Any
    pairs: tuple[tuple[str | int, str | int], ...] | None = None

    def describe(self) -> str:
        v = self.value
        if self.kind == "leader_change":
            text = "leader change in " + ", ".join(str(s) for s in v)
        elif self.kind == "un_affinity":
            text = (
                f"UN voting affinity at its lowest level of the last {LOWEST_WINDOW} years"
                if v == "lowest"
                else f"UN voting affinity at its {v} level"
            )
        elif self.kind == "exercises":
            text = "joint exercises stop" if v == 0 else f"{v} joint exercises a year"
        elif self.kind == "mechanism_lapse":
            text = f"mechanism {v} lapses"
        else:
            text = "set " + ", ".join(f"{k}={val}" for k, val in v.items())
        if self.pairs:
            text += " (pairs " + "; ".join(f"{a}-{b}" for a, b in self.pairs) + ")"
        return text


@dataclass(frozen=True)
class Scenario:
    """A named list of changes (see module docs)."""

    name: str
    changes: tuple[Change, ...]
    description: str = ""
    source: str = field(default="", compare=False)

    def describe(self) -> list[str]:
        return [c.describe() for c in self.changes]

    def apply(
        self, rows: pl.DataFrame, states: Sequence[int], year: int
    ) -> tuple[pl.DataFrame, list[str]]:
        """The pair rows (origin-year features) with the changes applied, and notes."""
        notes: list[str] = []
        out = rows
        for ch in self.changes:
            mask = _pair_mask(out, ch.pairs, year)
            out, note = _APPLY[ch.kind](out, mask, ch.value, states, year)
            if note:
                notes.append(note)
        return out, notes


# -- parsing ---------------------------------------------------------------------------------


def _err(where: str, msg: str, hint: str | None = None) -> InvalidInputError:
    return InvalidInputError(f"{where}: {msg}", hint or "see docs/forecast.md (Scenarios)")


def _parse_leader_change(value: Any, where: str) -> tuple[Any, ...]:
    states = [value] if isinstance(value, str | int) else list(value or [])
    if not states:
        raise _err(where, "leader_change needs at least one state")
    return tuple(states)


def _parse_un_affinity(value: Any, where: str) -> str | int:
    if str(value).strip().lower() == "lowest":
        return "lowest"
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _err(where, f"un_affinity must be 'lowest' or a year, got {value!r}") from None


def _parse_exercises(value: Any, where: str) -> int:
    if str(value).strip().lower() in ("stop", "none", "0"):
        return 0
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise _err(where, f"exercises must be 'stop' or a number, got {value!r}") from None
    if n < 0:
        raise _err(where, "exercises must not be negative")
    return n


def _parse_set(value: Any, where: str) -> dict[str, float]:
    if not isinstance(value, Mapping) or not value:
        raise _err(where, "set needs a mapping {feature: value}")
    from allyscope.forecast.feature_table import feature_map

    fmap = feature_map()
    clean = {}
    for k, v in value.items():
        if k not in fmap:
            raise UnknownNameError(
                "model input", str(k), list(fmap), "see docs/forecast.md (Features)"
            )
        try:
            clean[str(k)] = float(v)
        except (TypeError, ValueError):
            raise _err(where, f"set {k}: {v!r} is not a number") from None
    return dict(sorted(clean.items()))


#: how the value of each kind of change is read
_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "leader_change": _parse_leader_change,
    "un_affinity": _parse_un_affinity,
    "exercises": _parse_exercises,
    "mechanism_lapse": lambda value, _where: str(value),
    "set": _parse_set,
}


def _pairs(pairs: Any, where: str) -> tuple[tuple[Any, Any], ...] | None:
    if pairs is None:
        return None
    try:
        return tuple((p[0], p[1]) for p in pairs)
    except (TypeError, IndexError, KeyError):
        raise _err(where, f"pairs must be a list of two-state lists, got {pairs!r}") from None


def parse_change(item: Any, where: str = "scenario") -> Change:
    """One change of a scenario from its mapping form (``{leader_change: [KOR]}``)."""
    if not isinstance(item, Mapping):
        raise _err(
            where, f"a change must be a mapping such as {{leader_change: [KOR]}}, got {item!r}"
        )
    keys = [k for k in item if k != "pairs"]
    if len(keys) != 1:
        raise _err(
            where, f"a change needs exactly one of {', '.join(KINDS)}; got {sorted(map(str, item))}"
        )
    kind = str(keys[0])
    if kind not in KINDS:
        raise UnknownNameError(
            "scenario change", kind, KINDS, f"in {where}; see docs/forecast.md (Scenarios)"
        )
    value = _PARSERS[kind](item[kind], where)
    return Change(kind, value, _pairs(item.get("pairs"), where))


def from_dict(spec: Mapping[str, Any], source: str = "scenario") -> Scenario:
    if not isinstance(spec, Mapping):
        raise _err(source, "a scenario must be a mapping with 'name' and 'changes'")
    unknown = set(spec) - {"name", "description", "changes"}
    if unknown:
        raise _err(source, f"unknown keys {sorted(unknown)}; use name, description, changes")
    changes = spec.get("changes") or []
    if not isinstance(changes, list) or not changes:
        raise _err(source, "'changes' must be a non-empty list")
    parsed = tuple(parse_change(c, f"{source}, change {i + 1}") for i, c in enumerate(changes))
    name = str(spec.get("name") or "; ".join(c.describe() for c in parsed))
    return Scenario(name, parsed, str(spec.get("description") or ""), source)


def load(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario YAML file (see module docs)."""
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(
            f"cannot read scenario file {os.fspath(path)!r}: {exc.strerror}"
        ) from None
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{os.fspath(path)}:{mark.line + 1}" if mark else os.fspath(path)
        raise InvalidInputError(
            f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    return from_dict(spec, os.fspath(path))


#: the compact form of a scenario (web app, ``allyscope.api.scenario``), for messages
INLINE_SYNTAX = (
    "changes as KIND:VALUE joined by ';' -- leader_change:KOR (or KOR,JPN), "
    "un_affinity:lowest (or a year), exercises:stop (or a number per year), "
    "mechanism_lapse:RECORD_ID, set:FEATURE=VALUE -- each optionally limited to pairs "
    "with @A/B (e.g. exercises:stop@JPN/KOR); or preset:NAME"
)
#: longest compact scenario accepted (characters)
MAX_INLINE = 300


def parse_inline(text: str, states: Sequence[str | int] = ()) -> Scenario:
    """A scenario from its compact form (never a file name): ``leader_change:KOR``,
    ``un_affinity:lowest;exercises:stop@JPN/KOR``, ``set:us_troops_both_log=0`` or
    ``preset:NAME`` (one of :func:`presets` for ``states``). See :data:`INLINE_SYNTAX`."""
    text = str(text).strip()
    if not text:
        raise _err("scenario", "empty scenario", f"write {INLINE_SYNTAX}")
    if len(text) > MAX_INLINE:
        raise _err("scenario", f"longer than {MAX_INLINE} characters", "use fewer changes")
    if text.lower().startswith("preset:"):
        name = text.split(":", 1)[1].strip().lower()
        table = presets(states)
        if name not in table:
            raise UnknownNameError(
                "scenario preset", name, list(table), "presets: " + (", ".join(table) or "none")
            )
        return table[name]
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts:
        raise _err("scenario", "no change given", f"write {INLINE_SYNTAX}")
    changes = []
    for i, part in enumerate(parts):
        where = f"scenario, change {i + 1} ({part[:60]!r})"
        changes.append(parse_change(_inline_item(part, where), where))
    return Scenario("; ".join(c.describe() for c in changes), tuple(changes), "", "inline")


def _inline_item(part: str, where: str) -> dict[str, Any]:
    """``KIND:VALUE[@A/B,...]`` as the mapping form of a change."""
    kind, sep, rest = part.partition(":")
    kind = kind.strip().lower()
    if not sep or not rest.strip():
        raise _err(where, "expected KIND:VALUE", f"write {INLINE_SYNTAX}")
    value, _, pairs_text = rest.partition("@")
    value = value.strip()
    item: dict[str, Any]
    if kind == "leader_change":
        item = {kind: [v.strip() for v in value.split(",") if v.strip()]}
    elif kind == "set":
        assignments: dict[str, str] = {}
        for a in value.split(","):
            feature, eq, number = a.partition("=")
            if not eq or not feature.strip():
                raise _err(where, "set needs FEATURE=VALUE", "e.g. set:us_troops_both_log=0")
            assignments[feature.strip()] = number.strip()
        item = {kind: assignments}
    else:
        item = {kind: value}
    if pairs_text.strip():
        pairs = [p.split("/") for p in pairs_text.split(",") if p.strip()]
        if any(len(p) != 2 or not all(x.strip() for x in p) for p in pairs):
            raise _err(where, "pairs are written @A/B (several: @A/B,C/D)")
        item["pairs"] = [[a.strip(), b.strip()] for a, b in pairs]
    return item


def presets(states: Sequence[str | int] = ()) -> dict[str, Scenario]:
    """Named scenarios for a group (``preset:NAME``): the standard ones of
    :func:`default_scenarios` (``leadership-change`` and ``un-affinity-low`` or
    ``exercises-stop``)."""
    out: dict[str, Scenario] = {}
    if states:
        for sc in default_scenarios(states):
            kind = sc.changes[0].kind
            slug = {
                "leader_change": "leadership-change",
                "un_affinity": "un-affinity-low",
                "exercises": "exercises-stop",
            }.get(kind, kind.replace("_", "-"))
            out[slug] = sc
    return out


def as_scenario(spec: Scenario | Mapping[str, Any] | str | os.PathLike[str]) -> Scenario:
    if isinstance(spec, Scenario):
        return spec
    if isinstance(spec, Mapping):
        return from_dict(spec)
    return load(spec)


# -- applying ---------------------------------------------------------------------------------


def _pair_mask(rows: pl.DataFrame, pairs: Any, year: int) -> np.ndarray:
    if not pairs:
        return np.ones(rows.height, dtype=bool)
    y = min(year, LIST_END["cow"].year)
    want = set()
    for a, b in pairs:
        ca, cb = codes.resolve(a, y), codes.resolve(b, y)
        want.add((min(ca, cb), max(ca, cb)))
    got = list(zip(rows["ccode1"].to_list(), rows["ccode2"].to_list(), strict=True))
    mask = np.array([g in want for g in got], dtype=bool)
    missing = want - set(got)
    if missing:
        names = "; ".join(f"{codes.name(a)}-{codes.name(b)}" for a, b in sorted(missing))
        raise InvalidInputError(
            f"scenario pairs {names} are not pairs of the query (or are already allied)",
            "list pairs of the states being forecast",
        )
    return mask


def _set(rows: pl.DataFrame, mask: np.ndarray, col: str, values: Any) -> pl.DataFrame:
    vals = np.broadcast_to(np.asarray(values, dtype=np.float64), (rows.height,))
    old = rows[col].cast(pl.Float64).to_numpy()
    new = np.where(mask, vals, old)
    return rows.with_columns(pl.Series(col, new).fill_nan(None).cast(rows.schema[col]))


def _leader(rows, mask, value, states, year):
    y = min(year, LIST_END["cow"].year)
    changed = {codes.resolve(s, y) for s in value}
    if not changed & set(states):
        names = ", ".join(map(str, value))
        raise InvalidInputError(
            f"leader_change: {names} is not among the states being forecast",
            "name one of the query's states",
        )
    n = (
        rows["ccode1"].is_in(list(changed)).cast(pl.Int8)
        + rows["ccode2"].is_in(list(changed)).cast(pl.Int8)
    ).to_numpy()
    old = rows["archigos_transitions"].cast(pl.Float64).to_numpy()
    new = np.where(np.isnan(old), n, np.maximum(old, n))
    note = None
    from allyscope.forecast.feature_table import feature_map

    end = feature_map()["archigos_transitions"].coverage[1]
    if year > end:
        note = (
            f"leader transitions after {end} are not recorded (Archigos to 2015, then REIGN, "
            f"ends in {end}): the baseline uses each pair's yearly average of {end - 4}-{end}"
        )
    return _set(rows, mask, "archigos_transitions", new), note


def _exercises(rows, mask, value, states, year):
    note = None
    end = last_year("mme_exercises")
    if year > end:
        note = (
            f"joint exercises after {end} are not recorded (MME ends in {end}): the baseline "
            f"uses each pair's yearly average of {end - 4}-{end}"
        )
    return _set(rows, mask, "mme_joint_exercises_log", np.log1p(value)), note


def _un(rows, mask, value, states, year):
    from allyscope.forecast.feature_table import UN_LEVELS, UN_WORSE, feature_map, features

    fmap = feature_map()
    levels = [c for c in UN_LEVELS if c in fmap]
    if not levels:
        raise InvalidInputError(
            "un_affinity: this installation has no UN voting inputs", "see docs/forecast.md"
        )
    pairs = rows.select("ccode1", "ccode2")
    if value == "lowest":
        first = max(1946, year - LOWEST_WINDOW)
    else:
        if not 1946 <= value <= year:
            raise InvalidInputError(
                f"un_affinity: year {value} is outside 1946-{year}",
                "give a past year up to the origin year, or 'lowest'",
            )
        first = value
    hist = features(min(first, year - 5), year).join(pairs, on=["ccode1", "ccode2"], how="semi")
    window = hist.filter(pl.col("year") >= first)
    new: dict[str, np.ndarray] = {}
    used: set[int] = set()
    for c in levels:
        if value == "lowest":
            # each input at its own worst value of the window: the lowest affinity, the
            # largest ideal-point distance
            worst = window.drop_nulls(c).sort(c, "year", descending=[UN_WORSE[c] == "max", False])
            pick = worst.group_by("ccode1", "ccode2", maintain_order=True).first()
        else:
            pick = window.filter(pl.col("year") == value)
        pick = pick.select("ccode1", "ccode2", pl.col(c).alias("__v"), pl.col("year").alias("__y"))
        got = pairs.join(pick, on=["ccode1", "ccode2"], how="left", maintain_order="left")
        used.update(got["__y"].drop_nulls().to_list())
        new[c] = got["__v"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    back = pairs.join(
        hist.filter(pl.col("year") == year - 5).select("ccode1", "ccode2", *levels),
        on=["ccode1", "ccode2"],
        how="left",
        maintain_order="left",
    )
    out = rows
    for c in levels:
        out = _set(out, mask, c, new[c])
        trend = UN_LEVELS[c]
        if trend and trend in out.columns:
            # the five-year change as if the level moved there now
            delta = new[c] - back[c].cast(pl.Float64).fill_null(np.nan).to_numpy()
            out = _set(out, mask, trend, delta)
    note = "UN voting inputs as in " + ", ".join(map(str, sorted(used))) if used else None
    return out, note


def _mechanism(rows, mask, value, states, year):
    from allyscope import mechanisms

    recs = mechanisms.records()
    hit = recs.filter(pl.col("record_id") == value)
    if hit.height == 0:
        from allyscope.errors import UnknownNameError

        raise UnknownNameError(
            "mechanism record",
            value,
            recs["record_id"].to_list(),
            "`allyscope institutions --records` lists them",
        )
    r = hit.row(0, named=True)
    members = set(r["ccodes"])
    if len(members & set(states)) < 2:
        raise InvalidInputError(
            f"mechanism_lapse: record {value} ({r['grouping']}) does not involve two of the states being forecast",
            "choose a record of a grouping these states belong to",
        )
    if r["type"] in EXERCISE_TYPES:
        inv = rows["ccode1"].is_in(list(members)) & rows["ccode2"].is_in(list(members))
        m = mask & inv.to_numpy()
        return _set(rows, m, "mme_joint_exercises_log", 0.0), (
            f"{value} is a {r['type']}: joint exercises of its members set to 0"
        )
    return rows, (
        f"{value} is a {r['type']}: its lapse changes no model input (set "
        "mech_institutionalization to ask about the institutionalization index)"
    )


def _setter(rows, mask, value, states, year):
    out = rows
    for k, v in value.items():
        out = _set(out, mask, k, v)
    return out, None


_APPLY = {
    "leader_change": _leader,
    "un_affinity": _un,
    "exercises": _exercises,
    "mechanism_lapse": _mechanism,
    "set": _setter,
}


# -- running ----------------------------------------------------------------------------------


@dataclass
class ScenarioResult:
    """A scenario's forecast next to the baseline."""

    scenario: Scenario
    baseline: Any
    changed: Any

    @property
    def delta(self) -> float:
        """Scenario minus baseline probability (a share; see ``delta_pp``)."""
        return self.changed.probability - self.baseline.probability

    @property
    def delta_pp(self) -> float:
        """The change in percentage points (probabilities are calibrated)."""
        return 100.0 * self.delta

    def table(self) -> pl.DataFrame:
        """Pairs and the group: baseline and scenario probabilities and the change."""
        b, s = self.baseline.table(), self.changed.table()
        t = b.select(
            "state1",
            "state2",
            "allied",
            pl.col("probability").alias("baseline"),
            pl.col("lower").alias("baseline_lower"),
            pl.col("upper").alias("baseline_upper"),
        ).with_columns(
            s["probability"].alias("scenario"),
            s["lower"].alias("scenario_lower"),
            s["upper"].alias("scenario_upper"),
        )
        if self.baseline.is_group:
            bi, si = self.baseline.interval, self.changed.interval
            t = pl.concat(
                [
                    t,
                    pl.DataFrame(
                        {
                            "state1": ["every pair"],
                            "state2": [" ".join(self.baseline.names)],
                            "allied": [False],
                            "baseline": [self.baseline.probability],
                            "baseline_lower": [bi[0] if bi else None],
                            "baseline_upper": [bi[1] if bi else None],
                            "scenario": [self.changed.probability],
                            "scenario_lower": [si[0] if si else None],
                            "scenario_upper": [si[1] if si else None],
                        },
                        schema=t.schema,
                    ),
                ]
            )
        change = pl.col("scenario") - pl.col("baseline")
        return t.with_columns(change.alias("change"), (100 * change).alias("change_pp"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "changes": self.scenario.describe(),
            "baseline": self.baseline.to_dict(),
            "changed": self.changed.to_dict(),
            "probability_change": self.delta,
            "probability_change_pp": self.delta_pp,
        }


def scenario(states: Sequence[str | int], spec: Any, **kwargs: Any) -> ScenarioResult:
    """Forecast ``states`` with and without the scenario ``spec`` (a :class:`Scenario`, a
    mapping or a YAML path); ``kwargs`` go to :func:`allyscope.forecast.forecast`."""
    from allyscope.forecast.predict import forecast

    sc = as_scenario(spec)
    base = forecast(states, **kwargs)
    changed = forecast(states, scenario=sc, **{**kwargs, "explain": kwargs.get("explain", True)})
    return ScenarioResult(sc, base, changed)


def default_scenarios(states: Sequence[str | int]) -> list[Scenario]:
    """Two standard scenarios for a group: a leadership change in every member state, and
    UN voting affinity of every pair at its lowest level of the last 20 years (when the
    UN inputs are available; otherwise joint exercises stopping)."""
    from allyscope.forecast.feature_table import UN_LEVELS, feature_map

    members = tuple(states)
    label = ", ".join(str(s) for s in members)
    out = [
        Scenario(
            f"Leadership change in {label}",
            (Change("leader_change", members),),
            "A leader transition in every member state in the origin year.",
        )
    ]
    if any(c in feature_map() for c in UN_LEVELS):
        out.append(
            Scenario(
                f"UN voting affinity at its {LOWEST_WINDOW}-year low",
                (Change("un_affinity", "lowest"),),
                f"Every pair's UN voting inputs fall to their lowest level of the last "
                f"{LOWEST_WINDOW} years.",
            )
        )
    else:
        out.append(
            Scenario(
                "Joint exercises stop",
                (Change("exercises", 0),),
                "No multinational military exercise with both states of any pair.",
            )
        )
    return out


__all__ = [
    "INLINE_SYNTAX",
    "KINDS",
    "Change",
    "Scenario",
    "ScenarioResult",
    "as_scenario",
    "default_scenarios",
    "from_dict",
    "load",
    "parse_change",
    "parse_inline",
    "presets",
    "scenario",
]
