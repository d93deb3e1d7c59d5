"""Onset events: dyad onsets grouped into the treaties (or treaty waves) that made them.

A multilateral treaty creates many dyad onsets at once: North Macedonia's accession to
NATO gave 29 defense dyads in one stroke, the SADC Mutual Defence Pact of 2003 dozens.
Scored dyad by dyad, one such treaty counts as dozens of independent successes or
failures, and dyad-level skill figures overstate what a forecaster knew. This module
groups onsets into *events*:

* onsets of the same year,
* linked through shared states (a connected component of the graph whose edges are the
  year's onset dyads),
* and a shared new obligation: two onsets at the same state are linked only if they gain
  at least one obligation of the same type that year (for the defense outcome every onset
  gains a defense obligation, so this rule only separates treaties under the "any"
  outcome, for example a non-aggression pact and an unrelated consultation pact signed
  by one state in one year).

ATOP's dyad-years do not name the treaty behind an obligation, so events are inferred.
Two treaties signed in one year by overlapping states merge into one event; the event is
then the unit a forecaster could have foreseen or not, which is the point.

**Accessions and new pacts.** An event's *old members* are its states that held the
outcome's obligation with another of its states the year before. An event is an
*accession* (enlargement of an existing pact) if it has old members and none of its onsets
joins two old members: newcomers join states already allied with each other (North
Macedonia joining NATO; a third state joining a bilateral pact). Otherwise it is a *new*
pact. The rule misses a joiner already allied with some of the members (its onsets then
link it only to the others, none of them old members of the event). After ATOP's end the
alliance records say themselves which events are accessions, and those events take the
records' kind.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from allyscope.forecast.outcome import OBLIGATIONS, check_outcome

DYAD = ["ccode1", "ccode2"]
KINDS = ("new", "accession")


def new_obligations(status: pl.DataFrame, outcome: str) -> pl.DataFrame:
    """Onsets of ``outcome`` with the obligation types each gains that year.

    ``status``: non-directed dyad-years with the ATOP obligation columns (and optionally
    ``atop_source``). Returns ``ccode1, ccode2, year, new`` (list of obligation columns
    held in ``year`` and not in ``year - 1``, restricted to the outcome's obligations) and
    ``records`` (ids of the alliance records behind the year's obligations, empty before
    ATOP's end), one row per onset.
    """
    outcome = check_outcome(outcome)
    cols = list(OBLIGATIONS[outcome])
    src = (
        pl.col("atop_source").fill_null("").str.extract_all(r"record:[a-z0-9-]+")
        if "atop_source" in status.columns
        else pl.lit([], dtype=pl.List(pl.String))
    )
    s = status.select(*DYAD, "year", *cols, src.alias("records"))
    prev = s.select(
        *DYAD, (pl.col("year") + 1).alias("year"), *[pl.col(c).alias(f"__p_{c}") for c in cols]
    )
    both = s.join(prev, on=[*DYAD, "year"], how="inner")
    held = pl.max_horizontal(*[pl.col(c).fill_null(0) for c in cols])
    held_before = pl.max_horizontal(*[pl.col(f"__p_{c}").fill_null(0) for c in cols])
    onsets = both.filter((held == 1) & (held_before == 0))
    gained = pl.concat_list(
        [
            pl.when((pl.col(c).fill_null(0) == 1) & (pl.col(f"__p_{c}").fill_null(0) == 0))
            .then(pl.lit(c))
            .otherwise(None)
            for c in cols
        ]
    ).list.drop_nulls()
    recs = pl.col("records").list.eval(pl.element().str.replace("record:", ""))
    return onsets.select(*DYAD, "year", gained.alias("new"), recs.alias("records")).sort(
        "year", *DYAD
    )


def _components(onsets: pl.DataFrame) -> np.ndarray:
    """Component label of every onset (row) under the linking rule of the module docs."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = onsets.height
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ends = (
        onsets.with_row_index("__e")
        .explode("new")
        .select(
            "__e",
            pl.concat_list(
                [
                    pl.concat_str(pl.col("year"), pl.col("ccode1"), pl.col("new"), separator=":"),
                    pl.concat_str(pl.col("year"), pl.col("ccode2"), pl.col("new"), separator=":"),
                ]
            ).alias("__key"),
        )
        .explode("__key")
    )
    keys, key_idx = np.unique(ends["__key"].to_numpy().astype(str), return_inverse=True)
    edge_idx = ends["__e"].to_numpy().astype(np.int64)
    # bipartite graph: onset nodes 0..n-1, key nodes n..n+k-1
    m = coo_matrix(
        (np.ones(edge_idx.size), (edge_idx, n + key_idx)), shape=(n + keys.size, n + keys.size)
    )
    _k, labels = connected_components(m, directed=False)
    return labels[:n]


def record_kinds(path: str | None = None) -> dict[str, str]:
    """``record id -> "accession" | "new"`` for the alliance records after ATOP."""
    from allyscope.panel.alliances import load_records

    kinds = {"accession": "accession", "new_alliance": "new"}
    return {e.id: kinds[e.event] for e in load_records(path).events if e.event in kinds}


def cluster_onsets(
    status: pl.DataFrame, outcome: str, kinds: dict[str, str] | None = None
) -> pl.DataFrame:
    """Every onset of ``outcome`` in ``status`` with its event (see module docs).

    ``kinds``: the event type of each alliance record (:func:`record_kinds`); an event
    with onsets from records takes its kind from them (accession if every record behind
    it is an accession), the others from the rule of the module docs.

    Returns ``ccode1, ccode2, year, event`` (an id ``"<year>-<n>"``, numbered by the
    event's lowest dyad), ``event_dyads``, ``event_states``, ``kind`` (``new`` or
    ``accession``) and ``old_members`` (the event's states allied with another of its
    states the year before).
    """
    outcome = check_outcome(outcome)
    onsets = new_obligations(status, outcome)
    if onsets.height == 0:
        return _empty()
    comp = _components(onsets)
    ev = onsets.with_columns(pl.Series("__c", comp))
    # stable ids: events of a year numbered by their smallest (ccode1, ccode2)
    order = (
        ev.group_by("year", "__c")
        .agg(pl.col("ccode1").min().alias("__a"), pl.col("ccode2").min().alias("__b"))
        .sort("year", "__a", "__b")
        .with_columns(pl.int_range(1, pl.len() + 1).over("year").alias("__n"))
        .select("year", "__c", pl.format("{}-{}", "year", "__n").alias("event"))
    )
    ev = ev.join(order, on=["year", "__c"]).drop("__c")
    members = _members(ev)
    old = _old_members(status, members, outcome)
    kind_of = _kinds(ev, old)
    if kinds:
        kind_of = _record_kinds_override(ev, kind_of, kinds)
    size = ev.group_by("event").agg(pl.len().alias("event_dyads"))
    nstates = members.group_by("event").agg(pl.len().alias("event_states"))
    nold = old.group_by("event").agg(pl.len().alias("old_members"))
    out = (
        ev.join(size, on="event")
        .join(nstates, on="event")
        .join(kind_of, on="event")
        .join(nold, on="event", how="left")
        .with_columns(pl.col("old_members").fill_null(0).cast(pl.Int32))
    )
    return out.select(pl.col(c).cast(t) for c, t in EVENT_SCHEMA.items()).sort(
        "year", "event", *DYAD
    )


#: the columns of :func:`cluster_onsets`
EVENT_SCHEMA: dict[str, pl.DataType] = {
    "ccode1": pl.Int32(),
    "ccode2": pl.Int32(),
    "year": pl.Int32(),
    "event": pl.String(),
    "event_dyads": pl.Int32(),
    "event_states": pl.Int32(),
    "kind": pl.String(),
    "old_members": pl.Int32(),
    "records": pl.List(pl.String),
}


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=EVENT_SCHEMA)


def _members(ev: pl.DataFrame) -> pl.DataFrame:
    """``event, year, ccode``: the states of each event."""
    return pl.concat(
        [
            ev.select("event", "year", pl.col("ccode1").alias("ccode")),
            ev.select("event", "year", pl.col("ccode2").alias("ccode")),
        ]
    ).unique()


def _old_members(status: pl.DataFrame, members: pl.DataFrame, outcome: str) -> pl.DataFrame:
    """``event, ccode``: states of an event allied (``outcome``) with another of its states
    in the year before the event."""
    from allyscope.forecast.outcome import status_column

    col = status_column(outcome)
    allied = status.filter(pl.col(col) == 1).select(*DYAD, (pl.col("year") + 1).alias("year"))
    m1 = members.rename({"ccode": "ccode1"})
    m2 = members.rename({"ccode": "ccode2"})
    pairs = allied.join(m1, on=["ccode1", "year"]).join(m2, on=["ccode2", "year", "event"])
    return pl.concat(
        [
            pairs.select("event", pl.col("ccode1").alias("ccode")),
            pairs.select("event", pl.col("ccode2").alias("ccode")),
        ]
    ).unique()


def _kinds(ev: pl.DataFrame, old: pl.DataFrame) -> pl.DataFrame:
    """``event, kind``: accession if it has old members and no onset joins two of them."""
    o1 = old.select("event", pl.col("ccode").alias("ccode1"), pl.lit(True).alias("__o1"))
    o2 = old.select("event", pl.col("ccode").alias("ccode2"), pl.lit(True).alias("__o2"))
    flagged = (
        ev.select("event", *DYAD)
        .join(o1, on=["event", "ccode1"], how="left")
        .join(o2, on=["event", "ccode2"], how="left")
        .with_columns(
            (pl.col("__o1").fill_null(False) & pl.col("__o2").fill_null(False)).alias("__oo")
        )
    )
    has_old = old.select("event").unique().with_columns(pl.lit(True).alias("__has"))
    return (
        flagged.group_by("event")
        .agg(pl.col("__oo").any().alias("__any_oo"))
        .join(has_old, on="event", how="left")
        .select(
            "event",
            pl.when(pl.col("__has").fill_null(False) & ~pl.col("__any_oo"))
            .then(pl.lit("accession"))
            .otherwise(pl.lit("new"))
            .alias("kind"),
        )
    )


def _record_kinds_override(
    ev: pl.DataFrame, kind_of: pl.DataFrame, kinds: dict[str, str]
) -> pl.DataFrame:
    """Events with record-backed onsets take the records' kind."""
    rec = (
        ev.select("event", "records")
        .explode("records")
        .drop_nulls("records")
        .with_columns(pl.col("records").replace_strict(kinds, default=None).alias("__k"))
        .drop_nulls("__k")
        .group_by("event")
        .agg((pl.col("__k") == "accession").all().alias("__acc"))
    )
    return (
        kind_of.join(rec, on="event", how="left")
        .with_columns(
            pl.when(pl.col("__acc").is_null())
            .then(pl.col("kind"))
            .when(pl.col("__acc"))
            .then(pl.lit("accession"))
            .otherwise(pl.lit("new"))
            .alias("kind")
        )
        .drop("__acc")
    )


def event_table(onsets: pl.DataFrame) -> pl.DataFrame:
    """One row per event: ``event, year, kind, dyads, states`` and up to five of its
    dyads' names, largest events first within a year."""
    from allyscope import codes

    def label(a: int, b: int) -> str:
        return f"{codes.name(a)}–{codes.name(b)}"

    rows = []
    for (event,), d in onsets.group_by("event", maintain_order=True):
        first = d.row(0, named=True)
        sample = [label(a, b) for a, b in d.select(*DYAD).head(5).iter_rows()]
        rows.append(
            {
                "event": event,
                "year": first["year"],
                "kind": first["kind"],
                "dyads": first["event_dyads"],
                "states": first["event_states"],
                "examples": "; ".join(sample),
            }
        )
    return pl.DataFrame(rows).sort("year", "event")


def assign_events(
    rows: pl.DataFrame, onsets: pl.DataFrame, horizon: int, origin_col: str = "origin"
) -> pl.DataFrame:
    """For forecast rows ``ccode1, ccode2, <origin_col>``, the event of the dyad's first
    onset in ``origin + 1 .. origin + horizon`` (null if none): columns ``event`` and
    ``kind`` added."""
    ev = onsets.select(
        pl.col("ccode1").cast(pl.Int32),
        pl.col("ccode2").cast(pl.Int32),
        pl.col("year").alias("__on"),
        "event",
        "kind",
    ).with_columns(pl.col("__on").alias("__key"))
    work = rows.with_row_index("__row").with_columns(
        pl.col("ccode1").cast(pl.Int32),
        pl.col("ccode2").cast(pl.Int32),
        (pl.col(origin_col) + 1).cast(pl.Int32).alias("__key"),
    )
    found = (
        work.sort("__key")
        .join_asof(
            ev.with_columns(pl.col("__key").cast(pl.Int32)).sort("__key"),
            on="__key",
            by=DYAD,
            strategy="forward",
            check_sortedness=False,
        )
        .sort("__row")
    )
    inside = pl.col("__on").is_not_null() & (pl.col("__on") <= pl.col(origin_col) + horizon)
    return found.with_columns(
        pl.when(inside).then(pl.col("event")).alias("event"),
        pl.when(inside).then(pl.col("kind")).alias("kind"),
    ).drop("__row", "__key", "__on")


def count_events(onsets: pl.DataFrame, years: Sequence[int] | None = None) -> dict[str, int]:
    """Number of onset dyads, events, and events of each kind (optionally within years)."""
    d = onsets if years is None else onsets.filter(pl.col("year").is_in(list(years)))
    ev = d.select("event", "kind").unique()
    return {
        "dyads": d.height,
        "events": ev.height,
        **{k: int((ev["kind"] == k).sum()) for k in KINDS},
    }


__all__ = [
    "KINDS",
    "assign_events",
    "cluster_onsets",
    "count_events",
    "event_table",
    "new_obligations",
]
