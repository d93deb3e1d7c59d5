"""Yearly networkx graphs of each layer, the multilayer network, and exports.

Nodes are COW codes (``int``) of the states in the system that year, with attributes
``ccode``, ``stateabb``, ``name`` and ``iso3``; every layer's graph of a year has the same
nodes. Edges carry ``weight`` and the layer's other attribute columns (see
:mod:`allyscope.network.layers`). Graph attributes: ``year``, ``layer``,
``weight_source`` (the source column the weight is, e.g. ``cow_igo_joint``) and
``covered`` (``False`` when the layer's source has no data for the year: such a graph has
no edges and must not be read as "no ties").

Build all years at once with :func:`network_sequence` (one pass of data preparation, then
one graph per year and layer); :func:`yearly_network` and :func:`multilayer_network` are
the one-year conveniences. :func:`write_graph` exports a graph as GraphML, GEXF or JSON
node-link data (by extension, atomically).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.network import layers as L

GRAPH_FORMATS: dict[str, str] = {
    ".graphml": "GraphML",
    ".gexf": "GEXF",
    ".json": "JSON node-link",
}


@dataclass
class MultilayerNetwork:
    """The layers of one year's network: ``layers[name]`` is an undirected ``nx.Graph``."""

    year: int
    layers: dict[str, nx.Graph] = field(default_factory=dict)

    def __getitem__(self, layer: str) -> nx.Graph:
        return self.layers[L.get_layer(layer).name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.layers)

    def summary(self) -> pl.DataFrame:
        """One row per layer: covered, nodes, ties, density, total weight."""
        return layer_summary(self.layers.values())

    def to_multigraph(self) -> nx.MultiGraph:
        """All layers in one ``nx.MultiGraph``: edge key and ``layer`` attribute = layer name.

        Layers not covered this year are listed in the graph attribute ``uncovered``.
        """
        mg = nx.MultiGraph(year=self.year, layer="multilayer")
        first = next(iter(self.layers.values()), None)
        if first is not None:
            mg.add_nodes_from(first.nodes(data=True))
        uncovered = []
        for name, g in self.layers.items():
            if not g.graph.get("covered", True):
                uncovered.append(name)
            mg.add_edges_from((u, v, name, {**d, "layer": name}) for u, v, d in g.edges(data=True))
        mg.graph["layers"] = ",".join(self.layers)
        mg.graph["uncovered"] = ",".join(uncovered)
        return mg


#: per layer: the source column the tie weight is (not repeated as an edge attribute)
WEIGHT_SOURCE: dict[str, str] = {
    "defense": "atop_defense",
    "atop_other": "atop_any",
    "igo": "cow_igo_joint",
    "exercises": "mme_joint_exercises",
    "us_troops": "us_troops",
    "mechanisms": "mech_max_index",
}


def _weight_source(layer: str, edges: pl.DataFrame) -> str:
    if layer in WEIGHT_SOURCE:
        return WEIGHT_SOURCE[layer]
    un = [c for c in edges.columns if c.startswith("un_") and c != "un_n_votes"]
    return un[0] if un else "weight"


def _graphs_from_tables(
    layer: str, nodes: pl.DataFrame, edges: pl.DataFrame, years: Sequence[int], covered: set[int]
) -> dict[int, nx.Graph]:
    source = _weight_source(layer, edges)
    attrs = [c for c in edges.columns if c not in ("ccode1", "ccode2", "year", "weight", source)]
    node_parts = nodes.partition_by("year", as_dict=True, maintain_order=True)
    edge_parts = edges.partition_by("year", as_dict=True, maintain_order=True)
    out: dict[int, nx.Graph] = {}
    for y in years:
        g = nx.Graph(year=y, layer=layer, covered=y in covered, weight_source=source)
        nd = node_parts.get((y,))
        if nd is not None:
            g.add_nodes_from(
                (c, {"ccode": c, "stateabb": a, "name": n, "iso3": i})
                for c, a, n, i in zip(
                    nd["ccode"].to_list(),
                    nd["stateabb"].to_list(),
                    nd["name"].to_list(),
                    nd["iso3"].to_list(),
                    strict=True,
                )
            )
        ed = edge_parts.get((y,))
        if ed is not None and y in covered:
            c1, c2, w = ed["ccode1"].to_list(), ed["ccode2"].to_list(), ed["weight"].to_list()
            if not attrs:
                g.add_weighted_edges_from(zip(c1, c2, w, strict=True))
            else:
                cols = [ed[c].to_list() for c in attrs]
                names = ["weight", *attrs]
                g.add_edges_from(
                    (a, b, dict(zip(names, vals, strict=True)))
                    for a, b, *vals in zip(c1, c2, w, *cols, strict=True)
                )
        out[y] = g
    return out


def network_sequence(
    years: int | Sequence[int] | None = None,
    layers: str | Iterable[str] | None = None,
    **edge_options: Any,
) -> dict[int, MultilayerNetwork]:
    """The multilayer network of every year in ``years`` (default 1946-2018).

    Data for all years are prepared once (:func:`~allyscope.network.layers.dyad_table`,
    cached), then one graph is built per year and layer. ``edge_options`` go to
    :func:`~allyscope.network.layers.layer_edges` (``un_measure``, ``un_quantile``,
    ``un_threshold``).
    """
    y0, y1 = L.check_years(years)
    names = L.check_layers(layers)
    ys = list(range(y0, y1 + 1))
    nodes = L.node_table((y0, y1))
    needs_table = any(n != "mechanisms" for n in names)
    table = L.dyad_table((y0, y1)) if needs_table else None
    seq = {y: MultilayerNetwork(y) for y in ys}
    for name in names:
        edges = L.layer_edges(name, (y0, y1), table=table, **edge_options)
        covered = set(L.covered_years(name, (y0, y1)))
        for y, g in _graphs_from_tables(name, nodes, edges, ys, covered).items():
            seq[y].layers[name] = g
    return seq


def yearly_network(year: int, layer: str, **edge_options: Any) -> nx.Graph:
    """The graph of one layer in one year (see the module documentation)."""
    name = L.get_layer(layer).name
    return network_sequence(year, [name], **edge_options)[year].layers[name]


def multilayer_network(
    year: int, layers: str | Iterable[str] | None = None, **edge_options: Any
) -> MultilayerNetwork:
    """Every layer (or the chosen ones) of one year's network."""
    return network_sequence(year, layers, **edge_options)[year]


def layer_summary(graphs: Iterable[nx.Graph]) -> pl.DataFrame:
    """Per graph: year, layer, covered, nodes, ties, density, total and mean weight."""
    rows = []
    for g in graphs:
        covered = bool(g.graph.get("covered", True))
        n, m = g.number_of_nodes(), g.number_of_edges()
        tw = float(g.size(weight="weight")) if covered else None
        rows.append(
            {
                "year": g.graph.get("year"),
                "layer": g.graph.get("layer"),
                "covered": covered,
                "nodes": n,
                "ties": m if covered else None,
                "density": (nx.density(g) if n > 1 else 0.0) if covered else None,
                "total_weight": tw,
                "mean_weight": (tw / m if m else None) if covered else None,
            }
        )
    schema = {
        "year": pl.Int32,
        "layer": pl.String,
        "covered": pl.Boolean,
        "nodes": pl.Int32,
        "ties": pl.Int32,
        "density": pl.Float64,
        "total_weight": pl.Float64,
        "mean_weight": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def edge_table(g: nx.Graph, *, region: Sequence[int] | None = None) -> pl.DataFrame:
    """The ties of a graph as a table: ``ccode1 < ccode2``, names, ISO3 codes, weight and
    the other edge attributes; with ``region``, only ties between those states."""
    keep = set(region) if region is not None else None
    rows = []
    for u, v, d in g.edges(data=True):
        if keep is not None and (u not in keep or v not in keep):
            continue
        a, b = (u, v) if u < v else (v, u)
        rows.append(
            {
                "year": g.graph.get("year"),
                "layer": d.get("layer", g.graph.get("layer")),
                "ccode1": a,
                "ccode2": b,
                "iso3_1": g.nodes[a].get("iso3"),
                "iso3_2": g.nodes[b].get("iso3"),
                "name1": g.nodes[a].get("name"),
                "name2": g.nodes[b].get("name"),
                **{k: val for k, val in d.items() if k != "layer"},
            }
        )
    if not rows:
        return pl.DataFrame(
            schema={
                "year": pl.Int32,
                "layer": pl.String,
                "ccode1": pl.Int32,
                "ccode2": pl.Int32,
                "iso3_1": pl.String,
                "iso3_2": pl.String,
                "name1": pl.String,
                "name2": pl.String,
                "weight": pl.Float64,
            }
        )
    return (
        pl.DataFrame(rows, infer_schema_length=None)
        .with_columns(pl.col("year", "ccode1", "ccode2").cast(pl.Int32))
        .sort("layer", "ccode1", "ccode2")
    )


# -- export -------------------------------------------------------------------------------


def _clean_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool | int | float | str):
        return v
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return str(v)


def _exportable(g: nx.Graph) -> nx.Graph:
    """A copy without null attributes (GraphML/GEXF have no null) and with plain types."""
    h = g.__class__()
    h.graph.update({k: _clean_value(v) for k, v in g.graph.items() if _clean_value(v) is not None})
    for n, d in g.nodes(data=True):
        h.add_node(n, **{k: _clean_value(v) for k, v in d.items() if v is not None})
    if g.is_multigraph():
        for u, v, k, d in g.edges(keys=True, data=True):
            h.add_edge(u, v, key=k, **{a: _clean_value(x) for a, x in d.items() if x is not None})
    else:
        for u, v, d in g.edges(data=True):
            h.add_edge(u, v, **{a: _clean_value(x) for a, x in d.items() if x is not None})
    return h


def graph_to_json(g: nx.Graph) -> dict[str, Any]:
    """JSON node-link data (``nodes``, ``edges``, ``graph``), nulls kept as JSON null."""
    data = nx.node_link_data(g, edges="edges")
    return json.loads(json.dumps(data, default=_clean_value))


def write_graph(g: nx.Graph, path: str | os.PathLike[str]) -> Path:
    """Write a graph as GraphML (``.graphml``), GEXF (``.gexf``) or JSON node-link data
    (``.json``), atomically: a failed write leaves no partial file."""
    from allyscope.io import atomic_path, check_table_path

    ext = check_table_path(path, GRAPH_FORMATS)
    with atomic_path(path) as tmp:
        if ext == ".graphml":
            nx.write_graphml(_exportable(g), tmp)
        elif ext == ".gexf":
            nx.write_gexf(_exportable(g), tmp)
        else:
            tmp.write_text(json.dumps(graph_to_json(g), allow_nan=False) + "\n", encoding="utf-8")
    return Path(path)


def read_graph(path: str | os.PathLike[str]) -> nx.Graph:
    """Read a graph written by :func:`write_graph` back (node ids as ``int``)."""
    from allyscope.io import check_table_path

    ext = check_table_path(path, GRAPH_FORMATS)
    if ext == ".graphml":
        return nx.read_graphml(path, node_type=int)
    if ext == ".gexf":
        return nx.read_gexf(path, node_type=int)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return nx.node_link_graph(data, edges="edges")


def check_graph_path(path: str | os.PathLike[str]) -> str:
    """The lower-case extension of a graph output path, or an actionable error."""
    from allyscope.io import check_table_path

    try:
        return check_table_path(path, GRAPH_FORMATS)
    except InvalidInputError:
        raise InvalidInputError(
            f"cannot write a graph to {os.fspath(path)!r}: unknown file type",
            "use .graphml, .gexf or .json",
        ) from None


__all__ = [
    "GRAPH_FORMATS",
    "MultilayerNetwork",
    "check_graph_path",
    "edge_table",
    "graph_to_json",
    "layer_summary",
    "multilayer_network",
    "network_sequence",
    "read_graph",
    "write_graph",
    "yearly_network",
]
