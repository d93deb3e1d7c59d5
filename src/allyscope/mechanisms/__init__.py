"""Curated cooperation-mechanism records and the institutionalization index.

The records (YAML files in ``allyscope/mechanisms/records/``, one per grouping) document
the summits, ministerials, hotlines, data-sharing systems, exercise series, secretariats,
treaties and negative events (suspensions, downgrades, withdrawals, trade restrictions)
of groupings such as the US-Japan-ROK trilateral, with dates and public sources. The
schema is in :mod:`allyscope.mechanisms.schema` and ``docs/mechanisms.md``; the index
in :mod:`allyscope.mechanisms.index` and ``docs/institutionalization.md``.

>>> from allyscope import mechanisms
>>> mechanisms.institutionalization("US-Japan-ROK", years=range(2020, 2026))  # doctest: +SKIP
>>> mechanisms.records(grouping="trilateral")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from allyscope.errors import AllyscopeError
from allyscope.mechanisms.loader import RecordSet, load, shipped_dir, validate_paths
from allyscope.mechanisms.schema import (
    BINDINGNESS,
    ISSUE_AREAS,
    LEVELS,
    MECHANISM_TYPES,
    NEGATIVE_TYPES,
    REGULARITIES,
    Grouping,
    Problem,
    Record,
)
from allyscope.settings import InstitutionalizationSettings
from allyscope.settings import as_of as _settings_as_of

PathLike = str | os.PathLike[str]
_CACHE: dict[tuple, RecordSet] = {}
_LOCK = threading.Lock()


def _fingerprint(paths: Iterable[Path]) -> tuple:
    out: list[tuple[str, int | None, int | None]] = []
    for p in paths:
        p = Path(p)
        files = sorted([*p.glob("*.yaml"), *p.glob("*.yml")]) if p.is_dir() else [p]
        out.extend(
            (str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists()
        )
        if not p.exists():
            out.append((str(p), None, None))
    return tuple(out)


def load_records(extra_dirs: PathLike | Iterable[PathLike] | None = None) -> RecordSet:
    """The shipped records plus any extra folders or files, validated (all or nothing).

    Results are cached per set of files (and their modification times) and day.
    """
    from allyscope.store import open_warehouse

    if isinstance(extra_dirs, str | os.PathLike):
        extra_dirs = [extra_dirs]
    extra = [Path(p) for p in (extra_dirs or [])]
    try:
        wh_hash = open_warehouse().data_hash
    except AllyscopeError:  # no warehouse: resolution below raises the actionable error
        wh_hash = None
    key = (_fingerprint([shipped_dir(), *extra]), _settings_as_of(), wh_hash)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    rs = load(extra)
    with _LOCK:
        _CACHE[key] = rs
    return rs


def _rs(extra_dirs, record_set: RecordSet | None) -> RecordSet:
    return record_set if record_set is not None else load_records(extra_dirs)


def groupings(
    extra_dirs: PathLike | Iterable[PathLike] | None = None, *, record_set: RecordSet | None = None
) -> pl.DataFrame:
    """One row per grouping: id, name, aliases, members (ISO3 and COW), kind, span."""
    rs = _rs(extra_dirs, record_set)
    rows = []
    for g in rs.groupings.values():
        recs = rs.of(g)
        rows.append(
            {
                "grouping_id": g.id,
                "grouping": g.name,
                "kind": g.kind,
                "aliases": ", ".join(g.aliases),
                "members": ", ".join(g.member_codes),
                "ccodes": list(g.members),
                "n_records": len(recs),
                "first_year": min((r.year for r in recs), default=None),
                "coverage_start": g.coverage_start,
                "coverage_end": str(g.coverage_end) if g.coverage_end else None,
                "coverage": g.coverage_statement,
                "description": g.description,
                "file": g.file,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "grouping_id": pl.String,
            "grouping": pl.String,
            "kind": pl.String,
            "aliases": pl.String,
            "members": pl.String,
            "ccodes": pl.List(pl.Int32),
            "n_records": pl.Int32,
            "first_year": pl.Int32,
            "coverage_start": pl.Int32,
            "coverage_end": pl.String,
            "coverage": pl.String,
            "description": pl.String,
            "file": pl.String,
        },
    )


def records(
    grouping: str | Iterable[str] | None = None,
    extra_dirs: PathLike | Iterable[PathLike] | None = None,
    *,
    record_set: RecordSet | None = None,
) -> pl.DataFrame:
    """The records as a table (one row per record), optionally of some groupings only."""
    rs = _rs(extra_dirs, record_set)
    if grouping is None:
        recs = list(rs.records)
    else:
        names = [grouping] if isinstance(grouping, str) else list(grouping)
        ids = {rs.grouping(n).id for n in names}
        recs = [r for r in rs.records if r.grouping_id in ids]
    rows = [
        {
            "record_id": r.id,
            "grouping_id": r.grouping_id,
            "grouping": r.grouping_name,
            "date": r.date.date,
            "date_precision": r.date.precision,
            "year": r.year,
            "end_date": r.end_date.last_day if r.end_date else None,
            "type": r.type,
            "negative": r.negative,
            "series": r.channel,
            "status": r.status,
            "severity": r.severity,
            "level": r.level,
            "regularity": r.regularity,
            "bindingness": r.bindingness,
            "issue_areas": ", ".join(r.issue_areas),
            "members": ", ".join(r.member_codes),
            "ccodes": list(r.members),
            "title": r.title,
            "description": r.description,
            "evidence": r.evidence,
            "source_title": r.source.title,
            "source_publisher": r.source.publisher,
            "source_date": str(r.source.date),
            "source_url": r.source.url,
            "source_kind": r.source_kind,
            "file": r.file,
            "line": r.line,
        }
        for r in recs
    ]
    return pl.DataFrame(
        rows,
        schema={
            "record_id": pl.String,
            "grouping_id": pl.String,
            "grouping": pl.String,
            "date": pl.Date,
            "date_precision": pl.String,
            "year": pl.Int32,
            "end_date": pl.Date,
            "type": pl.String,
            "negative": pl.Boolean,
            "series": pl.String,
            "status": pl.String,
            "severity": pl.String,
            "level": pl.String,
            "regularity": pl.String,
            "bindingness": pl.String,
            "issue_areas": pl.String,
            "members": pl.String,
            "ccodes": pl.List(pl.Int32),
            "title": pl.String,
            "description": pl.String,
            "evidence": pl.String,
            "source_title": pl.String,
            "source_publisher": pl.String,
            "source_date": pl.String,
            "source_url": pl.String,
            "source_kind": pl.String,
            "file": pl.String,
            "line": pl.Int32,
        },
    ).sort("grouping_id", "date", "record_id")


def institutionalization(
    grouping: str | Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    extra_dirs: PathLike | Iterable[PathLike] | None = None,
    *,
    components: bool = False,
    uncertainty: bool = False,
    record_set: RecordSet | None = None,
    settings: InstitutionalizationSettings | None = None,
) -> pl.DataFrame:
    """The institutionalization index per grouping-year (see ``docs/institutionalization.md``).

    ``grouping``: a name, id, alias or member list ("US-Japan-ROK", "trilateral",
    "USA JPN KOR"), several of them, or ``None`` for all. ``years``: default, each
    grouping's span. ``components=True`` returns the long decomposition instead (one row
    per grouping, year, dimension and component with the record ids behind it), whose
    contributions sum to the index. The table carries a ``completeness`` flag per
    grouping-year; compare groupings with :func:`rank`, which ranks only complete years.
    ``uncertainty=True`` adds the index's band: ``index_low`` and ``index_high`` (the
    percentiles of the index under seeded perturbations of its weights, shapes and
    bindingness coding) and ``drop_one_low``, ``drop_one_high`` (its range when any one
    record is left out); see the section "Uncertainty" of the docs.
    ``settings``: weights and shapes (default: ``allyscope/settings.yaml``).
    """
    from allyscope.mechanisms import index as _index

    rs = _rs(extra_dirs, record_set)
    if components:
        return _index.components(rs, grouping, years, settings=settings)
    return _index.index_table(rs, grouping, years, settings=settings, uncertainty=uncertainty)


def rank(
    year: int,
    grouping: str | Iterable[str] | None = None,
    extra_dirs: PathLike | Iterable[PathLike] | None = None,
    *,
    record_set: RecordSet | None = None,
    settings: InstitutionalizationSettings | None = None,
) -> pl.DataFrame:
    """Groupings ranked by their index in ``year``, among complete grouping-years only;
    the others are listed with the reason they are not ranked."""
    from allyscope.mechanisms import index as _index

    return _index.rank(_rs(extra_dirs, record_set), year, grouping, settings=settings)


def provenance(
    extra_dirs: PathLike | Iterable[PathLike] | None = None,
    *,
    record_set: RecordSet | None = None,
    settings: InstitutionalizationSettings | None = None,
) -> dict[str, str]:
    """Hashes of the settings and record files behind an index, for a report."""
    from allyscope.mechanisms import index as _index

    return _index.provenance(_rs(extra_dirs, record_set), settings)


def changes(
    grouping: str | Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    extra_dirs: PathLike | Iterable[PathLike] | None = None,
    *,
    record_set: RecordSet | None = None,
) -> pl.DataFrame:
    """The records behind each change of the index: per grouping-year, the change and
    the records dated that year."""
    from allyscope.mechanisms import index as _index

    return _index.changes(_rs(extra_dirs, record_set), grouping, years)


def validate(paths: PathLike | Iterable[PathLike]) -> list[Problem]:
    """Every problem in the given folders or record files (empty list: all valid)."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    return validate_paths(paths)


__all__ = [
    "BINDINGNESS",
    "ISSUE_AREAS",
    "LEVELS",
    "MECHANISM_TYPES",
    "NEGATIVE_TYPES",
    "REGULARITIES",
    "Grouping",
    "Problem",
    "Record",
    "RecordSet",
    "changes",
    "groupings",
    "institutionalization",
    "load",
    "load_records",
    "provenance",
    "rank",
    "records",
    "validate",
    "validate_paths",
]
