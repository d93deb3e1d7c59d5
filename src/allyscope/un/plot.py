"""Plotly figures and compact terminal views for UN voting measures."""

from __future__ import annotations

import math
from pathlib import Path
from typing import cast

import polars as pl

SPARK = "▁▂▃▄▅▆▇█"

LABELS = {
    "agree": "Share of identical votes",
    "coincidence": "Voting coincidence (State Dept.)",
    "s_score": "S-score (Signorino-Ritter)",
    "kappa": "Cohen's kappa",
    "pi": "Scott's pi",
    "kappa_w": "Weighted kappa",
    "pi_w": "Weighted pi",
    "idealpoint": "Ideal point",
    "idealpoint_distance": "Ideal-point distance",
}


def sparkline(values: list[float | None], lo: float, hi: float) -> str:
    """One character per value; blank where the value is missing."""
    out = []
    span = (hi - lo) or 1.0
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(" ")
        else:
            k = round((v - lo) / span * (len(SPARK) - 1))
            out.append(SPARK[max(0, min(len(SPARK) - 1, k))])
    return "".join(out)


def series_lines(
    df: pl.DataFrame,
    label: str,
    x: str,
    value: str,
    lo: float | None = None,
    hi: float | None = None,
) -> list[tuple[str, str, float | None, float | None]]:
    """``(label, sparkline, first, last)`` per series over the full range of ``x``."""
    xs = sorted(df[x].unique().to_list())
    vals = df[value].drop_nulls()
    # a numeric column: its min and max are numbers (polars types them as any literal)
    lo = (
        float(cast(float, vals.min()))
        if lo is None and len(vals)
        else (lo if lo is not None else 0.0)
    )
    hi = (
        float(cast(float, vals.max()))
        if hi is None and len(vals)
        else (hi if hi is not None else 1.0)
    )
    rows = []
    for name, part in df.sort(x).group_by(label, maintain_order=True):
        by_x = dict(zip(part[x].to_list(), part[value].to_list(), strict=True))
        seq = [by_x.get(v) for v in xs]
        present = [v for v in seq if v is not None]
        rows.append(
            (
                str(name[0]),
                sparkline(seq, lo, hi),
                present[0] if present else None,
                present[-1] if present else None,
            )
        )
    return rows


def line_figure(
    df: pl.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    title: str,
    band: str | None = None,
):
    """A line per series (optionally with a +-1.96 SD band from column ``band``)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
        "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    ]  # fmt: skip
    for k, (name, part) in enumerate(df.sort(x).group_by(series, maintain_order=True)):
        color = palette[k % len(palette)]
        xs = part[x].to_list()
        ys = part[y].to_list()
        if band is not None:
            sd = part[band].to_list()
            up = [
                None if v is None or s is None else v + 1.96 * s
                for v, s in zip(ys, sd, strict=True)
            ]
            dn = [
                None if v is None or s is None else v - 1.96 * s
                for v, s in zip(ys, sd, strict=True)
            ]
            fig.add_trace(
                go.Scatter(x=xs + xs[::-1], y=up + dn[::-1], fill="toself", line={"width": 0},
                           fillcolor=color, opacity=0.15, hoverinfo="skip", showlegend=False)
            )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=xs, y=ys, mode="lines+markers", name=str(name[0]),
                       line={"color": color}, marker={"size": 4}, connectgaps=False)
        )  # fmt: skip
    fig.update_layout(
        title=title,
        xaxis_title=x.capitalize(),
        yaxis_title=LABELS.get(y, y),
        template="plotly_white",
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def write_html(fig, path: str | Path) -> Path:
    """Write ``fig`` as a self-contained HTML page (or PNG), atomically (see
    :func:`allyscope.io.write_figure`)."""
    from allyscope.io import write_figure

    return write_figure(fig, path)
