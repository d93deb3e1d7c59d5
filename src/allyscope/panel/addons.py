"""The add-on registry: named, documented, vectorized column builders for panels.

An *add-on* adds columns from one source to a state-year or dyad-year panel
(``dyad_years().add("atop")``, ``allyscope panel dyad-years --add atop``). Built-in
add-ons live in :mod:`allyscope.panel.builtin`; any other module may register its own,
and they become available everywhere: ``Panel.add(name)``, ``Panel.add_<name>()``,
the command line's ``--add`` and ``--list-addons``.

Contract for an add-on
----------------------
Register an :class:`AddOn` with :func:`register` (or decorate the function with
:func:`addon`). It declares

``name`` / ``aliases``
    a snake_case name that is unique across the registry, and other names users may type
    (``"capabilities"`` for ``"nmc"``). Lookup is case-insensitive, ``-`` equals ``_``.
``units``
    the panel units it supports: ``"state-year"``, ``"dyad-year"`` or both.
``systems``
    the state systems it supports (``"cow"``, ``"gw"``).
``sources``
    warehouse tables it reads (names from :mod:`allyscope.sources`). The panel checks
    they are built before calling the function, cites them in ``panel.citations()`` and
    lists them in ``panel.sources``.
``citations``
    extra BibTeX keys (from ``allyscope/sources/citations.bib``) beyond the sources' own.
``coverage``
    ``(first_year, last_year)`` of the data, a mapping ``{"cow": (..), "gw": (..)}`` or
    ``None`` for time-invariant data. The registry sets every column the add-on creates
    to null in panel years outside this range (missing is not zero) and refuses to add
    the add-on to a panel none of whose years it covers.
``definition``
    plain-language definition of every column (shown by ``--list-addons`` and docs).
``func``
    ``func(df, ctx, **options) -> polars.DataFrame``. ``df`` is the panel's table,
    ``ctx`` a :class:`PanelContext` (unit, system, directed, years, key columns,
    warehouse). It must return a table with the same rows in the same order and all
    of ``df``'s columns unchanged, plus one or more new columns; it must be vectorized
    (joins and expressions, never a Python loop over rows). Inside a source's coverage a
    dyad-year that an event table does not list is 0 (no event), not null.

The registry checks the returned table (same height and keys, new columns only) and
raises :class:`~allyscope.errors.AllyscopeError` subclasses with a hint on bad input.

Helpers for add-on authors: :func:`join_state_vars` (state-year variables onto either
unit, suffixed ``1``/``2`` on dyads), :func:`join_dyad_vars` (non-directed dyad-year
variables onto either a directed or a non-directed dyad panel) and
:func:`codes_in_system` (translate codes between COW and Gleditsch-Ward state-years).

Discovery
---------
Add-ons register themselves when their module is imported. Besides the built-ins, the
registry imports, on first lookup, every module ``allyscope.<package>.panel_addons`` that
exists in an installed allyscope subpackage, and every module named by an entry point in
the group ``allyscope.panel_addons`` (for third-party packages). Example::

    # allyscope/un/panel_addons.py
    from allyscope.panel.addons import AddOn, join_dyad_vars, register

    def _affinity(df, ctx, **opts):
        scores = ...  # a non-directed dyad-year table: ccode1, ccode2, year, un_affinity
        return join_dyad_vars(df, ctx, scores, ["un_affinity"])

    register(AddOn(name="un_affinity", func=_affinity, units=("dyad-year",),
                   sources=("un_votes", "un_roll_calls"), coverage=(1946, 2019),
                   definition="un_affinity: ..."))
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from allyscope.errors import AllyscopeError, InvalidInputError, UnknownNameError

if TYPE_CHECKING:
    from allyscope.store import Warehouse

log = logging.getLogger(__name__)

Unit = Literal["state-year", "dyad-year"]
UNITS: tuple[str, ...] = ("state-year", "dyad-year")
SYSTEMS: tuple[str, ...] = ("cow", "gw")

#: entry-point group scanned for add-on modules of other packages
ENTRY_POINT_GROUP = "allyscope.panel_addons"


class AddOnError(AllyscopeError):
    """An add-on cannot be applied to this panel, or broke the add-on contract."""


@dataclass(frozen=True)
class PanelContext:
    """What an add-on function knows about the panel it extends."""

    unit: str
    system: str
    directed: bool
    years: tuple[int, int]
    #: the last year of a panel extended beyond the end of the state list, else None
    mry: int | None = None

    @property
    def code(self) -> str:
        """The state-code column of this system: ``ccode`` (COW) or ``gwcode`` (GW)."""
        return "ccode" if self.system == "cow" else "gwcode"

    @property
    def code1(self) -> str:
        return self.code + "1"

    @property
    def code2(self) -> str:
        return self.code + "2"

    @property
    def keys(self) -> list[str]:
        if self.unit == "state-year":
            return [self.code, "year"]
        return [self.code1, self.code2, "year"]

    @property
    def is_dyadic(self) -> bool:
        return self.unit == "dyad-year"

    @property
    def warehouse(self) -> Warehouse:
        from allyscope.store import open_warehouse

        return open_warehouse()


AddOnFunc = Callable[..., pl.DataFrame]


@dataclass(frozen=True)
class AddOn:
    """A registered panel add-on (see the module documentation for the contract)."""

    name: str
    func: AddOnFunc
    units: tuple[str, ...]
    sources: tuple[str, ...]
    definition: str
    coverage: tuple[int, int] | Mapping[str, tuple[int, int]] | None
    title: str = ""
    aliases: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()
    systems: tuple[str, ...] = SYSTEMS
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)
    notes: str = ""
    module: str = ""

    def __post_init__(self) -> None:
        if not self.name or _norm(self.name) != self.name:
            raise ValueError(f"add-on name {self.name!r} must be lower-case snake_case")
        bad = [u for u in self.units if u not in UNITS]
        if bad or not self.units:
            raise ValueError(f"add-on {self.name!r}: units must be among {UNITS}, got {self.units}")
        bad = [s for s in self.systems if s not in SYSTEMS]
        if bad or not self.systems:
            raise ValueError(f"add-on {self.name!r}: systems must be among {SYSTEMS}")
        if not self.definition.strip():
            raise ValueError(f"add-on {self.name!r} needs a definition")

    def coverage_for(self, system: str) -> tuple[int, int] | None:
        """Years the add-on's data cover in ``system`` (``None``: time-invariant)."""
        cov = self.coverage
        if cov is None:
            return None
        if isinstance(cov, Mapping):
            return cov.get(system)
        return (int(cov[0]), int(cov[1]))

    @cached_property
    def all_citations(self) -> tuple[str, ...]:
        """BibTeX keys: the sources' citations, then the add-on's own, without repeats."""
        from allyscope.sources import get

        keys: list[str] = []
        for s in self.sources:
            keys.extend(get(s).citations)
        keys.extend(self.citations)
        return tuple(dict.fromkeys(keys))

    def describe(self) -> dict[str, Any]:
        cov = self.coverage
        if isinstance(cov, Mapping):
            cov_text = "; ".join(f"{k}: {a}-{b}" for k, (a, b) in cov.items())
        elif cov is None:
            cov_text = "time-invariant"
        else:
            cov_text = f"{cov[0]}-{cov[1]}"
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "title": self.title,
            "units": list(self.units),
            "systems": list(self.systems),
            "coverage": cov_text,
            "sources": list(self.sources),
            "citations": list(self.all_citations),
            "definition": self.definition,
            "options": dict(self.options),
            "notes": self.notes,
        }


# -- the registry ------------------------------------------------------------------------

_REGISTRY: dict[str, AddOn] = {}
_ALIASES: dict[str, str] = {}
_LOCK = threading.RLock()
_discovered = False
_discovery_failures: dict[str, str] = {}


def _norm(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def register(addon: AddOn, *, replace: bool = False) -> AddOn:
    """Add ``addon`` to the registry. A clashing name or alias raises unless ``replace``."""
    with _LOCK:
        names = [addon.name, *(_norm(a) for a in addon.aliases)]
        if not replace:
            for n in names:
                owner = _ALIASES.get(n)
                if owner is not None and owner != addon.name:
                    raise ValueError(f"add-on name {n!r} is already used by add-on {owner!r}")
            if addon.name in _REGISTRY:
                raise ValueError(f"an add-on named {addon.name!r} is already registered")
        else:
            old = _REGISTRY.get(addon.name)
            if old is not None:
                for a in old.aliases:
                    _ALIASES.pop(_norm(a), None)
        _REGISTRY[addon.name] = addon
        for n in names:
            _ALIASES[n] = addon.name
    return addon


def addon(
    name: str,
    *,
    units: Sequence[str],
    sources: Sequence[str],
    definition: str,
    coverage: tuple[int, int] | Mapping[str, tuple[int, int]] | None,
    **kw: Any,
) -> Callable[[AddOnFunc], AddOnFunc]:
    """Decorator form of :func:`register`: ``@addon("name", units=..., ...)``."""

    def deco(func: AddOnFunc) -> AddOnFunc:
        register(
            AddOn(
                name=name,
                func=func,
                units=tuple(units),
                sources=tuple(sources),
                definition=definition,
                coverage=coverage,
                module=func.__module__,
                **kw,
            )
        )
        return func

    return deco


def unregister(name: str) -> None:
    """Remove an add-on (mainly for tests)."""
    with _LOCK:
        a = _REGISTRY.pop(name, None)
        if a is not None:
            for n in [a.name, *(_norm(x) for x in a.aliases)]:
                if _ALIASES.get(n) == a.name:
                    _ALIASES.pop(n)


def discover() -> None:
    """Import the built-in add-ons and every add-on provider module (once per process)."""
    global _discovered
    if _discovered:
        return
    with _LOCK:
        if _discovered:
            return
        importlib.import_module("allyscope.panel.builtin")
        for mod in _provider_modules():
            try:
                importlib.import_module(mod)
            except Exception as exc:  # one broken provider must not break every panel
                _discovery_failures[mod] = f"{type(exc).__name__}: {exc}"
                log.warning("panel add-ons from %s are unavailable: %s", mod, exc)
        _discovered = True


def _provider_modules() -> list[str]:
    from importlib.metadata import entry_points
    from pathlib import Path

    import allyscope

    mods: list[str] = []
    for info in pkgutil.iter_modules(allyscope.__path__):
        if not info.ispkg or info.name == "panel":
            continue
        for base in allyscope.__path__:
            d = Path(base) / info.name
            if (d / "panel_addons.py").is_file() or (d / "panel_addons").is_dir():
                mods.append(f"allyscope.{info.name}.panel_addons")
                break
    try:
        eps = entry_points(group=ENTRY_POINT_GROUP)
    except Exception:  # pragma: no cover - broken metadata
        eps = []
    mods.extend(ep.value.split(":")[0] for ep in eps)
    return list(dict.fromkeys(mods))


def get(name: str) -> AddOn:
    """The add-on called ``name`` (or one of its aliases); unknown names raise with suggestions."""
    discover()
    key = _norm(str(name))
    with _LOCK:
        canonical = _ALIASES.get(key)
        if canonical is not None:
            return _REGISTRY[canonical]
        choices = sorted(_ALIASES)
    hint = "`allyscope panel dyad-years --list-addons` lists them"
    if _discovery_failures:
        failed = ", ".join(sorted(_discovery_failures))
        hint += f"; add-ons of {failed} failed to load"
    raise UnknownNameError("panel add-on", str(name), choices, hint)


def available(unit: str | None = None, system: str | None = None) -> list[AddOn]:
    """Registered add-ons (optionally only those for ``unit`` and ``system``), by name."""
    discover()
    with _LOCK:
        out = sorted(_REGISTRY.values(), key=lambda a: a.name)
    if unit is not None:
        out = [a for a in out if unit in a.units]
    if system is not None:
        out = [a for a in out if system in a.systems]
    return out


def parse_names(spec: str | Iterable[str]) -> list[AddOn]:
    """Resolve ``"atop,nmc igo"`` (comma- or space-separated) or a list of names."""
    items = spec.replace(",", " ").split() if isinstance(spec, str) else list(spec)
    out: list[AddOn] = []
    for item in items:
        if not str(item).strip():
            continue
        a = get(item)
        if a not in out:
            out.append(a)
    if not out:
        raise InvalidInputError("no add-on named", "give names such as 'atop,nmc,contiguity'")
    return out


# -- applying one add-on ------------------------------------------------------------------


def apply(a: AddOn, df: pl.DataFrame, ctx: PanelContext, **options: Any) -> pl.DataFrame:
    """Run add-on ``a`` on ``df`` and check the contract; return the extended table.

    Columns the add-on creates are null in years outside its coverage.
    """
    if ctx.unit not in a.units:
        raise AddOnError(
            f"add-on {a.name!r} works on {' and '.join(a.units)} panels, not on {ctx.unit} panels",
            "`allyscope panel state-years --list-addons` lists the state-year add-ons",
        )
    if ctx.system not in a.systems:
        raise AddOnError(
            f"add-on {a.name!r} is available for the {'/'.join(a.systems).upper()} system(s), "
            f"not {ctx.system.upper()}",
            f"build the panel with system={a.systems[0]!r}",
        )
    unknown = set(options) - set(a.options)
    if unknown:
        raise InvalidInputError(
            f"add-on {a.name!r} has no option {sorted(unknown)[0]!r}",
            f"its options are: {', '.join(a.options) or 'none'}",
        )
    cov = a.coverage_for(ctx.system)
    y0, y1 = ctx.years
    if cov is not None and (y1 < cov[0] or y0 > cov[1]):
        raise AddOnError(
            f"add-on {a.name!r} covers {cov[0]}-{cov[1]}, none of the panel's years {y0}-{y1}",
            f"choose years within {cov[0]}-{cov[1]} or leave out {a.name!r}",
        )
    if a.sources:
        ctx.warehouse.require(*a.sources)
    out = a.func(df, ctx, **options)
    _check(a, df, out, ctx)
    new = [c for c in out.columns if c not in df.columns]
    if cov is not None and (y0 < cov[0] or y1 > cov[1]):
        inside = pl.col("year").is_between(cov[0], cov[1])
        out = out.with_columns(
            pl.when(inside).then(pl.col(c)).otherwise(None).alias(c) for c in new
        )
    return out


def _check(a: AddOn, df: pl.DataFrame, out: object, ctx: PanelContext) -> None:
    where = f"add-on {a.name!r} ({a.module or a.func.__module__})"
    if not isinstance(out, pl.DataFrame):
        raise AddOnError(f"{where} returned {type(out).__name__}, not a polars DataFrame")
    if out.height != df.height:
        raise AddOnError(f"{where} changed the number of rows from {df.height:,} to {out.height:,}")
    missing = [c for c in df.columns if c not in out.columns]
    if missing:
        raise AddOnError(f"{where} dropped columns {missing}")
    new = [c for c in out.columns if c not in df.columns]
    if not new:
        raise AddOnError(f"{where} added no column")
    if not out.select(ctx.keys).equals(df.select(ctx.keys)):
        raise AddOnError(f"{where} reordered or changed the panel's key columns {ctx.keys}")


# -- helpers for add-on authors -----------------------------------------------------------


def suffixed(name: str, side: int) -> str:
    """Column name of a state variable for side 1 or 2 of a dyad: ``cinc`` -> ``cinc1``;
    names ending in a digit get an underscore (``polity2`` -> ``polity2_1``)."""
    return f"{name}_{side}" if name[-1:].isdigit() else f"{name}{side}"


def codes_in_system(table: pl.DataFrame, code: str, target_system: str) -> pl.DataFrame:
    """Translate a state-year table keyed by ``code`` (``"ccode"`` or ``"gwcode"``) and
    ``year`` into the codes of ``target_system``, year by year, through peacesciencer's
    COW/GW state-year crosswalks. Rows without a counterpart that year are dropped."""
    if code not in ("ccode", "gwcode"):
        raise InvalidInputError(
            f"codes_in_system: unknown code column {code!r}", "use ccode or gwcode"
        )
    source_system = "cow" if code == "ccode" else "gw"
    if source_system == target_system:
        return table
    dst = "gwcode" if code == "ccode" else "ccode"
    cw = _crosswalk(source_system)
    out = table.with_columns(pl.col(code).cast(pl.Int32), pl.col("year").cast(pl.Int32)).join(
        cw, on=[code, "year"], how="inner"
    )
    out = out.drop(code)
    return out.unique(subset=[dst, "year"], keep="first", maintain_order=True)


def dyad_codes_in_system(table: pl.DataFrame, code: str, target_system: str) -> pl.DataFrame:
    """Translate a dyad-year table keyed by ``<code>1``, ``<code>2`` and ``year`` into the
    codes of ``target_system`` (each side year by year; rows either side of which has no
    counterpart are dropped)."""
    source_system = "cow" if code == "ccode" else "gw"
    if source_system == target_system:
        return table
    dst = "gwcode" if code == "ccode" else "ccode"
    cw = _crosswalk(source_system)
    out = table.with_columns(pl.col("year").cast(pl.Int32))
    for side in (1, 2):
        out = out.join(
            cw.rename({code: f"{code}{side}", dst: f"{dst}{side}"}),
            on=[f"{code}{side}", "year"],
            how="inner",
        ).drop(f"{code}{side}")
    return out


_CW_CACHE: dict[tuple[str, str], pl.DataFrame] = {}


def _crosswalk(source_system: str) -> pl.DataFrame:
    """(source code, year) -> target code, one target per source state-year."""
    from allyscope.store import open_warehouse

    wh = open_warehouse()
    key = (wh.data_hash, source_system)
    cw = _CW_CACHE.get(key)
    if cw is None:
        src, dst, tab = (
            ("ccode", "gwcode", "cow_gw_years")
            if source_system == "cow"
            else ("gwcode", "ccode", "gw_cow_years")
        )
        cw = wh.sql(
            f"SELECT DISTINCT CAST({src} AS INTEGER) AS {src}, CAST(year AS INTEGER) AS year, "
            f"CAST({dst} AS INTEGER) AS {dst} FROM {tab} "
            f"WHERE {src} IS NOT NULL AND {dst} IS NOT NULL ORDER BY {src}, year, {dst}"
        ).unique(subset=[src, "year"], keep="first", maintain_order=True)
        _CW_CACHE[key] = cw
    return cw


def join_state_vars(
    df: pl.DataFrame,
    ctx: PanelContext,
    table: pl.DataFrame,
    columns: Sequence[str],
    *,
    code: str | None = None,
    rename: Mapping[str, str] | None = None,
    fill: Mapping[str, Any] | None = None,
) -> pl.DataFrame:
    """Join state-year variables onto a panel.

    ``table`` has a state code column (``code``: ``ccode`` or ``gwcode``; default the
    panel's), ``year`` and ``columns``. On a state-year panel each column is added as
    ``rename.get(col, col)``; on a dyad-year panel as ``suffixed(name, 1)`` and
    ``suffixed(name, 2)``. ``fill`` gives values for panel rows the table lacks (e.g. 0
    for event counts); otherwise they stay null. Codes of the other system are
    translated year by year.
    """
    code = code or ctx.code
    rename = dict(rename or {})
    tab = table.select(pl.col(code).cast(pl.Int32), pl.col("year").cast(pl.Int32), *columns)
    if code != ctx.code:
        tab = codes_in_system(tab, code, ctx.system)
    tab = tab.rename({c: rename.get(c, c) for c in columns})
    names = [rename.get(c, c) for c in columns]
    fill = {rename.get(k, k): v for k, v in (fill or {}).items()}
    if ctx.unit == "state-year":
        out = df.join(tab, on=[ctx.code, "year"], how="left", maintain_order="left")
        return out.with_columns(pl.col(n).fill_null(v) for n, v in fill.items())
    out = df
    for side in (1, 2):
        side_tab = tab.rename(
            {ctx.code: f"{ctx.code}{side}", **{n: suffixed(n, side) for n in names}}
        )
        out = out.join(
            side_tab, on=[f"{ctx.code}{side}", "year"], how="left", maintain_order="left"
        )
    return out.with_columns(
        pl.col(suffixed(n, s)).fill_null(v) for n, v in fill.items() for s in (1, 2)
    )


def join_dyad_vars(
    df: pl.DataFrame,
    ctx: PanelContext,
    table: pl.DataFrame,
    columns: Sequence[str],
    *,
    code: str | None = None,
    fill: Mapping[str, Any] | None = None,
    symmetric: bool = True,
) -> pl.DataFrame:
    """Join non-directed dyad-year variables (``<code>1 < <code>2``, ``year``) onto a
    dyad-year panel, directed or not.

    With ``symmetric`` (default) a directed panel gets the same value for (a, b) and
    (b, a); the table may list either order and is normalized first (duplicates after
    normalizing must not occur). ``fill`` gives values for dyad-years the table does
    not list (0 for event data inside its coverage).
    """
    code = code or ctx.code
    c1, c2 = f"{code}1", f"{code}2"
    tab = table.select(
        pl.min_horizontal(c1, c2).cast(pl.Int32).alias("__a"),
        pl.max_horizontal(c1, c2).cast(pl.Int32).alias("__b"),
        pl.col("year").cast(pl.Int32),
        *columns,
    )
    if code != ctx.code:
        tab = (
            dyad_codes_in_system(tab.rename({"__a": c1, "__b": c2}), code, ctx.system)
            .select(
                pl.min_horizontal(ctx.code1, ctx.code2).alias("__a"),
                pl.max_horizontal(ctx.code1, ctx.code2).alias("__b"),
                "year",
                *columns,
            )
            .unique(subset=["__a", "__b", "year"], keep="first", maintain_order=True)
        )
    if not symmetric:
        raise NotImplementedError("directional dyad variables: join on the panel's keys directly")
    k1, k2 = ctx.code1, ctx.code2
    if ctx.directed:
        keyed = df.with_columns(
            pl.min_horizontal(k1, k2).alias("__a"), pl.max_horizontal(k1, k2).alias("__b")
        )
        out = keyed.join(tab, on=["__a", "__b", "year"], how="left", maintain_order="left").drop(
            "__a", "__b"
        )
    else:
        out = df.join(
            tab.rename({"__a": k1, "__b": k2}),
            on=[k1, k2, "year"],
            how="left",
            maintain_order="left",
        )
    if fill:
        out = out.with_columns(pl.col(n).fill_null(v) for n, v in fill.items())
    return out


__all__ = [
    "ENTRY_POINT_GROUP",
    "SYSTEMS",
    "UNITS",
    "AddOn",
    "AddOnError",
    "PanelContext",
    "addon",
    "apply",
    "available",
    "codes_in_system",
    "discover",
    "dyad_codes_in_system",
    "get",
    "join_dyad_vars",
    "join_state_vars",
    "parse_names",
    "register",
    "suffixed",
    "unregister",
]
