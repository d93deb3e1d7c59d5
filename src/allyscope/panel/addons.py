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
    lists them in ``panel.sources``. If it reads only some of them depending on the panel
    (unit or system), ``pick_sources(ctx)`` returns that subset.
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

One name per add-on
-------------------
The add-on's ``name`` is the only name that code sees: registering ``"nmc"`` creates the
method ``Panel.add_nmc()`` and the function ``allyscope.panel.add_nmc(panel)`` from the same
declaration, with the keyword options of ``func`` as typed keyword-only parameters and a
docstring made from ``title``, ``definition``, ``coverage`` and ``sources`` (so ``help()``
shows them). Aliases are accepted only where a name is given as a string
(``panel.add("capabilities")``, ``--add capabilities``).

Discovery
---------
Add-ons register themselves when their module is imported. On first lookup the registry
imports every module named by an entry point in the group ``allyscope.panel_addons``:
allyscope declares its own add-on modules there, exactly as a third-party package does in
its ``pyproject.toml``::

    [project.entry-points."allyscope.panel_addons"]
    mypackage = "mypackage.allyscope_addons"

Modules named ``allyscope.<package>.panel_addons`` inside allyscope are also imported when
no entry point names them (a source checkout that was not reinstalled). Example::

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
import inspect
import logging
import pkgutil
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from allyscope.errors import AllyscopeError, InvalidInputError, UnknownNameError

if TYPE_CHECKING:
    from allyscope.panel.core import Panel
    from allyscope.store import Warehouse

log = logging.getLogger(__name__)

Unit = Literal["state-year", "dyad-year"]
UNITS: tuple[str, ...] = ("state-year", "dyad-year")
SYSTEMS: tuple[str, ...] = ("cow", "gw")

#: entry-point group naming the modules that register add-ons (allyscope's own included)
ENTRY_POINT_GROUP = "allyscope.panel_addons"

#: names an add-on may not take: their ``add_<name>`` is a Panel method already
RESERVED_NAMES = frozenset({"many"})


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
    #: scratch space shared by add-ons while the panel's keys stay the same
    cache: dict[str, Any] | None = field(default=None, compare=False, repr=False)

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
    #: optional: the subset of ``sources`` a given panel reads (e.g. only the GW table
    #: on a GW panel); default: all of ``sources``
    pick_sources: Callable[[PanelContext], Sequence[str]] | None = None

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
        if self.name in RESERVED_NAMES:
            raise ValueError(f"add-on name {self.name!r} is reserved (Panel.add_{self.name})")
        params = self._func_params()
        missing = [o for o in self.options if o not in params and not self._takes_kwargs()]
        if missing:
            raise ValueError(
                f"add-on {self.name!r}: option(s) {missing} are not parameters of its function"
            )

    # -- the generated verb ------------------------------------------------------------

    @property
    def verb_name(self) -> str:
        """The name of the generated method and function: ``add_<name>``."""
        return f"add_{self.name}"

    def _func_params(self) -> dict[str, inspect.Parameter]:
        try:
            sig = inspect.signature(self.func)
        except (TypeError, ValueError):  # builtins without a signature: options only
            return {}
        plain = [
            p
            for p in sig.parameters.values()
            if p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
        ]
        return {p.name: p for p in plain[2:]}  # after (df, ctx)

    def _takes_kwargs(self) -> bool:
        try:
            sig = inspect.signature(self.func)
        except (TypeError, ValueError):
            return True
        return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())

    def option_parameters(self) -> list[inspect.Parameter]:
        """The declared ``options`` as keyword-only parameters, typed and with defaults
        taken from the add-on function's signature."""
        params = self._func_params()
        out = []
        for opt in self.options:
            src = params.get(opt)
            default = src.default if src is not None else None
            if default is inspect.Parameter.empty:
                default = inspect.Parameter.empty
            annotation = src.annotation if src is not None else Any
            out.append(
                inspect.Parameter(
                    opt, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
                )
            )
        return out

    def docstring(self) -> str:
        """The generated verb's docstring (numpydoc sections)."""
        d = self.describe()
        lines = [f"{self.title or self.name} (add-on ``{self.name}``).", ""]
        if self.options:
            lines += ["Parameters", "----------"]
            for p in self.option_parameters():
                ann = (
                    p.annotation
                    if isinstance(p.annotation, str)
                    else getattr(p.annotation, "__name__", str(p.annotation))
                )
                lines += [f"{p.name} : {ann}", f"    {self.options[p.name]}"]
            lines.append("")
        lines += [
            "Returns",
            "-------",
            "Panel",
            f"    A new panel with the add-on's columns ({', '.join(self.units)} panels).",
            "",
            "Notes",
            "-----",
            *self.definition.strip().splitlines(),
            "",
            f"Coverage: {d['coverage']} (null outside). "
            f"Sources: {', '.join(self.sources) or 'none'}.",
        ]
        if self.notes:
            lines += ["", *self.notes.strip().splitlines()]
        return "\n".join(lines)

    def _signature(self, first: str, first_ann: Any) -> inspect.Signature:
        head = inspect.Parameter(
            first, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=first_ann
        )
        return inspect.Signature([head, *self.option_parameters()], return_annotation="Panel")

    def method(self) -> Callable[..., Panel]:
        """``Panel.add_<name>``: the method generated from this declaration."""
        name = self.name

        def verb(self: Panel, **options: Any) -> Panel:
            return self.add(name, **options)

        return self._dress(verb, self._signature("self", inspect.Parameter.empty), "Panel.")

    def function(self) -> Callable[..., Panel]:
        """``allyscope.panel.add_<name>(panel, ...)``: the function form of the same verb."""
        name = self.name

        def verb(panel: Panel, **options: Any) -> Panel:
            return panel.add(name, **options)

        return self._dress(verb, self._signature("panel", "Panel"), "")

    def _dress(self, fn: Callable[..., Any], sig: inspect.Signature, owner: str) -> Any:
        fn.__name__ = self.verb_name
        fn.__qualname__ = owner + self.verb_name
        fn.__module__ = "allyscope.panel"
        fn.__doc__ = self.docstring()
        fn.__signature__ = sig  # type: ignore[attr-defined]
        fn.__allyscope_addon__ = self.name  # type: ignore[attr-defined]
        return fn

    def coverage_for(self, system: str) -> tuple[int, int] | None:
        """Years the add-on's data cover in ``system`` (``None``: time-invariant)."""
        cov = self.coverage
        if cov is None:
            return None
        if isinstance(cov, Mapping):
            return cov.get(system)
        return (int(cov[0]), int(cov[1]))

    def sources_used(self, ctx: PanelContext) -> tuple[str, ...]:
        """The warehouse tables this add-on reads for the panel described by ``ctx``."""
        if self.pick_sources is None:
            return self.sources
        return tuple(self.pick_sources(ctx))

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
_LISTENERS: list[Callable[[AddOn], None]] = []
_REMOVERS: list[Callable[[AddOn], None]] = []


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
        listeners = list(_LISTENERS)
    for callback in listeners:
        callback(addon)
    return addon


def on_register(
    callback: Callable[[AddOn], None], on_unregister: Callable[[AddOn], None] | None = None
) -> None:
    """Call ``callback(addon)`` for every add-on registered so far and every later one
    (this is how ``Panel.add_<name>`` methods are made), and ``on_unregister(addon)`` when
    one is removed."""
    with _LOCK:
        _LISTENERS.append(callback)
        if on_unregister is not None:
            _REMOVERS.append(on_unregister)
        existing = list(_REGISTRY.values())
    for a in existing:
        callback(a)


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
        removers = list(_REMOVERS)
    if a is not None:
        for callback in removers:
            callback(a)


def discover(*, rescan: bool = False) -> None:
    """Import every add-on provider module (once per process; ``rescan=True`` reads the
    entry points again, e.g. after installing a package at run time).

    A provider that fails to import is reported (``--list-addons`` and unknown-name
    errors name it) and logged; the add-ons of the others stay usable."""
    global _discovered
    if _discovered and not rescan:
        return
    with _LOCK:
        if _discovered and not rescan:
            return
        if rescan:
            from allyscope.plugins import refresh

            refresh()
        importlib.import_module("allyscope.panel.builtin")
        for mod in provider_modules():
            try:
                importlib.import_module(mod)
            except (ImportError, AllyscopeError, ValueError) as exc:
                # a broken provider (missing dependency, clashing name, bad declaration)
                # must not make every other add-on unusable
                _discovery_failures[mod] = f"{type(exc).__name__}: {exc}"
                log.warning("panel add-ons from %s are unavailable: %s", mod, exc)
        _discovered = True


def discovery_failures() -> dict[str, str]:
    """Provider modules that failed to import, with the error."""
    return dict(_discovery_failures)


def provider_modules() -> list[str]:
    """Modules that register add-ons: entry points of the group ``allyscope.panel_addons``
    (allyscope's own and third-party), then allyscope subpackages' ``panel_addons``
    modules that no entry point names (an uninstalled source checkout)."""
    from allyscope.plugins import entry_point_modules

    return list(
        dict.fromkeys([*entry_point_modules(ENTRY_POINT_GROUP), *builtin_provider_modules()])
    )


def builtin_provider_modules() -> list[str]:
    """The ``allyscope.<package>.panel_addons`` modules found in the installed package."""
    from pathlib import Path

    import allyscope

    mods = ["allyscope.panel.builtin"]
    for info in pkgutil.iter_modules(allyscope.__path__):
        if not info.ispkg or info.name == "panel":
            continue
        for base in allyscope.__path__:
            d = Path(base) / info.name
            if (d / "panel_addons.py").is_file() or (d / "panel_addons").is_dir():
                mods.append(f"allyscope.{info.name}.panel_addons")
                break
    return mods


def get(name: str) -> AddOn:
    """The add-on called ``name`` (or one of its aliases); unknown names raise with suggestions.

    Built-in names resolve without importing other providers; any other name triggers
    :func:`discover` first."""
    key = _norm(str(name))
    if not _discovered:
        importlib.import_module("allyscope.panel.builtin")
        with _LOCK:
            canonical = _ALIASES.get(key)
        if canonical is not None:
            return _REGISTRY[canonical]
        discover()
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
    used = a.sources_used(ctx)
    if used:
        ctx.warehouse.require(*used)
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
    ``year`` into the codes of ``target_system``, year by year, through the
    COW/GW state-year crosswalks. Rows without a counterpart that year are dropped; where
    two states map to one state that year, numeric columns keep their maximum. The
    crosswalks are isard's COW/GW state-year panels (to 2025)."""
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
    return _collapse(out, [dst, "year"])


def _collapse(df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """One row per key: where two states of one system map to the same state of the other
    in a year, numeric columns keep their maximum (an event in either counts) and other
    columns the first value."""
    if df.select(keys).is_unique().all():
        return df
    aggs = [
        (
            pl.col(c).max()
            if df.schema[c].is_numeric() or df.schema[c] == pl.Boolean
            else pl.col(c).first()
        )
        for c in df.columns
        if c not in keys
    ]
    return df.group_by(keys, maintain_order=True).agg(aggs).select(df.columns)


def dyad_codes_in_system(table: pl.DataFrame, code: str, target_system: str) -> pl.DataFrame:
    """Translate a non-directed dyad-year table keyed by ``<code>1``, ``<code>2`` and
    ``year`` into the codes of ``target_system``, side by side and year by year. The result
    keeps the smaller code first; rows either side of which has no counterpart are dropped,
    and rows that fall together are collapsed (numeric maximum)."""
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
    d1, d2 = f"{dst}1", f"{dst}2"
    out = out.with_columns(
        pl.min_horizontal(d1, d2).alias(d1), pl.max_horizontal(d1, d2).alias(d2)
    ).filter(pl.col(d1) != pl.col(d2))
    return _collapse(out, [d1, d2, "year"])


_CW_CACHE: dict[tuple[str, str], pl.DataFrame] = {}


def _crosswalk(source_system: str) -> pl.DataFrame:
    """(source code, year) -> target code, one target per source state-year."""
    from allyscope.store import open_warehouse

    wh = open_warehouse()
    key = (wh.data_hash, source_system)
    cw = _CW_CACHE.get(key)
    if cw is None:
        src, dst, tab = (
            ("ccode", "gwcode", "cow_gw_panel")
            if source_system == "cow"
            else ("gwcode", "ccode", "gw_cow_panel")
        )
        cw = wh.sql(
            f"SELECT DISTINCT CAST({src} AS INTEGER) AS {src}, CAST(year AS INTEGER) AS year, "
            f"CAST({dst} AS INTEGER) AS {dst} FROM {tab} "
            f"WHERE {src} IS NOT NULL AND {dst} IS NOT NULL ORDER BY {src}, year, {dst}"
        ).unique(subset=[src, "year"], keep="first", maintain_order=True)
        _CW_CACHE[key] = cw
    return cw


# -- fast key lookup ---------------------------------------------------------------------
#
# Add-ons attach source columns to a panel of up to a few million rows. Instead of hash
# joins, the panel's keys are mapped once to positions in a dense (year, state[, state])
# grid; a source table is scattered into that grid and the panel gathers from it. Both
# steps are plain numpy indexing, linear in the number of rows.


class _Grid:
    """Dense positions of a panel's keys.

    A *unit* is a state (state grids) or a pair of states (dyad grids) that occurs in the
    panel; units get compact ids ``0 .. nu-1`` and every (year, unit) a cell
    ``(year - y0) * nu + unit``. ``flat`` holds the cell of each panel row."""

    def __init__(self, years: np.ndarray, a: np.ndarray, b: np.ndarray | None) -> None:
        self._lock = threading.Lock()
        self._pos: np.ndarray | None = None
        n = len(years)
        self.y0 = int(years.min()) if n else 0
        self.ny = int(years.max()) - self.y0 + 1 if n else 1
        self.top = int(max(a.max(), b.max() if b is not None else 0)) + 1 if n else 1
        present = np.zeros(self.top, dtype=bool)
        present[a] = True
        if b is not None:
            present[b] = True
        states = np.flatnonzero(present)
        self.k = max(len(states), 1)
        # int32 throughout: cells number at most years x pairs (about 210 x 62,500)
        self.cidx = np.full(self.top, -1, dtype=np.int32)
        self.cidx[states] = np.arange(len(states), dtype=np.int32)
        if b is None:
            self.uid = self.cidx
            self.nu = self.k
            unit = self.cidx[a]
        else:
            pair = self.cidx[a] * self.k + self.cidx[b]
            used = np.zeros(self.k * self.k, dtype=bool)
            used[pair] = True
            self.uid = np.full(self.k * self.k, -1, dtype=np.int32)
            self.nu = int(used.sum()) or 1
            self.uid[used] = np.arange(int(used.sum()), dtype=np.int32)
            unit = self.uid[pair]
        self.unit = unit
        self.flat = (years.astype(np.int32) - np.int32(self.y0)) * np.int32(self.nu) + unit
        self.size = self.ny * self.nu

    def _state(self, a: np.ndarray) -> np.ndarray:
        a = np.asarray(a)
        if len(a) == 0:
            return np.empty(0, dtype=np.int32)
        if a.min() >= 0 and a.max() < self.top:  # the usual case: no clipping needed
            return self.cidx[a]
        ok = (a >= 0) & (a < self.top)
        return np.where(ok, self.cidx[np.clip(a, 0, self.top - 1)], -1)

    def unit_index(self, a: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        """Compact id of each state (or pair a, b) in the panel; -1 if it never occurs."""
        ia = self._state(a)
        if b is None:
            return ia
        ib = self._state(b)
        ok = (ia >= 0) & (ib >= 0)
        return np.where(ok, self.uid[np.where(ok, ia * self.k + ib, 0)], -1)

    def cells(
        self, years: np.ndarray, a: np.ndarray, b: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cell numbers of table keys that fall in the grid, and their row numbers."""
        unit = self.unit_index(a, b)
        yi = np.asarray(years, dtype=np.int32) - np.int32(self.y0)
        ok = (unit >= 0) & (yi >= 0) & (yi < self.ny)
        if ok.all():
            return yi * np.int32(self.nu) + unit, np.arange(len(unit), dtype=np.int32)
        rows = np.flatnonzero(ok).astype(np.int32)
        return yi[rows] * np.int32(self.nu) + unit[rows], rows

    def lookup(self, years: np.ndarray, a: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        """For each panel row, the table row with the same key, or -1."""
        cells, rows = self.cells(years, a, b)
        with self._lock:
            # one scratch array per grid, reset after use (allocating it anew for every
            # add-on costs more than the lookup itself)
            if self._pos is None:
                self._pos = np.full(self.size, -1, dtype=np.int32)
            pos = self._pos
            try:
                pos[cells] = rows
                if len(rows) and not np.array_equal(pos[cells], rows):
                    what = "state-year" if b is None else "dyad-year"
                    raise AddOnError(f"the add-on's table lists some {what} more than once")
                return pos[self.flat]
            finally:
                pos[cells] = -1


def _np(s: pl.Series) -> np.ndarray:
    """Integer codes or years as numpy (nulls as -1; no copy when there is nothing to do)."""
    if s.dtype.is_integer() and s.null_count() == 0:
        return s.to_numpy()
    return s.cast(pl.Int64).fill_null(-1).to_numpy()


def _grid(df: pl.DataFrame, ctx: PanelContext, kind: str) -> _Grid:
    """The grid for the panel's non-directed dyads (``kind="dyad"``), its directed dyads
    (``"directed"``) or one side's states (``"state"``, ``"state1"``, ``"state2"``),
    cached on the panel while its keys stay."""
    cache = ctx.cache if ctx.cache is not None else {}
    g = cache.get(kind)
    if g is None:
        years = _np(df["year"])
        if kind == "dyad":
            p1, p2 = _np(df[ctx.code1]), _np(df[ctx.code2])
            g = _Grid(years, np.minimum(p1, p2), np.maximum(p1, p2))
        elif kind == "directed":
            g = _Grid(years, _np(df[ctx.code1]), _np(df[ctx.code2]))
        else:
            col = ctx.code if kind == "state" else ctx.code + kind[-1]
            g = _Grid(years, _np(df[col]), None)
        cache[kind] = g
    return g


def _attach(
    df: pl.DataFrame,
    tab: pl.DataFrame,
    rows: np.ndarray,
    names: Mapping[str, str],
    fill: Mapping[str, Any],
) -> pl.DataFrame:
    """Add ``tab``'s columns (renamed by ``names``) taken at ``rows``; rows of -1 (no match)
    get ``fill`` values or null. Done by gathering from ``tab`` plus one filler row."""
    sub = tab.select(pl.col(src).alias(dst) for src, dst in names.items())
    filler = pl.DataFrame([pl.Series(c, [fill.get(c)], dtype=sub.schema[c]) for c in sub.columns])
    ext = pl.concat([sub, filler], how="vertical", rechunk=True)
    idx = np.where(rows < 0, sub.height, rows).astype(np.uint32)
    return df.hstack(ext[pl.Series(idx)])


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
    panel's), ``year`` and ``columns``, one row per state-year. On a state-year panel each
    column is added as ``rename.get(col, col)``; on a dyad-year panel as
    ``suffixed(name, 1)`` and ``suffixed(name, 2)``. ``fill`` (keyed by the original column
    names) gives values for panel rows the table does not list (e.g. 0 for event counts);
    otherwise they stay null. Codes of the other system are translated year by year.
    """
    code = code or ctx.code
    rename = dict(rename or {})
    tab = table.select(pl.col(code).cast(pl.Int32), pl.col("year").cast(pl.Int32), *columns)
    if code != ctx.code:
        tab = codes_in_system(tab, code, ctx.system)
    tab = tab.drop_nulls([ctx.code, "year"])
    tc, ty = _np(tab[ctx.code]), _np(tab["year"])
    out = df
    sides = [""] if ctx.unit == "state-year" else ["1", "2"]
    for side in sides:
        rows = _grid(df, ctx, "state" + side).lookup(ty, tc, None)
        if side:
            names = {c: suffixed(rename.get(c, c), int(side)) for c in columns}
        else:
            names = {c: rename.get(c, c) for c in columns}
        side_fill = {names[c]: v for c, v in (fill or {}).items()}
        out = _attach(out, tab, rows, names, side_fill)
    return out


def join_dyad_vars(
    df: pl.DataFrame,
    ctx: PanelContext,
    table: pl.DataFrame,
    columns: Sequence[str],
    *,
    code: str | None = None,
    fill: Mapping[str, Any] | None = None,
    directional: bool = False,
) -> pl.DataFrame:
    """Join dyad-year variables onto a dyad-year panel, directed or not.

    ``table`` has ``<code>1``, ``<code>2``, ``year`` and ``columns``. By default the
    variables are symmetric: either order of the two codes is accepted (it is normalized),
    each non-directed dyad-year may appear only once, and a directed panel gets the same
    value for (a, b) and (b, a). With ``directional=True`` (directed panels only) the
    table is directed and row (a, b) of the panel takes row (a, b) of the table.
    ``fill`` gives values for dyad-years the table does not list (0 for event data inside
    its coverage). Tables in the other system's codes are translated side by side, year
    by year (symmetric variables only).
    """
    code = code or ctx.code
    c1, c2 = f"{code}1", f"{code}2"
    tab = table.select(
        pl.col(c1).cast(pl.Int32),
        pl.col(c2).cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        *columns,
    )
    if directional:
        if not ctx.directed:
            raise InvalidInputError("directional dyad variables need a directed panel")
        if code != ctx.code:
            raise InvalidInputError(
                f"directional dyad variables keyed by {code} cannot join a {ctx.system.upper()} panel"
            )
        tab = tab.drop_nulls([c1, c2, "year"])
        rows = _grid(df, ctx, "directed").lookup(_np(tab["year"]), _np(tab[c1]), _np(tab[c2]))
        return _attach(df, tab, rows, {c: c for c in columns}, dict(fill or {}))
    if code != ctx.code:
        tab = dyad_codes_in_system(tab, code, ctx.system)
    k1, k2 = ctx.code1, ctx.code2
    tab = tab.drop_nulls([k1, k2, "year"])
    t1, t2 = _np(tab[k1]), _np(tab[k2])
    rows = _grid(df, ctx, "dyad").lookup(_np(tab["year"]), np.minimum(t1, t2), np.maximum(t1, t2))
    return _attach(df, tab, rows, {c: c for c in columns}, dict(fill or {}))


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
    "discovery_failures",
    "dyad_codes_in_system",
    "get",
    "join_dyad_vars",
    "join_state_vars",
    "on_register",
    "parse_names",
    "provider_modules",
    "register",
    "suffixed",
    "unregister",
]
