"""State-year and dyad-year panels with composable add-ons.

>>> from allyscope.panel import dyad_years
>>> p = dyad_years(years=(1946, 2014)).add_atop().add_nmc().add_contiguity()
>>> p.df          # polars; p.to_pandas(), p.to_arrow()
>>> print(p.citations())

Every add-on has one name. Registering the add-on ``nmc`` makes the method
``Panel.add_nmc()`` and the function ``add_nmc(panel)`` in this package, both generated
from the add-on's declaration; ``panel.add("nmc")`` and the command line's ``--add nmc``
take the same name (or an alias). See :mod:`allyscope.panel.addons` for the contract and
``docs/addons.md`` for every add-on's definition, coverage and citations.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import lazy_loader as _lazy

if TYPE_CHECKING:
    import polars as pl

    # typed signatures for type checkers and editors; at run time the functions are
    # made from the registry on first use (``__getattr__`` below)
    from allyscope.panel import addons
    from allyscope.panel._verbs import *  # noqa: F403
    from allyscope.panel.addons import AddOn, PanelContext, available, register
    from allyscope.panel.core import (
        LIST_END,
        Panel,
        dyad_years,
        filter_politically_relevant,
        membership_spells,
        state_years,
    )

# submodules load on first use: importing the package stays cheap (fast start-up)
_lazy_getattr, _, _ = _lazy.attach(
    __name__,
    submodules=["addons", "builtin", "core"],
    submod_attrs={
        "addons": ["AddOn", "PanelContext", "available", "register"],
        "core": [
            "LIST_END",
            "Panel",
            "dyad_years",
            "filter_politically_relevant",
            "membership_spells",
            "state_years",
        ],
    },
)


def __getattr__(name: str) -> Any:
    """``add_<name>(panel, ...)`` for every registered add-on, made from its declaration;
    everything else from the submodules on first use."""
    if not name.startswith("add_"):
        return _lazy_getattr(name)
    from allyscope.panel import addons
    from allyscope.panel.core import RENAMED_VERBS

    if name in RENAMED_VERBS:
        new = f"add_{RENAMED_VERBS[name]}"
        warnings.warn(f"allyscope.panel.{name} is now {new}", DeprecationWarning, stacklevel=2)
        name = new
    addons.discover()
    a = next((x for x in addons.available() if x.verb_name == name), None)
    if a is not None:
        fn = a.function()
        globals()[name] = fn
        return fn
    raise AttributeError(f"module 'allyscope.panel' has no attribute {name!r}")


def __dir__() -> list[str]:
    from allyscope.panel import addons

    return sorted({*globals(), *__all__, *(a.verb_name for a in addons.available())})


def joint_exercises(a: str | int, b: str | int, year: int | None = None) -> pl.DataFrame:
    """The MME exercises in which states ``a`` and ``b`` both took part (see builtin)."""
    from allyscope.panel.builtin import joint_exercises as _je

    return _je(a, b, year)


__all__ = [
    "LIST_END",
    "AddOn",
    "Panel",
    "PanelContext",
    "addons",
    "available",
    "dyad_years",
    "filter_politically_relevant",
    "joint_exercises",
    "membership_spells",
    "register",
    "state_years",
]
