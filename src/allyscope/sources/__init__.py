"""Upstream data sources: declarations (:mod:`.catalog`), the typed loader (:mod:`.base`)
and how far each input reaches (:mod:`.bounds`)."""

from allyscope.sources.base import Column, Source, sha256_file
from allyscope.sources.bounds import coverage, currency, current_year, data_through
from allyscope.sources.catalog import SOURCES, bibtex, get, names

__all__ = [
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
