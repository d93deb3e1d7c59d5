"""Curated cooperation-mechanism records and the institutionalization index.

The records (YAML files in ``allyscope/mechanisms/records/``, one per grouping) document
the summits, ministerials, hotlines, data-sharing systems, exercise series, secretariats,
treaties and negative events (suspensions, downgrades, withdrawals, trade restrictions)
of groupings such as the US-Japan-ROK trilateral, with dates and public sources.
The schema is in :mod:`allyscope.mechanisms.schema` and ``docs/mechanisms.md``.
"""

from __future__ import annotations

from allyscope.mechanisms.loader import RecordSet, load, validate_paths
from allyscope.mechanisms.schema import (
    BINDINGNESS,
    ISSUE_AREAS,
    LEVELS,
    MECHANISM_TYPES,
    NEGATIVE_TYPES,
    REGULARITIES,
    Grouping,
    Record,
)

__all__ = [
    "BINDINGNESS",
    "ISSUE_AREAS",
    "LEVELS",
    "MECHANISM_TYPES",
    "NEGATIVE_TYPES",
    "REGULARITIES",
    "Grouping",
    "Record",
    "RecordSet",
    "load",
    "validate_paths",
]
