"""Built-in panel add-ons: one per source, registered in :mod:`allyscope.panel.addons`.

Each add-on's ``definition`` is the reference text for its columns (also rendered in
``docs/panels.md`` and by ``allyscope panel dyad-years --list-addons``). State variables on
dyad-year panels get the suffixes ``1`` and ``2`` (``_1``/``_2`` after a digit:
``polity2_1``). Years outside a source's coverage are null; inside it, a dyad-year an
event table does not list is 0.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from typing import Any

import numpy as np
import polars as pl

from allyscope.panel.addons import (
    AddOn,
    PanelContext,
    _grid,
    _np,
    codes_in_system,
    dyad_codes_in_system,
    join_dyad_vars,
    join_state_vars,
    register,
    suffixed,
)
from allyscope.sources.bounds import coverage as _coverage

# -- small shared pieces -------------------------------------------------------------------


def _span(name: str) -> tuple[int, int]:
    """A source's or input's coverage, from the first year of the state lists (1816) on."""
    from allyscope.panel.core import LIST_START

    a, b = _coverage(name)
    return (max(a, LIST_START), b)


_TABLE_CACHE: dict[tuple[str, str], pl.DataFrame] = {}
_CACHE_LOCK = threading.Lock()


def _sql(ctx: PanelContext, query: str) -> pl.DataFrame:
    """Run a read-only warehouse query; results are kept in memory per data version (they
    are small source-shaped tables, at most about a million rows)."""
    wh = ctx.warehouse
    key = (wh.data_hash, " ".join(query.split()))
    with _CACHE_LOCK:
        hit = _TABLE_CACHE.get(key)
    if hit is None:
        hit = wh.sql(query)
        with _CACHE_LOCK:
            if len(_TABLE_CACHE) > 64:
                _TABLE_CACHE.clear()
            _TABLE_CACHE[key] = hit
    return hit


def clear_cache() -> None:
    """Forget the source tables kept in memory."""
    with _CACHE_LOCK:
        _TABLE_CACHE.clear()


def _reg(
    name: str,
    func: Any,
    *,
    units: tuple[str, ...],
    sources: tuple[str, ...],
    coverage: Any,
    title: str,
    definition: str,
    aliases: tuple[str, ...] = (),
    citations: tuple[str, ...] = (),
    systems: tuple[str, ...] = ("cow", "gw"),
    options: dict[str, str] | None = None,
    notes: str = "",
    pick_sources: Any = None,
    cow_coded: bool = True,
) -> None:
    """Register a built-in add-on. ``cow_coded`` sources are read through the COW-to-GW
    state-year crosswalk on GW panels, which is then cited too."""
    if pick_sources is None and cow_coded:

        def pick_sources(c: PanelContext, _s: tuple[str, ...] = sources) -> tuple[str, ...]:
            return (*_s, "cow_gw_panel") if c.system == "gw" else _s

    register(
        AddOn(
            name=name,
            func=func,
            units=units,
            sources=sources,
            coverage=coverage,
            title=title,
            definition=definition.strip(),
            aliases=aliases,
            citations=citations,
            systems=systems,
            options=options or {},
            notes=notes.strip(),
            module=__name__,
            pick_sources=pick_sources,
        ),
        replace=True,
    )


# -- alliances ------------------------------------------------------------------------------

ATOP_COLS = ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul")


def _atop(df: pl.DataFrame, ctx: PanelContext, extend: bool = False) -> pl.DataFrame:
    if extend:  # Panel.add routes extend=True to the atop_extended add-on
        from allyscope.errors import InvalidInputError

        raise InvalidInputError(
            "the extended ATOP obligations are the add-on 'atop_extended'",
            "use panel.add('atop', extend=True) or panel.add('atop_extended')",
        )
    cols = [*ATOP_COLS, "atop_any"]
    if ctx.directed and ctx.system == "cow":
        # directed panels: the obligations of ccode1 toward ccode2 (ATOP is directed)
        tab = _sql(
            ctx,
            "SELECT ccode1, ccode2, year, "
            + ", ".join(f"{c}::TINYINT AS {c}" for c in ATOP_COLS)
            + " FROM atop_alliance",
        ).with_columns(pl.max_horizontal(ATOP_COLS).alias("atop_any"))
        return join_dyad_vars(df, ctx, tab, cols, fill=dict.fromkeys(cols, 0), directional=True)
    tab = _sql(
        ctx,
        "SELECT least(ccode1, ccode2) AS ccode1, greatest(ccode1, ccode2) AS ccode2, year, "
        + ", ".join(f"max({c})::TINYINT AS {c}" for c in ATOP_COLS)
        + " FROM atop_alliance GROUP BY ALL",
    ).with_columns(pl.max_horizontal(ATOP_COLS).alias("atop_any"))
    return join_dyad_vars(df, ctx, tab, cols, code="ccode", fill=dict.fromkeys(cols, 0))


_ATOP_DEF = """
atop_defense, atop_offense, atop_neutral, atop_nonagg, atop_consul: 1 if the two states
share at least one alliance in force that year that commits them to defense, offense,
neutrality, non-aggression or consultation (ATOP 5 dyad-year data), else 0.
atop_any: 1 if any of the five obligations holds. A dyad-year ATOP does not list (within
its coverage) has no obligation (0). ATOP is directed (obligations of one state toward
another can differ: in 1960 the United States owes Japan defense, Japan owes the United
States consultation only). Directed COW panels take the obligations of ccode1 toward
ccode2; non-directed panels (and GW panels) count an obligation in either direction.
"""

_reg(
    "atop",
    _atop,
    aliases=("atop_alliance", "atop_alliances"),
    units=("dyad-year",),
    sources=("atop_alliance",),
    coverage=_coverage("atop_alliance"),
    title="ATOP alliance obligations",
    definition=_ATOP_DEF
    + """
ATOP ends in 2018: later years are null. extend=True (command line: --atop-extended) gives
the add-on atop_extended instead: ATOP plus the sourced alliance records to 2025.
""",
    options={"extend": "True: ATOP extended with the alliance records (atop_extended)"},
)


def _atop_extended(
    df: pl.DataFrame, ctx: PanelContext, records: Any = None, dates: str = "in_force"
) -> pl.DataFrame:
    from allyscope.panel.alliances import extended_atop, load_records

    through = load_records(records).through.year
    ext = extended_atop(records, dates).with_columns(pl.max_horizontal(ATOP_COLS).alias("atop_any"))
    cols = [*ATOP_COLS, "atop_any", "atop_source"]
    fill: dict[str, Any] = dict.fromkeys(cols[:-1], 0)
    beyond = pl.col("year") > through

    def clip(out: pl.DataFrame) -> pl.DataFrame:  # years after the records are unknown
        return out.with_columns(
            pl.when(beyond).then(None).otherwise(pl.col(c)).alias(c) for c in cols
        )

    if ctx.directed and ctx.system == "cow":
        tab = ext.with_columns(pl.col(c).cast(pl.Int8) for c in cols[:-1])
        return clip(join_dyad_vars(df, ctx, tab, cols, fill=fill, directional=True))
    tab = (
        ext.with_columns(
            pl.min_horizontal("ccode1", "ccode2").alias("__a"),
            pl.max_horizontal("ccode1", "ccode2").alias("__b"),
        )
        .group_by("__a", "__b", "year")
        .agg(
            *[pl.col(c).max().cast(pl.Int8) for c in cols[:-1]],
            pl.col("atop_source").str.split("+").explode().unique().sort().str.join("+"),
        )
        .rename({"__a": "ccode1", "__b": "ccode2"})
    )
    return clip(join_dyad_vars(df, ctx, tab, cols, code="ccode", fill=fill))


def _extended_coverage() -> tuple[int, int]:
    """ATOP's first year to the latest year of the data: the record file's own last year
    is applied by the add-on (years after it are null), so another record file given as
    ``records=`` is read with its own coverage."""
    from allyscope.sources.bounds import current_year

    return (_coverage("atop_alliance")[0], current_year())


_reg(
    "atop_extended",
    _atop_extended,
    aliases=("atop_ext", "atop_records", "alliances_extended"),
    units=("dyad-year",),
    sources=("atop_alliance",),
    coverage=_extended_coverage(),
    title="ATOP alliance obligations extended with sourced records to 2025",
    definition=_ATOP_DEF
    + """
After ATOP's last year (2018) the obligations come from allyscope's alliance records
(docs/alliances.md): every directed dyad obligation in force in 2018 is carried forward
unless a record ends it, and each record adds or ends obligations from the date they are
in force (a year counts if the obligation is in force on any day of it: Finland and the
United States are allies from 2023, Sweden from 2024). dates="start" dates them from
signature instead, ATOP's own practice (Finland and Sweden from 2022). atop_source says
where each dyad-year's
obligations come from: "atop", "atop_carried", "record:<id>", or several joined by "+";
null where the dyad has no obligation.
""",
    options={
        "records": "path of another alliance record file (default: the shipped one)",
        "dates": "'in_force' (default: from entry into force) or 'start' (from signature, "
        "ATOP's practice)",
    },
    citations=("leeds2002atop",),
)

COW_ALLY_COLS = ("cow_defense", "cow_neutral", "cow_nonagg", "cow_entente")


def _cow_alliance(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    tab = _sql(
        ctx,
        "SELECT least(ccode1, ccode2) AS ccode1, greatest(ccode1, ccode2) AS ccode2, year, "
        + ", ".join(f"max({c})::TINYINT AS {c}" for c in COW_ALLY_COLS)
        + " FROM cow_alliance GROUP BY ALL",
    )
    return join_dyad_vars(
        df, ctx, tab, COW_ALLY_COLS, code="ccode", fill=dict.fromkeys(COW_ALLY_COLS, 0)
    )


_reg(
    "cow_alliance",
    _cow_alliance,
    aliases=("cow_alliances", "cow_formal_alliances"),
    units=("dyad-year",),
    sources=("cow_alliance",),
    coverage=_span("cow_alliance"),
    title="COW formal alliance types",
    definition="""
cow_defense, cow_neutral, cow_nonagg, cow_entente: 1 if the two states share a formal
alliance of that type in force that year (COW Formal Alliances v4.1), else 0. The types
nest in the COW coding: a defense pact usually also carries neutrality and entente
obligations.
""",
)


# -- capabilities -------------------------------------------------------------------------

NMC_COLS = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")


def _nmc(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    tab = _sql(ctx, "SELECT ccode, year, " + ", ".join(NMC_COLS) + " FROM cow_nmc")
    rename = {c: f"nmc_{c}" for c in NMC_COLS}
    out = join_state_vars(df, ctx, tab, NMC_COLS, code="ccode", rename=rename)
    if ctx.is_dyadic:
        c1, c2 = pl.col("nmc_cinc1"), pl.col("nmc_cinc2")
        total = c1 + c2
        out = out.with_columns(
            pl.when(total > 0).then(c1 / total).otherwise(None).alias("nmc_cinc_share1"),
            pl.when(pl.min_horizontal(c1, c2) > 0)
            .then(pl.max_horizontal(c1, c2) / pl.min_horizontal(c1, c2))
            .otherwise(None)
            .alias("nmc_cinc_ratio"),
        )
    return out


_reg(
    "nmc",
    _nmc,
    aliases=("capabilities", "cinc", "cow_nmc", "national_capabilities"),
    units=("state-year", "dyad-year"),
    sources=("cow_nmc",),
    coverage=_span("cow_nmc"),
    title="COW National Material Capabilities (CINC and components)",
    definition="""
nmc_milex (military expenditure, thousands of US dollars), nmc_milper (military personnel,
thousands), nmc_irst (iron and steel production, thousands of tons), nmc_pec (primary
energy consumption, thousands of coal-ton equivalents), nmc_tpop (total population,
thousands), nmc_upop (urban population, thousands), nmc_cinc (Composite Index of National
Capability: the state's mean share of the system total of the six components).
Dyad-years get each variable per side (nmc_cinc1, nmc_cinc2, ...) plus
nmc_cinc_share1 = cinc1 / (cinc1 + cinc2) (side 1's share of the dyad's capabilities)
and nmc_cinc_ratio = max(cinc1, cinc2) / min(cinc1, cinc2) (stronger to weaker; null if
the weaker side's CINC is 0).
""",
)


# -- geography ------------------------------------------------------------------------------


def _contiguity(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    # year-aware: a spell counts in every year from its start to its end date; when a
    # dyad has several spells in a year, the closest contiguity (lowest type) wins
    tab = _sql(
        ctx,
        """
        SELECT least(ccode1, ccode2) AS ccode1, greatest(ccode1, ccode2) AS ccode2,
               CAST(y AS INTEGER) AS year, min(conttype)::TINYINT AS cow_conttype
        FROM cow_contdir,
             LATERAL (SELECT unnest(range(year(stdate), year(enddate) + 1)) AS y)
        WHERE conttype BETWEEN 1 AND 5
        GROUP BY ALL
        """,
    )
    if ctx.is_dyadic:
        return join_dyad_vars(
            df, ctx, tab, ["cow_conttype"], code="ccode", fill={"cow_conttype": 0}
        )
    both = pl.concat(
        [
            tab.select(pl.col("ccode1").alias("ccode"), "year", "cow_conttype"),
            tab.select(pl.col("ccode2").alias("ccode"), "year", "cow_conttype"),
        ]
    )
    counts = both.group_by("ccode", "year").agg(
        (pl.col("cow_conttype") == 1).sum().cast(pl.Int16).alias("cow_land_borders"),
        (pl.col("cow_conttype") > 1).sum().cast(pl.Int16).alias("cow_sea_borders"),
    )
    cols = ["cow_land_borders", "cow_sea_borders"]
    return join_state_vars(df, ctx, counts, cols, code="ccode", fill=dict.fromkeys(cols, 0))


_reg(
    "contiguity",
    _contiguity,
    aliases=("contdir", "cow_contdir", "cow_contiguity", "direct_contiguity"),
    units=("dyad-year", "state-year"),
    sources=("cow_contdir",),
    coverage=_span("cow_contdir"),
    title="COW direct contiguity type",
    definition="""
cow_conttype: the closest direct-contiguity relationship of the two states in force on any
day of the year (COW Direct Contiguity 3.2 date spells): 1 land or river border, 2
separated by 12 miles of water or less, 3 by 24 miles or less, 4 by 150 miles or less, 5
by 400 miles or less; 0 not directly contiguous. When the relationship changes within a
year, the lowest type in force on any day of that year is used. State-years get
cow_land_borders (states sharing a land or river border that year) and cow_sea_borders
(states across at most 400 miles of water, and no land border).
""",
)


def _mindist(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    code = ctx.code
    table = "cow_mindist" if ctx.system == "cow" else "gw_mindist"
    tab = _sql(
        ctx,
        f"SELECT {code}1, {code}2, year, mindist AS cshapes_mindist FROM {table}",
    )
    return join_dyad_vars(df, ctx, tab, ["cshapes_mindist"], code=code)


_reg(
    "mindist",
    _mindist,
    aliases=("minimum_distance", "min_distance", "cshapes_mindist"),
    pick_sources=lambda c: (f"{c.system}_mindist",),
    units=("dyad-year",),
    sources=("cow_mindist", "gw_mindist"),
    coverage=_span("cow_mindist"),
    title="Minimum distance between states (CShapes 2.0)",
    definition="""
cshapes_mindist: the shortest distance in kilometres between the two states' territories
(CShapes 2.0 borders), 0 for states sharing a border. COW panels use cow_mindist, GW panels
gw_mindist. Dyad-years CShapes does not cover (states without mapped territory) are null.
""",
)

EARTH_RADIUS_KM = 6378.137  # the sphere radius of geosphere::distVincentySphere


def great_circle_km(lat1: pl.Expr, lng1: pl.Expr, lat2: pl.Expr, lng2: pl.Expr) -> pl.Expr:
    """Great-circle distance on a sphere of radius 6378.137 km (Vincenty's formula)."""
    rad = math.pi / 180.0
    p1, p2 = lat1 * rad, lat2 * rad
    dl = (lng2 - lng1) * rad
    num = (
        (p2.cos() * dl.sin()) ** 2 + (p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos()) ** 2
    ).sqrt()
    den = p1.sin() * p2.sin() + p1.cos() * p2.cos() * dl.cos()
    return pl.arctan2(num, den) * EARTH_RADIUS_KM


def _capital_years(ctx: PanelContext) -> pl.DataFrame:
    code = ctx.code
    table = "cow_capitals" if ctx.system == "cow" else "gw_capitals"
    # one capital per state-year: the one whose spell starts first (the 1 January capital)
    return (
        _sql(ctx, f"SELECT {code}, stdate, enddate, lat, lng FROM {table} ORDER BY {code}, stdate")
        .with_columns(
            pl.int_ranges(
                pl.col("stdate").dt.year(), pl.col("enddate").dt.year() + 1, dtype=pl.Int32
            ).alias("year")
        )
        .explode("year")
        .unique(subset=[code, "year"], keep="first", maintain_order=True)
        .select(pl.col(code).cast(pl.Int32), "year", "lat", "lng")
    )


def _capdist(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    from allyscope.panel.core import base_frame

    caps = _capital_years(ctx)
    dist = great_circle_km(pl.col("__lat1"), pl.col("__lng1"), pl.col("__lat2"), pl.col("__lng2"))
    if ctx.is_dyadic:
        out = join_state_vars(
            df, ctx, caps, ["lat", "lng"], rename={"lat": "__lat", "lng": "__lng"}
        )
        return out.with_columns(dist.alias("capdist")).drop("__lat1", "__lng1", "__lat2", "__lng2")
    # state-year: distance to the nearest capital of another member that year
    dctx = PanelContext("dyad-year", ctx.system, False, ctx.years, ctx.mry)
    dy = base_frame("dyad-year", ctx.system, ctx.years, ctx.mry)
    dy = join_state_vars(dy, dctx, caps, ["lat", "lng"], rename={"lat": "__lat", "lng": "__lng"})
    dy = dy.select(dctx.code1, dctx.code2, "year", dist.alias("d"))
    both = pl.concat(
        [
            dy.select(pl.col(dctx.code1).alias(ctx.code), "year", "d"),
            dy.select(pl.col(dctx.code2).alias(ctx.code), "year", "d"),
        ]
    )
    nearest = both.group_by(ctx.code, "year").agg(pl.col("d").min().alias("capdist_min"))
    return df.join(nearest, on=[ctx.code, "year"], how="left", maintain_order="left")


_reg(
    "capdist",
    _capdist,
    aliases=("capital_distance", "capitals"),
    pick_sources=lambda c: (f"{c.system}_capitals",),
    units=("dyad-year", "state-year"),
    sources=("cow_capitals", "gw_capitals"),
    coverage=_coverage("state_system"),
    title="Capital-to-capital distance",
    definition="""
capdist: great-circle ("as the crow flies") distance in kilometres between the two states'
capitals, on a sphere of radius 6378.137 km (Vincenty's formula). A state's capital in a
year is the one in place on 1 January, or its first capital if it entered the system
during the year (capital spells with dates, peacesciencer's cow_capitals / gw_capitals).
State-years get capdist_min: the distance to the nearest capital of another member state
that year.
""",
)


# -- international organizations ---------------------------------------------------------


def _igo(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    if ctx.is_dyadic:
        tab = _sql(
            ctx,
            "SELECT ccode1, ccode2, year, dyadigos::SMALLINT AS cow_igo_joint FROM cow_igo_ndy",
        )
        return join_dyad_vars(df, ctx, tab, ["cow_igo_joint"], code="ccode")
    cols = ("sum_igo_full", "sum_igo_associate", "sum_igo_observer", "sum_igo_anytype")
    tab = _sql(ctx, "SELECT ccode, year, " + ", ".join(cols) + " FROM cow_igo_sy")
    rename = {c: "cow_igo_" + c.removeprefix("sum_igo_") for c in cols}
    return join_state_vars(df, ctx, tab, cols, code="ccode", rename=rename)


_reg(
    "igo",
    _igo,
    aliases=("igos", "cow_igo", "joint_igos"),
    pick_sources=lambda c: (
        (("cow_igo_ndy",) if c.is_dyadic else ("cow_igo_sy",))
        + (("cow_gw_panel",) if c.system == "gw" else ())
    ),
    units=("dyad-year", "state-year"),
    sources=("cow_igo_ndy", "cow_igo_sy"),
    coverage=_span("cow_igo_ndy"),
    title="IGO memberships (COW IGO 3)",
    definition="""
cow_igo_joint (dyad-years): the number of intergovernmental organizations in which both
states are full members that year. cow_igo_full, cow_igo_associate, cow_igo_observer,
cow_igo_anytype (state-years): the number of IGOs the state belongs to as a full member,
associate member, observer, or in any of these ways. Years after 2014 are null; state- or
dyad-years the IGO data do not list are null.
""",
)


# -- rivalries ---------------------------------------------------------------------------

_TD_TYPES = ("spatial", "positional", "ideological", "interventionary")


def _rivalry_years(ctx: PanelContext, which: str) -> pl.DataFrame:
    """Non-directed rivalry-years (ccode1 < ccode2) with 0/1 type indicators."""
    if which == "td":
        raw = _sql(
            ctx,
            "SELECT rivalryno AS rid, ccode1, ccode2, styear AS y0, endyear AS y1, "
            "type1, type2, type3 FROM td_rivalries",
        )
        types = {
            t: pl.any_horizontal(
                pl.col(c).fill_null("") == t for c in ("type1", "type2", "type3")
            ).cast(pl.Int8)
            for t in _TD_TYPES
        }
    else:
        raw = _sql(
            ctx,
            'SELECT tssr_id AS rid, ccode1, ccode2, "start" AS y0, "end" AS y1, "positional", '
            '"spatial", "ideological", "interventionary", "principal", "aprin" FROM tss_rivalries',
        )
        types = {
            t: pl.col(t).fill_null(0).cast(pl.Int8)
            for t in (
                "positional",
                "spatial",
                "ideological",
                "interventionary",
                "principal",
                "aprin",
            )
        }
    ry = (
        raw.with_columns(
            pl.int_ranges(
                pl.max_horizontal("y0", pl.lit(1816)), pl.col("y1") + 1, dtype=pl.Int32
            ).alias("year"),
            **types,
        )
        .explode("year")
        .drop_nulls("year")
    )
    # Austria-Hungary (300) rivalries that outlast 1918 continue with Austria (305)
    fix = {
        c: pl.when((pl.col(c) == 300) & (pl.col("year") >= 1919)).then(305).otherwise(pl.col(c))
        for c in ("ccode1", "ccode2")
    }
    ry = ry.with_columns(**fix)
    return ry.select(
        pl.min_horizontal("ccode1", "ccode2").cast(pl.Int32).alias("ccode1"),
        pl.max_horizontal("ccode1", "ccode2").cast(pl.Int32).alias("ccode2"),
        "year",
        "rid",
        *types,
    )


def _rivalries(which: str):
    prefix = f"{which}_rivalry"
    tnames = (
        list(_TD_TYPES)
        if which == "td"
        else ["positional", "spatial", "ideological", "interventionary", "principal", "aprin"]
    )

    def func(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
        ry = _rivalry_years(ctx, which)
        if ctx.is_dyadic:
            tab = ry.group_by("ccode1", "ccode2", "year").agg(
                pl.lit(1, pl.Int8).alias(prefix),
                *(pl.col(t).max().alias(f"{prefix}_{t}") for t in tnames),
            )
            cols = [prefix, *(f"{prefix}_{t}" for t in tnames)]
            return join_dyad_vars(df, ctx, tab, cols, code="ccode", fill=dict.fromkeys(cols, 0))
        both = pl.concat(
            [
                ry.select(pl.col("ccode1").alias("ccode"), "year", "rid", *tnames),
                ry.select(pl.col("ccode2").alias("ccode"), "year", "rid", *tnames),
            ]
        )
        tab = both.group_by("ccode", "year").agg(
            pl.col("rid").n_unique().cast(pl.Int16).alias("n"),
            *(pl.col(t).sum().cast(pl.Int16).alias(f"n_{t}") for t in tnames),
        )
        cols = ["n", *(f"n_{t}" for t in tnames)]
        rename = {"n": f"{which}_rivalries", **{f"n_{t}": f"{which}_rivalries_{t}" for t in tnames}}
        return join_state_vars(
            df, ctx, tab, cols, code="ccode", rename=rename, fill=dict.fromkeys(cols, 0)
        )

    return func


_reg(
    "td_rivalries",
    _rivalries("td"),
    aliases=("rivalries", "strategic_rivalries", "td", "thompson_dreyer"),
    units=("dyad-year", "state-year"),
    sources=("td_rivalries",),
    coverage=_span("td_rivalries"),
    title="Thompson-Dreyer strategic rivalries",
    definition="""
td_rivalry (dyad-years): 1 if the two states are in an ongoing strategic rivalry that year
(Thompson and Dreyer 2012; every year from the rivalry's start to its end year), else 0.
td_rivalry_spatial, td_rivalry_positional, td_rivalry_ideological,
td_rivalry_interventionary: 1 if an ongoing rivalry of the dyad is of that type (any of its
up to three listed types). State-years get counts: td_rivalries (ongoing rivalries of the
state) and td_rivalries_<type>. Rivalries of Austria-Hungary (300) that run past 1918
continue with Austria (305), as in peacesciencer.
""",
)

_reg(
    "tss_rivalries",
    _rivalries("tss"),
    aliases=("tss", "tss_rivalry", "thompson_sakuwa_suhas"),
    units=("dyad-year", "state-year"),
    sources=("tss_rivalries",),
    coverage=_span("tss_rivalries"),
    title="Thompson-Sakuwa-Suhas strategic rivalries",
    definition="""
tss_rivalry (dyad-years): 1 if the two states are in an ongoing strategic rivalry that year
(Thompson, Sakuwa and Suhas 2022), else 0. tss_rivalry_positional, tss_rivalry_spatial,
tss_rivalry_ideological, tss_rivalry_interventionary: 1 if an ongoing rivalry is of that
type; tss_rivalry_principal and tss_rivalry_aprin: 1 for principal and asymmetric principal
rivalries. State-years get counts (tss_rivalries, tss_rivalries_<type>). Austria-Hungary's
rivalries continue with Austria (305) after 1918.
""",
)


# -- militarized disputes ---------------------------------------------------------------------


def _first_coexistence(ctx: PanelContext) -> pl.DataFrame:
    """First year in which both states of each pair were members on a common day."""
    from allyscope.panel.core import membership_spells

    sp = membership_spells(ctx.system, ctx.mry or False)
    a = sp.rename({"code": "__a", "start": "sa", "end": "ea"})
    b = sp.rename({"code": "__b", "start": "sb", "end": "eb"})
    return (
        a.join(b, how="cross")
        .filter(
            (pl.col("__a") < pl.col("__b"))
            & (pl.col("sa") <= pl.col("eb"))
            & (pl.col("sb") <= pl.col("ea"))
        )
        .group_by("__a", "__b")
        .agg(pl.max_horizontal("sa", "sb").min().dt.year().cast(pl.Int32).alias("__first"))
    )


def _years_since(
    df: pl.DataFrame,
    ctx: PanelContext,
    events: pl.DataFrame,
    first: pl.DataFrame,
    name: str,
) -> pl.DataFrame:
    """Add ``name`` = year minus the latest event year at or before it (events before the
    panel's first year count), or minus the unit's first year in the system if there was
    none. ``events`` and ``first`` are keyed like the panel: ``__a``, ``__b`` (the smaller
    and larger code) for dyads, ``__a`` for states; ``first`` has ``__first``.

    Vectorized: events are sorted by (unit, year) and each panel row finds the latest one
    at or before its year by binary search."""
    dyadic = ctx.is_dyadic
    g = _grid(df, ctx, "dyad" if dyadic else "state")
    none = np.iinfo(np.int32).min
    # unit (state or pair) of every panel row and of every event (-1: not in the panel)
    unit = g.unit
    ey = _np(events["year"])
    eunit = g.unit_index(_np(events["__a"]), _np(events["__b"]) if dyadic else None)
    keep = eunit >= 0
    ekey = np.unique(eunit[keep] * 10_000 + ey[keep])  # sorted (unit, year)
    years = _np(df["year"]).astype(np.int64)
    qkey = unit * 10_000 + years
    at = np.searchsorted(ekey, qkey, side="right") - 1  # latest event at or before
    hit = at >= 0
    at = np.where(hit, at, 0)
    hit &= (ekey[at] // 10_000) == unit if len(ekey) else np.zeros(len(qkey), dtype=bool)
    last = np.where(hit, ekey[at] % 10_000, none) if len(ekey) else np.full(len(qkey), none)
    # the unit's first year in the system
    funit = g.unit_index(_np(first["__a"]), _np(first["__b"]) if dyadic else None)
    firsts = np.full(g.nu, none, dtype=np.int64)
    ok = funit >= 0
    firsts[funit[ok]] = _np(first["__first"])[ok]
    ref = np.maximum(last, firsts[unit])
    valid = ref > none
    out = pl.Series(name, np.where(valid, years - ref, 0), dtype=pl.Int16)
    if not valid.all():
        out = pl.select(pl.when(pl.Series(valid)).then(out)).to_series().alias(name)
    return df.with_columns(out)


def _mids(kind: str):
    table = f"{kind}_mid_ddydisps"
    p = f"{kind}mid"
    out_p = f"{kind}_mid"

    def func(df: pl.DataFrame, ctx: PanelContext, spells: str = "onset") -> pl.DataFrame:
        if spells not in ("onset", "ongoing"):
            from allyscope.errors import InvalidInputError

            raise InvalidInputError(f"spells={spells!r}: use 'onset' or 'ongoing'")
        if ctx.is_dyadic:
            tab = _sql(
                ctx,
                f"""
                SELECT least(ccode1, ccode2) AS ccode1, greatest(ccode1, ccode2) AS ccode2, year,
                       max({p}onset)::TINYINT AS {out_p}_onset,
                       max({p}ongoing)::TINYINT AS {out_p}_ongoing,
                       count(DISTINCT dispnum) FILTER (WHERE {p}onset = 1)::SMALLINT AS {out_p}_onsets,
                       max(greatest(hostlev1, hostlev2))::TINYINT AS {out_p}_hostlev
                FROM {table} GROUP BY ALL
                """,
            )
            cols = [f"{out_p}_onset", f"{out_p}_ongoing", f"{out_p}_onsets", f"{out_p}_hostlev"]
            if ctx.system != "cow":
                tab = dyad_codes_in_system(tab, "ccode", ctx.system)
            tab = tab.select(
                pl.min_horizontal(ctx.code1, ctx.code2).alias(ctx.code1),
                pl.max_horizontal(ctx.code1, ctx.code2).alias(ctx.code2),
                "year",
                *cols,
            )
            out = join_dyad_vars(df, ctx, tab, cols, fill=dict.fromkeys(cols, 0))
            flag = cols[0] if spells == "onset" else cols[1]
            ev = tab.filter(pl.col(flag) == 1).select(
                pl.col(ctx.code1).alias("__a"), pl.col(ctx.code2).alias("__b"), "year"
            )
            return _years_since(out, ctx, ev, _first_coexistence(ctx), f"{out_p}_peaceyears")
        tab = _sql(
            ctx,
            f"""
            SELECT ccode1 AS ccode, year,
                   max({p}onset)::TINYINT AS {out_p}_onset,
                   max({p}ongoing)::TINYINT AS {out_p}_ongoing,
                   count(DISTINCT dispnum) FILTER (WHERE {p}onset = 1)::SMALLINT AS {out_p}_onsets,
                   max(hostlev1)::TINYINT AS {out_p}_hostlev
            FROM {table} GROUP BY ALL
            """,
        )
        cols = [f"{out_p}_onset", f"{out_p}_ongoing", f"{out_p}_onsets", f"{out_p}_hostlev"]
        out = join_state_vars(df, ctx, tab, cols, code="ccode", fill=dict.fromkeys(cols, 0))
        flag = cols[0] if spells == "onset" else cols[1]
        st = tab if ctx.system == "cow" else codes_in_system(tab, "ccode", ctx.system)
        ev = st.filter(pl.col(flag) == 1).select(pl.col(ctx.code).alias("__a"), "year")
        from allyscope.panel.core import membership_spells

        sp = membership_spells(ctx.system, ctx.mry or False)
        first = sp.group_by(pl.col("code").alias("__a")).agg(
            pl.col("start").min().dt.year().cast(pl.Int32).alias("__first")
        )
        return _years_since(out, ctx, ev, first, f"{out_p}_peaceyears")

    return func


_MID_DEF = """
{p}_onset: 1 if a new militarized interstate dispute between the two states began that
year, else 0; {p}_ongoing: 1 if a dispute between them was under way in any part of the
year; {p}_onsets: the number of disputes that began; {p}_hostlev: the highest hostility
level either state reached in any dispute between them ongoing that year (1 no militarized
action, 2 threat, 3 display, 4 use of force, 5 war; 0 when no dispute); {p}_peaceyears: years since the last
onset (0 in an onset year; with spells="ongoing", since the last year with an ongoing
dispute), counted from the first year both states were in the system when there has been
none. The dispute-level directed dyad-year data (one row per dispute and direction) are
collapsed to one row per dyad-year. State-years get the same columns for the state's
disputes with anyone (hostlev: the state's own highest level).
"""

_reg(
    "gml_mids",
    _mids("gml"),
    aliases=("gml", "gml_mid", "mids", "gml_disputes"),
    units=("dyad-year", "state-year"),
    sources=("gml_mid_ddydisps",),
    coverage=_span("gml_mid_ddydisps"),
    title="Militarized interstate disputes (Gibler-Miller-Little)",
    definition=_MID_DEF.format(p="gml_mid"),
    options={"spells": "'onset' (default) or 'ongoing': what resets gml_mid_peaceyears"},
)

_reg(
    "cow_mids",
    _mids("cow"),
    aliases=("cow_mid", "cow_disputes", "mid5"),
    units=("dyad-year", "state-year"),
    sources=("cow_mid_ddydisps",),
    coverage=_span("cow_mid_ddydisps"),
    title="Militarized interstate disputes (COW MID 5)",
    definition=_MID_DEF.format(p="cow_mid"),
    options={"spells": "'onset' (default) or 'ongoing': what resets cow_mid_peaceyears"},
)


# -- major powers ------------------------------------------------------------------------------


def _majors(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    tab = (
        _sql(ctx, "SELECT ccode, styear, endyear FROM cow_majors")
        .with_columns(pl.int_ranges("styear", pl.col("endyear") + 1, dtype=pl.Int32).alias("year"))
        .explode("year")
        .select(pl.col("ccode").cast(pl.Int32), "year", pl.lit(1, pl.Int8).alias("cow_majpow"))
        .unique()
    )
    return join_state_vars(df, ctx, tab, ["cow_majpow"], code="ccode", fill={"cow_majpow": 0})


_reg(
    "majors",
    _majors,
    aliases=("major_powers", "cow_majors", "majpow", "major_power"),
    units=("dyad-year", "state-year"),
    sources=("cow_majors",),
    coverage=_span("cow_majors"),
    title="COW major powers",
    definition="""
cow_majpow (cow_majpow1, cow_majpow2 on dyad-years): 1 if the state is a Correlates of War
major power on any day of the year, else 0. Major powers: United States 1898-, United
Kingdom, France (1816-1940, 1945-), Germany (1816-1918, 1925-1945, 1991-), Austria-Hungary
(1816-1918), Italy (1860-1943), Russia (1816-1917, 1922-), China (1950-), Japan
(1895-1945, 1991-).
""",
)


# -- democracy ----------------------------------------------------------------------------------

DEMOCRACY_COLS = ("v2x_polyarchy", "polity2", "euds", "aeuds", "xm_qudsest")
_ISARD_DEM = {"cow": ("cow_democracy_isard", "ccode"), "gw": ("gw_democracy_isard", "gwcode")}
_PS_DEM = {"cow": ("ccode_democracy", "ccode"), "gw": ("gwcode_democracy", "gwcode")}


def _democracy(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    table, code = _ISARD_DEM[ctx.system]
    cols = DEMOCRACY_COLS[:4]
    tab = _sql(ctx, f"SELECT {code}, year, " + ", ".join(cols) + f" FROM {table}")
    out = join_state_vars(df, ctx, tab, cols, code=code)
    ps_table, ps_code = _PS_DEM[ctx.system]
    uds = _sql(ctx, f"SELECT {ps_code}, year, xm_qudsest FROM {ps_table}")
    out = join_state_vars(out, ctx, uds, ["xm_qudsest"], code=ps_code)
    if ctx.is_dyadic:
        out = out.with_columns(
            pl.when(pl.col(suffixed(c, 1)).is_not_null() & pl.col(suffixed(c, 2)).is_not_null())
            .then(pl.min_horizontal(suffixed(c, 1), suffixed(c, 2)))
            .otherwise(None)
            .alias(f"{c}_min")
            for c in DEMOCRACY_COLS
        )
    return out


_reg(
    "democracy",
    _democracy,
    aliases=("dem", "polity", "vdem", "uds", "regime"),
    pick_sources=lambda c: (_ISARD_DEM[c.system][0], _PS_DEM[c.system][0]),
    units=("dyad-year", "state-year"),
    sources=(
        "cow_democracy_isard",
        "gw_democracy_isard",
        "ccode_democracy",
        "gwcode_democracy",
    ),
    coverage=_span("democracy"),
    title="Democracy: V-Dem polyarchy, Polity2, extended UDS",
    definition="""
v2x_polyarchy: V-Dem electoral democracy index (0-1; V-Dem v16, to 2025); polity2: Polity5
combined score (-10 to 10, to 2018); euds: Marquez's extended Unified Democracy Score
(latent, mean about 0; to 2025) and aeuds, the same rescaled so that 0 is the average
cut-point of the dichotomous democracy measures (isard, Miller). xm_qudsest: the earlier
release of the extended UDS distributed with peacesciencer (to 2020), kept for
comparison with older results. Dyad-years get each per side (v2x_polyarchy1, polity2_1,
euds1, ...) and the weak-link minimum of the two sides (v2x_polyarchy_min, polity2_min,
euds_min, ...; null if either side is missing). Each measure is null where its own source
has no estimate: the add-on covers 1816-2025, but Polity stops in 2018.
""",
)


# -- GDP and population ----------------------------------------------------------------------

SDP_COLS = ("wbgdp2011est", "wbpopest", "sdpest", "wbgdppc2011est")


def _sdp_gdp(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    table, code = ("cow_sdp_gdp", "ccode") if ctx.system == "cow" else ("gw_sdp_gdp", "gwcode")
    tab = _sql(ctx, f"SELECT {code}, year, " + ", ".join(SDP_COLS) + f" FROM {table}")
    return join_state_vars(df, ctx, tab, SDP_COLS, code=code)


_reg(
    "sdp_gdp",
    _sdp_gdp,
    aliases=("gdp", "sdp", "population", "gdp_population"),
    pick_sources=lambda c: (f"{c.system}_sdp_gdp",),
    units=("dyad-year", "state-year"),
    sources=("cow_sdp_gdp", "gw_sdp_gdp"),
    coverage={"cow": _span("cow_sdp_gdp"), "gw": _span("gw_sdp_gdp")},
    title="GDP, population and surplus domestic product (simulated)",
    definition="""
wbgdp2011est: GDP in 2011 US dollars, natural log; wbpopest: population, natural log;
wbgdppc2011est: GDP per capita, natural log; sdpest: surplus domestic product, natural log
(Anders, Fariss and Markowitz 2020, simulated from the World Bank and Maddison data).
Dyad-years get each per side (wbgdp2011est1, ...).
""",
)


# -- leaders ------------------------------------------------------------------------------------

LEADER_COLS = ("leadertransition", "irregular", "n_leaders")


def reign_years(ctx: PanelContext | None = None) -> pl.DataFrame:
    """Leader transitions per COW state-year from REIGN, for the years after Archigos.

    Columns ``ccode``, ``year``, ``transition`` (1 if a leader took office that year,
    the state's first recorded leader excepted), ``n_leaders`` (leaders in office on any day
    of the year) and ``source``. REIGN ends within its last year (the catalog's
    ``data_through``, February 2021): that year is observed in part, so ``transition`` is 1
    where a change was seen and null otherwise (a change later in the year is not known),
    ``n_leaders`` is null and ``source`` is ``"reign_partial"``.
    """
    from allyscope.sources.bounds import data_through
    from allyscope.store import open_warehouse

    first = _coverage("archigossums")[1] + 1
    through = data_through("reign_leaders")
    query = (
        "SELECT ccode, start_year, coalesce(end_year, 9999) AS end_year, "
        "row_number() OVER (PARTITION BY ccode ORDER BY start_year, start_month, start_day) "
        "AS nth FROM reign_leaders"
    )
    sp = _sql(ctx, query) if ctx is not None else open_warehouse().sql(query)
    years = pl.DataFrame(
        {"year": pl.int_range(first, through.year + 1, eager=True, dtype=pl.Int32)}
    )
    full = through == dt.date(through.year, 12, 31)
    sy = (
        sp.join(years, how="cross")
        .filter((pl.col("start_year") <= pl.col("year")) & (pl.col("end_year") >= pl.col("year")))
        .group_by(pl.col("ccode").cast(pl.Int32), "year")
        .agg(
            ((pl.col("start_year") == pl.col("year")) & (pl.col("nth") > 1))
            .any()
            .cast(pl.Int8)
            .alias("transition"),
            pl.len().cast(pl.Int16).alias("n_leaders"),
        )
    )
    partial = (pl.col("year") == through.year) & pl.lit(not full)
    return sy.with_columns(
        pl.when(partial & (pl.col("transition") == 0))
        .then(None)
        .otherwise(pl.col("transition"))
        .alias("transition"),
        pl.when(partial).then(None).otherwise(pl.col("n_leaders")).alias("n_leaders"),
        pl.when(partial).then(pl.lit("reign_partial")).otherwise(pl.lit("reign")).alias("source"),
    ).sort("ccode", "year")


def _leaders(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    tab = _sql(ctx, "SELECT gwcode, year, " + ", ".join(LEADER_COLS) + " FROM archigossums")
    rename = {c: f"archigos_{c}" for c in LEADER_COLS}
    out = join_state_vars(df, ctx, tab, LEADER_COLS, code="gwcode", rename=rename)
    reign = reign_years(ctx).rename({"transition": "__rt", "n_leaders": "__rn", "source": "__rs"})
    out = join_state_vars(out, ctx, reign, ["__rt", "__rn", "__rs"], code="ccode")
    archigos_last = _coverage("archigossums")[1]
    in_archigos = pl.col("year") <= archigos_last
    sides = [""] if not ctx.is_dyadic else ["1", "2"]
    new = []
    for side in sides:

        def col(name: str, _s: str = side) -> str:
            return suffixed(name, int(_s)) if _s else name

        new += [
            pl.when(in_archigos)
            .then(pl.col(col("archigos_leadertransition")).cast(pl.Int8))
            .otherwise(pl.col(col("__rt")))
            .alias(col("leaders_transition")),
            pl.when(in_archigos)
            .then(pl.col(col("archigos_n_leaders")).cast(pl.Int16))
            .otherwise(pl.col(col("__rn")))
            .alias(col("leaders_count")),
            pl.when(in_archigos)
            .then(pl.col(col("archigos_irregular")).cast(pl.Int8))
            .otherwise(None)
            .alias(col("leaders_irregular")),
            pl.when(in_archigos)
            .then(pl.when(pl.col(col("archigos_n_leaders")).is_not_null()).then(pl.lit("archigos")))
            .otherwise(pl.col(col("__rs")))
            .alias(col("leaders_source")),
        ]
    drop = [c for c in out.columns if c.startswith("__r")]
    return out.with_columns(new).drop(drop)


_reg(
    "leaders",
    _leaders,
    aliases=("archigos", "leader_transitions", "archigossums", "reign"),
    pick_sources=lambda c: (
        ("archigossums", "reign_leaders", "gw_cow_panel")
        if c.system == "cow"
        else ("archigossums", "reign_leaders", "cow_gw_panel")
    ),
    units=("dyad-year", "state-year"),
    sources=("archigossums", "reign_leaders", "gw_cow_panel", "cow_gw_panel"),
    coverage=_coverage("leaders"),
    title="Leader transitions (Archigos 4.1 to 2015, then REIGN)",
    definition="""
leaders_transition: 1 if the state's effective leader changed during the year, else 0;
leaders_count: how many leaders held office during the year; leaders_irregular: 1 if a
leader left or entered office irregularly (coup, revolt, foreign imposition ...);
leaders_source: where the year comes from. The join rule: Archigos 4.1 through 2015 (its
last year; "archigos"), REIGN (Bell, Besaw and Frank) from 2016 ("reign"): a transition is
a leader taking office that year (acting leaders count: South Korea 2016 and 2017), the
count is the leaders in office on any day of the year. REIGN's March 2021 update records
changes through February 2021, so 2021 is observed in part ("reign_partial"): a change seen
by then is 1 (United States 2021), no change seen is null, not 0 (Japan's October 2021
change is not in the data), and the count is null. Years after 2021 are null (South Korea
2022). REIGN does not code how leaders entered or left office: leaders_irregular is null
from 2016. The Archigos columns themselves (archigos_leadertransition, archigos_irregular,
archigos_n_leaders) are kept and end in 2015. Archigos uses Gleditsch-Ward codes and
REIGN COW codes; each is mapped to the panel's system year by year through the COW/GW
crosswalk (state-years without a counterpart are null).
""",
)


# -- trade ---------------------------------------------------------------------------------------


def _trade(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    tab = _sql(ctx, "SELECT ccode, year, imports, exports FROM cow_trade_sy")
    rename = {"imports": "cow_trade_imports", "exports": "cow_trade_exports"}
    return join_state_vars(df, ctx, tab, ["imports", "exports"], code="ccode", rename=rename)


_reg(
    "trade",
    _trade,
    aliases=("cow_trade", "trade_sy"),
    units=("state-year", "dyad-year"),
    sources=("cow_trade_sy",),
    coverage=_coverage("cow_trade_sy"),
    title="COW trade totals (state-year)",
    definition="""
cow_trade_imports, cow_trade_exports: the state's total imports and exports that year in
millions of current US dollars (COW Trade 4.0, national totals). Dyad-years get the totals
of each side (cow_trade_imports1, ...), not bilateral trade.
""",
)


# -- US forces abroad ------------------------------------------------------------------------------

US_CCODE = 2


#: codes the quarterly troop file uses unlike the COW list: (code, from year, COW code) -
#: unified Germany stays 260 (West Germany) and Serbia has its Gleditsch-Ward code 340
TROOP_QUARTERLY_CODES: tuple[tuple[int, int, int], ...] = ((260, 1991, 255), (340, 2006, 345))


def us_troop_years(ctx: PanelContext | None = None) -> pl.DataFrame:
    """US active-duty troops per host country (COW code) and year, to the last quarter of
    the quarterly file.

    Columns ``ccode``, ``year``, ``us_troops`` and ``source``. Through the last year of the
    country-year file (``us_troops``, 2024) the values are that file's (rows listed twice
    under two spellings of a name are summed; source ``"annual"``). Later years come from
    the quarterly file, *linked* to the annual series (source ``"quarterly_linked"``):

    1. a quarter without a report (no source line; the file shows 0) is missing, not 0;
    2. a year's quarterly value is the median of its reported quarters — robust to one
       quarter that counts a country twice (Japan in June 2014-2021);
    3. the later year's value is the last annual value times the ratio of the two
       years' quarterly values (``annual_2024 * q_2025 / q_2024``), so a level in which
       the quarterly file differs throughout (South Korea counted twice in every quarter
       since September 2010) does not enter; where the last quarterly value is 0 or
       missing, the quarterly value is used as it is.

    The quarterly file codes unified Germany as 260 and Serbia as 340; they are read as the
    COW codes 255 and 345 (:data:`TROOP_QUARTERLY_CODES`).

    ``bench/troops.py`` compares the rule with the annual file where both exist.
    """
    from allyscope.store import open_warehouse

    def sql(q: str) -> pl.DataFrame:
        return _sql(ctx, q) if ctx is not None else open_warehouse().sql(q)

    annual = sql(
        "SELECT ccode::INTEGER AS ccode, year::INTEGER AS year, "
        "sum(troops_ad)::INTEGER AS us_troops FROM us_troops GROUP BY ALL"
    )
    last = _coverage("us_troops")[1]
    end = _coverage("us_troops_quarterly")[1]
    fixes = " ".join(
        f"WHEN ccode = {c} AND year >= {y} THEN {to}" for c, y, to in TROOP_QUARTERLY_CODES
    )
    quarterly = sql(
        f"SELECT (CASE {fixes} ELSE ccode END)::INTEGER AS ccode, year::INTEGER AS year, "
        "median(troops_ad)::DOUBLE AS q FROM us_troops_quarterly "
        f"WHERE source IS NOT NULL AND year >= {last} GROUP BY ALL"
    )
    base = (
        quarterly.filter(pl.col("year") == last)
        .select("ccode", pl.col("q").alias("q0"))
        .join(
            annual.filter(pl.col("year") == last).select("ccode", pl.col("us_troops").alias("a0")),
            on="ccode",
            how="full",
            coalesce=True,
        )
    )
    later = (
        quarterly.filter(pl.col("year").is_between(last + 1, end))
        .join(base, on="ccode", how="left")
        .with_columns(
            pl.when((pl.col("q0") > 0) & pl.col("a0").is_not_null())
            .then(pl.col("a0") * pl.col("q") / pl.col("q0"))
            .otherwise(pl.col("q"))
            .round(0)
            .cast(pl.Int32)
            .alias("us_troops"),
            pl.lit("quarterly_linked").alias("source"),
        )
        .select("ccode", "year", "us_troops", "source")
    )
    return pl.concat(
        [annual.with_columns(pl.lit("annual").alias("source")), later], how="vertical"
    ).sort("ccode", "year")


def _us_troops(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    tab = us_troop_years(ctx).drop("source")
    out = join_state_vars(df, ctx, tab, ["us_troops"], code="ccode", fill={"us_troops": 0})
    if ctx.is_dyadic:
        us = US_CCODE  # the United States has code 2 in both systems
        out = out.with_columns(
            pl.when(pl.col(ctx.code1) == us)
            .then(pl.col("us_troops2"))
            .when(pl.col(ctx.code2) == us)
            .then(pl.col("us_troops1"))
            .otherwise(None)
            .alias("us_troops_partner")
        )
    return out


_reg(
    "us_troops",
    _us_troops,
    aliases=("troops", "troopdata", "us_troop_deployments"),
    units=("state-year", "dyad-year"),
    sources=("us_troops", "us_troops_quarterly"),
    coverage=_coverage("troops"),
    title="US military personnel stationed abroad",
    definition="""
us_troops: US active-duty military personnel stationed in the state that year (troopdata:
Kane; Allen, Flynn and Machain), 0 where the deployment reports list none; for the United
States itself, personnel at home. Dyad-years get us_troops1 and us_troops2 (hosted by each
side) and us_troops_partner: for dyads with the United States, the troops stationed in the
other state (null for other dyads). Rows listed twice under two spellings of a country's
name are summed. The country-year file ends in 2024; 2025 comes from the quarterly file
(to December 2025): the median of the year's reported quarters, linked to the annual
series by the ratio of the two years' quarterly medians (the rule and why:
allyscope.panel.builtin.us_troop_years and docs/panels.md).
""",
)


def _us_bases(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    tab = _sql(
        ctx,
        "SELECT ccode, sum(base)::SMALLINT AS us_bases, sum(lilypad)::SMALLINT AS us_lilypads, "
        "sum(fundedsite)::SMALLINT AS us_fundedsites FROM us_bases GROUP BY ccode",
    ).with_columns(pl.col("ccode").cast(pl.Int32))
    cols = ["us_bases", "us_lilypads", "us_fundedsites"]
    if ctx.system != "cow":
        from allyscope.panel.addons import _crosswalk

        cw = _crosswalk("cow").group_by("ccode").agg(pl.col("gwcode").last())
        tab = tab.join(cw, on="ccode", how="inner").drop("ccode")
    if not ctx.is_dyadic:
        out = df.join(tab, on=ctx.code, how="left", maintain_order="left")
        return out.with_columns(pl.col(c).fill_null(0) for c in cols)
    out = df
    for side in (1, 2):
        out = out.join(
            tab.rename({ctx.code: f"{ctx.code}{side}", **{c: suffixed(c, side) for c in cols}}),
            on=f"{ctx.code}{side}",
            how="left",
            maintain_order="left",
        )
    return out.with_columns(pl.col(suffixed(c, s)).fill_null(0) for c in cols for s in (1, 2))


_reg(
    "us_bases",
    _us_bases,
    aliases=("bases", "us_military_bases"),
    units=("state-year", "dyad-year"),
    sources=("us_bases",),
    coverage=None,
    title="US military bases abroad (snapshot)",
    definition="""
us_bases: the number of US military bases in the state; us_lilypads: smaller "lily pad"
sites; us_fundedsites: sites funded by the United States (Vine 2015, as distributed with
troopdata). The data are a single undated snapshot (mid-2010s), not a panel: every year of
the panel gets the same values, which describe the recent past only. Dyad-years get the
counts per side (us_bases1, ...).
""",
    notes="Snapshot without dates: do not read the values for earlier years as history.",
)


# -- multinational military exercises -----------------------------------------------------------

#: participant names in MME that the country-name resolver does not know
MME_NAME_OVERRIDES: dict[str, int] = {"st. christopher": 60}
#: participant entries that are not states (skipped)
MME_NOT_STATES = (
    "-9",
    "NATO",
    "Baltic States",
    "Bermuda",
    "Hong Kong SAR China",
    "Netherlands Antilles",
    "New Caledonia",
)


def mme_participants() -> pl.DataFrame:
    """One row per exercise, participating state and year under way.

    Columns: ``exercise`` (row number in the MME file), ``mme_id``, ``exercise_name``
    (the MME id where the name is unknown), ``year``, ``participant`` (the name as given)
    and ``ccode`` (COW code as of that year; null when the name is not a state).
    Cached as Parquet per data version.
    """
    from allyscope.store import cached_table

    return cached_table("mme_participants", {}, _compute_mme_participants)


def _compute_mme_participants() -> pl.DataFrame:
    from allyscope import codes
    from allyscope.errors import UnknownCountryError
    from allyscope.store import open_warehouse

    m = open_warehouse().table("mme_exercises").with_row_index("exercise")
    state_cols = [c for c in m.columns if c.startswith("state_")]
    long = (
        m.with_columns(
            pl.when(pl.col("exercise_name").is_in(["-9", ""]) | pl.col("exercise_name").is_null())
            .then(pl.col("mme_id"))
            .otherwise(pl.col("exercise_name"))
            .alias("exercise_name"),
            pl.int_ranges(
                "start_year", pl.coalesce("end_year", "start_year") + 1, dtype=pl.Int32
            ).alias("year"),
        )
        .select("exercise", "mme_id", "exercise_name", "year", *state_cols)
        .unpivot(
            index=["exercise", "mme_id", "exercise_name", "year"],
            on=state_cols,
            value_name="participant",
        )
        .drop("variable")
        .drop_nulls("participant")
        .with_columns(pl.col("participant").str.strip_chars())
        .filter(pl.col("participant") != "")
        .explode("year")
    )
    # resolve each distinct name once, then each distinct (name, year) for renamed states
    names = long.select("participant").unique()["participant"].to_list()
    base: dict[str, int | None] = {}
    for n in names:
        if n in MME_NOT_STATES:
            base[n] = None
        elif n.lower() in MME_NAME_OVERRIDES:
            base[n] = MME_NAME_OVERRIDES[n.lower()]
        else:
            try:
                base[n] = codes.resolve(n)
            except UnknownCountryError:
                base[n] = None
    pairs = (
        long.select("participant", "year")
        .unique()
        .filter(
            pl.col("participant")
            .replace_strict(base, default=None, return_dtype=pl.Int32)
            .is_not_null()
        )
    )
    resolved = [
        codes.resolve(n, y)
        if n.lower() not in MME_NAME_OVERRIDES
        else MME_NAME_OVERRIDES[n.lower()]
        for n, y in pairs.iter_rows()
    ]
    lookup = pairs.with_columns(pl.Series("ccode", resolved, dtype=pl.Int32))
    out = long.join(lookup, on=["participant", "year"], how="left")
    return out.unique(subset=["exercise", "year", "ccode", "participant"]).sort(
        "exercise", "year", "participant"
    )


def _mme_dyads() -> pl.DataFrame:
    p = (
        mme_participants()
        .drop_nulls("ccode")
        .select("exercise", "exercise_name", "year", "ccode")
        .unique(subset=["exercise", "year", "ccode"])
    )
    a = p.rename({"ccode": "ccode1"})
    b = p.select("exercise", "year", pl.col("ccode").alias("ccode2"))
    return a.join(b, on=["exercise", "year"]).filter(pl.col("ccode1") < pl.col("ccode2"))


def _mme(df: pl.DataFrame, ctx: PanelContext, names: bool = False) -> pl.DataFrame:
    if ctx.is_dyadic:
        d = _mme_dyads()
        aggs = [pl.col("exercise").n_unique().cast(pl.Int16).alias("mme_joint_exercises")]
        cols = ["mme_joint_exercises"]
        if names:
            aggs.append(pl.col("exercise_name").sort().alias("mme_exercise_names"))
            cols.append("mme_exercise_names")
        tab = d.group_by("ccode1", "ccode2", "year").agg(aggs)
        out = join_dyad_vars(df, ctx, tab, cols, code="ccode", fill={"mme_joint_exercises": 0})
        if names:
            out = out.with_columns(
                pl.col("mme_exercise_names").fill_null(pl.lit([], pl.List(pl.String)))
            )
        return out
    p = mme_participants().drop_nulls("ccode")
    aggs = [pl.col("exercise").n_unique().cast(pl.Int16).alias("mme_exercises")]
    cols = ["mme_exercises"]
    if names:
        aggs.append(pl.col("exercise_name").unique().sort().alias("mme_exercise_names"))
        cols.append("mme_exercise_names")
    tab = p.group_by("ccode", "year").agg(aggs)
    out = join_state_vars(df, ctx, tab, cols, code="ccode", fill={"mme_exercises": 0})
    if names:
        out = out.with_columns(
            pl.col("mme_exercise_names").fill_null(pl.lit([], pl.List(pl.String)))
        )
    return out


_reg(
    "mme",
    _mme,
    aliases=("exercises", "joint_exercises", "mme_exercises", "military_exercises"),
    units=("dyad-year", "state-year"),
    sources=("mme_exercises",),
    coverage=_coverage("mme_exercises"),
    title="Joint multinational military exercises (MME v7)",
    definition="""
mme_joint_exercises (dyad-years): the number of multinational military exercises in which
both states took part that year (Kuo and Blankenship 2022, MME v7); an exercise counts in
every year it was under way. mme_exercises (state-years): the number of exercises the state
took part in. With names=True the panel also gets mme_exercise_names, the list of exercise
names (the MME id where the exercise is unnamed). Participants are given by name; they are
resolved to COW codes year by year (e.g. "Germany" is West Germany, 260, before October
1990); entries that are not states (NATO, "Baltic States", Bermuda, Hong Kong ...) are
skipped. allyscope.panel.joint_exercises(a, b, year) lists the exercises of one dyad.
""",
    options={"names": "True adds the list column mme_exercise_names"},
)


def joint_exercises(a: str | int, b: str | int, year: int | None = None) -> pl.DataFrame:
    """The MME exercises in which states ``a`` and ``b`` both took part (in ``year``, or in
    any year): columns ``year``, ``mme_id``, ``exercise_name``. States are given by name or
    code (``joint_exercises("USA", "Japan", 2005)``)."""
    from allyscope import codes

    ca, cb = codes.resolve(a, year), codes.resolve(b, year)
    p = mme_participants().drop_nulls("ccode")
    if year is not None:
        p = p.filter(pl.col("year") == year)
    ea = p.filter(pl.col("ccode") == ca).select("exercise", "year", "mme_id", "exercise_name")
    eb = p.filter(pl.col("ccode") == cb).select("exercise", "year")
    return (
        ea.join(eb, on=["exercise", "year"], how="inner")
        .unique(subset=["exercise", "year"])
        .sort("year", "exercise_name")
        .select("year", "mme_id", "exercise_name")
    )


__all__ = ["great_circle_km", "joint_exercises", "mme_participants"]


# -- arms transfers ----------------------------------------------------------------------------

ARMS_COLS = ("sipri_tiv", "sipri_tiv_ordered", "sipri_share", "sipri_share_5y")


def _arms(df: pl.DataFrame, ctx: PanelContext) -> pl.DataFrame:
    from allyscope.panel.arms import arms_imports, arms_transfers

    t = arms_transfers()
    if not ctx.is_dyadic:
        imp = arms_imports()
        exp = t.group_by(pl.col("ccode1").alias("ccode"), "year").agg(
            pl.col("sipri_tiv").sum().alias("sipri_exports")
        )
        top = (
            t.filter(pl.col("sipri_share_5y").is_not_null())
            .sort("sipri_share_5y", "ccode1", descending=[True, False])
            .group_by(pl.col("ccode2").alias("ccode"), "year", maintain_order=True)
            .first()
            .select(
                "ccode",
                "year",
                pl.col("ccode1").alias("sipri_top_supplier"),
                pl.col("sipri_share_5y").alias("sipri_top_supplier_share_5y"),
            )
        )
        out = join_state_vars(
            df, ctx, imp, ["sipri_imports"], code="ccode", fill={"sipri_imports": 0.0}
        )
        out = join_state_vars(
            out, ctx, exp, ["sipri_exports"], code="ccode", fill={"sipri_exports": 0.0}
        )
        cols = ["sipri_top_supplier", "sipri_top_supplier_share_5y"]
        return join_state_vars(out, ctx, top, cols, code="ccode")
    fill = {"sipri_tiv": 0.0, "sipri_tiv_ordered": 0.0}
    if ctx.directed and ctx.system == "cow":
        out = join_dyad_vars(df, ctx, t, ARMS_COLS, fill=fill, directional=True)
        # a recipient that received arms that year depends on a supplier it got nothing
        # from to the extent 0; one that received nothing has no defined dependence
        imp = arms_imports()
        out = join_state_vars(
            out, ctx, imp, ["sipri_imports"], code="ccode", rename={"sipri_imports": "__imp"}
        )
        five = imp.with_columns(pl.int_ranges("year", pl.col("year") + 5).alias("y")).explode("y")
        five = five.group_by("ccode", pl.col("y").alias("year")).agg(pl.col("sipri_imports").sum())
        out = join_state_vars(
            out, ctx, five, ["sipri_imports"], code="ccode", rename={"sipri_imports": "__impw"}
        )
        out = out.with_columns(
            pl.when(pl.col("__imp2") > 0)
            .then(pl.col("sipri_share").fill_null(0.0))
            .alias("sipri_share"),
            pl.when(pl.col("__impw2") > 0)
            .then(pl.col("sipri_share_5y").fill_null(0.0))
            .alias("sipri_share_5y"),
        )
        return out.drop("__imp1", "__imp2", "__impw1", "__impw2")
    # non-directed: volumes in both directions summed, dependence the larger of the two
    und = (
        t.with_columns(
            pl.min_horizontal("ccode1", "ccode2").alias("__a"),
            pl.max_horizontal("ccode1", "ccode2").alias("__b"),
        )
        .group_by("__a", "__b", "year")
        .agg(
            pl.col("sipri_tiv").sum(),
            pl.col("sipri_tiv_ordered").sum(),
            pl.col("sipri_share").max().alias("sipri_share_max"),
            pl.col("sipri_share_5y").max().alias("sipri_share_5y_max"),
        )
        .rename({"__a": "ccode1", "__b": "ccode2"})
    )
    cols = ["sipri_tiv", "sipri_tiv_ordered", "sipri_share_max", "sipri_share_5y_max"]
    return join_dyad_vars(df, ctx, und, cols, code="ccode", fill=fill)


_reg(
    "arms",
    _arms,
    aliases=("arms_transfers", "sipri", "sipri_arms"),
    units=("dyad-year", "state-year"),
    sources=("sipri_arms",),
    coverage=_coverage("arms_transfers"),
    title="Arms transfers (SIPRI trend-indicator values)",
    definition="""
Directed COW dyad-years (supplier ccode1 to recipient ccode2): sipri_tiv, the TIV (SIPRI
trend-indicator value, millions) of major conventional arms delivered that year, each
deal's delivered TIV split equally over its years of delivery; sipri_tiv_ordered, the TIV
of deals ordered that year; sipri_share, the recipient's dependence on the supplier (the
supplier's share of all TIV the recipient received that year, from any supplier; 0 if
the recipient got arms but none from this supplier, null if it got none at all);
sipri_share_5y, the same over the five years ending that year. Non-directed panels (and
GW panels) get sipri_tiv and sipri_tiv_ordered summed over both directions and
sipri_share_max / sipri_share_5y_max, the larger of the two dependences (null where
neither side received arms from the other in the window). State-years get sipri_imports
and sipri_exports (TIV delivered) and sipri_top_supplier (COW code) with
sipri_top_supplier_share_5y, the largest five-year dependence. Non-state and unknown
parties count in the totals but have no dyads. allyscope.panel.arms.arms_transfers()
gives the table and arms_dependence(recipient, years) a recipient's suppliers.
""",
    citations=("sipri2025arms",),
)
