"""What the web app serves: payloads (data + figures) built from the analysis modules,
cached in memory per data hash.

Every page and every ``/api/`` endpoint is backed by one payload function here. A payload
is a JSON-able dict ``{"query": ..., "data": ..., "figures": [...]}`` built from
:mod:`allyscope.api` results and :mod:`allyscope.views`; pages render the same figures that
the API returns, and the report draws the same sections. Payloads are cached as serialized
JSON bytes keyed by the endpoint, its normalized parameters and the warehouse's data hash,
so a repeated request costs a dictionary look-up.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from allyscope import api
from allyscope.groups import Group, check_years, resolve_group
from allyscope.views import dumps as _dumps
from allyscope.views import sources_table
from allyscope.views.figures import Figure, Table, empty_note, figure, fmt, layout, line_traces
from allyscope.views.sections import (
    Section,
    build_forecast,
    network_figure,
    registered_sections,
)

#: payloads kept in memory per process
CACHE_SIZE = 2048


class PayloadCache:
    """A thread-safe LRU of serialized payloads; one computation per key at a time."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._data: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, compute: Callable[[], dict[str, Any]]) -> bytes:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                return hit
            klock = self._key_locks.setdefault(key, threading.Lock())
        with klock:
            with self._lock:
                hit = self._data.get(key)
            if hit is not None:
                return hit
            body = dumps(compute())
            with self._lock:
                self._data[key] = body
                self._data.move_to_end(key)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
                self._key_locks.pop(key, None)
            return body

    def peek(self, key: tuple) -> bytes | None:
        with self._lock:
            return self._data.get(key)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def dumps(obj: Any) -> bytes:
    """A payload as compact, strict JSON bytes."""
    return _dumps(obj).encode()


_CACHE = PayloadCache()


def data_hash() -> str:
    from allyscope import config
    from allyscope.store import open_warehouse

    path = config.warehouse_path()
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return open_warehouse().data_hash  # raises the actionable error
    h = _HASHES.get(stamp)
    if h is None:
        h = _HASHES[stamp] = open_warehouse().data_hash
    return h


_HASHES: dict[tuple[str, int], str] = {}


def _key(name: str, params: dict[str, Any]) -> tuple:
    return (name, data_hash(), tuple(sorted((k, _freeze(v)) for k, v in params.items())))


def cached(name: str, params: dict[str, Any], compute: Callable[[], dict[str, Any]]) -> bytes:
    """The serialized payload for ``name`` and ``params``, computed once per data hash."""
    return _CACHE.get(_key(name, params), compute)


async def acached(
    name: str, params: dict[str, Any], compute: Callable[[], dict[str, Any]]
) -> bytes:
    """:func:`cached` for async routes: a cache hit is answered on the event loop, a miss
    is computed in a worker thread."""
    key = _key(name, params)
    hit = _CACHE.peek(key)
    if hit is not None:
        return hit
    import anyio

    return await anyio.to_thread.run_sync(lambda: _CACHE.get(key, compute))


def _freeze(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return tuple(_freeze(x) for x in v)
    return v


def clear_cache() -> None:
    _CACHE.clear()


# -- payload helpers ----------------------------------------------------------------------


def _sections_payload(group: Group, sections: Sequence[Section]) -> dict[str, Any]:
    return {
        "query": group.to_dict(),
        "sections": [s.to_dict() for s in sections],
        "figures": [f.to_dict() for s in sections for f in s.figures],
    }


def group_payload(
    states: Sequence[str], years: tuple[int | None, int | None], counter: Sequence[str] = ()
) -> dict[str, Any]:
    """Everything about a group (or dyad): institutionalization, alignment, de facto score,
    structure and blocs."""
    group = resolve_group(states, years[0], years[1], counter or None)
    sections = [spec.build(group) for spec in registered_sections() if spec.name != "forecast"]
    return _sections_payload(group, sections)


def forecast_payload(states: Sequence[str], horizon: int) -> dict[str, Any]:
    group = resolve_group(states, None, None)
    s = build_forecast(group)
    out = _sections_payload(group, [s])
    out["query"]["horizon"] = horizon
    return out


def state_payload(code: str, years: tuple[int | None, int | None]) -> dict[str, Any]:
    """One state: codes, UN ideal point, closest and farthest UN partners, US troops,
    groupings it belongs to."""
    from allyscope import codes

    y0, y1 = check_years(years[0], years[1])
    ccode = codes.resolve(code)
    info = codes.lookup(ccode)
    name = str(info.get("name") or ccode)
    figures = [
        f
        for f in (
            _partners_figure(ccode, name, (y0, y1)),
            _ideal_point_figure(ccode, name, (y0, y1)),
            _troops_figure(ccode, name, (y0, y1)),
        )
        if f is not None
    ]
    groupings = _groupings_table(ccode, name)
    return {
        "query": {"state": code, "years": [y0, y1]},
        "data": {"state": dict(info.items())},
        "figures": [f.to_dict() for f in figures],
        "tables": [groupings.to_dict()] if groupings is not None else [],
    }


def _partners_figure(ccode: int, name: str, years: tuple[int, int]) -> Figure | None:
    """The state's UN voting affinity with its closest and most distant partners."""
    from allyscope import codes

    aff = api.un_affinity(None, years).df
    mine = pl.concat(
        [
            aff.filter(pl.col("ccode1") == ccode).select(
                pl.col("ccode2").alias("other"), "year", "s_score", "n_votes"
            ),
            aff.filter(pl.col("ccode2") == ccode).select(
                pl.col("ccode1").alias("other"), "year", "s_score", "n_votes"
            ),
        ]
    )
    if mine.is_empty():
        return None
    last = int(mine.select(pl.col("year").max()).item())
    rank = (
        mine.filter(pl.col("year") >= last - 4)
        .group_by("other", maintain_order=True)
        .agg(pl.col("s_score").mean().alias("s"), pl.col("n_votes").sum().alias("votes"))
        .filter(pl.col("votes") >= 0.5 * pl.col("votes").max())  # states that voted
        .sort(["s", "other"], descending=[True, False])
    )
    names = {c: codes.name(c) for c in rank["other"].to_list()}
    rank = rank.with_columns(pl.col("other").replace_strict(names).alias("state"))
    top, bottom = rank.head(8), rank.tail(8).reverse()
    partners_cut = pl.concat([top, bottom]).unique("other", maintain_order=True)
    shown = top.head(4)["other"].to_list() + bottom.head(2)["other"].to_list()
    lines = mine.filter(pl.col("other").is_in(shown))
    labels = {c: codes.name(c) for c in lines["other"].unique().to_list()}
    lay = layout(
        f"{name}: UN voting affinity with its closest and most distant partners",
        y_title="S-score (−1 … 1)",
        y_range=[-1.05, 1.05],
        legend_title="Partner",
    )
    traces = line_traces(lines.sort("year"), x="year", y="s_score", series="other", labels=labels)
    return Figure(
        "state-un-partners",
        f"UN voting affinity of {name}",
        f"S-score of {name}'s UN General Assembly votes with the four states that "
        f"agreed with it most and the two that agreed least over {last - 4}–{last}.",
        figure(traces, lay),
        Table.from_frame(
            partners_cut.select("state", "s", "votes"),
            columns={
                "state": "State",
                "s": f"Mean S-score {last - 4}–{last}",
                "votes": "Shared votes",
            },
        ),
        sources=["un_votes"],
    )


def _ideal_point_figure(ccode: int, name: str, years: tuple[int, int]) -> Figure:
    """The state's UN ideal point with the United States, China and Russia for reference."""
    from allyscope import codes

    ip = api.ideal_points([ccode, 2, 710, 365], years).df
    labels = {c: codes.name(c) for c in ip["ccode"].unique().to_list()}
    lay = layout(
        f"{name}: UN ideal point", y_title="Ideal point (latent scale)", legend_title="State"
    )
    return Figure(
        "state-ideal-point",
        f"UN ideal point of {name}",
        "Dynamic one-dimensional ideal point, with the United States, China and "
        "Russia for reference (United States positive).",
        figure(line_traces(ip, x="year", y="idealpoint", series="ccode", labels=labels), lay),
        sources=["un_votes"],
    )


def _troops_figure(ccode: int, name: str, years: tuple[int, int]) -> Figure | None:
    """US troops stationed in the state (none for the United States itself)."""
    if ccode == 2:
        return None
    df = api.us_troops([ccode], years).df
    lay = layout(f"US troops in {name}", y_title="US military personnel (persons)", legend_title="")
    traces = line_traces(
        df, x="year", y="us_troops", series="ccode", labels={ccode: name}, digits=0
    )
    return Figure(
        "state-us-troops",
        f"US troops in {name}",
        "Active-duty US military personnel stationed in the state.",
        figure(traces, lay),
        sources=["us_troops"],
    )


def _groupings_table(ccode: int, name: str) -> Table | None:
    """The curated groupings that include the state."""
    g = api.groupings_of([ccode]).df.filter(pl.col("relation") == "includes")
    if not g.height:
        return None
    return Table.from_frame(
        g.select("grouping", "members", "n_records", "first_year"),
        columns={
            "grouping": "Grouping",
            "members": "Members",
            "n_records": "Records",
            "first_year": "First record",
        },
        caption=f"Curated cooperation groupings that include {name}",
    )


#: alignment measures offered on the world map (columns of the UN affinity table)
MAP_MEASURES = {
    "s_score": "S-score",
    "kappa": "Cohen's kappa",
    "agree": "share of identical votes",
    "coincidence": "voting coincidence",
}


def alignment_map_payload(state: str, year: int, measure: str) -> dict[str, Any]:
    """UN voting affinity of every state with one state in one year, as a world map."""
    from allyscope import codes

    ccode = codes.resolve(state)
    name = codes.name(ccode)
    lo, hi = api.un_years()
    if not lo <= year <= hi:
        from allyscope.errors import InvalidInputError

        raise InvalidInputError(
            f"no UN votes in {year}: the UN voting data cover {lo}–{hi}",
            f"choose a year between {lo} and {hi}",
        )
    aff = api.un_affinity(None, (year, year)).df
    mine = pl.concat(
        [
            aff.filter(pl.col("ccode1") == ccode).select(
                pl.col("ccode2").alias("ccode"), measure, "n_votes"
            ),
            aff.filter(pl.col("ccode2") == ccode).select(
                pl.col("ccode1").alias("ccode"), measure, "n_votes"
            ),
        ]
    ).filter(pl.col(measure).is_not_null())
    full = codes.crosswalk()
    cw = full.filter(pl.col("year") == min(year, int(full.select(pl.col("year").max()).item())))
    iso = dict(zip(cw["ccode"].to_list(), cw["iso3"].to_list(), strict=True))
    nm = {c: codes.name(c) for c in mine["ccode"].to_list()}
    mine = mine.with_columns(
        pl.col("ccode").replace_strict(iso, default=None, return_dtype=pl.String).alias("iso3"),
        pl.col("ccode").replace_strict(nm, default=None, return_dtype=pl.String).alias("name"),
    ).sort(measure, descending=True)
    label = MAP_MEASURES[measure]
    lay = layout(
        f"UN voting alignment with {name}, {year} ({label})",
        x_title="",
        height=460,
        hovermode="closest",
    )
    lay["margin"] = {"l": 8, "r": 8, "t": 48, "b": 8}
    lay["geo"] = {
        "projection": {"type": "natural earth", "rotation": {"lon": 10}},
        "showframe": False,
        "showcoastlines": True,
        "coastlinecolor": "#999",
        "showcountries": True,
        "countrycolor": "#bbb",
        "showland": True,
        "landcolor": "#eeeeee",
        "resolution": 50,
    }
    lay.pop("xaxis")
    lay.pop("yaxis")
    fig: dict[str, Any]
    if mine.is_empty():
        fig = empty_note(lay, f"{name} cast no recorded UN vote in {year}")
    else:
        m = mine.filter(pl.col("iso3").is_not_null())
        fig = figure(
            [
                {
                    "type": "choropleth",
                    "locationmode": "ISO-3",
                    "locations": m["iso3"].to_list(),
                    "z": m[measure].to_list(),
                    "text": m["name"].to_list(),
                    "zmin": -1 if measure in ("s_score", "kappa") else 0,
                    "zmax": 1,
                    "colorscale": "RdBu",
                    "reversescale": True,
                    "marker": {"line": {"color": "#666", "width": 0.3}},
                    "colorbar": {"title": {"text": label}, "thickness": 12, "len": 0.7},
                    "hovertemplate": "%{text}: %{z:.2f}<extra></extra>",
                },
                {
                    "type": "scattergeo",
                    "locationmode": "ISO-3",
                    "locations": [codes.iso3(ccode) or ""],
                    "text": [name],
                    "mode": "markers",
                    "marker": {"symbol": "star", "size": 14, "color": "#000"},
                    "name": name,
                    "hovertemplate": "%{text} (reference)<extra></extra>",
                    "showlegend": False,
                },
            ],
            lay,
        )
    table = Table.from_frame(
        pl.concat([mine.head(10), mine.tail(10)])
        .unique("ccode", maintain_order=True)
        .select("name", "iso3", measure, "n_votes"),
        columns={"name": "State", "iso3": "ISO3", measure: label, "n_votes": "Shared votes"},
        caption="Most and least aligned states",
    )
    f = Figure(
        "alignment-map",
        f"Alignment with {name}, {year}",
        f"UN General Assembly voting affinity ({label}) of every state with {name} in {year}; "
        "blue agrees, red disagrees. Grey: no shared recorded votes or no UN seat. Small "
        "states may be too small to see on the map: the table lists them.",
        fig,
        table,
        sources=["un_votes"],
    )
    return {
        "query": {"state": state, "ccode": ccode, "year": year, "measure": measure},
        "data": {
            "rows": [
                {"ccode": r[0], "iso3": r[3], "name": r[4], "value": r[1], "n_votes": r[2]}
                for r in mine.select("ccode", measure, "n_votes", "iso3", "name").iter_rows()
            ]
        },
        "figures": [f.to_dict()],
    }


def states_payload() -> dict[str, Any]:
    """Every state of the COW list with its codes (for pickers and clients)."""
    from allyscope import codes

    cw = codes.crosswalk().sort("year").group_by("ccode", maintain_order=True).last()
    cw = cw.sort("name")
    return {
        "states": [
            {"ccode": r["ccode"], "iso3": r["iso3"], "name": r["name"], "last_year": r["year"]}
            for r in cw.iter_rows(named=True)
        ]
    }


def meta_payload() -> dict[str, Any]:
    """The warehouse in use, its sources and their citations."""
    info = api.warehouse_info()
    info.pop("warehouse", None)
    table, keys = sources_table()
    return {"info": info, "sources": table.to_dict(), "citations": api.bibtex(keys)}


def fmt_number(v: Any) -> str:
    return str(fmt(v))


# -- network, forecasts (integrated from their modules) ----------------------------------


def layers_payload() -> dict[str, Any]:
    return {"layers": api.network_layers()}


def network_payload(
    year: int, layer: str, region: str | None, hub: str | None = None
) -> dict[str, Any]:
    from allyscope import codes

    hub_code = codes.resolve(hub) if hub else None
    res = api.network(year, layer, region, hub=hub_code)
    fig = network_figure(res, region, hub=codes.name(hub_code) if hub_code else None)
    return {
        "query": {"year": year, "layer": layer, "region": region, "hub": hub},
        "data": {
            "nodes": res.nodes.to_dicts(),
            "edges": res.edges.to_dicts(),
            "covered": res.covered,
        },
        "figures": [fig.to_dict()],
    }


def scenario_payload(states: Sequence[str], scenario: str, horizon: int) -> dict[str, Any]:
    group = resolve_group(states, None, None)
    res = api.scenario(group.ccodes, scenario, horizon=horizon)
    return {
        "query": {**group.to_dict(), "scenario": scenario, "horizon": horizon},
        "data": res.to_dict(),
        "figures": [],
    }
