"""Upstream data sources: declarations (:mod:`.catalog`), the typed loader (:mod:`.base`)
and how far each input reaches (:mod:`.bounds`).

Sources are registered through the entry-point group ``allyscope.sources``: allyscope's
own catalog is declared there, and an installed package may add :class:`Source`
declarations (a ``Source``, a list of them or a mapping of names to them) the same way;
they are fetched, checked, built into the warehouse and cited like the built-in ones.
"""

from collections.abc import Iterable, Mapping

from allyscope.sources.base import Column, Source, sha256_file
from allyscope.sources.bounds import coverage, currency, current_year, data_through
from allyscope.sources.catalog import SOURCES, bibtex, get, names

#: entry-point group of source declarations
ENTRY_POINT_GROUP = "allyscope.sources"


def _register_plugins() -> None:
    from allyscope.plugins import plugins

    for plugin in plugins(ENTRY_POINT_GROUP):
        obj = plugin.load()
        declared: Iterable[object]
        if isinstance(obj, Source):
            declared = [obj]
        elif isinstance(obj, Mapping):
            declared = list(obj.values())
        else:
            declared = obj
        for src in declared:
            if not isinstance(src, Source):
                raise TypeError(
                    f"entry point {plugin.name!r} ({plugin.value}) of {ENTRY_POINT_GROUP} "
                    f"names {type(src).__name__}, not a Source"
                )
            known = SOURCES.get(src.name)
            if known is None:
                SOURCES[src.name] = src
            elif known is not src:
                raise ValueError(
                    f"source {src.name!r} from {plugin.value} clashes with {known.name!r} "
                    "already declared"
                )


_register_plugins()

__all__ = [
    "ENTRY_POINT_GROUP",
    "SOURCES",
    "Column",
    "Source",
    "bibtex",
    "coverage",
    "currency",
    "current_year",
    "data_through",
    "get",
    "names",
    "sha256_file",
]
