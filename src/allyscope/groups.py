"""The group a report or a web page is about: its states, years and counter-group.

:func:`resolve_group` turns what a user typed (names, ISO or COW codes, years) into a
checked :class:`Group` or raises one actionable error: unknown states come back with
suggestions, an empty or one-state group, a repeated state, inverted or impossible
years and oversized groups are refused before any analysis runs.

The *counter-group* is the set of states the group is compared against in the bloc
picture. Users name it (``--counter CHN RUS PRK``); otherwise :func:`default_counter`
picks it from the presets of the settings' ``reports.counter_groups`` (the shipped file:
China, Russia and North Korea for a group whose members other than the United States all
lie in East Asia and the Pacific); for any other group it is the states whose UN General
Assembly votes agreed least with the group's in the last five voting years of the window
(the UN voting module computes the affinity; this module only ranks it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allyscope.errors import InvalidInputError

if TYPE_CHECKING:
    from allyscope.settings import CounterGroupPreset

#: first year any report section can show (UN, post-war alliances)
FIRST_YEAR = 1946
#: default window start: the post-Cold War era
DEFAULT_FROM = 1990
#: most states a group (or counter-group) may have
MAX_STATES = 12


def last_year() -> int:
    """The latest year a window may reach: the year of the settings' as-of date."""
    from allyscope.settings import as_of

    return as_of().year


@dataclass(frozen=True)
class Group:
    """A checked group of states with its window and counter-group (COW codes)."""

    ccodes: tuple[int, ...]
    years: tuple[int, int]
    counter: tuple[int, ...] = ()
    counter_rule: str = ""
    names: dict[int, str] = field(default_factory=dict, compare=False, hash=False)
    iso3: dict[int, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        return "–".join(self.short(c) for c in self.ccodes)

    @property
    def title(self) -> str:
        return ", ".join(self.names.get(c, str(c)) for c in self.ccodes)

    def short(self, ccode: int) -> str:
        return self.iso3.get(ccode) or str(ccode)

    def name(self, ccode: int) -> str:
        return self.names.get(ccode, str(ccode))

    @property
    def is_group_of_many(self) -> bool:
        return len(self.ccodes) > 2

    @property
    def dyads(self) -> list[tuple[int, int]]:
        """Non-directed member pairs, ``ccode1 < ccode2``."""
        cs = sorted(self.ccodes)
        return [(a, b) for i, a in enumerate(cs) for b in cs[i + 1 :]]

    def to_dict(self) -> dict[str, object]:
        return {
            "states": [
                {"ccode": c, "iso3": self.iso3.get(c), "name": self.names.get(c)}
                for c in self.ccodes
            ],
            "years": list(self.years),
            "counter": [
                {"ccode": c, "iso3": self.iso3.get(c), "name": self.names.get(c)}
                for c in self.counter
            ],
            "counter_rule": self.counter_rule,
        }


def check_years(
    year_from: int | None, year_to: int | None, *, default_from: int = DEFAULT_FROM
) -> tuple[int, int]:
    """A checked ``(first, last)`` window inside ``FIRST_YEAR .. last_year()`` (default:
    ``default_from`` to the last concluded year)."""
    hi = last_year()
    y0 = default_from if year_from is None else int(year_from)
    y1 = hi - 1 if year_to is None else int(year_to)
    if y0 > y1:
        raise InvalidInputError(
            f"the years are inverted: from {y0} to {y1}",
            f"give --from before --to, e.g. --from {min(y0, y1)} --to {max(y0, y1)}",
        )
    for label, y in (("from", y0), ("to", y1)):
        if not FIRST_YEAR <= y <= hi:
            raise InvalidInputError(
                f"year {label} {y} is outside {FIRST_YEAR}-{hi}",
                f"choose years between {FIRST_YEAR} and {hi}",
            )
    return y0, y1


def resolve_states(
    queries: Iterable[str | int], *, what: str = "group", minimum: int = 2
) -> list[int]:
    """COW codes for the states a user named (each once), with actionable errors."""
    from allyscope import codes

    raw = [q for q in queries if str(q).strip()]
    if len(raw) < minimum:
        n = len(raw)
        got = "no states" if n == 0 else f"only {n} state ({raw[0]})"
        raise InvalidInputError(
            f"the {what} needs at least {minimum} states; got {got}",
            "name the states by ISO3 code or name, e.g. `USA JPN KOR`",
        )
    if len(raw) > MAX_STATES:
        raise InvalidInputError(
            f"the {what} has {len(raw)} states; at most {MAX_STATES} are supported",
            "split it into smaller groups",
        )
    return codes.resolve_many(raw)


def _describe(ccodes: Iterable[int]) -> tuple[dict[int, str], dict[int, str]]:
    from allyscope import codes

    names: dict[int, str] = {}
    iso: dict[int, str] = {}
    for c in ccodes:
        names[c] = codes.name(c)
        iso[c] = codes.iso3(c) or str(c)
    return names, iso


def _in_region(ccodes: Sequence[int], region: str, except_states: Sequence[str]) -> bool:
    """Whether every member, the ``except_states`` aside, lies in the World Bank region."""
    from allyscope import codes

    skip = {codes.resolve(c) for c in except_states}
    others = [c for c in ccodes if c not in skip]
    if not others:
        return False
    return all(codes.lookup(c).get("wb_region") == region for c in others)


def regional_preset(ccodes: Sequence[int]) -> CounterGroupPreset | None:
    """The first preset of the settings' ``reports.counter_groups`` whose region rule the
    group meets (every member, the preset's ``except`` states aside, lies in its World Bank
    region), or None."""
    from allyscope.settings import reports

    for preset in reports().counter_groups:
        if _in_region(ccodes, preset.region, preset.except_states):
            return preset
    return None


def default_counter(ccodes: Sequence[int], years: tuple[int, int]) -> tuple[list[int], str]:
    """The counter-group for a group without an explicit one, and the rule that chose it:
    the first preset of the settings' ``reports.counter_groups`` whose region rule the
    group meets, else the states least aligned with it in UN votes."""
    from allyscope import codes
    from allyscope.settings import reports

    st = reports()
    preset = regional_preset(ccodes)
    if preset is not None:
        chosen = [codes.resolve(s) for s in preset.states]
        chosen = [c for c in chosen if c not in ccodes]
        if chosen:
            names = ", ".join(codes.name(c) for c in chosen)
            return chosen, f"{preset.name} (settings): {names}"
    from allyscope import api

    least = api.least_aligned(ccodes, years, n=st.least_aligned)
    if least:
        return least, f"the {st.least_aligned} states least aligned with the group in UN votes"
    return [], "none (no UN voting data in the window)"


def resolve_group(
    states: Iterable[str | int],
    year_from: int | None = None,
    year_to: int | None = None,
    counter: Iterable[str | int] | None = None,
    *,
    default_from: int = DEFAULT_FROM,
) -> Group:
    """Check what a user asked for and return the :class:`Group` (or raise one error)."""
    years = check_years(year_from, year_to, default_from=default_from)
    ccodes = resolve_states(states)
    counter_list = [c for c in (counter or []) if str(c).strip()]
    if counter_list:
        ctr = resolve_states(counter_list, what="counter-group", minimum=1)
        both = sorted(set(ctr) & set(ccodes))
        if both:
            from allyscope import codes

            raise InvalidInputError(
                "a state cannot be in both the group and its counter-group: "
                + ", ".join(codes.name(c) for c in both),
                "remove it from --counter",
            )
        rule = "chosen by the user"
    else:
        ctr, rule = default_counter(ccodes, years)
    names, iso = _describe([*ccodes, *ctr])
    return Group(tuple(ccodes), years, tuple(ctr), rule, names, iso)


__all__ = [
    "DEFAULT_FROM",
    "FIRST_YEAR",
    "MAX_STATES",
    "Group",
    "check_years",
    "default_counter",
    "last_year",
    "regional_preset",
    "resolve_group",
    "resolve_states",
]
