"""Plotly figures for networks, hub-and-spoke metrics, blocs and de facto scores.

Every function returns a ``plotly.graph_objects.Figure``; :func:`write_html` writes one as
a self-contained HTML file (plotly.js embedded, no CDN), atomically.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import networkx as nx
import polars as pl

from allyscope.errors import InvalidInputError

_COLORS = {
    "hub-spoke": "#1f77b4",
    "spoke-spoke": "#d62728",
    "other": "#aaaaaa",
    "hub": "#1f77b4",
    "spoke": "#ff7f0e",
    "region": "#7f7f7f",
}
_BLOC_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def _layout(
    g: nx.Graph, hub: int | None, spokes: set[int], seed: int
) -> dict[int, tuple[float, float]]:
    """Hub in the centre, spokes on an inner circle, other states on an outer circle; no
    hub: a seeded spring layout."""
    if hub is None or hub not in g:
        return {n: (float(x), float(y)) for n, (x, y) in nx.spring_layout(g, seed=seed).items()}
    pos: dict[int, tuple[float, float]] = {hub: (0.0, 0.0)}
    inner = sorted(spokes, key=lambda n: g.nodes[n].get("iso3") or str(n))
    outer = sorted(
        (n for n in g if n != hub and n not in spokes),
        key=lambda n: g.nodes[n].get("iso3") or str(n),
    )
    for ring, radius in ((inner, 1.0), (outer, 1.8)):
        for i, n in enumerate(ring):
            a = 2 * math.pi * i / max(len(ring), 1) + (0.3 if radius > 1 else 0.0)
            pos[n] = (radius * math.cos(a), radius * math.sin(a))
    return pos


def network_figure(
    g: nx.Graph,
    *,
    hub: int | None = None,
    region: Sequence[int] | None = None,
    title: str | None = None,
    seed: int = 0,
):
    """A network plot of one layer and year. With ``region``, only the hub and those
    states; with ``hub``, ties are coloured hub-spoke / spoke-spoke / other."""
    import plotly.graph_objects as go

    nodes = set(g) if region is None else (set(region) | ({hub} if hub is not None else set()))
    h = g.subgraph(n for n in nodes if n in g).copy()
    spokes = set(h.neighbors(hub)) if hub is not None and hub in h else set()
    pos = _layout(h, hub, spokes, seed)
    fig = go.Figure()
    kinds: dict[str, list[tuple[int, int, float]]] = {
        "hub-spoke": [],
        "spoke-spoke": [],
        "other": [],
    }
    for u, v, d in h.edges(data=True):
        if hub is not None and hub in (u, v):
            k = "hub-spoke"
        elif u in spokes and v in spokes:
            k = "spoke-spoke"
        else:
            k = "other"
        kinds[k].append((u, v, float(d.get("weight", 1.0) or 0.0)))
    for k, edges in kinds.items():
        if not edges:
            continue
        xs: list[float | None] = []
        ys: list[float | None] = []
        for u, v, _w in edges:
            xs += [pos[u][0], pos[v][0], None]
            ys += [pos[u][1], pos[v][1], None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": _COLORS[k], "width": 2 if k != "other" else 1},
                name=f"{k} ties ({len(edges)})" if hub is not None else f"ties ({len(edges)})",
                hoverinfo="skip",
            )
        )
    groups = {"hub": [hub] if hub in h else [], "spoke": sorted(spokes)}
    groups["region"] = sorted(n for n in h if n not in spokes and n != hub)
    for k, members in groups.items():
        if not members:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in members],
                y=[pos[n][1] for n in members],
                mode="markers+text",
                text=[h.nodes[n].get("iso3") or str(n) for n in members],
                textposition="top center",
                marker={"size": 16 if k == "hub" else 11, "color": _COLORS[k]},
                name={"hub": "hub", "spoke": "spokes", "region": "other states"}[k]
                if hub is not None
                else "states",
                hovertext=[
                    f"{h.nodes[n].get('name')} ({h.nodes[n].get('iso3')}), degree {h.degree(n)}"
                    for n in members
                ],
                hoverinfo="text",
            )
        )
    layer = g.graph.get("layer", "")
    year = g.graph.get("year", "")
    note = "" if g.graph.get("covered", True) else " (layer not covered this year: no data)"
    fig.update_layout(
        title=title or f"{layer} ties, {year}{note}",
        template="plotly_white",
        showlegend=True,
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        hovermode="closest",
    )
    return fig


def hub_spoke_figure(df: pl.DataFrame, metric: str = "lattice_density"):
    """A metric of :func:`~allyscope.network.hubspoke.hub_spoke` over time, one line per layer."""
    import plotly.graph_objects as go

    if metric not in df.columns:
        raise InvalidInputError(f"no column {metric!r} to plot")
    fig = go.Figure()
    for (layer,), part in df.partition_by("layer", as_dict=True, maintain_order=True).items():
        p = part.sort("year")
        fig.add_trace(
            go.Scatter(
                x=p["year"].to_list(),
                y=p[metric].to_list(),
                mode="lines+markers",
                name=str(layer),
                customdata=p.select("n_spokes", "spoke_ties", "spokes").rows(),
                hovertemplate="%{x}: %{y:.2f}<br>%{customdata[0]} spokes, "
                "%{customdata[1]} spoke-spoke ties<br>%{customdata[2]}<extra></extra>",
            )
        )
    hub = df["hub"][0] if "hub" in df.columns and df.height else ""
    fig.update_layout(
        title=f"{hub}: {metric.replace('_', ' ')} (0 = hub and spoke, 1 = lattice)",
        xaxis_title="year",
        yaxis_title=metric.replace("_", " "),
        yaxis={"range": [-0.02, 1.02]},
        template="plotly_white",
    )
    return fig


def polarization_figure(stats: pl.DataFrame, position: pl.DataFrame | None = None):
    """Modularity and the within-minus-between affinity gap per year; with ``position``
    (from :func:`~allyscope.network.voting_blocs.bloc_position`), the state's mean affinity with
    the US bloc and the China/Russia bloc below."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = 2 if position is not None else 1
    titles = ["UN voting polarization"]
    if position is not None:
        state = position["iso3"][0] if position.height else ""
        titles.append(f"{state}: mean UN affinity with each bloc")
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, subplot_titles=titles)
    s = stats.sort("year")
    fig.add_trace(
        go.Scatter(
            x=s["year"].to_list(),
            y=s["modularity"].to_list(),
            name="modularity",
            mode="lines",
            customdata=s.select("blocs").rows(),
            hovertemplate="%{x}: Q = %{y:.3f}<br>%{customdata[0]}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=s["year"].to_list(),
            y=s["affinity_gap"].to_list(),
            name="within - between affinity",
            mode="lines",
        ),
        row=1,
        col=1,
    )
    if position is not None:
        p = position.sort("year")
        refs = [c for c in p.columns if c.startswith("affinity_") and c.endswith("_bloc")]
        for i, col in enumerate(refs):
            name = f"the {col[len('affinity_') : -len('_bloc')].upper()} bloc"
            color = _BLOC_COLORS[i % len(_BLOC_COLORS)]
            fig.add_trace(
                go.Scatter(
                    x=p["year"].to_list(),
                    y=p[col].to_list(),
                    name=f"affinity with {name}",
                    mode="lines+markers",
                    line={"color": color},
                    customdata=p.select("bloc_label").rows(),
                    hovertemplate="%{x}: %{y:.2f} (in bloc %{customdata[0]})<extra></extra>",
                ),
                row=2,
                col=1,
            )
    fig.update_layout(template="plotly_white", hovermode="x unified", height=350 * rows)
    return fig


def defacto_figure(df: pl.DataFrame, title: str | None = None):
    """A dyad's percentile among the dyads compared with it per year (with the
    weight-sensitivity band) and its components below; for a group, the percentiles of
    its weakest pair and the mean over its pairs."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from allyscope.network.defacto_score import COMPONENTS

    group = "percentile_min" in df.columns
    d = df.sort("year")
    rows = 1 if group else 2
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        subplot_titles=["percentile among the dyads of the same year and basis"]
        + ([] if group else ["score components (0-1 each; missing where not observed)"]),
    )
    if group:
        for col, name in (
            ("percentile_min", "weakest pair"),
            ("percentile_mean", "mean over pairs"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=d["year"].to_list(), y=d[col].to_list(), name=name, mode="lines+markers"
                ),
                row=1,
                col=1,
            )
        label = d["group"][0] if d.height else ""
    else:
        years = d["year"].to_list()
        fig.add_trace(
            go.Scatter(
                x=years + years[::-1],
                y=d["percentile_high"].to_list() + d["percentile_low"].to_list()[::-1],
                fill="toself",
                line={"width": 0},
                fillcolor="rgba(31,119,180,0.2)",
                name="weight-sensitivity band",
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=years,
                y=d["percentile"].to_list(),
                name="percentile among dyads on the same basis",
                mode="lines+markers",
                customdata=d.select("basis", "n_compared").rows(),
                hovertemplate="%{x}: %{y:.1f} (%{customdata[1]} dyads on "
                "%{customdata[0]})<extra></extra>",
            ),
            row=1,
            col=1,
        )
        for i, c in enumerate(COMPONENTS):
            fig.add_trace(
                go.Bar(
                    x=d["year"].to_list(),
                    y=d[c].to_list(),
                    name=c,
                    marker_color=_BLOC_COLORS[i % len(_BLOC_COLORS)],
                ),
                row=2,
                col=1,
            )
        fig.update_layout(barmode="group")
        label = f"{d['iso3_1'][0]}-{d['iso3_2'][0]}" if d.height else ""
    fig.update_yaxes(range=[0, 100], row=1, col=1)
    fig.update_layout(
        title=title or f"De facto alignment: {label}",
        template="plotly_white",
        height=330 * rows + 100,
    )
    return fig


def write_html(fig, path: str | os.PathLike[str]) -> None:
    """Write ``fig`` as a self-contained HTML page (or PNG), atomically (see
    :func:`allyscope.io.write_figure`)."""
    from allyscope.io import write_figure

    write_figure(fig, path)


__all__ = [
    "defacto_figure",
    "hub_spoke_figure",
    "network_figure",
    "polarization_figure",
    "write_html",
]
