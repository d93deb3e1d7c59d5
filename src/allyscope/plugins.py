"""Extension points: where allyscope finds commands, panel add-ons, report sections and sources.

allyscope registers its own pieces through the same entry points that any installed
package can use. A package declares them in its ``pyproject.toml``::

    [project.entry-points."allyscope.commands"]
    mytool = "mypackage.cli:register"          # register(app: typer.Typer) -> None

    [project.entry-points."allyscope.panel_addons"]
    mypackage = "mypackage.addons"             # a module that calls panel.addons.register

    [project.entry-points."allyscope.report_sections"]
    mysection = "mypackage.report:SECTION"     # a views.sections.SectionSpec

    [project.entry-points."allyscope.sources"]
    mysource = "mypackage.sources:SOURCE"      # a sources.Source (or a list of them)

Entry points are read from the installed package metadata (``importlib.metadata``); a
source checkout must be installed (``uv sync``) for a new entry point to be seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

#: the entry-point groups allyscope reads, with what each entry point names
GROUPS: dict[str, str] = {
    "allyscope.commands": "a function register(app) that adds Typer commands",
    "allyscope.panel_addons": "a module that registers panel add-ons when imported",
    "allyscope.report_sections": "a SectionSpec (allyscope.views.sections)",
    "allyscope.sources": "a Source, a list of them or a name -> Source mapping",
}


@dataclass(frozen=True)
class Plugin:
    """One entry point: its group, name, target (``module`` or ``module:attr``) and the
    distribution that declares it."""

    group: str
    name: str
    value: str
    dist: str

    @property
    def module(self) -> str:
        return self.value.split(":", 1)[0].strip()

    @property
    def builtin(self) -> bool:
        return self.dist == "allyscope"

    def load(self) -> Any:
        """Import the target (module, or the attribute after the colon)."""
        ep = EntryPoint(name=self.name, value=self.value, group=self.group)
        return ep.load()


@cache
def plugins(group: str) -> tuple[Plugin, ...]:
    """The entry points of ``group``: allyscope's own first, then others by name."""
    if group not in GROUPS:
        raise ValueError(f"unknown entry-point group {group!r}; known: {sorted(GROUPS)}")
    found = []
    for ep in entry_points(group=group):
        dist = ep.dist.metadata["Name"] if ep.dist is not None else ""
        found.append(Plugin(group, ep.name, ep.value, str(dist or "")))
    found.sort(key=lambda p: (not p.builtin, p.name))
    # the same name twice (e.g. two installs of one package) counts once
    unique: dict[str, Plugin] = {}
    for p in found:
        unique.setdefault(p.name, p)
    return tuple(unique.values())


def entry_point_modules(group: str) -> list[str]:
    """The module of each entry point in ``group``, in order, without repeats."""
    return list(dict.fromkeys(p.module for p in plugins(group)))


def refresh() -> None:
    """Forget the entry points read so far (after installing a package at run time)."""
    plugins.cache_clear()


__all__ = ["GROUPS", "Plugin", "entry_point_modules", "plugins", "refresh"]
