"""Alliance status, onsets and the risk set from ATOP.

The ATOP dyad-year table distributed by peacesciencer (``atop_alliance``) is *directed*:
a row ``(ccode1, ccode2, year)`` says which obligations state ``ccode1`` has toward state
``ccode2``. Both orders are listed and they can differ (in the US-Japan treaty the United
States undertakes to defend Japan, Japan does not undertake to defend the United States:
``2 -> 740`` has ``atop_defense = 1``, ``740 -> 2`` has ``0``). A non-directed dyad holds
an obligation in a year if *either* direction holds it. The panel's ``atop`` add-on
applies exactly that rule (the maximum over both directions); this module reads its
columns.

Outcomes (``kind``):

* ``"defense"`` -- an ATOP defense pact (``atop_defense``);
* ``"any"`` -- any ATOP obligation: defense, offense, neutrality, non-aggression or
  consultation (``atop_any``).

A dyad is *allied* in a year if it holds the obligation that year. An *onset* in year
``t`` is the first year of an alliance spell: allied in ``t``, both states in the system
and not allied in ``t - 1``. A dyad whose alliance lapses returns to the risk set the
year after the last allied year, and a later spell is a new onset (re-entry after a gap,
however short, counts). Dyads that are allied are out of the risk set (Lai and Reiter
2000; Gibler and Wolford 2006 model alliance formation the same way): the model is a
discrete-time hazard of onset among non-allied dyads. A dyad's first year in the system
has no previous year, so an alliance in force when a state enters the system (a treaty
signed at independence) is not an onset: the dyad enters the data allied.
"""

from __future__ import annotations

import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.sources.bounds import coverage

#: outcome kinds and the panel column that defines them
OUTCOMES: dict[str, str] = {"defense": "atop_defense", "any": "atop_any"}
OUTCOME_TITLES: dict[str, str] = {
    "defense": "ATOP defense pact",
    "any": "any ATOP obligation (defense, offense, neutrality, non-aggression, consultation)",
}
#: the years the ATOP data cover (from the catalog)
ATOP_FIRST, ATOP_LAST = coverage("atop_alliance")
#: first outcome year of the training data
TRAIN_FIRST = 1946


def check_outcome(kind: str) -> str:
    k = str(kind).strip().lower()
    if k not in OUTCOMES:
        from allyscope.errors import UnknownNameError

        raise UnknownNameError(
            "outcome", str(kind), list(OUTCOMES), "use 'defense' (defense pacts) or 'any'"
        )
    return k


def status_column(kind: str) -> str:
    return OUTCOMES[check_outcome(kind)]


def alliance_years(first: int = ATOP_FIRST, last: int = ATOP_LAST) -> pl.DataFrame:
    """Non-directed dyad-years of the COW system with ATOP status columns.

    Columns: ``ccode1 < ccode2``, ``year``, ``atop_defense``, ``atop_offense``,
    ``atop_neutral``, ``atop_nonagg``, ``atop_consul``, ``atop_any`` (0/1, either
    direction). Years after the end of the COW list use it extended to ``last`` (``mry``).
    """
    from allyscope.panel.core import LIST_END, LIST_START, dyad_years

    if first > last or first < ATOP_FIRST or last > ATOP_LAST:
        raise InvalidInputError(
            f"ATOP status years {first}-{last} are outside {ATOP_FIRST}-{ATOP_LAST}",
            f"choose years within {ATOP_FIRST}-{ATOP_LAST}",
        )
    end = LIST_END["cow"].year
    mry = last if last > end else False
    p = dyad_years("cow", years=(max(first, LIST_START), last), mry=mry).add("atop")
    return p.df


def onsets(status: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Onset years from a non-directed dyad-year status table (see module docs).

    ``status`` needs ``ccode1, ccode2, year`` and the outcome's status column. Returns the
    risk-set rows (dyads that existed and were not allied the year before) with
    ``onset`` (0/1) for each year after the table's first.
    """
    col = status_column(kind)
    s = status.select("ccode1", "ccode2", "year", pl.col(col).alias("__allied")).sort(
        "ccode1", "ccode2", "year"
    )
    prev = s.select(
        "ccode1", "ccode2", (pl.col("year") + 1).alias("year"), pl.col("__allied").alias("__prev")
    )
    out = s.join(prev, on=["ccode1", "ccode2", "year"], how="inner")
    return out.filter(pl.col("__prev") == 0).select(
        "ccode1", "ccode2", "year", pl.col("__allied").cast(pl.Int8).alias("onset")
    )


__all__ = [
    "ATOP_FIRST",
    "ATOP_LAST",
    "OUTCOMES",
    "OUTCOME_TITLES",
    "TRAIN_FIRST",
    "alliance_years",
    "check_outcome",
    "onsets",
    "status_column",
]
