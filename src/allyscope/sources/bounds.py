"""How far each input reaches: one source of truth for every coverage bound.

Every year bound used anywhere in allyscope — the UN votes' 1946-2019, the end of the
state list, ATOP's 2018, the exercises' 2010 — comes from the catalog through this
module. Adding a year of data changes one declaration (a source's ``years`` and
``through``), and every bound that depends on it follows.

* :func:`coverage` — ``(first, last)`` year of a source (``"atop_alliance"``) or of an
  *input*, the named layer an analysis uses (``"alliances"``, ``"leaders"``, ...).
* :func:`data_through` — the last date an input describes (``"2021-02-28"`` for the
  leaders, whose last source ends in early 2021).
* :func:`current_year` — the latest year any input describes: what "the present" means
  for this data (used instead of the calendar, which would make results depend on the
  day they are computed).
* :func:`currency` — a table of every input with its sources, first and last year, data
  through date and, given the years a result uses, whether it carries values past its end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import polars as pl

from allyscope.errors import UnknownNameError


@dataclass(frozen=True)
class Input:
    """A named layer built from one or more sources.

    ``sources`` are read in order: the input starts with the first source's first year and
    ends with the last year of the source reaching furthest (``end_source`` names another
    one where that is not the right end, e.g. a record file). ``carry`` says how values
    are carried past the end where an analysis does so (empty: they are not; years after
    the end are null).
    """

    name: str
    title: str
    sources: tuple[str, ...]
    note: str = ""
    carry: str = ""
    #: the source whose values are carried forward (default: the input's own end)
    carry_source: str | None = None
    first: int | None = None  #: a later start than the sources' (e.g. a measure's window)
    last: int | None = None  #: an earlier end, for one measure of a multi-measure source


#: the inputs of allyscope's analyses, by name
INPUTS: dict[str, Input] = {
    i.name: i
    for i in (
        Input("state_system", "COW state system", ("cow_states_v2024",)),
        Input(
            "state_system_gw",
            "Gleditsch-Ward state system",
            ("gw_system_isard",),
            carry="states independent on 2020-12-31 are assumed independent afterwards (panel mry)",
        ),
        Input("alliances", "ATOP alliance obligations", ("atop_alliance",)),
        Input(
            "alliances_extended",
            "ATOP alliance obligations and sourced records after ATOP",
            ("atop_alliance", "alliance_records"),
            carry="dyads in force in ATOP's last year are carried forward unless a record "
            "ends them (flagged atop_carried)",
            carry_source="atop_alliance",
        ),
        Input("cow_alliances", "COW formal alliances", ("cow_alliance",)),
        Input(
            "un_votes",
            "UN General Assembly roll calls",
            ("un_votes", "undl_votes"),
            note="unvotes to 2019, then the UN Digital Library's recorded votes",
        ),
        Input(
            "voeten_idealpoints",
            "UN ideal points (Bailey, Strezhnev and Voeten, published)",
            ("voeten_idealpoints",),
            note="2024 rests on at most 8 votes per state",
        ),
        Input("exercises", "Multinational military exercises (MME)", ("mme_exercises",)),
        Input(
            "troops",
            "US troops abroad",
            ("us_troops", "us_troops_quarterly"),
            note="annual values from the country-year file to its end, then linked to the "
            "quarterly file",
        ),
        Input("democracy", "Democracy (V-Dem, Polity, UDS)", ("cow_democracy_isard",)),
        Input(
            "vdem",
            "V-Dem electoral democracy (v2x_polyarchy)",
            ("cow_democracy_isard",),
            note="V-Dem v16 as distributed by isard",
        ),
        Input(
            "polity",
            "Polity5 (polity2)",
            ("cow_democracy_isard",),
            last=2018,
            note="Polity5 ends in 2018 (isard keeps two later values for the United States)",
        ),
        Input("capabilities", "National material capabilities (CINC)", ("cow_nmc",)),
        Input(
            "leaders",
            "Leader transitions (Archigos, then REIGN)",
            ("archigossums", "reign_leaders"),
            note="Archigos to 2015, REIGN from 2016; the last year is observed in part",
        ),
        Input("igos", "IGO memberships", ("cow_igo_ndy",)),
        Input("contiguity", "Direct contiguity", ("cow_contdir",)),
        Input("major_powers", "COW major powers", ("cow_majors",)),
        Input("trade", "COW trade totals", ("cow_trade_sy",)),
        Input("gdp", "GDP and population (simulated)", ("cow_sdp_gdp",)),
        Input("distance", "Minimum distance (CShapes)", ("cow_mindist",)),
        Input("rivalries", "Strategic rivalries (Thompson, Sakuwa and Suhas)", ("tss_rivalries",)),
        Input("mids", "Militarized interstate disputes (COW MID 5)", ("cow_mid_ddydisps",)),
        Input("defense_cooperation", "Defense cooperation agreements (DCAD)", ("dcad",)),
        Input("arms_transfers", "Arms transfers (SIPRI TIV)", ("sipri_arms",)),
        Input("minerals", "Critical minerals (USGS MCS 2025)", ("usgs_world",)),
        Input("rhetoric", "UN General Debate speeches", ("ungd_speeches",)),
    )
}


def _source_years(name: str) -> tuple[int, int] | None:
    if name == "alliance_records":
        from allyscope.sources.alliance_records import records_coverage

        a, b = records_coverage()
        return (a.year, b.year)
    from allyscope.sources.catalog import SOURCES

    src = SOURCES.get(name)
    if src is None:
        return None
    if src.years is None:
        raise UnknownNameError(
            "dated source", name, [n for n, s in SOURCES.items() if s.years], "it is undated"
        )
    return src.years


def _source_through(name: str) -> dt.date:
    if name == "alliance_records":
        from allyscope.sources.alliance_records import records_coverage

        return records_coverage()[1]
    from allyscope.sources.catalog import SOURCES

    src = SOURCES[name]
    if src.through:
        return dt.date.fromisoformat(src.through)
    assert src.years is not None
    return dt.date(src.years[1], 12, 31)


def _unknown(name: str) -> UnknownNameError:
    from allyscope.sources.catalog import SOURCES

    return UnknownNameError(
        "source or input",
        name,
        [*INPUTS, *SOURCES],
        "`allyscope data status` lists the sources; allyscope.sources.coverage.INPUTS the inputs",
    )


def coverage(name: str) -> tuple[int, int]:
    """``(first, last)`` year of a source or an input (inclusive).

    >>> coverage("atop_alliance")
    (1815, 2018)
    """
    inp = INPUTS.get(name)
    if inp is None:
        years = _source_years(name)
        if years is None:
            raise _unknown(name)
        return years
    spans = [_source_years(s) for s in inp.sources]
    first = inp.first if inp.first is not None else spans[0][0]  # type: ignore[index]
    last = inp.last if inp.last is not None else max(s[1] for s in spans if s)
    return (first, last)


def first_year(name: str) -> int:
    return coverage(name)[0]


def last_year(name: str) -> int:
    return coverage(name)[1]


def data_through(name: str) -> dt.date:
    """The last date a source or input describes (31 December of its last year unless the
    declaration says more precisely, e.g. REIGN's February 2021)."""
    inp = INPUTS.get(name)
    if inp is None:
        if _source_years(name) is None:
            raise _unknown(name)
        return _source_through(name)
    if inp.last is not None:
        return dt.date(inp.last, 12, 31)
    return max(_source_through(s) for s in inp.sources)


def current_year() -> int:
    """The latest year any dated source describes: the year "now" stands for in this data."""
    from allyscope.sources.catalog import SOURCES

    return max(s.years[1] for s in SOURCES.values() if s.years)


def clip(years: tuple[int, int], name: str) -> tuple[int, int] | None:
    """The part of ``years`` inside the coverage of ``name`` (``None`` if they do not meet)."""
    a, b = coverage(name)
    lo, hi = max(years[0], a), min(years[1], b)
    return (lo, hi) if lo <= hi else None


@cache
def _catalog_sources(inp: Input) -> str:
    return ", ".join(inp.sources)


def currency(
    used: Mapping[str, int] | Iterable[str] | None = None,
    *,
    carried: Mapping[str, bool] | None = None,
) -> pl.DataFrame:
    """How current each input is.

    One row per input (all of them, or those in ``used``): ``input``, ``title``,
    ``sources``, ``first_year``, ``last_year``, ``data_through`` (date), ``note``. With
    ``used`` a mapping from input to the last year a result uses, also ``used_through``
    and ``carried`` — true where the result uses years after the end of the data it
    carries and fills them: an input that declares how it carries (``carry``: the
    extended alliances carry ATOP's 2018 dyads) is carried past ``carry_source``'s last
    year; ``carried`` overrides per input (``{"exercises": True}`` for a score that carries
    the last years' mean forward) — ``carried_years`` (how many years are carried) and
    ``carry_rule``.
    """
    if used is None:
        names = list(INPUTS)
        until: dict[str, int] = {}
    elif isinstance(used, Mapping):
        names = list(used)
        until = {k: int(v) for k, v in used.items()}
    else:
        names = list(used)
        until = {}
    rows = []
    for n in names:
        inp = INPUTS.get(n)
        if inp is None:
            raise _unknown(n)
        first, last = coverage(n)
        row: dict[str, object] = {
            "input": n,
            "title": inp.title,
            "sources": _catalog_sources(inp),
            "first_year": first,
            "last_year": last,
            "data_through": data_through(n),
            "note": inp.note,
        }
        if until:
            u = until.get(n)
            does_carry = (carried or {}).get(n, bool(inp.carry))
            end = coverage(inp.carry_source)[1] if inp.carry_source and inp.carry else last
            past = u is not None and u > end
            row["used_through"] = u
            row["carried"] = bool(past and does_carry)
            row["carried_years"] = (u - end) if u is not None and past and does_carry else 0
            row["carry_rule"] = inp.carry if past and does_carry else ""
        rows.append(row)
    schema: dict[str, pl.DataType] = {
        "input": pl.String(),
        "title": pl.String(),
        "sources": pl.String(),
        "first_year": pl.Int32(),
        "last_year": pl.Int32(),
        "data_through": pl.Date(),
        "note": pl.String(),
    }
    if until:
        schema |= {
            "used_through": pl.Int32(),
            "carried": pl.Boolean(),
            "carried_years": pl.Int32(),
            "carry_rule": pl.String(),
        }
    return pl.DataFrame(rows, schema=schema, orient="row")


__all__ = [
    "INPUTS",
    "Input",
    "clip",
    "coverage",
    "currency",
    "current_year",
    "data_through",
    "first_year",
    "last_year",
]
