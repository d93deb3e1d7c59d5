"""The one place where the report and the web app reach the analysis modules.

Every function here calls a public API of an analysis module (panels, UN voting,
mechanisms, networks, forecasts) and hands back its result, narrowed to the states and
years asked for. Nothing here estimates, scores or models anything: the numbers come
from the modules, and the report only arranges and draws them.

A module that is not installed in this build of allyscope raises :class:`Unavailable`;
the report then shows a notice in place of the section instead of guessing.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import lru_cache
from types import ModuleType
from typing import Any

import polars as pl

from allyscope.sources.bounds import coverage, current_year


class Unavailable(Exception):
    """An analysis API that this installation does not provide (yet)."""

    def __init__(self, what: str, module: str) -> None:
        super().__init__(f"{what} needs `{module}`, which is not available in this installation")
        self.what = what
        self.module = module


def _module(name: str, what: str, *attrs: str) -> ModuleType:
    try:
        mod = importlib.import_module(name)
    except ImportError:
        raise Unavailable(what, name) from None
    for a in attrs:
        if not hasattr(mod, a):
            raise Unavailable(what, f"{name}.{a}")
    return mod


def _pairs(df: pl.DataFrame, ccodes: Sequence[int]) -> pl.DataFrame:
    cs = list(ccodes)
    return df.filter(pl.col("ccode1").is_in(cs) & pl.col("ccode2").is_in(cs))


def _window(df: pl.DataFrame, years: tuple[int, int], col: str = "year") -> pl.DataFrame:
    return df.filter(pl.col(col).is_between(years[0], years[1]))


# -- data provenance ---------------------------------------------------------------------


def warehouse_info() -> dict[str, Any]:
    """Data hash, build time and allyscope version of the warehouse in use."""
    from allyscope import __version__
    from allyscope.store import open_warehouse

    wh = open_warehouse()
    return {
        "allyscope_version": __version__,
        "data_hash": wh.data_hash,
        "built_at": wh.meta.get("built_at"),
        "built_with": wh.meta.get("allyscope_version"),
        "warehouse": str(wh.path),
    }


def provenance() -> pl.DataFrame:
    """One row per source table: title, version, rows, years, licence, URL, SHA-256."""
    from allyscope.store import open_warehouse

    return open_warehouse().provenance()


def bibtex(keys: Sequence[str]) -> str:
    """BibTeX entries for citation keys (unknown keys are skipped by the catalog)."""
    from allyscope.sources import bibtex as _bibtex

    return _bibtex(list(dict.fromkeys(keys)))


def source_citations(sources: Sequence[str]) -> list[str]:
    """Citation keys of warehouse sources."""
    from allyscope.sources import get

    keys: list[str] = []
    for s in sources:
        keys.extend(get(s).citations)
    return list(dict.fromkeys(keys))


# -- UN voting -----------------------------------------------------------------------------

#: UN voting data coverage (General Assembly roll calls)
UN_YEARS = coverage("un_votes")


def _un_affinity_module() -> ModuleType:
    return _module("allyscope.un.affinity", "UN voting affinity", "compute")


def un_affinity(
    ccodes: Sequence[int] | None, years: tuple[int, int], *, issue: str = "all"
) -> pl.DataFrame:
    """Dyad-year UN affinity (agreement, S-score, kappa, ...) among ``ccodes``.

    ``ccodes=None`` returns every dyad. Years outside the voting data are absent.
    """
    aff = _un_affinity_module()
    data = _module("allyscope.un.data", "UN voting affinity", "load").load()
    lo, hi = max(years[0], UN_YEARS[0]), min(years[1], UN_YEARS[1])
    if lo > hi:
        return aff.compute(data, periods=[], ccodes=ccodes).filter(pl.lit(False))
    df = aff.compute(data, periods=range(lo, hi + 1), ccodes=ccodes, issues=(issue,))
    return df.filter(pl.col("issue") == issue).drop("issue")


def least_aligned(ccodes: Sequence[int], years: tuple[int, int], n: int = 3) -> list[int]:
    """The ``n`` states whose mean S-score with the group's members was lowest in the
    last five voting years of the window (ties broken by COW code)."""
    try:
        hi = min(years[1], UN_YEARS[1])
        lo = max(years[0], hi - 4)
        if lo > hi:
            return []
        df = un_affinity(None, (lo, hi))
    except Unavailable:
        return []
    group = list(ccodes)
    sides = pl.concat(
        [
            df.filter(pl.col("ccode1").is_in(group)).select(
                pl.col("ccode2").alias("other"), "s_score", "n_votes"
            ),
            df.filter(pl.col("ccode2").is_in(group)).select(
                pl.col("ccode1").alias("other"), "s_score", "n_votes"
            ),
        ]
    ).filter(~pl.col("other").is_in(group) & (pl.col("n_votes") >= 10))
    ranked = (
        sides.group_by("other")
        .agg(pl.col("s_score").mean().alias("s"), pl.len().alias("k"))
        .filter(pl.col("k") >= len(group))
        .sort(["s", "other"])
    )
    return [int(c) for c in ranked["other"].head(n).to_list()]


def ideal_points(ccodes: Sequence[int] | None, years: tuple[int, int]) -> pl.DataFrame:
    """State-year dynamic ideal points (with their uncertainty) for ``ccodes``."""
    mod = _module("allyscope.un", "UN ideal points", "ideal_points")
    df = mod.ideal_points()
    df = _window(df, years)
    if ccodes is not None:
        df = df.filter(pl.col("ccode").is_in(list(ccodes)))
    return df


# -- panels --------------------------------------------------------------------------------


def _panel_module() -> ModuleType:
    return _module("allyscope.panel.core", "state-year and dyad-year panels", "dyad_years")


def _registered(name: str) -> bool:
    try:
        from allyscope.panel import addons

        addons.get(name)
        return True
    except Exception:
        return False


@lru_cache(maxsize=16)
def _panel(
    unit: str, years: tuple[int, int], addon_names: tuple[str, ...], data_hash: str
) -> pl.DataFrame:
    core = _panel_module()
    missing = [a for a in addon_names if not _registered(a)]
    if missing:
        raise Unavailable("panel add-ons " + ", ".join(missing), "allyscope.panel")
    end = core.LIST_END["cow"].year
    mry = years[1] if years[1] > end else False
    if unit == "dyad":
        p = core.dyad_years(years=years, mry=mry)
    else:
        p = core.state_years(years=years, mry=mry)
    for a in addon_names:
        p = p.add(a)
    return p.df


def _hash() -> str:
    from allyscope.store import open_warehouse

    return open_warehouse().data_hash


def dyad_panel(
    ccodes: Sequence[int], years: tuple[int, int], addon_names: Sequence[str]
) -> pl.DataFrame:
    """The non-directed COW dyad-years of the group's pairs with the named add-ons."""
    df = _panel("dyad", tuple(years), tuple(addon_names), _hash())
    return _pairs(df, ccodes)


def state_panel(
    ccodes: Sequence[int], years: tuple[int, int], addon_names: Sequence[str]
) -> pl.DataFrame:
    """COW state-years of ``ccodes`` with the named add-ons."""
    df = _panel("state", tuple(years), tuple(addon_names), _hash())
    return df.filter(pl.col("ccode").is_in(list(ccodes)))


# -- mechanisms and institutionalization ------------------------------------------------


def groupings_of(ccodes: Sequence[int]) -> pl.DataFrame:
    """The curated groupings related to a group: the one with exactly its members
    (``relation = "same"``), those made of some of its members (``"within"``) and those
    that include all of them (``"includes"``)."""
    mod = _module("allyscope.mechanisms", "cooperation-mechanism records", "groupings")
    g = mod.groupings()
    want = set(int(c) for c in ccodes)
    rel = []
    for members in g["ccodes"].to_list():
        ms = set(members or [])
        if ms == want:
            rel.append("same")
        elif len(ms) >= 2 and ms < want:
            rel.append("within")
        elif ms > want:
            rel.append("includes")
        else:
            rel.append(None)
    order = {"same": 0, "within": 1, "includes": 2}
    return (
        g.with_columns(pl.Series("relation", rel, dtype=pl.String))
        .filter(pl.col("relation").is_not_null())
        .with_columns(pl.col("relation").replace_strict(order, return_dtype=pl.Int8).alias("_o"))
        .sort("_o", "grouping_id")
        .drop("_o")
    )


def institutionalization(
    grouping_ids: Sequence[str], years: tuple[int, int], *, components: bool = False
) -> pl.DataFrame:
    """The institutionalization index per grouping-year (or its decomposition)."""
    mod = _module("allyscope.mechanisms", "the institutionalization index", "institutionalization")
    return mod.institutionalization(
        list(grouping_ids), years=range(years[0], years[1] + 1), components=components
    )


def institution_changes(grouping_ids: Sequence[str], years: tuple[int, int]) -> pl.DataFrame:
    """The records behind each change of the index."""
    mod = _module("allyscope.mechanisms", "the institutionalization index", "changes")
    return mod.changes(list(grouping_ids), years=range(years[0], years[1] + 1))


def mechanism_record_table(grouping_ids: Sequence[str]) -> pl.DataFrame:
    mod = _module("allyscope.mechanisms", "cooperation-mechanism records", "records")
    return mod.records(list(grouping_ids))


# -- networks ------------------------------------------------------------------------------


def _network() -> ModuleType:
    return _module("allyscope.network", "the alliance network", "defacto", "hub_spoke")


#: the de facto score's data run from the UN votes' start to the extended alliance data's end
DEFACTO_YEARS = (coverage("un_votes")[0], coverage("alliances_extended")[1])


def _clip(years: tuple[int, int], cover: tuple[int, int]) -> tuple[int, int] | None:
    lo, hi = max(years[0], cover[0]), min(years[1], cover[1])
    return (lo, hi) if lo <= hi else None


def defacto_pairs(ccodes: Sequence[int], years: tuple[int, int]) -> pl.DataFrame:
    """The de facto alliance score of every member pair per year, with its percentile
    among formal defense-pact dyads of the same year and its components."""
    net = _network()
    span = _clip(years, DEFACTO_YEARS)
    cs = sorted(ccodes)
    if span is None:
        return pl.DataFrame()
    parts = [net.defacto(a, b, span) for i, a in enumerate(cs) for b in cs[i + 1 :]]
    return pl.concat(parts, how="diagonal_relaxed")


def defacto_group(ccodes: Sequence[int], years: tuple[int, int]) -> pl.DataFrame:
    """The group's score per year (weakest pair and mean, with percentiles)."""
    net = _network()
    span = _clip(years, DEFACTO_YEARS)
    if span is None:
        return pl.DataFrame()
    return net.defacto_group(list(ccodes), span)


def defacto_components() -> tuple[str, ...]:
    """The components the settings give a positive weight."""
    from allyscope.settings import defacto

    return defacto().used


def hub_spoke(hub: int, region: str, years: tuple[int, int], layers: Sequence[str]) -> pl.DataFrame:
    """Hub-and-spoke vs lattice metrics per layer and year for a hub and a region."""
    net = _network()
    span = _clip(years, (coverage("un_votes")[0], current_year()))
    if span is None:
        return pl.DataFrame()
    return net.hub_spoke(hub, region, years=span, layers=",".join(layers))


def blocs(years: tuple[int, int]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """UN voting blocs per state-year and polarization per year (one detection run)."""
    net = _module("allyscope.network", "UN voting blocs", "analyze_blocs")
    span = _clip(years, UN_YEARS)
    if span is None:
        return pl.DataFrame(), pl.DataFrame()
    return net.analyze_blocs(span)


def network_layers() -> list[dict[str, str]]:
    """Name, title and definition of every layer of the alliance network."""
    layers = _module("allyscope.network.layers", "the alliance network", "layer_names", "get_layer")
    out = []
    for n in layers.layer_names():
        lay = layers.get_layer(n)
        out.append({"name": lay.name, "title": lay.title, "definition": lay.definition})
    return out


def capitals() -> pl.DataFrame:
    """Capital coordinates per COW state (latest capital), to place states on a map."""
    from allyscope.store import open_warehouse

    return open_warehouse().sql(
        "SELECT ccode, arg_max(lat, enddate) AS lat, arg_max(lng, enddate) AS lng "
        "FROM cow_capitals GROUP BY ccode"
    )


def network(
    year: int, layer: str, region: str | None = None, hub: int | None = None
) -> dict[str, Any]:
    """One layer of the yearly alliance network: ``nodes`` (states with capital
    coordinates and their number of ties shown), ``edges`` and whether the layer's data
    cover the year. With ``region``, the ties among its members (plus, with ``hub``, the
    hub's ties to them)."""
    graphs = _module(
        "allyscope.network.graphs", "the alliance network", "yearly_network", "edge_table"
    )
    g = graphs.yearly_network(year, layer)
    members = None
    if region:
        from allyscope import codes

        members = codes.region_members(region, year)
        if hub is not None and hub not in members:
            members = [*members, hub]
    edges = graphs.edge_table(g, region=members)
    keep = set(members) if members is not None else set(g.nodes)
    deg: dict[int, int] = {}
    for a, b in edges.select("ccode1", "ccode2").iter_rows():
        deg[a] = deg.get(a, 0) + 1
        deg[b] = deg.get(b, 0) + 1
    rows = [
        {
            "ccode": int(n),
            "iso3": g.nodes[n].get("iso3"),
            "name": g.nodes[n].get("name"),
            "degree": int(deg.get(n, 0)),
        }
        for n in g.nodes
        if n in keep
    ]
    nodes = pl.DataFrame(
        rows,
        schema={"ccode": pl.Int32, "iso3": pl.String, "name": pl.String, "degree": pl.Int32},
    )
    caps = capitals().with_columns(pl.col("ccode").cast(pl.Int32))
    nodes = nodes.join(caps, on="ccode", how="left").sort("ccode")
    cols = [
        c
        for c in ("ccode1", "ccode2", "iso3_1", "iso3_2", "name1", "name2", "weight")
        if c in edges.columns
    ]
    return {
        "nodes": nodes,
        "edges": edges.select(cols),
        "covered": bool(g.graph.get("covered", True)),
    }


# -- forecasts -----------------------------------------------------------------------------


def _forecast_module() -> ModuleType:
    return _module("allyscope.forecast", "the alliance forecast", "forecast", "scenario")


#: forecasts and scenario results already computed in this process, by data hash
_FORECASTS: dict[tuple, Any] = {}


def _memo(key: tuple, compute: Any) -> Any:
    key = (_hash(), *key)
    if key not in _FORECASTS:
        if len(_FORECASTS) > 256:
            _FORECASTS.clear()
        _FORECASTS[key] = compute()
    return _FORECASTS[key]


def forecast(ccodes: Sequence[int], horizon: int = 5) -> Any:
    """The forecast for a dyad or group (probability, interval, drivers, neighbours)."""
    fc = _forecast_module()
    return _memo(
        ("forecast", tuple(ccodes), horizon), lambda: fc.forecast(list(ccodes), horizon=horizon)
    )


def default_scenarios(ccodes: Sequence[int]) -> list[Any]:
    """Two scenarios for the report: a new leader in one member (the last one named other
    than the United States), and, when Japan and South Korea are both members, renewed
    Japan–South Korea mistrust (their UN voting inputs at the lowest level of the last 20
    years and their joint exercises stopping); otherwise the forecast module's second
    default (every pair's UN voting affinity at its 20-year low)."""
    fc = _forecast_module()
    from allyscope import codes

    others = [c for c in ccodes if c != 2] or list(ccodes)
    who = others[-1]
    out = [
        fc.Scenario(
            f"New leader in {codes.name(who)}",
            (fc.Change("leader_change", (codes.iso3(who) or who,)),),
            f"A leader transition in {codes.name(who)} in the forecast's origin year.",
        )
    ]
    if 740 in ccodes and 732 in ccodes:
        pair = (("JPN", "KOR"),)
        out.append(
            fc.Scenario(
                "Renewed Japan–South Korea mistrust",
                (fc.Change("un_affinity", "lowest", pair), fc.Change("exercises", 0, pair)),
                "Japan–South Korea UN voting inputs fall to their lowest level of the last 20 "
                "years and their joint exercises stop.",
            )
        )
    defaults = fc.default_scenarios([codes.iso3(c) or c for c in ccodes])
    out.append(defaults[-1])
    return out


def scenario(ccodes: Sequence[int], spec: Any, horizon: int = 5) -> Any:
    """A scenario's forecast next to the baseline (``ScenarioResult``)."""
    fc = _forecast_module()
    key = repr(spec) if not hasattr(spec, "describe") else (spec.name, tuple(spec.describe()))
    return _memo(
        ("scenario", tuple(ccodes), horizon, key),
        lambda: fc.scenario(list(ccodes), spec, horizon=horizon),
    )
