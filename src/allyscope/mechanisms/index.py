"""The institutionalization index: how institutionalized a grouping is, year by year.

The weights and shapes come from the ``institutionalization`` section of
``allyscope/settings.yaml`` (:mod:`allyscope.settings`); ``docs/institutionalization.md``
explains every step with a worked example.

Records are grouped into *channels*: their ``series`` (a meeting line such as
``foreign-ministers`` or ``freedom-edge``, or one standing mechanism), else the record
itself for a standing mechanism and its type otherwise. A channel's strength c(y) in
[0, 1] in year y:

* standing records count 1 from their year to the year of their ``end_date``;
* a meeting, exercise or other event counts 1 in the year it is held. Its series then
  carries on while its next occurrence is not yet due (``annual``: 1 year; ``biennial``,
  ``rotational``, ``irregular``: 2 years; ``one_off``: not at all), then lapses:
  ``decay ** L`` in the L-th lapsed year, 0 after ``max_lapse`` lapsed years. An
  ``end_date`` on an iteration (the last day of an exercise) never ends the series; a
  negative event with ``ends_series`` does (until the series is held again);
* in a grouping's last covered year, when that year is *partial* (coverage ends before
  31 December), a series not yet held that year keeps its strength of the year before:
  no lapse and no drop for a meeting that may still come;
* promises (``status: promised``) count nothing until a record of the event held exists.

Positive channels feed the sum dimensions of the settings (leaders, ministerial,
working level, standing, military): a dimension with total channel strength S scores
``weight * (1 - 2 ** (-S / half))``, diminishing returns without a cap, each channel's
share in proportion to its strength. *Legal* is ``weight * max(bindingness value x
strength)`` over the positive records in force; *breadth* is ``weight * (1 - 2 **
(-A / half))`` for A distinct issue areas. Negative events subtract ``penalty[severity]
x strength`` (1 in their year, ``persistence`` later while in force).

Every grouping-year carries a *completeness* flag from the grouping's coverage
(``complete``, ``partial``, ``not_systematic``, ``not_assessed``); :func:`rank` ranks
groupings only among complete grouping-years. Years before a grouping's first record
and after its coverage are null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.mechanisms.loader import RecordSet
from allyscope.mechanisms.schema import RECURRENCE_INTERVAL, Grouping, Record
from allyscope.settings import InstitutionalizationSettings, diminishing
from allyscope.settings import institutionalization as _default_settings

#: order of the index's parts in tables
FIXED_DIMENSIONS: tuple[str, ...] = ("legal", "breadth", "penalties")


def dimension_order(settings: InstitutionalizationSettings | None = None) -> tuple[str, ...]:
    """Names of all dimensions, sum dimensions first, then legal, breadth, penalties."""
    st = settings or _default_settings()
    return (*(d.name for d in st.dimensions), *FIXED_DIMENSIONS)


def __getattr__(name: str) -> object:  # constants read from the shipped settings
    st = _default_settings()
    if name == "DIMENSION_ORDER":
        return dimension_order(st)
    if name == "DIMENSIONS":
        return st.dimensions
    if name == "BINDINGNESS_VALUE":
        return dict(st.bindingness_value)
    if name == "PENALTY":
        return dict(st.penalty)
    raise AttributeError(name)


# -- strength ------------------------------------------------------------------------------


def _carry(year: int, held: int, regularity: str, st: InstitutionalizationSettings) -> float:
    """Strength in ``year`` of an event held in ``held`` (< year) with this regularity."""
    if regularity == "one_off":
        return 0.0
    interval = RECURRENCE_INTERVAL[regularity]
    k = year - held
    if k < interval:
        return 1.0
    lapse = k - interval + 1
    return st.decay**lapse if lapse <= st.max_lapse else 0.0


def _negative_strength(record: Record, year: int, st: InstitutionalizationSettings) -> float:
    y0 = record.year
    if year < y0 or (record.end_year is not None and year > record.end_year):
        return 0.0
    if year == y0:
        return 1.0
    return st.negative_persistence if record.regularity == "standing" else 0.0


def strength(
    record: Record, year: int, settings: InstitutionalizationSettings | None = None
) -> float:
    """How much one record counts in ``year`` on its own (without its series).

    Promises count 0; negative events 1 in their year and ``persistence`` later while in
    force; standing records 1 until their end; events 1 in their year and then carry and
    lapse by their regularity (an ``end_date`` of an iteration does not end them)."""
    st = settings or _default_settings()
    if not record.held or year < record.year:
        return 0.0
    if record.negative:
        return _negative_strength(record, year, st)
    if record.regularity == "standing":
        end = record.end_year
        return 1.0 if end is None or year <= end else 0.0
    if year == record.year:
        return 1.0
    return _carry(year, record.year, record.regularity, st)


@dataclass(frozen=True)
class _Channel:
    """One series (or standing mechanism) of a grouping: its held positive records."""

    name: str
    type: str
    records: tuple[Record, ...]
    ends: tuple[dt.date, ...]  # dates of negative events that end the series

    def _ended(self, after: dt.date, year: int) -> bool:
        """Did the series end after ``after`` and before ``year``?"""
        return any(e > after and e.year < year for e in self.ends)

    def _standing_in_force(self, r: Record, year: int) -> bool:
        """Is standing record ``r`` in force in ``year`` (not past its end, series not ended)?"""
        return (r.end_year is None or year <= r.end_year) and not self._ended(r.date.date, year)

    def strength(
        self, year: int, partial: bool, st: InstitutionalizationSettings
    ) -> tuple[float, list[str]]:
        """Strength in ``year`` and the records behind it."""
        best = _Best()
        held_now = False
        for r in self.records:
            if r.year > year:
                continue
            if r.regularity == "standing":
                if self._standing_in_force(r, year):
                    best.offer(1.0, r.id)
            elif r.year == year:
                held_now = True
                best.offer(1.0, r.id)
        if not held_now:
            self._carry_over(best, year, partial, st)
        return best.value, best.ids

    def _carry_over(
        self, best: _Best, year: int, partial: bool, st: InstitutionalizationSettings
    ) -> None:
        """Not held this year: the series carries on from its last iterations, then lapses;
        in a partial year it keeps the strength it had the year before."""
        ref = year - 1 if partial else year
        for r in self.records:
            if r.regularity in ("standing", "one_off") or r.year >= year:
                continue
            if self._ended(r.date.date, year):
                continue
            best.offer(1.0 if ref == r.year else _carry(ref, r.year, r.regularity, st), r.id)


class _Best:
    """The largest strength offered so far and the records giving it (ties kept, in order)."""

    def __init__(self) -> None:
        self.value = 0.0
        self.ids: list[str] = []

    def offer(self, v: float, rid: str) -> None:
        if v > self.value + 1e-12:
            self.value, self.ids = v, [rid]
        elif v > 0 and abs(v - self.value) <= 1e-12:
            self.ids.append(rid)


def _channels(recs: Sequence[Record]) -> dict[str, _Channel]:
    ends: dict[str, list[dt.date]] = {}
    for r in recs:
        if r.negative and r.held:
            for slug in r.ends_series:
                ends.setdefault(slug, []).append(r.date.date)
    by: dict[str, list[Record]] = {}
    for r in recs:
        if not r.negative and r.held:
            by.setdefault(r.channel, []).append(r)
    return {
        c: _Channel(c, rs[0].type, tuple(rs), tuple(sorted(ends.get(c, []))))
        for c, rs in sorted(by.items())
    }


def _is_partial(g: Grouping, year: int) -> bool:
    end = g.coverage_end
    return end is not None and year == end.year and end.last_day < dt.date(year, 12, 31)


def _last_year(g: Grouping, recs: Sequence[Record]) -> int:
    if g.coverage_end is not None:
        return g.coverage_end.year
    return max(r.year for r in recs)


# -- one grouping-year ---------------------------------------------------------------------


def _row(dim: str, comp: str, value: float, ids: Iterable[str], detail: str = "") -> dict:
    return {
        "dimension": dim,
        "component": comp,
        "contribution": value,
        "record_ids": ",".join(sorted(set(ids))),
        "detail": detail,
    }


def _dimension_rows(
    active: dict[str, tuple[float, list[str]]],
    channels: dict[str, _Channel],
    st: InstitutionalizationSettings,
) -> list[dict]:
    """Each dimension's points, shared among its active channels by strength."""
    rows: list[dict] = []
    for dim in st.dimensions:
        chans = {n: v for n, v in active.items() if channels[n].type in dim.types}
        total = sum(s for s, _ in chans.values())
        if total <= 0:
            continue
        points = dim.score(total)
        for n in sorted(chans):
            s, ids = chans[n]
            rows.append(_row(dim.name, n, points * s / total, ids, f"strength {s:g}"))
    return rows


def _legal_breadth_rows(
    in_force: list[tuple[Record, float]], st: InstitutionalizationSettings
) -> list[dict]:
    """Legal (the most binding record in force, at its strength) and breadth (issue areas)."""
    rows: list[dict] = []
    legal = [(st.bindingness_value[r.bindingness] * s, r) for r, s in in_force]
    best = max((v for v, _ in legal), default=0.0)
    if best > 0:
        ids = [r.id for v, r in legal if v == best]
        kinds = sorted({r.bindingness for v, r in legal if v == best})
        rows.append(
            _row(
                "legal",
                "+".join(kinds),
                st.legal_weight * best,
                ids,
                f"bindingness x strength {best:g}",
            )
        )
    areas = sorted({a for r, _ in in_force for a in r.issue_areas})
    if areas:
        rows.append(
            _row(
                "breadth",
                "issue_areas",
                st.breadth_weight * diminishing(len(areas), st.breadth_half),
                [r.id for r, _ in in_force],
                ",".join(areas),
            )
        )
    return rows


def _penalty_rows(
    recs: Sequence[Record], year: int, st: InstitutionalizationSettings
) -> list[dict]:
    """Negative events at their strength in ``year``, weighted by severity."""
    rows: list[dict] = []
    for r in recs:
        if not r.negative:
            continue
        s = strength(r, year, st)
        if s > 0:
            pen = st.penalty[r.severity or "context"]
            rows.append(
                _row(
                    "penalties", r.type, -pen * s, [r.id], f"severity {r.severity}, strength {s:g}"
                )
            )
    return rows


def _rows_for(
    g: Grouping,
    recs: Sequence[Record],
    year: int,
    st: InstitutionalizationSettings,
    channels: dict[str, _Channel] | None = None,
) -> list[dict]:
    """Component rows of one grouping-year (contributions sum to the index)."""
    partial = _is_partial(g, year)
    channels = channels if channels is not None else _channels(recs)
    by_id = {r.id: r for r in recs}
    active: dict[str, tuple[float, list[str]]] = {}
    for name, ch in channels.items():
        s, ids = ch.strength(year, partial, st)
        if s > 0:
            active[name] = (s, ids)
    # legal and breadth: every positive record behind an active channel, at its strength
    in_force = [(by_id[i], s) for s, ids in active.values() for i in ids]
    return [
        *_dimension_rows(active, channels, st),
        *_legal_breadth_rows(in_force, st),
        *_penalty_rows(recs, year, st),
    ]


# -- tables --------------------------------------------------------------------------------


def _select(rs: RecordSet, groupings: str | Grouping | Iterable[str] | None) -> list[Grouping]:
    if groupings is None:
        return list(rs.groupings.values())
    if isinstance(groupings, str | Grouping):
        groupings = [groupings]  # type: ignore[list-item]
    out: list[Grouping] = []
    for g in groupings:
        gg = g if isinstance(g, Grouping) else rs.grouping(g)
        if gg not in out:
            out.append(gg)
    return out


def _years(years: Iterable[int] | range | None, first: int, last: int) -> list[int]:
    if years is None:
        return list(range(first, last + 1))
    ys = sorted({int(y) for y in years})
    if not ys:
        raise InvalidInputError("no years given", "e.g. years=range(1999, 2026)")
    bad = [y for y in ys if y < 1816 or y > 2200]
    if bad:
        raise InvalidInputError(f"years out of range: {bad[:5]}", "use years from 1816 on")
    return ys


_COMPONENT_SCHEMA = {
    "grouping_id": pl.String,
    "grouping": pl.String,
    "year": pl.Int32,
    "dimension": pl.String,
    "component": pl.String,
    "contribution": pl.Float64,
    "record_ids": pl.String,
    "detail": pl.String,
}


def _settings(settings: InstitutionalizationSettings | None) -> InstitutionalizationSettings:
    return settings or _default_settings()


def components(
    rs: RecordSet,
    groupings: str | Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    *,
    settings: InstitutionalizationSettings | None = None,
) -> pl.DataFrame:
    """The long decomposition: one row per grouping, year, dimension and component.

    Only years inside a grouping's span appear (see :func:`index_table`)."""
    st = _settings(settings)
    rows: list[dict] = []
    for g in _select(rs, groupings):
        recs = rs.of(g)
        if not recs:
            continue
        first = min(r.year for r in recs)
        last = _last_year(g, recs)
        chans = _channels(recs)
        for y in _years(years, first, last):
            if y < first or y > last:
                continue
            for row in _rows_for(g, recs, y, st, chans):
                rows.append({"grouping_id": g.id, "grouping": g.name, "year": y, **row})
    df = pl.DataFrame(rows, schema=_COMPONENT_SCHEMA)
    order = {d: i for i, d in enumerate(dimension_order(st))}
    return (
        df.with_columns(
            pl.col("dimension").replace_strict(order, return_dtype=pl.Int32).alias("_o")
        )
        .sort("grouping_id", "year", "_o", "component")
        .drop("_o")
    )


def index_table(
    rs: RecordSet,
    groupings: str | Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    *,
    settings: InstitutionalizationSettings | None = None,
    uncertainty: bool = False,
) -> pl.DataFrame:
    """One row per grouping-year: the index, its dimension scores, and how complete.

    Columns: ``grouping_id, grouping, year, institutionalization`` (points, net of
    penalties; null outside the grouping's span), one column per dimension, then
    ``completeness`` (complete, partial, not_systematic, not_assessed; null outside the
    span), ``partial`` (the last covered year, coded only in part), ``n_active``
    (records counting that year), ``n_promised`` (promises made that year, not counted)
    and ``new_records`` (ids of records dated that year). Without ``years``, each
    grouping runs from its first record to the end of its coverage.

    ``uncertainty=True`` adds ``index_low``, ``index_high`` (the sensitivity band of the
    index) and ``drop_one_low``, ``drop_one_high`` (its range when any one record is left
    out) after ``institutionalization`` (:mod:`allyscope.mechanisms.uncertainty`).
    """
    from allyscope.mechanisms import uncertainty as _band

    st = _settings(settings)
    dims = list(dimension_order(st))
    comp = components(rs, groupings, years, settings=st)
    frames = []
    for g in _select(rs, groupings):
        recs = rs.of(g)
        if not recs:
            continue
        first = min(r.year for r in recs)
        last = _last_year(g, recs)
        ys = _years(years, first, last)
        in_span = [first <= y <= last for y in ys]
        frames.append(
            pl.DataFrame(
                {
                    "grouping_id": [g.id] * len(ys),
                    "grouping": [g.name] * len(ys),
                    "year": pl.Series(ys, dtype=pl.Int32),
                    "_in": in_span,
                    "completeness": [
                        g.completeness(y) if ok else None for y, ok in zip(ys, in_span, strict=True)
                    ],
                    "partial": [
                        _is_partial(g, y) if ok else None for y, ok in zip(ys, in_span, strict=True)
                    ],
                    "n_active": pl.Series(
                        [
                            sum(strength(r, y, st) > 0 for r in recs) if ok else None
                            for y, ok in zip(ys, in_span, strict=True)
                        ],
                        dtype=pl.Int32,
                    ),
                    "n_promised": pl.Series(
                        [
                            sum(r.year == y and not r.held for r in recs) if ok else None
                            for y, ok in zip(ys, in_span, strict=True)
                        ],
                        dtype=pl.Int32,
                    ),
                    "new_records": [",".join(r.id for r in recs if r.year == y) for y in ys],
                },
                schema_overrides={"completeness": pl.String, "partial": pl.Boolean},
            )
        )
    band_cols = list(_band.BAND_COLUMNS) if uncertainty else []
    if not frames:
        return pl.DataFrame(
            schema={
                "grouping_id": pl.String,
                "grouping": pl.String,
                "year": pl.Int32,
                "institutionalization": pl.Float64,
                **dict.fromkeys(band_cols, pl.Float64),
                **dict.fromkeys(dims, pl.Float64),
                "completeness": pl.String,
                "partial": pl.Boolean,
                "n_active": pl.Int32,
                "n_promised": pl.Int32,
                "new_records": pl.String,
            }
        )
    base = pl.concat(frames)
    wide = (
        comp.group_by("grouping_id", "year", "dimension")
        .agg(pl.col("contribution").sum())
        .pivot(on="dimension", index=["grouping_id", "year"], values="contribution")
    )
    for d in dims:
        if d not in wide.columns:
            wide = wide.with_columns(pl.lit(0.0).alias(d))
    out = base.join(wide, on=["grouping_id", "year"], how="left")
    out = out.with_columns(
        [
            pl.when(pl.col("_in")).then(pl.col(d).fill_null(0.0)).otherwise(None).alias(d)
            for d in dims
        ]
    ).with_columns(
        pl.when(pl.col("_in"))
        .then(pl.sum_horizontal(dims))
        .otherwise(None)
        .alias("institutionalization")
    )
    if uncertainty:
        bands = _band.band_table(rs, _select(rs, groupings), st)
        out = out.join(bands, on=["grouping_id", "year"], how="left")
    return out.select(
        "grouping_id",
        "grouping",
        "year",
        "institutionalization",
        *band_cols,
        *dims,
        "completeness",
        "partial",
        "n_active",
        "n_promised",
        "new_records",
    ).sort("grouping_id", "year")


def rank(
    rs: RecordSet,
    year: int,
    groupings: str | Iterable[str] | None = None,
    *,
    settings: InstitutionalizationSettings | None = None,
) -> pl.DataFrame:
    """Groupings ranked by their index in ``year``, among complete grouping-years only.

    Every selected grouping gets a row; ``rank`` is null (and ``reason`` says why) where
    the year is partial, not coded systematically, not assessed, or outside the
    grouping's span: a comparison across groupings is only as good as the coding of
    each, so an incompletely coded grouping is shown but not ranked."""
    t = index_table(rs, groupings, [year], settings=settings).select(
        "grouping_id", "grouping", "year", "institutionalization", "completeness"
    )
    ranked = t.filter(pl.col("completeness") == "complete").with_columns(
        pl.col("institutionalization").rank("min", descending=True).cast(pl.Int32).alias("rank")
    )
    reason = (
        pl.when(pl.col("completeness").is_null())
        .then(pl.lit("no records for this year (before the grouping or after its coverage)"))
        .when(pl.col("completeness") == "partial")
        .then(pl.lit("year coded only in part"))
        .when(pl.col("completeness") == "not_systematic")
        .then(pl.lit("year not coded systematically"))
        .when(pl.col("completeness") == "not_assessed")
        .then(pl.lit("grouping states no systematic coverage"))
        .otherwise(None)
    )
    return (
        t.join(ranked.select("grouping_id", "rank"), on="grouping_id", how="left")
        .with_columns(reason.alias("reason"))
        .sort(["rank", "institutionalization"], descending=[False, True], nulls_last=True)
    )


def changes(
    rs: RecordSet,
    groupings: str | Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    *,
    settings: InstitutionalizationSettings | None = None,
) -> pl.DataFrame:
    """The records behind each change: per grouping-year, the change in the index and
    the records dated that year (id, date, type, status, title)."""
    idx = (
        index_table(rs, groupings, years, settings=settings)
        .select("grouping_id", "year", "institutionalization", "completeness")
        .with_columns(
            (
                pl.col("institutionalization")
                - pl.col("institutionalization").shift(1).over("grouping_id")
            ).alias("change")
        )
    )
    rows = [
        {
            "grouping_id": r.grouping_id,
            "year": r.year,
            "date": str(r.date),
            "record_id": r.id,
            "type": r.type,
            "status": r.status,
            "title": r.title if r.held else f"{r.title} (promised)",
            "source_url": r.source.url,
        }
        for g in _select(rs, groupings)
        for r in rs.of(g)
    ]
    recs = pl.DataFrame(
        rows,
        schema={
            "grouping_id": pl.String,
            "year": pl.Int32,
            "date": pl.String,
            "record_id": pl.String,
            "type": pl.String,
            "status": pl.String,
            "title": pl.String,
            "source_url": pl.String,
        },
    )
    return idx.join(recs, on=["grouping_id", "year"], how="inner").sort(
        "grouping_id", "year", "date", "record_id"
    )


def provenance(
    rs: RecordSet, settings: InstitutionalizationSettings | None = None
) -> dict[str, str]:
    """What to record beside an index: the settings section's and the records' hashes."""
    st = _settings(settings)
    return {"institutionalization_settings_sha256": st.hash, "records_sha256": rs.sha256}


__all__ = [
    "changes",
    "components",
    "dimension_order",
    "index_table",
    "provenance",
    "rank",
    "strength",
]
