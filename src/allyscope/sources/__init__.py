"""Upstream data sources: declarations (:mod:`.catalog`) and the typed loader (:mod:`.base`)."""

from allyscope.sources.base import Column, Source, sha256_file
from allyscope.sources.catalog import SOURCES, bibtex, get, names

__all__ = ["SOURCES", "Column", "Source", "bibtex", "get", "names", "sha256_file"]
