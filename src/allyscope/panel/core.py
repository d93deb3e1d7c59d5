"""The :class:`Panel` object and the state-year / dyad-year builders.

Membership rules (the Correlates of War and Gleditsch–Ward lists):

* a state is in the system in a year if it is a member on any day of that year;
* a dyad-year exists if both states are members that year *and* their membership
  overlaps on at least one day of it (a state that left in March and one that entered
  in June do not form a dyad that year — the pairs peacesciencer lists in
  ``false_cow_dyads`` / ``false_gw_dyads``);
* non-directed dyads keep ``ccode1 < ccode2`` (``gwcode1 < gwcode2``); a directed panel
  holds both orders and so exactly twice the rows.

The lists are the COW state system v2024 (to 2024-12-31) and the Gleditsch–Ward list as
maintained in isard (independent states, microstates left out, to 2020-12-31); their
ends come from the catalog (:mod:`allyscope.sources.bounds`). By default a panel stops
at the end of its list. ``mry`` ("most recent year") extends it: the states alive on
the list's last day are assumed alive through ``mry=<year>``, or with ``mry=True``
through the latest year any source describes (:func:`~allyscope.sources.bounds.
current_year`; never the calendar, so results do not change with the day they are
computed). Entries, exits and changes after the list's end are not known. The panel's
``meta`` says which end it uses and which years are an extension.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.panel import addons as _reg
from allyscope.panel._verbs import AddOnVerbs
from allyscope.panel.addons import PanelContext
from allyscope.sources.bounds import coverage, current_year, data_through

#: the source of each state list
SYSTEM_SOURCES: dict[str, str] = {"cow": "cow_states_v2024", "gw": "gw_system_isard"}
#: last day of each state list as distributed (from the catalog)
LIST_END: dict[str, dt.date] = {k: data_through(v) for k, v in SYSTEM_SOURCES.items()}
LIST_START = min(coverage(v)[0] for v in SYSTEM_SOURCES.values())
_SYSTEM_NAMES = {
    "cow": "Correlates of War state system (v2024)",
    "gw": "Gleditsch–Ward list (isard, independent states)",
}


def _check_system(system: str) -> str:
    s = str(system).strip().lower()
    if s not in ("cow", "gw"):
        from allyscope.errors import UnknownNameError

        raise UnknownNameError(
            "state system",
            str(system),
            ["cow", "gw"],
            "use 'cow' (Correlates of War) or 'gw' (Gleditsch–Ward)",
        )
    return s


def mry_year(mry: bool | int, system: str) -> int | None:
    """The last year a ``mry`` panel extends to (``None`` when ``mry`` is off)."""
    if mry is False or mry is None:
        return None
    end = LIST_END[system].year
    if mry is True:
        return max(current_year(), end)
    year = int(mry)
    if year < end:
        raise InvalidInputError(
            f"mry={year} is before the end of the {system.upper()} list ({end})",
            "use mry=True (the latest year of the data) or a later year",
        )
    return year


def _check_years(years: Any, system: str, mry: bool | int) -> tuple[int, int]:
    last = mry_year(mry, system) or LIST_END[system].year
    if years is None:
        return (LIST_START, last)
    if isinstance(years, int):
        years = (years, years)
    try:
        y0, y1 = (int(years[0]), int(years[1]))
    except (TypeError, ValueError, IndexError):
        raise InvalidInputError(
            f"years must be a (first, last) pair of integers, got {years!r}",
            f"for example years=(1946, {LIST_END[system].year})",
        ) from None
    if y0 > y1:
        raise InvalidInputError(
            f"the year range {y0}-{y1} is inverted (first year after last year)",
            f"did you mean {y1}-{y0}?",
        )
    name = system.upper()
    extend = "" if mry else "; or extend the list with mry=True (--mry)"
    if y1 < LIST_START or y0 > last:
        raise InvalidInputError(
            f"the years {y0}-{y1} are outside the {name} state list ({LIST_START}-{last})",
            f"choose years within {LIST_START}-{last}{extend}",
        )
    if y0 < LIST_START:
        raise InvalidInputError(
            f"the {name} state list starts in {LIST_START}; the panel cannot start in {y0}",
            f"start in {LIST_START} or later",
        )
    if y1 > last:
        raise InvalidInputError(
            f"the {name} state list ends in {last}; the panel cannot run to {y1}",
            f"end in {last} or earlier{extend}",
        )
    return (y0, y1)


# -- membership spells -------------------------------------------------------------------


def membership_spells(system: str, mry: bool | int = False) -> pl.DataFrame:
    """Membership spells with exact dates: ``code, start, end`` (``code`` is ccode/gwcode)."""
    from allyscope.store import open_warehouse

    system = _check_system(system)
    wh = open_warehouse()
    wh.require(SYSTEM_SOURCES[system])
    if system == "cow":
        sp = wh.sql(
            "SELECT CAST(ccode AS INTEGER) AS code, make_date(styear, stmonth, stday) AS start, "
            f'make_date(endyear, endmonth, endday) AS "end" FROM {SYSTEM_SOURCES["cow"]}'
        )
    else:  # independent states only, as in the published Gleditsch-Ward list
        sp = wh.sql(
            'SELECT CAST(gwcode AS INTEGER) AS code, startdate AS start, enddate AS "end" '
            f"FROM {SYSTEM_SOURCES['gw']} WHERE microstate = 0"
        )
    last = mry_year(mry, system)
    if last is not None:
        list_end = LIST_END[system]
        sp = sp.with_columns(
            pl.when(pl.col("end") >= pl.lit(list_end))
            .then(pl.lit(dt.date(last, 12, 31)))
            .otherwise(pl.col("end"))
            .alias("end")
        )
    return sp.sort("code", "start")


def _state_year_spells(spells: pl.DataFrame, y0: int, y1: int) -> pl.DataFrame:
    """One row per spell-year within [y0, y1], with the spell clipped to the year."""
    out = (
        spells.with_columns(
            pl.int_ranges(
                pl.max_horizontal(pl.col("start").dt.year(), pl.lit(y0)),
                pl.min_horizontal(pl.col("end").dt.year(), pl.lit(y1)) + 1,
                dtype=pl.Int32,
            ).alias("year")
        )
        .explode("year")
        .drop_nulls("year")
    )
    jan1 = pl.date(pl.col("year"), 1, 1)
    dec31 = pl.date(pl.col("year"), 12, 31)
    return out.with_columns(
        pl.max_horizontal("start", jan1).alias("s"),
        pl.min_horizontal("end", dec31).alias("e"),
    ).with_columns(((pl.col("s") == jan1) & (pl.col("e") == dec31)).alias("full"))


# -- currency -----------------------------------------------------------------------------

#: add-ons that carry values past the end of one of their sources, and how
_CARRIES: dict[str, str] = {
    "atop_extended": "ATOP obligations in force in 2018 are carried forward unless an alliance "
    "record ends them; rows say so in atop_source (atop_carried)",
}


#: code crosswalks: an add-on reads them, but they say nothing about how current it is
_CROSSWALKS = frozenset({"cow_gw_panel", "gw_cow_panel", "cow_gw_years", "gw_cow_years"})


def _dated(source: str) -> bool:
    from allyscope.sources import SOURCES

    s = SOURCES.get(source)
    return s is not None and s.years is not None


# -- base frames (cached per process) ---------------------------------------------------


@dataclass(frozen=True)
class _BaseKey:
    data_hash: str
    unit: str
    system: str
    years: tuple[int, int]
    mry: int | None
    directed: bool


_BASE_CACHE: dict[_BaseKey, tuple[pl.DataFrame, dict[str, Any]]] = {}
_BASE_LOCK = threading.Lock()


def _state_year_frame(system: str, years: tuple[int, int], mry: bool | int) -> pl.DataFrame:
    spells = membership_spells(system, mry)
    sy = _state_year_spells(spells, *years)
    code = "ccode" if system == "cow" else "gwcode"
    return sy.select(pl.col("code").alias(code), pl.col("year")).unique().sort(code, "year")


def _pairs_within_years(
    codes: np.ndarray, years: np.ndarray, directed: bool
) -> tuple[np.ndarray, ...]:
    """All pairs of members of the same year, from members sorted by (year, code).

    Returns (first, second, year) arrays ordered by year, first and second code: a < b
    for non-directed pairs, both orders for directed ones. Pure index arithmetic."""
    n = len(codes)
    if n == 0:
        e = np.empty(0, dtype=np.int32)
        return e, e, e
    starts = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])
    sizes = np.diff(np.r_[starts, n])
    group_start = np.repeat(starts, sizes)  # first member of each member's year
    group_size = np.repeat(sizes, sizes)
    pos = np.arange(n) - group_start  # position of each member within its year
    # non-directed: partners after the member; directed: every other member of the year
    count = group_size - pos - 1 if not directed else group_size - 1
    total = int(count.sum())
    owner = np.repeat(np.arange(n), count)
    offsets = np.cumsum(count) - count
    within = np.arange(total) - np.repeat(offsets, count)
    if directed:
        partner = group_start[owner] + within + (within >= pos[owner])
    else:
        partner = owner + 1 + within
    return codes[owner], codes[partner], years[owner]


def _dyad_year_frame(
    system: str, years: tuple[int, int], mry: bool | int, directed: bool
) -> pl.DataFrame:
    spells = membership_spells(system, mry)
    sy = _state_year_spells(spells, *years)
    code = "ccode" if system == "cow" else "gwcode"
    c1, c2 = code + "1", code + "2"
    members = sy.group_by("code", "year").agg(pl.col("full").any()).sort("year", "code")
    a, b, y = _pairs_within_years(members["code"].to_numpy(), members["year"].to_numpy(), directed)
    df = pl.DataFrame({c1: a.astype(np.int32), c2: b.astype(np.int32), "year": y.astype(np.int32)})
    # pairs whose members never share a day that year: only possible when neither is a
    # member all year; compare their clipped spells
    part = sy.filter(~pl.col("full").any().over("code", "year")).select("code", "year", "s", "e")
    if part.height:
        pa = part.rename({"code": "a", "s": "sa", "e": "ea"})
        pb = part.rename({"code": "b", "s": "sb", "e": "eb"})
        false_pairs = (
            pa.join(pb, on="year")
            .filter(pl.col("a") != pl.col("b"))
            .group_by("a", "b", "year")
            .agg(
                ((pl.col("sa") <= pl.col("eb")) & (pl.col("sb") <= pl.col("ea"))).any().alias("ok")
            )
            .filter(~pl.col("ok"))
        )
        if false_pairs.height:
            key = (pl.col("year").cast(pl.Int64) * 1000 + pl.col(c1)) * 1000 + pl.col(c2)
            bad = false_pairs.select(
                (pl.col("year").cast(pl.Int64) * 1000 + pl.col("a")) * 1000 + pl.col("b")
            ).to_series()
            df = df.filter(~key.is_in(bad.implode()))
    return df


def _base_with_cache(key: _BaseKey, mry: bool | int) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The base frame for ``key`` and the scratch cache shared by panels with its keys."""
    with _BASE_LOCK:
        hit = _BASE_CACHE.get(key)
    if hit is None:
        if key.unit == "state-year":
            df = _state_year_frame(key.system, key.years, mry)
        else:
            # dyad frames are also kept on disk (Parquet under <home>/cache, keyed by the
            # data version), so a new process — every CLI call — reads instead of rebuilding
            from allyscope.store import cached_table

            params = {
                "system": key.system,
                "years": list(key.years),
                "mry": key.mry,
                "directed": key.directed,
            }
            df = cached_table(
                "dyad_years",
                params,
                lambda: _dyad_year_frame(key.system, key.years, mry, key.directed),
            )
        hit = (df, {})
        with _BASE_LOCK:
            if len(_BASE_CACHE) > 16:
                _BASE_CACHE.clear()
            _BASE_CACHE[key] = hit
    return hit[0].clone(), hit[1]


def _base(key: _BaseKey, mry: bool | int) -> pl.DataFrame:
    return _base_with_cache(key, mry)[0]


def base_frame(
    unit: str, system: str, years: tuple[int, int], mry: int | None = None, directed: bool = False
) -> pl.DataFrame:
    """The bare state-year or dyad-year frame (cached per process), for add-ons that need
    every state or dyad of the panel's system and years."""
    from allyscope.store import open_warehouse

    span = (int(years[0]), int(years[1]))
    key = _BaseKey(open_warehouse().data_hash, unit, system, span, mry, bool(directed))
    return _base(key, mry if mry is not None else False)


def clear_cache() -> None:
    """Forget the in-process base frames and source tables (rebuilt on the next call)."""
    from allyscope.panel import builtin

    with _BASE_LOCK:
        _BASE_CACHE.clear()
    builtin.clear_cache()


# -- the Panel -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Panel(AddOnVerbs):
    """A state-year or dyad-year table (polars) plus what it was built from.

    Panels are immutable: every ``add_*`` verb returns a new panel. ``df`` is the table,
    ``sources`` the warehouse tables used, ``addons`` the add-ons applied in order and
    ``meta`` the unit, system, years, direction and list end.
    """

    df: pl.DataFrame
    unit: str
    system: str
    directed: bool
    years: tuple[int, int]
    mry: int | None = None
    sources: tuple[str, ...] = ()
    addons: tuple[str, ...] = ()
    politically_relevant: bool = False
    extra_citations: tuple[str, ...] = field(default=())
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        # the scratch cache (key grids, locks) is rebuilt on demand, never pickled
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # -- description -------------------------------------------------------------------

    @property
    def context(self) -> PanelContext:
        return PanelContext(
            self.unit, self.system, self.directed, self.years, self.mry, cache=self._cache
        )

    @property
    def keys(self) -> list[str]:
        return self.context.keys

    @property
    def meta(self) -> dict[str, Any]:
        end = LIST_END[self.system]
        m: dict[str, Any] = {
            "unit": self.unit,
            "system": self.system,
            "state_list": _SYSTEM_NAMES[self.system],
            "state_list_end": end.isoformat(),
            "years": list(self.years),
            "mry": self.mry,
            "rows": self.df.height,
            "addons": list(self.addons),
            "sources": list(self.sources),
        }
        if self.unit == "dyad-year":
            m["directed"] = self.directed
            m["politically_relevant"] = self.politically_relevant
        if self.mry is not None:
            m["mry_note"] = (
                f"states alive on {end.isoformat()} are assumed alive through {self.mry}; "
                f"years after {end.year} are an extension, not part of the published list"
            )
        return m

    def currency(self) -> pl.DataFrame:
        """How current each input of the panel is, and what the panel does after its end.

        One row per input: the state list, then each add-on in order. Columns ``input``,
        ``sources``, ``last_year`` (the last year the input's data describe),
        ``data_through`` (its last date), ``panel_last_year``, ``after_end`` — what the
        panel's years after ``last_year`` hold: ``""`` (none), ``"null"`` (missing, the
        default), ``"extended"`` (the state list carried by ``mry``) or ``"carried"``
        (values carried forward, e.g. ATOP obligations after 2018 in ``atop_extended``) —
        and ``note``.
        """
        from allyscope.panel import addons as reg
        from allyscope.sources.bounds import data_through as _through

        y1 = self.years[1]
        src = SYSTEM_SOURCES[self.system]
        end = LIST_END[self.system]
        rows = [
            {
                "input": "state list",
                "sources": src,
                "last_year": end.year,
                "data_through": end,
                "panel_last_year": y1,
                "after_end": ("extended" if self.mry is not None else "") if y1 > end.year else "",
                "note": self.meta.get("mry_note", ""),
            }
        ]
        ctx = self.context
        for name in self.addons:
            a = reg.get(name)
            used = a.sources_used(ctx)
            cov = a.coverage_for(self.system)
            dated = [s for s in used if _dated(s) and s not in _CROSSWALKS]
            through = max((_through(s) for s in dated), default=None)
            last = through.year if through is not None else None
            after = ""
            note = ""
            if last is not None and y1 > last:
                after = "null"
                if name in _CARRIES:
                    after, note = "carried", _CARRIES[name]
                elif through is not None and through.month < 12:
                    note = f"the data end on {through.isoformat()}; later that year is partial"
                if cov is not None and cov[1] < y1:
                    note = note or f"years after {cov[1]} are null"
            rows.append(
                {
                    "input": name,
                    "sources": ", ".join(used),
                    "last_year": last,
                    "data_through": through,
                    "panel_last_year": y1,
                    "after_end": after,
                    "note": note,
                }
            )
        return pl.DataFrame(
            rows,
            schema={
                "input": pl.String,
                "sources": pl.String,
                "last_year": pl.Int32,
                "data_through": pl.Date,
                "panel_last_year": pl.Int32,
                "after_end": pl.String,
                "note": pl.String,
            },
        )

    def __len__(self) -> int:
        return self.df.height

    @property
    def height(self) -> int:
        return self.df.height

    @property
    def columns(self) -> list[str]:
        return self.df.columns

    def __repr__(self) -> str:
        kind = (
            self.unit
            if self.unit == "state-year"
            else (("directed " if self.directed else "non-directed ") + self.unit)
        )
        ext = f", mry to {self.mry}" if self.mry is not None else ""
        adds = f", add-ons: {', '.join(self.addons)}" if self.addons else ""
        return (
            f"<Panel {kind} {self.system.upper()} {self.years[0]}-{self.years[1]}{ext}: "
            f"{self.df.height:,} rows × {self.df.width} columns{adds}>"
        )

    # -- outputs -------------------------------------------------------------------------

    def to_polars(self) -> pl.DataFrame:
        return self.df

    def to_pandas(self) -> Any:
        return self.df.to_pandas()

    def to_arrow(self) -> Any:
        """An Arrow table whose schema metadata carries the panel's ``meta`` as JSON."""
        import json

        tab = self.df.to_arrow()
        return tab.replace_schema_metadata({b"allyscope": json.dumps(self.meta).encode()})

    def citation_keys(self) -> list[str]:
        from allyscope.sources import get

        keys: list[str] = []
        for s in self.sources:
            keys.extend(get(s).citations)
        keys.extend(self.extra_citations)
        return list(dict.fromkeys(keys))

    def citations(self) -> str:
        """BibTeX entries for every source this panel uses."""
        from allyscope.sources import bibtex

        return bibtex(self.citation_keys())

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the table by extension, atomically.

        Parameters
        ----------
        path : path
            ``.parquet``, ``.csv``, ``.json``, ``.dta`` (Stata) or ``.feather``/``.arrow``.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from allyscope.io import check_table_path, write_table

        ext = check_table_path(path)
        lists = [c for c, t in self.df.schema.items() if isinstance(t, pl.List)]
        if lists and ext in (".csv", ".dta"):
            raise InvalidInputError(
                f"{ext} files cannot hold list columns ({', '.join(lists)})",
                "write .parquet or .feather, or drop those columns",
            )
        return write_table(self.df, path)

    # -- add-ons -------------------------------------------------------------------------

    def add(self, name: str, **options: Any) -> Panel:
        """Apply a registered add-on and return the extended panel.

        Parameters
        ----------
        name : str
            The add-on's name or an alias (``docs/addons.md``).
        **options
            The add-on's options (e.g. ``names=True`` for ``mme``).

        Returns
        -------
        Panel
            A new panel with the add-on's columns (null outside its coverage).
        """
        a = _reg.get(name)
        if a.name == "atop" and options.pop("extend", False):
            a = _reg.get("atop_extended")  # ATOP plus the alliance records after it
        pair = {"atop", "atop_extended"}
        if a.name in pair and pair & set(self.addons):
            raise InvalidInputError(
                "the panel already has ATOP obligations (atop or atop_extended)",
                "add one of the two: they fill the same columns",
            )
        if a.name in self.addons:
            raise InvalidInputError(
                f"the panel already has the {a.name!r} add-on", "add each add-on once"
            )
        ctx = self.context
        df = _reg.apply(a, self.df, ctx, **options)
        return replace(
            self,
            df=df,
            sources=tuple(dict.fromkeys([*self.sources, *a.sources_used(ctx)])),
            addons=(*self.addons, a.name),
            extra_citations=tuple(dict.fromkeys([*self.extra_citations, *a.citations])),
        )

    def add_many(self, names: str | Iterable[str]) -> Panel:
        """Apply several add-ons in order: ``add_many("atop,nmc,contiguity")``."""
        p = self
        for a in _reg.parse_names(names):
            p = p.add(a.name)
        return p

    def __getattr__(self, attr: str) -> Any:
        # only reached for names the class lacks: add-ons whose provider module has not
        # been imported yet, and the verb names of earlier releases
        if attr.startswith("add_") and not attr.startswith("__"):
            if attr in RENAMED_VERBS:
                new = f"add_{RENAMED_VERBS[attr]}"
                warnings.warn(
                    f"Panel.{attr}() is now Panel.{new}()", DeprecationWarning, stacklevel=2
                )
                return getattr(self, new)
            _reg.discover()
            if attr in type(self).__dict__:
                return getattr(self, attr)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")


#: verb names of earlier releases -> the add-on's one name
RENAMED_VERBS: dict[str, str] = {
    "add_atop_alliance": "atop",
    "add_minimum_distance": "mindist",
    "add_capital_distance": "capdist",
    "add_igos": "igo",
    "add_strategic_rivalries": "td_rivalries",
    "add_cow_majors": "majors",
    "add_archigos": "leaders",
    "add_cow_trade": "trade",
    "add_mme_exercises": "mme",
}


def _attach_verb(a: _reg.AddOn) -> None:
    """Give :class:`Panel` the method ``add_<name>`` of a newly registered add-on."""
    current = Panel.__dict__.get(a.verb_name)
    if current is not None and getattr(current, "__allyscope_addon__", None) is None:
        raise ValueError(f"add-on {a.name!r}: Panel.{a.verb_name} is not an add-on verb")
    setattr(Panel, a.verb_name, a.method())


def _detach_verb(a: _reg.AddOn) -> None:
    current = Panel.__dict__.get(a.verb_name)
    if getattr(current, "__allyscope_addon__", None) == a.name:
        delattr(Panel, a.verb_name)


_reg.on_register(_attach_verb, _detach_verb)


# -- builders ----------------------------------------------------------------------------


def state_years(
    system: str = "cow",
    years: tuple[int, int] | Sequence[int] | int | None = None,
    mry: bool | int = False,
) -> Panel:
    """One row per state and year of system membership (any day of the year counts).

    Parameters
    ----------
    system : {"cow", "gw"}
        The Correlates of War or the Gleditsch–Ward state list.
    years : (int, int), int or None
        First and last year (default: the whole list, COW to 2024, GW to 2020).
    mry : bool or int
        Extend states alive at the end of the list to the latest year of the data
        (``True``) or to this year (see the module documentation).

    Returns
    -------
    Panel
        Keys ``ccode`` (``gwcode``) and ``year``; add columns with ``add_<name>()``.
    """
    from allyscope.store import open_warehouse

    system = _check_system(system)
    yrs = _check_years(years, system, mry)
    last = mry_year(mry, system)
    wh = open_warehouse()
    key = _BaseKey(wh.data_hash, "state-year", system, yrs, last, False)
    df, cache = _base_with_cache(key, mry)
    return Panel(
        df, "state-year", system, False, yrs, last, sources=(SYSTEM_SOURCES[system],), _cache=cache
    )


def dyad_years(
    system: str = "cow",
    directed: bool = False,
    years: tuple[int, int] | Sequence[int] | int | None = None,
    politically_relevant: bool = False,
    mry: bool | int = False,
) -> Panel:
    """Dyad-years of states that are both members of the system on a common day.

    Parameters
    ----------
    system : {"cow", "gw"}
        The Correlates of War or the Gleditsch–Ward state list.
    directed : bool
        Both orders of every pair (default: one row per pair with ``ccode1 < ccode2``,
        ``gwcode1 < gwcode2`` for ``system="gw"``).
    years : (int, int), int or None
        First and last year (default: the whole list).
    politically_relevant : bool
        Keep contiguous dyads (any COW direct-contiguity type, land or up to 400 miles of
        water) and dyads with a COW major power on either side; uses the ``contiguity``
        and ``majors`` add-ons and keeps their columns.
    mry : bool or int
        Extend states alive at the end of the list to the most recently concluded year
        (``True``) or to this year.

    Returns
    -------
    Panel
        Keys ``ccode1``, ``ccode2`` (``gwcode1``, ``gwcode2``) and ``year``.
    """
    from allyscope.store import open_warehouse

    system = _check_system(system)
    yrs = _check_years(years, system, mry)
    last = mry_year(mry, system)
    wh = open_warehouse()
    key = _BaseKey(wh.data_hash, "dyad-year", system, yrs, last, bool(directed))
    df, cache = _base_with_cache(key, mry)
    p = Panel(
        df,
        "dyad-year",
        system,
        bool(directed),
        yrs,
        last,
        sources=(SYSTEM_SOURCES[system],),
        _cache=cache,
    )
    if politically_relevant:
        p = filter_politically_relevant(p)
    return p


def filter_politically_relevant(panel: Panel) -> Panel:
    """Keep politically relevant dyad-years: directly contiguous (COW types 1-5) or with a
    COW major power on either side (Weede 1976; Lemke and Reed 2001). Years outside the
    contiguity and major-power data (COW contiguity and major powers end in 2016) cannot be
    classified: requesting them raises an error rather than guessing."""
    if panel.unit != "dyad-year":
        raise InvalidInputError(
            "political relevance is defined for dyad-years only",
            "use dyad_years(..., politically_relevant=True)",
        )
    end = min(coverage("contiguity")[1], coverage("major_powers")[1])
    if panel.years[1] > end:
        raise InvalidInputError(
            f"political relevance needs COW contiguity and major-power data, which end in {end}; "
            f"the panel runs to {panel.years[1]}",
            f"limit the years to {end} or earlier",
        )
    p = panel
    if "contiguity" not in p.addons:
        p = p.add("contiguity")
    if "majors" not in p.addons:
        p = p.add("majors")
    from allyscope.panel.addons import suffixed

    prd = (
        (pl.col("cow_conttype") >= 1)
        | (pl.col(suffixed("cow_majpow", 1)) == 1)
        | (pl.col(suffixed("cow_majpow", 2)) == 1)
    )
    return replace(p, df=p.df.filter(prd), politically_relevant=True, _cache={})
