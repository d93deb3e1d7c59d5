"""Hub and spokes or lattice: how a hub's partners in a region are tied to each other.

For a hub state ``h`` (e.g. the United States), a set of regional states ``R`` (a named
region, resolved year by year with :func:`allyscope.codes.region_members`, or an explicit
list) and one layer in one year, the *spokes* ``S`` are the states of ``R`` tied to ``h``
(``h`` itself is never a spoke). With ``k = |S|`` and ``t`` the number of ties between two
spokes:

* ``lattice_density = t / (k (k - 1) / 2)``: the share of spoke pairs tied directly. It is
  also the share of closed hub-centred triads (hub, spoke, spoke), i.e. the hub's local
  clustering coefficient in the regional network. 0 is a pure hub and spoke, 1 a lattice
  in which every pair of spokes is tied. Null when ``k < 2``.
* ``lattice_share = t / (t + k)``: the share of the ties among the hub and its spokes that
  bypass the hub.
* ``lattice_weight_share``: the same with tie weights (sum of spoke-spoke weights over the
  sum of spoke-spoke and hub-spoke weights), for weighted layers.
* ``transitivity``: the global transitivity (3 x triangles / connected triples) of the
  network among the hub and all regional states.

All metrics are null in years the layer is not covered. Which ties count follows the
settings' ``network`` section and is shown with every row (``tie_rule``): exercise ties
weighted 1/(n-1) per exercise of n states and a tie threshold, or only bilateral and
minilateral exercises; troop hosting above a threshold (not embassy guards).
:func:`trend` summarizes a metric over time (least-squares slope per decade).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.network import layers as L

METRICS: tuple[str, ...] = (
    "lattice_density",
    "lattice_share",
    "lattice_weight_share",
    "transitivity",
)


def region_table(
    years: tuple[int, int],
    region: str | None = None,
    states: Sequence[str | int] | None = None,
) -> pl.DataFrame:
    """``year, ccode`` of the regional states in the system each year.

    ``region`` is a region name known to :func:`allyscope.codes.region_members` ("East
    Asia", "Europe", "Middle East" ...); ``states`` an explicit list of names or codes.
    Both together: the union.
    """
    from allyscope import codes

    if region is None and not states:
        raise InvalidInputError(
            "no region given", 'give a region name ("East Asia") or a list of states'
        )
    y0, y1 = years
    nodes = L.node_table(years).select("year", "ccode")
    parts = []
    if region is not None:
        rows = [(y, c) for y in range(y0, y1 + 1) for c in codes.region_members(region, y)]
        parts.append(pl.DataFrame(rows, schema={"year": pl.Int32, "ccode": pl.Int32}, orient="row"))
    if states:
        cc = codes.resolve_many(states)
        parts.append(
            pl.DataFrame(
                [(y, c) for y in range(y0, y1 + 1) for c in cc],
                schema={"year": pl.Int32, "ccode": pl.Int32},
                orient="row",
            )
        )
    reg = pl.concat(parts).unique()
    return reg.join(nodes, on=["year", "ccode"], how="semi").sort("year", "ccode")


def _one_layer(
    layer: str,
    hub: int,
    reg: pl.DataFrame,
    years: tuple[int, int],
    table: pl.DataFrame | None,
    edge_options: dict[str, Any],
) -> pl.DataFrame:
    y0, y1 = years
    ys = pl.DataFrame({"year": pl.Series(range(y0, y1 + 1), dtype=pl.Int32)})
    nodes = L.node_table(years).select("year", "ccode")
    hub_in = (
        nodes.filter(pl.col("ccode") == hub)
        .select("year")
        .with_columns(pl.lit(True).alias("hub_in_system"))
    )
    covered = pl.DataFrame(
        {"year": pl.Series(L.covered_years(layer, years), dtype=pl.Int32)}
    ).with_columns(pl.lit(True).alias("covered"))
    reg = reg.filter(pl.col("ccode") != hub)
    members = pl.concat([reg, hub_in.select("year", pl.lit(hub, pl.Int32).alias("ccode"))])
    e = L.layer_edges(layer, years, table=table, **edge_options).select(
        "ccode1", "ccode2", "year", "weight"
    )
    # ties among the hub and the regional states
    for side in ("ccode1", "ccode2"):
        e = e.join(members.rename({"ccode": side}), on=["year", side], how="semi")
    hub_ties = e.filter((pl.col("ccode1") == hub) | (pl.col("ccode2") == hub)).select(
        "year",
        pl.when(pl.col("ccode1") == hub)
        .then(pl.col("ccode2"))
        .otherwise(pl.col("ccode1"))
        .alias("ccode"),
        "weight",
    )
    spokes = hub_ties.select("year", "ccode")
    s1 = spokes.rename({"ccode": "ccode1"})
    s2 = spokes.rename({"ccode": "ccode2"})
    spoke_ties = e.join(s1, on=["year", "ccode1"], how="semi").join(
        s2, on=["year", "ccode2"], how="semi"
    )
    n_region = reg.group_by("year").agg(pl.len().cast(pl.Int32).alias("n_region"))
    iso = L.node_table(years).select("year", "ccode", "iso3")
    k = (
        hub_ties.join(iso, on=["year", "ccode"], how="left")
        .sort("year", "iso3")
        .group_by("year")
        .agg(
            pl.len().cast(pl.Int32).alias("n_spokes"),
            pl.col("weight").sum().alias("hub_weight"),
            pl.col("iso3").fill_null("?").str.join(",").alias("spokes"),
        )
    )
    t = spoke_ties.group_by("year").agg(
        pl.len().cast(pl.Int32).alias("spoke_ties"), pl.col("weight").sum().alias("spoke_weight")
    )
    trans = _transitivity(e, members)
    out = (
        ys.join(covered, on="year", how="left")
        .join(hub_in, on="year", how="left")
        .join(n_region, on="year", how="left")
        .join(k, on="year", how="left")
        .join(t, on="year", how="left")
        .join(trans, on="year", how="left")
        .with_columns(
            pl.col("covered").fill_null(False),
            pl.col("hub_in_system").fill_null(False),
            pl.col("n_region").fill_null(0),
        )
    )
    ok = pl.col("covered") & pl.col("hub_in_system")
    kk = pl.col("n_spokes").fill_null(0)
    tt = pl.col("spoke_ties").fill_null(0)
    hw = pl.col("hub_weight").fill_null(0.0)
    sw = pl.col("spoke_weight").fill_null(0.0)
    pairs = kk * (kk - 1) / 2
    out = out.with_columns(
        pl.when(ok).then(kk).otherwise(None).alias("n_spokes"),
        pl.when(ok).then(tt).otherwise(None).alias("spoke_ties"),
        pl.when(ok).then(pairs).otherwise(None).cast(pl.Int32).alias("spoke_pairs"),
        pl.when(ok & (kk >= 2)).then(tt / pairs).otherwise(None).alias("lattice_density"),
        pl.when(ok & (kk >= 1)).then(tt / (tt + kk)).otherwise(None).alias("lattice_share"),
        pl.when(ok & (hw + sw > 0))
        .then(sw / (hw + sw))
        .otherwise(None)
        .alias("lattice_weight_share"),
        pl.when(ok)
        .then(pl.col("transitivity").fill_null(0.0))
        .otherwise(None)
        .alias("transitivity"),
        pl.when(ok).then(pl.col("spokes").fill_null("")).otherwise(None).alias("spokes"),
    )
    return out.select(
        pl.lit(layer).alias("layer"),
        pl.lit(L.layer_choices(layer)).alias("tie_rule"),
        "year",
        "covered",
        "hub_in_system",
        "n_region",
        "n_spokes",
        "spoke_ties",
        "spoke_pairs",
        *METRICS,
        "spokes",
    )


def _transitivity(e: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Global transitivity of each year's regional network (loop over years, not dyads)."""
    rows = []
    parts = e.partition_by("year", as_dict=True)
    for (y,), part in parts.items():
        g = nx.Graph()
        g.add_edges_from(zip(part["ccode1"].to_list(), part["ccode2"].to_list(), strict=True))
        rows.append((y, float(nx.transitivity(g))))
    return pl.DataFrame(rows, schema={"year": pl.Int32, "transitivity": pl.Float64}, orient="row")


def hub_spoke(
    hub: str | int,
    region: str | None = None,
    *,
    states: Sequence[str | int] | None = None,
    years: int | Sequence[int] | None = None,
    layers: str | Iterable[str] = "defense",
    **edge_options: Any,
) -> pl.DataFrame:
    """Hub-and-spoke versus lattice metrics, one row per layer and year.

    >>> hub_spoke("USA", "East Asia", years=(1950, 2018), layers="defense,exercises")

    Columns: ``layer, tie_rule`` (the settings behind the layer's ties), ``year, covered,
    hub_in_system, n_region`` (regional states in the system, without the hub),
    ``n_spokes``, ``spoke_ties``, ``spoke_pairs``,
    ``lattice_density``, ``lattice_share``, ``lattice_weight_share``, ``transitivity``
    and ``spokes`` (ISO3 codes). See the module documentation for the definitions.
    """
    from allyscope import codes

    y0, y1 = L.check_years(years)
    names = L.check_layers(layers)
    h = codes.resolve(hub, y1)
    reg = region_table((y0, y1), region, states)
    table = L.dyad_table((y0, y1)) if any(n != "mechanisms" for n in names) else None
    frames = [_one_layer(n, h, reg, (y0, y1), table, edge_options) for n in names]
    return (
        pl.concat(frames)
        .with_columns(pl.lit(codes.iso3(h) or str(h)).alias("hub"))
        .select("hub", pl.exclude("hub"))
    )


def regional_ties(
    year: int,
    hub: str | int,
    region: str | None = None,
    *,
    states: Sequence[str | int] | None = None,
    layer: str = "defense",
    **edge_options: Any,
) -> pl.DataFrame:
    """The ties among the hub and the regional states in one year, each labelled
    ``hub-spoke``, ``spoke-spoke`` or ``other`` (between regional states not both spokes)."""
    from allyscope import codes

    y = L.check_years(year)[0]
    h = codes.resolve(hub, y)
    reg = region_table((y, y), region, states).filter(pl.col("ccode") != h)
    members = set(reg["ccode"].to_list()) | {h}
    e = L.layer_edges(layer, (y, y), **edge_options)
    e = e.filter(pl.col("ccode1").is_in(list(members)) & pl.col("ccode2").is_in(list(members)))
    spokes = set(
        e.filter((pl.col("ccode1") == h) | (pl.col("ccode2") == h))
        .select(pl.concat_list("ccode1", "ccode2").explode())
        .to_series()
        .to_list()
    ) - {h}
    nodes = L.node_table((y, y)).select("ccode", "iso3", "name")
    s = pl.Series(list(spokes), dtype=pl.Int32)
    kind = (
        pl.when((pl.col("ccode1") == h) | (pl.col("ccode2") == h))
        .then(pl.lit("hub-spoke"))
        .when(pl.col("ccode1").is_in(s.implode()) & pl.col("ccode2").is_in(s.implode()))
        .then(pl.lit("spoke-spoke"))
        .otherwise(pl.lit("other"))
    )
    out = (
        e.with_columns(kind.alias("tie"))
        .join(nodes.rename({"ccode": "ccode1", "iso3": "iso3_1", "name": "name1"}), on="ccode1")
        .join(nodes.rename({"ccode": "ccode2", "iso3": "iso3_2", "name": "name2"}), on="ccode2")
    )
    order = {"hub-spoke": 0, "spoke-spoke": 1, "other": 2}
    return (
        out.with_columns(pl.col("tie").replace_strict(order, return_dtype=pl.Int8).alias("_o"))
        .sort("_o", "ccode1", "ccode2")
        .select(
            pl.lit(L.get_layer(layer).name).alias("layer"),
            "year",
            "tie",
            "ccode1",
            "iso3_1",
            "name1",
            "ccode2",
            "iso3_2",
            "name2",
            "weight",
        )
    )


def trend(df: pl.DataFrame, metric: str = "lattice_density") -> pl.DataFrame:
    """Per layer: the least-squares slope of ``metric`` per decade over the covered years,
    its first and last values and the number of years used."""
    if metric not in df.columns:
        raise InvalidInputError(f"no column {metric!r} to summarize", f"use one of {METRICS}")
    rows = []
    for (layer,), part in df.partition_by("layer", as_dict=True, maintain_order=True).items():
        p = part.drop_nulls(metric).sort("year")
        n = p.height
        x = p["year"].to_numpy().astype(float)
        yv = p[metric].to_numpy().astype(float)
        slope = float(np.polyfit(x, yv, 1)[0] * 10) if n >= 2 and np.ptp(x) > 0 else None
        rows.append(
            {
                "layer": layer,
                "metric": metric,
                "n_years": n,
                "first_year": int(x[0]) if n else None,
                "last_year": int(x[-1]) if n else None,
                "first_value": float(yv[0]) if n else None,
                "last_value": float(yv[-1]) if n else None,
                "slope_per_decade": slope,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "layer": pl.String,
            "metric": pl.String,
            "n_years": pl.Int32,
            "first_year": pl.Int32,
            "last_year": pl.Int32,
            "first_value": pl.Float64,
            "last_value": pl.Float64,
            "slope_per_decade": pl.Float64,
        },
        orient="row",
    )


__all__ = ["METRICS", "hub_spoke", "region_table", "regional_ties", "trend"]
