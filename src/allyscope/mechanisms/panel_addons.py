"""Panel add-on ``mechanisms``: cooperation mechanisms shared by the two states of a dyad.

For each dyad-year it counts the curated groupings both states belong to, the highest
institutionalization index among those groupings, and the records of each mechanism
type in force that year in which both states take part. Discovered by the panel
registry (``allyscope.panel.addons``) as ``allyscope.mechanisms.panel_addons``.
"""

from __future__ import annotations

import threading
from typing import cast

import polars as pl

from allyscope.mechanisms.schema import MECHANISM_TYPES

#: years covered by the shipped records (first record to the end of their coverage)
COVERAGE: tuple[int, int] = (1998, 2025)

TYPE_COLUMNS: dict[str, str] = {t: f"mech_{t}" for t in MECHANISM_TYPES}
COLUMNS: tuple[str, ...] = ("mech_groupings", "mech_max_index", *TYPE_COLUMNS.values())

DEFINITION = """\
mech_groupings: number of curated groupings (allyscope mechanism records) that both states
belong to that year; a state belongs to a grouping from the year of the first record it
takes part in.
mech_max_index: the highest institutionalization index (0-100, net of penalties; see
docs/institutionalization.md) among those groupings; 0 when they share none.
mech_<type>: number of records of that mechanism type in force that year in which both
states take part: standing mechanisms from their date until they end, recurring ones
until their next occurrence is due (not once they lapse), one-off events in their year,
negative events until lifted; e.g. mech_leaders_summit,
mech_real_time_data_sharing, mech_trade_restriction. Non-directed: the same values for
(a, b) and (b, a)."""

_CACHE: dict[int, pl.DataFrame] = {}
_LOCK = threading.Lock()


def dyad_table(record_set=None) -> pl.DataFrame:
    """Non-directed dyad-years (``ccode1 < ccode2``, COW codes) with the add-on columns,
    listing only dyad-years with at least one shared grouping."""
    from allyscope.mechanisms import institutionalization, load_records, records
    from allyscope.mechanisms.index import strength

    rs = record_set if record_set is not None else load_records()
    with _LOCK:
        if id(rs) in _CACHE:
            return _CACHE[id(rs)]
    recs = records(record_set=rs)
    idx = (
        institutionalization(record_set=rs)
        .filter(pl.col("institutionalization").is_not_null())
        .select("grouping_id", "year", "institutionalization")
    )
    last = int(cast(int, idx["year"].max())) if idx.height else COVERAGE[1]
    # record-years in force (records x years: tens of records, not dyads)
    by_id = {r.id: r for r in rs.records}
    ry = [
        (rid, y, strength(by_id[rid], y))
        for rid in recs["record_id"].to_list()
        for y in range(by_id[rid].year, last + 1)
    ]
    negative = set(recs.filter(pl.col("negative"))["record_id"].to_list())
    rec_years = pl.DataFrame(
        ry, schema={"record_id": pl.String, "year": pl.Int32, "strength": pl.Float64}, orient="row"
    ).filter(
        # in force: full strength, or a negative event not yet lifted
        (pl.col("strength") >= 1.0)
        | (pl.col("record_id").is_in(list(negative)) & (pl.col("strength") > 0))
    )
    members = (
        recs.select("record_id", "grouping_id", "type", pl.col("year").alias("year0"), "ccodes")
        .explode("ccodes")
        .rename({"ccodes": "ccode"})
    )
    pairs = (
        members.join(members.select("record_id", pl.col("ccode").alias("ccode2")), on="record_id")
        .filter(pl.col("ccode") < pl.col("ccode2"))
        .rename({"ccode": "ccode1"})
    )
    # counts by type of records in force with both states
    typed = pairs.join(rec_years, on="record_id").group_by("ccode1", "ccode2", "year", "type").len()
    counts = typed.pivot(on="type", index=["ccode1", "ccode2", "year"], values="len")
    # grouping membership: from the first record a state takes part in
    first = members.group_by("grouping_id", "ccode").agg(pl.col("year0").min())
    gm = first.join(idx, on="grouping_id").filter(pl.col("year") >= pl.col("year0"))
    gdy = (
        gm.join(
            gm.select("grouping_id", "year", pl.col("ccode").alias("ccode2")),
            on=["grouping_id", "year"],
        )
        .filter(pl.col("ccode") < pl.col("ccode2"))
        .rename({"ccode": "ccode1"})
        .group_by("ccode1", "ccode2", "year")
        .agg(
            pl.col("grouping_id").n_unique().alias("mech_groupings"),
            pl.col("institutionalization").max().alias("mech_max_index"),
        )
    )
    out = gdy.join(counts, on=["ccode1", "ccode2", "year"], how="full", coalesce=True)
    for t, col in TYPE_COLUMNS.items():
        if t in out.columns:
            out = out.rename({t: col})
        else:
            out = out.with_columns(pl.lit(0, pl.UInt32).alias(col))
    out = (
        out.with_columns(
            pl.col("mech_groupings").fill_null(0).cast(pl.Int32),
            pl.col("mech_max_index").fill_null(0.0),
            *[pl.col(c).fill_null(0).cast(pl.Int32) for c in TYPE_COLUMNS.values()],
        )
        .select(
            pl.col("ccode1").cast(pl.Int32),
            pl.col("ccode2").cast(pl.Int32),
            pl.col("year").cast(pl.Int32),
            *COLUMNS,
        )
        .sort("ccode1", "ccode2", "year")
    )
    with _LOCK:
        _CACHE[id(rs)] = out
    return out


def _mechanisms(df: pl.DataFrame, ctx) -> pl.DataFrame:
    from allyscope.panel.addons import join_dyad_vars

    table = dyad_table()
    fill = {c: (0.0 if c == "mech_max_index" else 0) for c in COLUMNS}
    return join_dyad_vars(df, ctx, table, list(COLUMNS), code="ccode", fill=fill)


def _register() -> None:
    from allyscope.panel.addons import AddOn, register

    register(
        AddOn(
            name="mechanisms",
            func=_mechanisms,
            units=("dyad-year",),
            sources=(),
            coverage=COVERAGE,
            title="Cooperation mechanisms and institutionalization (curated records)",
            definition=DEFINITION,
            aliases=("institutions", "mechanism_records", "institutionalization"),
            notes="Curated records shipped with allyscope (docs/mechanisms.md); the records "
            "cover the groupings listed by `allyscope institutions --list`, so a 0 means no "
            "shared curated grouping, not that the two states do not cooperate at all.",
            module=__name__,
        )
    )


_register()
