"""The institutionalization index: how institutionalized a grouping is, year by year.

Every record contributes a *strength* s(r, y) in [0, 1] to each year y:

* before its date, or after its ``end_date`` year: 0;
* ``standing`` mechanisms: 1 in every year from their date to their end (persistence);
* ``one_off`` events: 1 in their year only;
* recurring mechanisms (``annual``, ``twice_yearly``, ``quarterly``: interval 1 year;
  ``biennial``, ``rotational``, ``irregular``: 2 years): 1 while the next occurrence is
  not yet due (k = y - year < interval), then halving for each year the mechanism is not
  observed again, 0.5, 0.25, 0.125, and 0 after three lapsed years (decay). A later record
  of the same series resets the clock, because a series counts with its strongest record.

Records belong to a *channel*: their ``series`` if given, else their type. Positive
records feed seven dimensions (weights sum to 100):

========================  ======  =====================================================
dimension                 weight  score in [0, 1]
========================  ======  =====================================================
leaders                   15      min(1, sum of channel strengths / 1): leaders' summits
ministerial               15      min(1, sum / 3): foreign, defense, other ministerials, NSAs
working_level             10      min(1, sum / 3): working-level dialogues and groups
standing                  20      min(1, sum / 3): hotline, secretariat, data sharing,
                                  intelligence agreements, commitment to consult,
                                  sanctions coordination, economic frameworks
military                  15      min(1, sum / 2): exercise series, multi-year plans
legal                     15      max over records of bindingness x strength (statement
                                  0.25, MoU 0.5, agreement 0.75, treaty 1)
breadth                   10      min(1, distinct issue areas of active records / 10)
========================  ======  =====================================================

A channel's strength is the maximum over its records. Negative events subtract
``penalty x strength`` (withdrawal 10, suspension 8, downgrade 5, trade restriction 5),
where a negative event weighs 1 in its first year and 0.5 in later years while it stays
in force. The index is the sum of all contributions; it can fall below zero when
setbacks outweigh what is in place. Years before a grouping's first record, and after
its coverage, are null (no grouping, or not yet curated), not zero.

:func:`components` returns the long table (grouping, year, dimension, component,
contribution, record ids) whose contributions sum to the index exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.mechanisms.loader import RecordSet
from allyscope.mechanisms.schema import RECURRENCE_INTERVAL, Grouping, Record

#: decay factor per lapsed year of a recurring mechanism
DECAY = 0.5
#: a recurring mechanism not observed for more than this many intervals counts 0
MAX_LAPSE = 3
#: weight of a negative event after its first year, while still in force
NEGATIVE_PERSISTENCE = 0.5


@dataclass(frozen=True)
class Dimension:
    name: str
    weight: float
    types: frozenset[str]
    saturation: float  # channels needed for the full score ("sum" dimensions)
    label: str


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("leaders", 15, frozenset({"leaders_summit"}), 1, "leader-level summits"),
    Dimension(
        "ministerial",
        15,
        frozenset(
            {"foreign_ministerial", "defense_ministerial", "other_ministerial", "nsa_meeting"}
        ),
        3,
        "ministerial and national-security-adviser channels",
    ),
    Dimension(
        "working_level",
        10,
        frozenset({"working_level_dialogue"}),
        3,
        "working-level dialogues and groups",
    ),
    Dimension(
        "standing",
        20,
        frozenset(
            {
                "crisis_hotline",
                "secretariat",
                "real_time_data_sharing",
                "intelligence_sharing_agreement",
                "commitment_to_consult",
                "sanctions_export_control_coordination",
                "economic_framework",
            }
        ),
        3,
        "standing mechanisms",
    ),
    Dimension(
        "military",
        15,
        frozenset({"joint_exercise", "multi_year_exercise_plan"}),
        2,
        "military integration",
    ),
)
#: weights of the two dimensions computed over all positive records
LEGAL_WEIGHT = 15.0
BREADTH_WEIGHT = 10.0
BREADTH_SATURATION = 10
BINDINGNESS_VALUE: dict[str, float] = {
    "none": 0.0,
    "statement": 0.25,
    "mou": 0.5,
    "agreement": 0.75,
    "treaty": 1.0,
}
PENALTY: dict[str, float] = {
    "withdrawal": 10.0,
    "suspension": 8.0,
    "downgrade": 5.0,
    "trade_restriction": 5.0,
}
DIMENSION_ORDER: tuple[str, ...] = (*(d.name for d in DIMENSIONS), "legal", "breadth", "penalties")

_TYPE_DIMENSION = {t: d for d in DIMENSIONS for t in d.types}


def strength(record: Record, year: int) -> float:
    """s(r, y): how much a record counts in ``year`` (see the module docs)."""
    y0 = record.year
    if year < y0:
        return 0.0
    if record.end_year is not None and year > record.end_year:
        return 0.0
    k = year - y0
    if record.negative:
        if record.regularity == "one_off":
            return 1.0 if k == 0 else 0.0
        if record.regularity == "standing":
            return 1.0 if k == 0 else NEGATIVE_PERSISTENCE
    if record.regularity == "standing":
        return 1.0
    if record.regularity == "one_off":
        return 1.0 if k == 0 else 0.0
    interval = RECURRENCE_INTERVAL[record.regularity]
    if k < interval:
        return 1.0
    lapse = k - interval + 1
    return DECAY**lapse if lapse <= MAX_LAPSE else 0.0


def _last_year(g: Grouping, today: dt.date) -> int:
    return g.coverage_end.year if g.coverage_end else today.year


def _rows_for(g: Grouping, recs: Sequence[Record], year: int) -> list[dict]:  # noqa: C901
    """Component rows of one grouping-year (contributions sum to the index)."""
    rows: list[dict] = []

    def add(dim: str, comp: str, value: float, ids: Iterable[str], detail: str = "") -> None:
        rows.append(
            {
                "dimension": dim,
                "component": comp,
                "contribution": value,
                "record_ids": ",".join(sorted(set(ids))),
                "detail": detail,
            }
        )

    active = [(r, strength(r, year)) for r in recs]
    active = [(r, s) for r, s in active if s > 0]
    positive = [(r, s) for r, s in active if not r.negative]
    for dim in DIMENSIONS:
        channels: dict[str, tuple[float, list[str]]] = {}
        for r, s in positive:
            if r.type not in dim.types:
                continue
            best, ids = channels.get(r.channel, (0.0, []))
            if s > best:
                channels[r.channel] = (s, [r.id])
            elif s == best:
                channels[r.channel] = (best, [*ids, r.id])
        total = sum(s for s, _ in channels.values())
        scale = dim.weight / max(dim.saturation, total) if total else 0.0
        for ch in sorted(channels):
            s, ids = channels[ch]
            add(dim.name, ch, s * scale, ids, f"strength {s:g}")
    legal = [(BINDINGNESS_VALUE[r.bindingness] * s, r) for r, s in positive]
    best_legal = max((v for v, _ in legal), default=0.0)
    if best_legal > 0:
        ids = [r.id for v, r in legal if v == best_legal]
        kinds = sorted({r.bindingness for v, r in legal if v == best_legal})
        add(
            "legal",
            "+".join(kinds),
            LEGAL_WEIGHT * best_legal,
            ids,
            f"bindingness x strength {best_legal:g}",
        )
    areas = sorted({a for r, _ in positive for a in r.issue_areas})
    if areas:
        add(
            "breadth",
            "issue_areas",
            BREADTH_WEIGHT * min(1.0, len(areas) / BREADTH_SATURATION),
            [r.id for r, _ in positive],
            ",".join(areas),
        )
    for r, s in active:
        if r.negative:
            add("penalties", r.type, -PENALTY[r.type] * s, [r.id], f"strength {s:g}")
    return rows


def _select(rs: RecordSet, groupings: str | Iterable[str] | None) -> list[Grouping]:
    if groupings is None:
        return list(rs.groupings.values())
    if isinstance(groupings, str | Grouping):
        groupings = [groupings]
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
    this_year = dt.date.today().year
    bad = [y for y in ys if y < 1816 or y > this_year]
    if bad:
        raise InvalidInputError(
            f"years out of range: {bad[:5]}", f"use years between 1816 and {this_year}"
        )
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


def components(
    rs: RecordSet,
    groupings: str | Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    *,
    today: dt.date | None = None,
) -> pl.DataFrame:
    """The long decomposition: one row per grouping, year, dimension and component.

    Only years inside a grouping's coverage appear (see :func:`index_table`).
    """
    today = today or dt.date.today()
    rows: list[dict] = []
    for g in _select(rs, groupings):
        recs = rs.of(g)
        if not recs:
            continue
        first = min(r.year for r in recs)
        last = _last_year(g, today)
        for y in _years(years, first, last):
            if y < first or y > last:
                continue
            for row in _rows_for(g, recs, y):
                rows.append({"grouping_id": g.id, "grouping": g.name, "year": y, **row})
    df = pl.DataFrame(rows, schema=_COMPONENT_SCHEMA)
    order = {d: i for i, d in enumerate(DIMENSION_ORDER)}
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
    today: dt.date | None = None,
) -> pl.DataFrame:
    """One row per grouping-year: the index, its dimension scores, and what changed.

    Columns: ``grouping_id, grouping, year, institutionalization`` (0-100 scale, net of
    penalties; null outside the grouping's span), one column per dimension (points),
    ``n_active`` (records with non-zero strength) and ``new_records`` (ids of records
    dated that year). Without ``years``, each grouping runs from its first record to the
    end of its coverage.
    """
    today = today or dt.date.today()
    comp = components(rs, groupings, years, today=today)
    sel = _select(rs, groupings)
    frames = []
    for g in sel:
        recs = rs.of(g)
        if not recs:
            continue
        first = min(r.year for r in recs)
        last = _last_year(g, today)
        ys = _years(years, first, last)
        in_span = [first <= y <= last for y in ys]
        new = [",".join(r.id for r in recs if r.year == y) for y in ys]
        n_active = [
            sum(strength(r, y) > 0 for r in recs) if ok else None
            for y, ok in zip(ys, in_span, strict=True)
        ]
        frames.append(
            pl.DataFrame(
                {
                    "grouping_id": [g.id] * len(ys),
                    "grouping": [g.name] * len(ys),
                    "year": pl.Series(ys, dtype=pl.Int32),
                    "_in": in_span,
                    "n_active": pl.Series(n_active, dtype=pl.Int32),
                    "new_records": new,
                }
            )
        )
    if not frames:
        return pl.DataFrame(
            schema={
                "grouping_id": pl.String,
                "grouping": pl.String,
                "year": pl.Int32,
                "institutionalization": pl.Float64,
            }
        )
    base = pl.concat(frames)
    wide = (
        comp.group_by("grouping_id", "year", "dimension")
        .agg(pl.col("contribution").sum())
        .pivot(on="dimension", index=["grouping_id", "year"], values="contribution")
    )
    for d in DIMENSION_ORDER:
        if d not in wide.columns:
            wide = wide.with_columns(pl.lit(0.0).alias(d))
    out = base.join(wide, on=["grouping_id", "year"], how="left")
    dims = list(DIMENSION_ORDER)
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
    return out.select(
        "grouping_id", "grouping", "year", "institutionalization", *dims, "n_active", "new_records"
    ).sort("grouping_id", "year")


def changes(
    rs: RecordSet,
    groupings: str | Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    *,
    today: dt.date | None = None,
) -> pl.DataFrame:
    """The records behind each change: per grouping-year, the change in the index and
    the records dated that year (id, date, type, title)."""
    idx = (
        index_table(rs, groupings, years, today=today)
        .select("grouping_id", "year", "institutionalization")
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
            "title": r.title,
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
            "title": pl.String,
            "source_url": pl.String,
        },
    )
    return idx.join(recs, on=["grouping_id", "year"], how="inner").sort(
        "grouping_id", "year", "date", "record_id"
    )


__all__ = [
    "BINDINGNESS_VALUE",
    "DIMENSIONS",
    "DIMENSION_ORDER",
    "PENALTY",
    "changes",
    "components",
    "index_table",
    "strength",
]
